//! Part 3, 23 Timing ticks: TPM_GetTicks.

use crate::dispatch::{Ctx, Handler};
use crate::Tpm;
use tpm_marshal::commands::engine_extra::{GetTicks, GetTicksOut};
use tpm_marshal::{CurrentTicks, ReturnCode};

/// Microseconds per tick (TPM_CURRENT_TICKS.tickRate): the platform clock's resolution.
pub const TICK_RATE_US: u16 = 1;

impl Tpm {
    /// Part 2, 15.1 TPM_CURRENT_TICKS: ticks since this tick session began at TPM_Startup.
    pub(crate) fn current_ticks(&mut self) -> CurrentTicks {
        let now = self.ticks_us();
        CurrentTicks {
            current_ticks: now.saturating_sub(self.state.stany.tick_base_us)
                / u64::from(TICK_RATE_US),
            tick_rate: TICK_RATE_US,
            tick_nonce: self.state.stany.tick_nonce,
        }
    }
}

/// Part 3, 23.2 TPM_GetTicks.
impl Handler for GetTicks {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<GetTicksOut, ReturnCode> {
        Ok(GetTicksOut {
            current_time: tpm.current_ticks(),
        })
    }
}
