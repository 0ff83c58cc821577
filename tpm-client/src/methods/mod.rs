//! One typed method per ordinal, in one module per chapter of TPM Main Part 3, each an
//! `impl<T: Transport> Client<T>` block built on the `Command` types of `tpm-marshal`.
//!
//! Conventions shared by every method:
//! - The name is the ordinal's in snake_case (`TPM_PCRRead` is [`Client::pcr_read`]).
//! - An ordinal that needs authorization takes an [`Auth`] per session, in Part 3 order;
//!   where Part 3 also accepts the command without that session, the argument is an
//!   `Option<Auth>`. The caller keys an OIAP session with the entity's usage secret
//!   ([`crate::AuthSession::set_secret`]) before the call.
//! - A new secret is given in the clear: the method ADIP-encrypts it (Part 1, 13.8) with
//!   the OSAP or DSAP session that authorizes the command (XOR scheme).
//! - Returned PUBEK and maintenance-key checksums are checked against a fresh nonce.
//! - Errors: [`crate::Error::Tpm`] when the TPM answers with a return code (named in each
//!   method's doc where one is typical), [`crate::Error::ResponseAuth`] when a response HMAC
//!   does not verify, [`crate::Error::Io`] or [`crate::Error::Malformed`] when no valid
//!   answer came back.
//!
//! [`Auth`]: crate::Auth
//! [`Client::pcr_read`]: crate::Client::pcr_read

use crate::client::Auth;

pub mod admin;
pub mod audit;
pub mod capability;
pub mod change_auth;
pub mod context;
pub mod counters;
pub mod crypto;
pub mod daa;
pub mod delegation;
pub mod deprecated;
pub mod ek;
pub mod eviction;
pub mod identity;
pub mod integrity;
pub mod maintenance;
pub mod migration;
pub mod nv;
pub mod opt_in;
pub mod ownership;
pub mod sessions;
pub mod startup;
pub mod storage;
pub mod testing;
pub mod timing;
pub mod transport;

/// The sessions present, in order.
fn present<'a, const N: usize>(auths: [Option<Auth<'a>>; N]) -> Vec<Auth<'a>> {
    auths.into_iter().flatten().collect()
}
