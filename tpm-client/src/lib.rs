//! `tpm-client`: talk to any TPM 1.2 — ours in-process or over a socket, swtpm, or a chip
//! at /dev/tpm0.
//!
//! Layers: a [`Transport`] moves bytes; a [`Client`] sends typed commands (the `Command`
//! types of `tpm-marshal`, so no byte layout is written here) and checks responses;
//! [`AuthSession`] values compute and verify the HMACs of OIAP and OSAP sessions.
//! Errors say whether the TPM refused ([`Error::Tpm`], with the spec name of the code) or
//! the library could not get an answer.
#![forbid(unsafe_code)]

pub mod client;
pub mod connect;
pub mod error;
pub mod flows;
pub mod guard;
#[cfg(feature = "in-process")]
pub mod in_process;
pub mod methods;
pub mod session;
pub mod swtpm;
pub mod transport;
pub mod uri;

pub use client::{Auth, Client};
pub use connect::connect;
pub use error::{Error, Result};
pub use guard::SessionGuard;
#[cfg(feature = "in-process")]
pub use in_process::InProcessTransport;
pub use session::{AuthSession, SessionKind};
pub use swtpm::{BlobType, SwtpmCtrl};
pub use transport::{DeviceTransport, TcpTransport, Transport, UnixTransport};
pub use uri::TpmUri;
