//! `tpm-tis`: the TIS 1.3 register state machine (TCG PC Client TPM Interface
//! Specification 1.3, FIFO interface) that a VMM puts in front of a TPM 1.2.
//!
//! Layers, bottom up:
//! - [`regs`]: offsets, bit names, [`Config`] (the reference configuration is QEMU's).
//! - `locality`: arbitration of the five localities (requestUse, relinquish, Seize,
//!   beenSeized, pendingRequest).
//! - `command`: the command state machine (Idle, Ready, Reception, Execution, Completion),
//!   the FIFO, Expect from paramSize, burstCount.
//! - `interrupts`: per-locality TPM_INT_ENABLE/TPM_INT_STATUS and [`Tis::irq_pending`].
//! - `hash`: the locality-4 hash interface, reachable only through [`Tis::hardware_write`].
//! - [`TisBackend`]: the TPM behind the interface, answering now or later.
//!
//! [`Tis::read`] and [`Tis::write`] take an offset into the 0x5000-byte window at
//! 0xFED4_0000 and a 1-, 2-, 4- or 8-byte little-endian access, so a one-line adapter fits
//! any VMM bus. Behaviour follows QEMU's TIS except for the deviations listed in
//! ../shared/spec/tis.md §14 (a lost locality resets its command state, a level interrupt
//! recomputed from the registers, multi-bit STS writes and dword-crossing accesses ignored).
//!
//! # No-panic contract
//! No method panics, whatever the offsets, widths, values and order of calls.
#![forbid(unsafe_code)]
#![deny(clippy::indexing_slicing)]

mod backend;
mod command;
mod hash;
mod interrupts;
mod locality;
#[cfg(test)]
mod mock;
pub mod regs;

pub use backend::{Answer, BackendFailure, TisBackend};
pub use command::{fatal_response, NotExecuting};
pub use regs::Config;

use command::Command;
use interrupts::Interrupts;
use locality::{Arbiter, Locality};
use regs::{INTERFACE_ID_TIS13, INTF_CAPABILITY_TPM12, PAGE_SIZE, WINDOW_SIZE};

/// TIS 1.3: a TPM 1.2 behind the FIFO interface, for five localities.
#[derive(Debug)]
pub struct Tis<B: TisBackend> {
    backend: B,
    config: Config,
    arbiter: Arbiter,
    command: Command,
    interrupts: Interrupts,
    /// A HASH_START was accepted and no HASH_END has come yet.
    hashing: bool,
}

/// One decoded guest access that stays inside one dword of the window.
#[derive(Debug, Clone, Copy)]
struct Access {
    locality: Locality,
    /// The dword's offset inside the locality page (`offset & 0xFFC`).
    register: u16,
    /// The first byte lane (`offset & 3`).
    lane: usize,
}

impl Access {
    /// Decodes `offset`, or `None` outside the window or across a dword (tis.md D9).
    fn decode(offset: u64, len: usize) -> Option<Self> {
        if !matches!(len, 1 | 2 | 4) {
            return None;
        }
        let len = u64::try_from(len).ok()?;
        let lane = offset & 3;
        if offset >= WINDOW_SIZE || lane.checked_add(len)? > 4 {
            return None;
        }
        Some(Self {
            locality: Locality::from_number(offset / PAGE_SIZE)?,
            register: u16::try_from((offset % PAGE_SIZE) & !3).ok()?,
            lane: usize::try_from(lane).ok()?,
        })
    }

    /// Whether the access lands in TPM_DATA_FIFO_x or TPM_XDATA_FIFO_x.
    fn is_fifo(&self) -> bool {
        self.register == regs::DATA_FIFO
            || (regs::XDATA_FIFO_FIRST..=regs::XDATA_FIFO_LAST).contains(&self.register)
    }
}

impl<B: TisBackend> Tis<B> {
    /// A TIS after reset, in front of `backend`.
    pub fn new(backend: B, config: Config) -> Self {
        Self {
            backend,
            arbiter: Arbiter::default(),
            command: Command::new(config.buffer_size),
            interrupts: Interrupts::new(config.irq_vector),
            hashing: false,
            config,
        }
    }

