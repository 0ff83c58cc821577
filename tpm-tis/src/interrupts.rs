//! Interrupts (TIS 1.3 TPM_INT_ENABLE_x and TPM_INT_STATUS_x; tis.md §8).
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

    /// TIS 1.3 TPM_INT_ENABLE_x/TPM_INT_STATUS_x: whether the TPM's interrupt is asserted (level, recomputed
    /// from the registers: some locality has a status bit set and globalIntEnable on).
    /// Polarity, edge mode and the vector are the embedder's to apply.
    pub fn irq_pending(&self) -> bool {
        self.interrupts.pending()
    }
}

#[cfg(test)]
mod tests {
    use crate::mock::{at, drain, rd, request, response_to, run, tis, wr, Mode, GET_CAP};

    #[test]
    fn int_enable_writes_merge_by_byte_lane_and_keep_reserved_bits_zero() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x00B, 1, 0x80);
        assert_eq!(rd(&mut t, 0x008, 4), 0x8000_0008);
        wr(&mut t, 0x008, 1, 0xFF);
        assert_eq!(rd(&mut t, 0x008, 4), 0x8000_009F);
        wr(&mut t, 0x009, 2, 0xFFFF);
        assert_eq!(rd(&mut t, 0x008, 4), 0x8000_009F);
        wr(&mut t, 0x00A, 2, 0x0000);
        assert_eq!(rd(&mut t, 0x008, 4), 0x0000_009F);
        assert_eq!(rd(&mut t, 0x1008, 4), 0x0000_0008, "one copy per locality");
    }

    #[test]
    fn interrupt_registers_ignore_writes_from_a_non_active_locality() {
        let mut t = tis(Mode::Now);
        wr(&mut t, 0x008, 4, 0x8000_0087);
        assert_eq!(rd(&mut t, 0x008, 4), 0x0000_0008);
        request(&mut t, 1);
        wr(&mut t, 0x008, 4, 0x8000_0087);
        assert_eq!(rd(&mut t, 0x008, 4), 0x0000_0008);
    }

    #[test]
    fn only_enabled_events_are_recorded() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x008, 4, 0x8000_0001);
        run(&mut t, 0, &GET_CAP);
        assert_eq!(
            rd(&mut t, 0x010, 4),
            0x01,
            "completion with only dataAvail enabled"
        );
        assert!(t.irq_pending());
    }

    #[test]
    fn nothing_is_recorded_without_global_enable() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x008, 4, 0x0000_0087);
        run(&mut t, 0, &GET_CAP);
        assert_eq!(rd(&mut t, 0x010, 4), 0);
        assert!(!t.irq_pending());
    }

    #[test]
    fn status_is_write_one_to_clear_per_bit() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x008, 4, 0x8000_0087);
        run(&mut t, 0, &GET_CAP);
        assert_eq!(rd(&mut t, 0x010, 4), 0x83);
        wr(&mut t, 0x010, 1, 0x01);
        assert_eq!(rd(&mut t, 0x010, 4), 0x82);
        assert!(t.irq_pending());
        wr(&mut t, 0x010, 4, 0x82);
        assert_eq!(rd(&mut t, 0x010, 4), 0);
        assert!(!t.irq_pending());
    }

    #[test]
    fn the_line_follows_global_enable() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x008, 4, 0x8000_0080);
        wr(&mut t, 0x018, 1, 0x40);
        assert!(t.irq_pending());
        wr(&mut t, 0x00B, 1, 0x00);
        assert!(!t.irq_pending(), "level recomputed (D6)");
        assert_eq!(rd(&mut t, 0x010, 4), 0x80);
        wr(&mut t, 0x00B, 1, 0x80);
        assert!(t.irq_pending());
    }

    #[test]
    fn locality_change_is_raised_at_the_new_locality_only() {
        let mut t = tis(Mode::Now);
        request(&mut t, 1);
        wr(&mut t, 0x1008, 4, 0x8000_0004);
        wr(&mut t, 0x1000, 1, 0x20);
        request(&mut t, 0);
        wr(&mut t, 0x0008, 4, 0x8000_0004);
        request(&mut t, 1);
        wr(&mut t, 0x0000, 1, 0x20);
        assert_eq!(rd(&mut t, 0x1010, 4), 0x04);
        assert_eq!(rd(&mut t, 0x0010, 4), 0x00);
        wr(&mut t, 0x0010, 4, 0x04);
        assert_eq!(
            rd(&mut t, 0x1010, 4),
            0x04,
            "cleared only by its own locality"
        );
    }

    #[test]
    fn reading_the_last_byte_raises_sts_valid() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x008, 4, 0x8000_0002);
        run(&mut t, 0, &GET_CAP);
        wr(&mut t, 0x010, 4, 0x02);
        drain(&mut t, 0, 13);
        assert_eq!(rd(&mut t, 0x010, 4), 0);
        drain(&mut t, 0, 1);
        assert_eq!(rd(&mut t, 0x010, 4), 0x02);
    }

    #[test]
    fn reception_raises_nothing() {
        let mut t = tis(Mode::Later);
        request(&mut t, 0);
        wr(&mut t, 0x008, 4, 0x8000_0007);
        run(&mut t, 0, &GET_CAP);
        assert_eq!(rd(&mut t, 0x010, 4), 0, "no stsValid interrupt (D5)");
        t.complete(response_to(&GET_CAP)).unwrap();
        assert_eq!(rd(&mut t, 0x010, 4), 0x03);
    }

    #[test]
    fn status_survives_a_locality_change() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x008, 4, 0x8000_0080);
        wr(&mut t, 0x018, 1, 0x40);
        wr(&mut t, at(2, 0x000), 1, 0x08);
        assert_eq!(rd(&mut t, 0x010, 4), 0x80);
        assert!(t.irq_pending());
    }
}
