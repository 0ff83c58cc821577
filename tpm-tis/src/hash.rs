//! The locality-4 hash interface for a dynamic root of trust (TIS 1.3, 5.4.1 TPM_HASH_*;
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
