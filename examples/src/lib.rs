//! Runnable programs that show how to embed the TPM crates; run one with
//! `cargo run -p examples --example NAME`. This library holds the glue they share.
#![forbid(unsafe_code)]

use tpm_tis::{Answer, BackendFailure, TisBackend};

/// Puts the engine behind the TIS (`tpm_tis::TisBackend` for `tpm_core::Tpm`). Commands run
/// synchronously inside the tpmGo write; an engine on another thread would answer
/// `Answer::Later` and call `Tis::complete`. The locality-4 hash interface goes straight
/// to the engine's `hash_start/data/end`.
#[derive(Debug)]
pub struct TpmBackend {
    /// The engine.
    pub engine: tpm_core::Tpm,
}

impl TpmBackend {
    /// Puts `engine` behind a TIS.
    pub fn new(engine: tpm_core::Tpm) -> Self {
        Self { engine }
    }
}

impl TisBackend for TpmBackend {
    fn execute(&mut self, locality: u8, command: &[u8]) -> Answer {
        Answer::Response(self.engine.execute(locality, command))
    }

    fn cancel(&mut self) {
        self.engine.cancel();
    }

    fn established(&self) -> bool {
        self.engine.tpm_established()
    }

    fn hash_start(&mut self) -> Result<(), BackendFailure> {
        self.engine.hash_start().map_err(|_| BackendFailure)
    }

    fn hash_data(&mut self, data: &[u8]) -> Result<(), BackendFailure> {
        self.engine.hash_data(data).map_err(|_| BackendFailure)
    }

    fn hash_end(&mut self) -> Result<(), BackendFailure> {
        self.engine.hash_end().map_err(|_| BackendFailure)
    }
}
