//! `tpm-server`: `tpmd`, a TPM 1.2 daemon that is a drop-in replacement for `swtpm socket`.
//!
//! Layers, outside in:
//! - [`cli`] turns swtpm's command line into a [`server::Config`];
//! - [`server`] binds the channels and owns the TPM behind one mutex;
//! - [`data`] assembles TPM commands on each data connection, [`ctrl`] parses and answers
//!   the control channel's CMD_* requests, [`proxy`] relays to a TPM device instead;
//! - [`instance::TpmInstance`] is the only way any of them reaches a TPM: the engine
//!   (`tpm_core::Tpm`) or [`mock::MockTpm`].
//!
//! State lives in a `tpm_core::DirStore` folder (locked, atomic writes, optionally
//! encrypted with `--key`); migration blobs use [`blob`]'s swtpm-style header.
#![deny(unsafe_code)]

pub mod blob;
pub mod caps;
pub mod cli;
pub mod ctrl;
pub mod data;
pub mod engine;
pub mod fdpass;
pub mod instance;
pub mod keys;
pub mod log;
pub mod mock;
pub mod opts;
pub mod proxy;
pub mod server;
pub mod transport;
pub mod wire;

pub use instance::{Backend, InstanceError, Manufacture, TpmInstance};
pub use mock::MockTpm;
