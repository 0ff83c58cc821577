//! What the TIS needs from the TPM behind it (tis.md §9).

/// The answer of [`TisBackend::execute`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The response, available at once: the command completes inside the tpmGo write.
    Response(Vec<u8>),
    /// The command runs elsewhere; the embedder calls [`crate::Tis::complete`] (or
    /// [`crate::Tis::fail`]) when it is done. Until then the TIS stays in Execution.
    Later,
    /// The TPM could not run the command (transport or emulator error); the TIS hands the
    /// guest the TPM 1.2 fatal response (TPM_FAIL).
    Failed,
}

/// The TPM could not carry out a hash-interface step (TPM Main Part 1
/// TPM_HASH_START/DATA/END): the TIS releases locality 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendFailure;

impl core::fmt::Display for BackendFailure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the TPM behind the TIS failed")
    }
}

impl std::error::Error for BackendFailure {}

/// The TPM behind the TIS (TIS 1.3: the FIFO interface fronts one TPM).
///
/// Only [`execute`](Self::execute) is required. Every method is called with the TIS
/// borrowed mutably, so a backend must not call back into the [`crate::Tis`]; an
/// asynchronous backend answers [`Answer::Later`] and completes from outside.
pub trait TisBackend {
    /// TIS 1.3 tpmGo: run `command` (exactly the bytes received) for `locality`
    /// (0–4).
    fn execute(&mut self, locality: u8, command: &[u8]) -> Answer;

    /// TIS 1.3 commandReady during Execution / commandCancel: an advisory request to
    /// stop the executing command. The backend still answers (its answer is then discarded
    /// or delivered as the TPM decides). It may come more than once for one command
    /// (commandReady, then a seize). The default ignores it.
    fn cancel(&mut self) {}

    /// TPM Main Part 2 TPM_PERMANENT_FLAGS.tpmEstablished, read on every
    /// TPM_ACCESS_x read (bit 0 is its inverse). The default is `false`.
    fn established(&self) -> bool {
        false
    }

    /// TPM Main Part 1, TPM_HASH_START: begin a DRTM measurement (the engine sets
    /// tpmEstablished, resets PCR 17–22 and starts a SHA-1). The default refuses.
    fn hash_start(&mut self) -> Result<(), BackendFailure> {
        Err(BackendFailure)
    }

    /// TPM Main Part 1, TPM_HASH_DATA: bytes to hash. The default refuses.
    fn hash_data(&mut self, data: &[u8]) -> Result<(), BackendFailure> {
        let _ = data;
        Err(BackendFailure)
    }

    /// TPM Main Part 1, TPM_HASH_END: finish the hash and extend PCR 17. The default refuses.
    fn hash_end(&mut self) -> Result<(), BackendFailure> {
        Err(BackendFailure)
    }
}
