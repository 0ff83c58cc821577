//! Interrupts (TIS 1.3, 5.4.2 TPM_INT_ENABLE_x, 5.4.4 TPM_INT_STATUS_x; tis.md §8).
//!
//! Each locality has its own enable and status registers. The output is a level computed
//! from them (tis.md D6): pending while some locality has a status bit set and its
//! globalIntEnable on.

use crate::locality::{Locality, PerLocality};
use crate::regs::int;
use crate::{Tis, TisBackend};

/// The interrupt registers of the five localities.
#[derive(Debug, Clone)]
pub(crate) struct Interrupts {
    enable: PerLocality<u32>,
    status: PerLocality<u32>,
    /// TPM_INT_VECTOR_x, shared by the localities.
    pub(crate) vector: u8,
}

impl Interrupts {
    /// The reset values: low level, all disabled, nothing pending.
    pub(crate) fn new(vector: u8) -> Self {
        Self {
            enable: PerLocality::splat(int::ENABLE_RESET),
            status: PerLocality::splat(0),
            vector,
        }
    }

    /// TPM_INT_ENABLE_x of locality `l`.
    pub(crate) fn enable(&self, l: Locality) -> u32 {
        self.enable.get(l)
    }

    /// TPM_INT_STATUS_x of locality `l`.
    pub(crate) fn status(&self, l: Locality) -> u32 {
        self.status.get(l)
    }

    /// Writes the lanes of TPM_INT_ENABLE_x selected by `lanes`; reserved bits stay 0.
    pub(crate) fn write_enable(&mut self, l: Locality, value: u32, lanes: u32) {
        let mask = lanes & int::ENABLE_WRITABLE;
        let enable = self.enable.get_mut(l);
        *enable = (*enable & !mask) | (value & mask);
    }

    /// Write-1-to-clear TPM_INT_STATUS_x.
    pub(crate) fn clear_status(&mut self, l: Locality, value: u32) {
        *self.status.get_mut(l) &= !value;
    }

    /// Records `events` at locality `l`: each bit whose enable bit is set, if
    /// globalIntEnable is on (tis.md D10).
    pub(crate) fn raise(&mut self, l: Locality, events: u32) {
        let enable = self.enable.get(l);
        if enable & int::GLOBAL_INT_ENABLE != 0 {
            *self.status.get_mut(l) |= events & enable & int::EVENTS;
        }
    }

    /// Whether the interrupt line is asserted.
    pub(crate) fn pending(&self) -> bool {
        self.status
            .iter()
            .any(|(l, status)| status != 0 && self.enable.get(l) & int::GLOBAL_INT_ENABLE != 0)
    }
}

impl<B: TisBackend> Tis<B> {
    /// Records `events` at the active locality (if any).
    pub(crate) fn raise_at_active(&mut self, events: u32) {
        if let Some(l) = self.arbiter.active {
            self.interrupts.raise(l, events);
        }
    }

    /// TIS 1.3, 5.4.2/5.4.4: whether the TPM's interrupt is asserted (level, recomputed
    /// from the registers: some locality has a status bit set and globalIntEnable on).
    /// Polarity, edge mode and the vector are the embedder's to apply.
    pub fn irq_pending(&self) -> bool {
        self.interrupts.pending()
    }
}
