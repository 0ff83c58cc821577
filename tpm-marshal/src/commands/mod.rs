//! Commands are types: for each ordinal a marker implementing [`Command`] ties the ordinal
//! to its request type `In` (input handles, then parameters, in Part 3 order) and its
//! response type `Out` (output handles, then parameters). Auth trailers are not part of
//! `In`/`Out`: the framing adds them.
//!
//! Both `tpm-core` (handlers) and `tpm-client` (one method per ordinal) use these types,
//! so every command's wire layout is written once. One module per Part 3 chapter.

use crate::{Marshal, Ordinal, Unmarshal};

/// One TPM ordinal with its request and response layout.
pub trait Command {
    /// The ordinal.
    const ORDINAL: Ordinal;
    /// How many UINT32 handles open `In`. They are excluded from the inParamDigest
    /// (Part 1, 13.6: only the ordinal and the parameters after the handles are hashed).
    const IN_HANDLES: usize;
    /// How many UINT32 handles open `Out` (excluded from the outParamDigest).
    const OUT_HANDLES: usize;
    /// Input handles and parameters.
    type In: Marshal + Unmarshal + core::fmt::Debug + Clone + PartialEq;
    /// Output handles and parameters.
    type Out: Marshal + Unmarshal + core::fmt::Debug + Clone + PartialEq;
}

/// Declares a command marker: `command!(/// doc, Name, TPM_ORD_X, In, in_handles, Out, out_handles)`.
macro_rules! command {
    ($(#[$meta:meta])* $name:ident = $ord:ident, $in:ty, $in_h:expr, $out:ty, $out_h:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name;

        impl $crate::Command for $name {
            const ORDINAL: $crate::Ordinal = $crate::Ordinal::$ord;
            const IN_HANDLES: usize = $in_h;
            const OUT_HANDLES: usize = $out_h;
            type In = $in;
            type Out = $out;
        }
    };
}

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
