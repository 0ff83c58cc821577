//! Part 3, 23 Timing ticks: TPM_GetTicks and TPM_TickStampBlob.

use crate::dispatch::{Ctx, Entity, Handler};
use crate::Tpm;
use tpm_marshal::commands::timing::{
    GetTicks, GetTicksOut, TickStampBlob, TickStampBlobIn, TickStampBlobOut,
};
use tpm_marshal::{CurrentTicks, Marshal, ReturnCode, SigScheme, SignInfo, SizedBuffer};

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

/// Part 3, 23.1 TPM_GetTicks.
impl Handler for GetTicks {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<GetTicksOut, ReturnCode> {
        Ok(GetTicksOut {
            current_time: tpm.current_ticks(),
        })
    }
}

/// Part 3, 23.2 TPM_TickStampBlob: a signing key signs TPM_SIGN_INFO ("TSTP", antiReplay,
/// digestToStamp || TPM_CURRENT_TICKS), so the digest is shown to exist at this tick count
/// of this tick session.
impl Handler for TickStampBlob {
    fn authorize(tpm: &Tpm, input: &TickStampBlobIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.key_entity(input.key_handle)
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: TickStampBlobIn,
    ) -> Result<TickStampBlobOut, ReturnCode> {
        // 1-2. An authorized key of a signing usage.
        let key = tpm.signing_key(cx, input.key_handle, cx.auth_count() == 1)?;
        // 3. A scheme that signs a SHA-1 digest.
        if !matches!(
            key.sig_scheme(),
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1 | SigScheme::TPM_SS_RSASSAPKCS1v15_INFO
        ) {
            return Err(ReturnCode::TPM_INAPPROPRIATE_SIG);
        }
        // 4-5. The current ticks.
        let current_ticks = tpm.current_ticks();
        // 6. H1.
        let mut data = input.digest_to_stamp.to_vec();
        data.extend(current_ticks.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?);
        let info = SignInfo {
            fixed: *b"TSTP",
            replay: input.anti_replay,
            data: SizedBuffer(data),
        };
        // 7. The signature over SHA-1(H1).
        let bytes = info.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
        let sig = tpm.sign_structure(&key, &bytes)?;
        Ok(TickStampBlobOut { current_ticks, sig })
    }
}
