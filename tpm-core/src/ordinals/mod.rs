//! Ordinal handlers, one module per Part 3 chapter family. Each handler is an
//! implementation of [`Handler`](crate::dispatch::Handler) for the ordinal's
//! [`Command`](tpm_marshal::Command) marker: the dispatcher has already checked the frame,
//! the state gates, the tag and the authorization, so a handler does only what its spec
//! section says, validating first and changing state last.

pub(crate) mod admin;
pub(crate) mod audit;
pub(crate) mod capability;
pub(crate) mod counters;
pub(crate) mod crypto;
pub(crate) mod dir;
pub(crate) mod nv;
pub(crate) mod pcr;
pub(crate) mod session;
pub(crate) mod timing;

// Owner, EK and keys (issue 3).
pub(crate) mod attest;
pub(crate) mod change_auth;
pub(crate) mod context;
pub(crate) mod ek;
pub(crate) mod identity;
pub(crate) mod keys;
pub(crate) mod ownership;
pub(crate) mod storage;