    /// TIS 1.3 (reset): no active locality, no requests, every register at its reset
    /// value, the FIFO empty. The embedder resets its TPM (TPM_Init) itself, and must not
    /// [`complete`](Self::complete) a command that was executing before the reset.
    pub fn reset(&mut self) {
        self.arbiter = Arbiter::default();
        self.command.reset();
        self.interrupts = Interrupts::new(self.config.irq_vector);
        self.hashing = false;
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The backend, to change.
    pub fn backend_mut(&mut self) -> &mut B {
        &mut self.backend
    }

    /// TIS 1.3: a guest read of `data.len()` bytes (1, 2, 4, or 8 as two 4-byte
    /// halves) at `offset` from 0xFED4_0000, little-endian. Reserved space, other widths
    /// and dword-crossing accesses read all ones.
    pub fn read(&mut self, offset: u64, data: &mut [u8]) {
        if let (8, Some(high_offset)) = (data.len(), offset.checked_add(4)) {
            let (low, high) = data.split_at_mut(4);
            self.read_dword(offset, low);
            self.read_dword(high_offset, high);
        } else {
            self.read_dword(offset, data);
        }
    }

    /// TIS 1.3: a guest write of `data` (1, 2, 4 or 8 bytes, little-endian) at
    /// `offset` from 0xFED4_0000. Writes at locality 4, to reserved space, of other widths
    /// or across a dword are ignored.
    pub fn write(&mut self, offset: u64, data: &[u8]) {
        if let (8, Some(high_offset)) = (data.len(), offset.checked_add(4)) {
            let (low, high) = data.split_at(4);
            self.write_dword(offset, low);
            self.write_dword(high_offset, high);
        } else {
            self.write_dword(offset, data);
        }
    }

    /// The locality that owns the interface, if any.
    pub fn active_locality(&self) -> Option<u8> {
        self.arbiter.active.map(Locality::number)
    }

    /// The active locality, if any.
    fn active(&self) -> Option<Locality> {
        self.arbiter.active
    }

    /// A read inside one dword.
    fn read_dword(&mut self, offset: u64, data: &mut [u8]) {
        let Some(access) = Access::decode(offset, data.len()) else {
            data.fill(0xFF);
            return;
        };
        if access.is_fifo() {
            if self.active() == Some(access.locality) {
                self.read_fifo(data);
            } else {
                data.fill(0xFF);
            }
            return;
        }
        let value = self
            .register_value(access.locality, access.register, data.len() == 1)
            .map_or(u32::MAX, |v| v >> (8 * access.lane));
        for (slot, byte) in data.iter_mut().zip(value.to_le_bytes()) {
            *slot = byte;
        }
    }

    /// TIS 1.3: the 32-bit value of the register at `register` of locality `l`, or
    /// `None` for reserved space. Lanes beyond a narrow register read 0.
    fn register_value(&self, l: Locality, register: u16, byte_read: bool) -> Option<u32> {
        let active = self.active() == Some(l);
        let value = match register {
            regs::ACCESS => u32::from(self.arbiter.access(l, self.backend.established())),
            regs::INT_ENABLE => self.interrupts.enable(l),
            regs::INT_VECTOR => u32::from(self.interrupts.vector),
            regs::INT_STATUS => self.interrupts.status(l),
            regs::INTF_CAPABILITY => INTF_CAPABILITY_TPM12,
            regs::STS if active => self.sts_value(byte_read),
            regs::STS => u32::MAX,
            regs::INTERFACE_ID => INTERFACE_ID_TIS13,
            regs::DID_VID => self.config.did_vid,
            regs::RID => u32::from(self.config.rid),
            _ => return None,
        };
        Some(value)
    }

    /// A write inside one dword.
    fn write_dword(&mut self, offset: u64, data: &[u8]) {
        let Some(access) = Access::decode(offset, data.len()) else {
            return;
        };
        let l = access.locality;
        if l == Locality::Four {
            return;
        }
        if access.register == regs::ACCESS {
            if let (0, Some(&value)) = (access.lane, data.first()) {
                self.write_access(l, value);
            }
            return;
        }
        if self.active() != Some(l) {
            return;
        }
        if access.is_fifo() {
            self.write_fifo(data);
            return;
        }
        let (value, lanes) = lanes(access.lane, data);
        match access.register {
            regs::INT_ENABLE => self.interrupts.write_enable(l, value, lanes),
            regs::INT_STATUS => self.interrupts.clear_status(l, value),
            regs::INT_VECTOR if self.config.int_vector_writable && lanes & 0xFF != 0 => {
                let [vector, ..] = value.to_le_bytes();
                self.interrupts.vector = vector & 0x0F;
            }
            regs::STS => self.write_sts(value),
            _ => {}
        }
    }
}

/// The 32-bit value of a write at byte lane `lane`, and the mask of the lanes it covers.
fn lanes(lane: usize, data: &[u8]) -> (u32, u32) {
    let mut value = [0u8; 4];
    let mut mask = [0u8; 4];
    let slots = value.iter_mut().zip(mask.iter_mut()).skip(lane);
    for ((v, m), &byte) in slots.zip(data) {
        *v = byte;
        *m = 0xFF;
    }
    (u32::from_le_bytes(value), u32::from_le_bytes(mask))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::{at, rd, request, tis, tis_with, wr, Mode};

    /// (register offset, 32-bit value after reset at a locality that is not active).
    const RESET_VALUES: [(u16, u32); 20] = [
        (0x000, 0x0000_0081),
        (0x004, 0xFFFF_FFFF),
        (0x008, 0x0000_0008),
        (0x00C, 0x0000_0005),
        (0x010, 0x0000_0000),
        (0x014, 0x2000_0697),
        (0x018, 0xFFFF_FFFF),
        (0x01C, 0xFFFF_FFFF),
        (0x020, 0xFFFF_FFFF),
        (0x024, 0xFFFF_FFFF),
        (0x028, 0xFFFF_FFFF),
        (0x02C, 0xFFFF_FFFF),
        (0x030, 0xFFFF_FFFF),
        (0x034, 0xFFFF_FFFF),
        (0x080, 0xFFFF_FFFF),
        (0x0C0, 0xFFFF_FFFF),
        (0xF00, 0x0001_1014),
        (0xF04, 0x0000_0001),
        (0xF08, 0xFFFF_FFFF),
        (0xFFC, 0xFFFF_FFFF),
    ];

    #[test]
    fn every_register_has_its_reset_value_at_every_locality() {
        let mut t = tis(Mode::Now);
        for l in 0..5 {
            for (reg, value) in RESET_VALUES {
                assert_eq!(rd(&mut t, at(l, reg), 4), u64::from(value), "{l} {reg:#x}");
            }
        }
    }

    #[test]
    fn every_byte_lane_reads_its_byte_of_the_dword() {
        let mut t = tis(Mode::Now);
        for l in 0..5 {
            for (reg, value) in RESET_VALUES {
                let bytes = value.to_le_bytes();
                for (lane, &byte) in bytes.iter().enumerate() {
                    let offset = at(l, reg) + lane as u64;
                    assert_eq!(rd(&mut t, offset, 1), u64::from(byte), "{offset:#x}");
                }
                for lane in 0..3 {
                    let word = u16::from_le_bytes([bytes[lane], bytes[lane + 1]]);
                    let offset = at(l, reg) + lane as u64;
                    assert_eq!(rd(&mut t, offset, 2), u64::from(word), "{offset:#x}");
                }
            }
        }
    }

    #[test]
    fn registers_are_little_endian() {
        let mut t = tis(Mode::Now);
        let bytes: Vec<u64> = (0..4).map(|i| rd(&mut t, 0x014 + i, 1)).collect();
        assert_eq!(bytes, [0x97, 0x06, 0x00, 0x20]);
        assert_eq!(rd(&mut t, 0xF00, 2), 0x1014);
        assert_eq!(rd(&mut t, 0xF02, 2), 0x0001);
    }

    #[test]
    fn eight_byte_read_is_two_dwords_low_first() {
        let mut t = tis(Mode::Now);
        assert_eq!(rd(&mut t, 0x010, 8), 0x2000_0697_0000_0000);
        assert_eq!(rd(&mut t, 0xF00, 8), 0x0000_0001_0001_1014);
        assert_eq!(rd(&mut t, 0x4FFC, 8), u64::MAX);
    }

    #[test]
    fn eight_byte_write_is_two_dwords_low_first() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x008, 8, 0x0000_0000_8000_0080);
        assert_eq!(rd(&mut t, 0x008, 4), 0x8000_0080);
        wr(&mut t, 0x014, 8, 0x0000_0040_0000_0000);
        assert_eq!(
            rd(&mut t, 0x018, 1),
            0x40,
            "high half hit STS: commandReady"
        );
    }

    #[test]
    fn dword_crossing_access_reads_all_ones_and_writes_nothing() {
        let mut t = tis(Mode::Now);
        assert_eq!(rd(&mut t, 0x013, 2), 0xFFFF);
        assert_eq!(rd(&mut t, 0xF02, 4), 0xFFFF_FFFF);
        assert_eq!(rd(&mut t, 0xF03, 2), 0xFFFF);
        wr(&mut t, 0xFFF, 2, 0x0200);
        assert_eq!(rd(&mut t, 0x1000, 1), 0x81, "locality 1 not requested");
    }

    #[test]
    fn odd_widths_read_all_ones_and_write_nothing() {
        let mut t = tis(Mode::Now);
        for size in [0, 3, 5, 6, 7, 9, 16] {
            let mut data = vec![0; size];
            t.read(0xF00, &mut data);
            assert!(data.iter().all(|&b| b == 0xFF), "{size}");
            t.write(0x000, &vec![0x02; size]);
        }
        assert_eq!(t.active_locality(), None);
    }

    #[test]
    fn reads_outside_the_window_are_all_ones() {
        let mut t = tis(Mode::Now);
        for offset in [0x5000, 0x5F00, u64::MAX - 3, u64::MAX - 7, u64::MAX] {
            assert_eq!(rd(&mut t, offset, 4), 0xFFFF_FFFF, "{offset:#x}");
            assert_eq!(rd(&mut t, offset, 8), u64::MAX, "{offset:#x}");
            wr(&mut t, offset, 8, 0x02);
        }
        assert_eq!(t.active_locality(), None);
    }

    #[test]
    fn sts_of_the_active_idle_locality_shows_the_free_buffer() {
        let mut t = tis(Mode::Now);
        request(&mut t, 2);
        assert_eq!(rd(&mut t, at(2, 0x018), 4), 0x0010_0000);
        assert_eq!(rd(&mut t, at(2, 0x019), 2), 0x1000);
        assert_eq!(rd(&mut t, at(2, 0x019), 1), 0xFF, "byte read clamped");
        assert_eq!(rd(&mut t, at(2, 0x01A), 1), 0x00);
        assert_eq!(rd(&mut t, at(2, 0x01B), 1), 0x00, "tpmFamily 00, TPM 1.2");
    }

    #[test]
    fn read_only_registers_ignore_writes() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        for reg in [
            0x014u16, 0x030, 0xF00, 0xF04, 0x00C, 0x004, 0x01C, 0x034, 0xF80,
        ] {
            wr(&mut t, u64::from(reg), 4, 0x5A5A_5A5A);
        }
        assert_eq!(rd(&mut t, 0x014, 4), 0x2000_0697);
        assert_eq!(rd(&mut t, 0x030, 4), 0xFFFF_FFFF);
        assert_eq!(rd(&mut t, 0xF00, 4), 0x0001_1014);
        assert_eq!(rd(&mut t, 0xF04, 4), 0x01);
        assert_eq!(rd(&mut t, 0x00C, 4), 0x05);
        assert_eq!(rd(&mut t, 0x004, 4), 0xFFFF_FFFF);
    }

    #[test]
    fn int_vector_is_writable_only_when_configured() {
        let config = Config {
            int_vector_writable: true,
            irq_vector: 7,
            ..Config::default()
        };
        let mut t = tis_with(Mode::Now, config);
        assert_eq!(rd(&mut t, 0x00C, 4), 7);
        wr(&mut t, 0x00C, 1, 0x0B);
        assert_eq!(rd(&mut t, 0x00C, 4), 7, "not active");
        request(&mut t, 0);
        wr(&mut t, 0x00C, 1, 0xFB);
        assert_eq!(rd(&mut t, 0x00C, 4), 0x0B, "bits 7:4 reserved");
        assert_eq!(rd(&mut t, 0x100C, 1), 0x0B, "one vector for all localities");
    }

    #[test]
    fn configured_identity_is_reported() {
        let config = Config {
            did_vid: 0xBEEF_1234,
            rid: 0x42,
            ..Config::default()
        };
        let mut t = tis_with(Mode::Now, config);
        assert_eq!(rd(&mut t, 0x3F00, 4), 0xBEEF_1234);
        assert_eq!(rd(&mut t, 0x3F04, 1), 0x42);
    }

    #[test]
    fn guest_writes_at_locality_4_are_ignored() {
        let mut t = tis(Mode::Now);
        wr(&mut t, 0x4000, 1, 0x02);
        assert_eq!(t.active_locality(), None);
        wr(&mut t, 0x4000, 1, 0x08);
        assert_eq!(rd(&mut t, 0x4000, 1), 0x81);
    }

    #[test]
    fn reset_returns_every_register_to_its_reset_value() {
        let mut t = tis(Mode::Later);
        request(&mut t, 1);
        wr(&mut t, 0x1008, 4, 0x8000_0087);
        wr(&mut t, 0x1018, 1, 0x40);
        wr(&mut t, 0x0000, 1, 0x02);
        t.reset();
        for l in 0..5 {
            for (reg, value) in RESET_VALUES {
                assert_eq!(rd(&mut t, at(l, reg), 4), u64::from(value), "{l} {reg:#x}");
            }
        }
        assert!(!t.irq_pending());
    }
}
