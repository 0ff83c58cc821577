//! `tpm-client`: talk to any TPM 1.2 — ours in-process or over a socket, swtpm, or a chip
//! at /dev/tpm0.
//!
//! Layers: a [`Transport`] moves bytes; a [`Client`] sends typed commands (the `Command`
//! types of `tpm-marshal`, so no byte layout is written here) and checks responses;
//! [`AuthSession`] values compute and verify the HMACs of OIAP and OSAP sessions.
//! Errors say whether the TPM refused ([`Error::Tpm`], with the spec name of the code) or
//! the library could not get an answer.
//!
//! On top of that: [`methods`] has one method per ordinal of TPM Main Part 3 (named after
//! it: `TPM_PCRRead` is [`Client::pcr_read`]), [`flows`] the common sequences (take
//! ownership with the secrets OAEP-encrypted to the EK, create and load a key, seal and
//! unseal, quote and verify) and the checks a verifier makes with the `rsa` crate, and
//! [`SessionGuard`] flushes a session when it goes out of scope.
//!
//! Transports today: TCP, unix socket, character device, swtpm's control channel beside
//! its data channel. The in-process `tpm_core::Tpm` transport (feature `in-process`,
//! `mem:` and `dir:` URIs) is not written yet: it waits for the engine to be merged.
//!
//! ```no_run
//! let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
//! let srk = tpm.take_ownership_with(&[1; 20], &[0; 20])?;
//! let srk_handle = tpm_marshal::KeyHandle::TPM_KH_SRK.0;
//! let sealed = tpm.seal_with(srk_handle, &[0; 20], &[3; 20], b"disk key")?;
//! assert_eq!(tpm.unseal_with(srk_handle, &[0; 20], &[3; 20], &sealed)?, b"disk key");
//! # Ok::<(), tpm_client::Error>(())
//! ```
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
