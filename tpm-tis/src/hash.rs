//! The locality-4 hash interface for a dynamic root of trust (TIS 1.3 TPM_HASH_*;
//! TPM Main Part 1, TPM_HASH_START/DATA/END; tis.md §12).
//!
//! Guest writes at locality 4 never reach these: on real platforms only the chipset makes
//! locality-4 cycles (Intel TXT SENTER, AMD SKINIT). The embedder models that event by
//! calling [`Tis::hardware_write`] or the three methods directly.

use crate::locality::{Locality, Switch};
use crate::regs::{HASH_DATA, HASH_END, HASH_START};
use crate::{BackendFailure, Tis, TisBackend};

impl<B: TisBackend> Tis<B> {
    /// A locality-4 write made by hardware: 0x4028 (TPM_HASH_START, data ignored), 0x4024
    /// to 0x4027 (TPM_HASH_DATA, every byte hashed), 0x4020 (TPM_HASH_END, data ignored);
    /// `offset` is relative to 0xFED4_0000 as for [`Tis::write`]. Other offsets and
    /// dword-crossing accesses are ignored.
    pub fn hardware_write(&mut self, offset: u64, data: &[u8]) {
        let within_data_dword = offset
            .checked_sub(HASH_DATA)
            .and_then(|lane| lane.checked_add(u64::try_from(data.len()).ok()?))
            .is_some_and(|end| end <= 4);
        if offset == HASH_START {
            self.hash_start();
        } else if offset == HASH_END {
            self.hash_end();
        } else if within_data_dword {
            self.hash_data(data);
        }
    }

    /// TPM_HASH_START: when no locality is active (or locality 4 already is), locality 4
    /// becomes active, the FIFO is emptied and the backend starts the measurement. While
    /// locality 0–3 is active it is ignored (the OS must relinquish first).
    pub fn hash_start(&mut self) {
        if self.arbiter.active.is_some_and(|a| a != Locality::Four) {
            return;
        }
        self.switch_locality(Switch {
            to: Some(Locality::Four),
            seize: false,
        });
        self.hashing = true;
        let started = self.backend.hash_start();
        self.check_hash_step(started);
    }

    /// TPM_HASH_DATA: bytes for the measurement; ignored without a HASH_START.
    pub fn hash_data(&mut self, data: &[u8]) {
        if self.hashing {
            let hashed = self.backend.hash_data(data);
            self.check_hash_step(hashed);
        }
    }

    /// TPM_HASH_END: the backend extends PCR 17 and locality 4 relinquishes (to the highest
    /// requester, or to nobody); ignored without a HASH_START.
    pub fn hash_end(&mut self) {
        if self.hashing {
            let ended = self.backend.hash_end();
            self.check_hash_step(ended);
            self.end_hash();
        }
    }

    /// An engine error in any step ends the sequence and releases locality 4.
    fn check_hash_step(&mut self, step: Result<(), BackendFailure>) {
        if step.is_err() {
            self.end_hash();
        }
    }

    /// Ends the hash sequence: locality 4 gives up the interface.
    fn end_hash(&mut self) {
        if self.hashing {
            self.hashing = false;
            self.relinquish(Locality::Four);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::mock::{rd, request, tis, wr, Mode};

    #[test]
    fn a_hash_sequence_takes_and_releases_locality_4() {
        let mut t = tis(Mode::Now);
        t.hardware_write(0x4028, &[0]);
        assert_eq!(t.active_locality(), Some(4));
        assert_eq!(rd(&mut t, 0x4000, 1), 0xA1);
        t.hardware_write(0x4024, &[1, 2, 3, 4]);
        t.hardware_write(0x4026, &[5]);
        t.hardware_write(0x4020, &[0]);
        assert_eq!(t.active_locality(), None);
        let log = ["start", "data [01, 02, 03, 04]", "data [05]", "end"];
        assert_eq!(t.backend().hash_log, log);
    }

    #[test]
    fn hash_start_is_ignored_while_another_locality_is_active() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        t.hash_start();
        t.hash_data(&[1]);
        t.hash_end();
        assert_eq!(t.active_locality(), Some(0));
        assert!(t.backend().hash_log.is_empty());
    }

    #[test]
    fn hash_data_and_end_without_start_are_ignored() {
        let mut t = tis(Mode::Now);
        t.hash_data(&[1]);
        t.hash_end();
        assert!(t.backend().hash_log.is_empty());
    }

    #[test]
    fn hash_end_grants_a_locality_that_asked_meanwhile() {
        let mut t = tis(Mode::Now);
        t.hash_start();
        request(&mut t, 0);
        wr(&mut t, 0x3000, 1, 0x08);
        assert_eq!(t.active_locality(), Some(4), "nothing outranks locality 4");
        t.hash_end();
        assert_eq!(t.active_locality(), Some(0));
    }

    #[test]
    fn a_failing_hash_step_releases_locality_4() {
        let mut t = tis(Mode::Now);
        t.backend_mut().hash_fails = true;
        t.hash_start();
        assert_eq!(t.active_locality(), None);
        t.hash_data(&[1]);
        assert_eq!(t.backend().hash_log, ["start"]);
    }

    #[test]
    fn only_the_decoded_hash_addresses_act() {
        let mut t = tis(Mode::Now);
        for offset in [0x4029, 0x402C, 0x4021, 0x0028, 0x3028, u64::MAX] {
            t.hardware_write(offset, &[0]);
        }
        assert_eq!(t.active_locality(), None);
        t.hardware_write(0x4028, &[0]);
        t.hardware_write(0x4027, &[1, 2]);
        t.hardware_write(0x4021, &[0]);
        assert_eq!(t.backend().hash_log, ["start"]);
    }

    #[test]
    fn guest_writes_to_the_hash_registers_are_ignored() {
        let mut t = tis(Mode::Now);
        wr(&mut t, 0x4028, 1, 0);
        wr(&mut t, 0x4024, 4, 0x0102_0304);
        wr(&mut t, 0x4020, 1, 0);
        assert!(t.backend().hash_log.is_empty());
        assert_eq!(t.active_locality(), None);
    }
}
