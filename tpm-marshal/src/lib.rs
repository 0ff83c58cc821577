//! `tpm-marshal`: the TPM 1.2 wire format, and nothing else.
//!
//! Layers, bottom up:
//! - [`Reader`] and [`Writer`]: bounds-checked big-endian cursors; a size-prefixed item is
//!   read through a sub-reader so it can never run past itself, and nothing is allocated
//!   before its bytes exist.
//! - [`Marshal`] / [`Unmarshal`]: one pair of traits, implemented for every wire number
//!   (open enums in [`constants`]) and every structure of TPM Main Part 2 rev 116
//!   ([`structures`]).
//! - [`framing`]: command and response headers (usable on a partial buffer, so a transport
//!   knows how many bytes to wait for) and full frames with 0, 1 or 2 auth trailers.
//! - [`commands`]: the [`Command`] trait tying each ordinal to its request and response
//!   types, shared by the engine and the client so every wire layout is written once.
//!
//! # No-panic contract
//! No function of this crate panics on any input; every failure is a [`MarshalError`] that
//! names the field, and [`MarshalError::return_code`] maps it to the TPM return code.
#![forbid(unsafe_code)]
#![deny(clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::cast_possible_truncation))]

#[macro_use]
mod macros;

pub mod codec;
pub mod commands;
pub mod constants;
mod error;
pub mod framing;
#[doc(hidden)]
pub mod fuzzing;
pub mod structures;

pub use codec::{Marshal, Reader, Unmarshal, Writer, MAX_BUFFER};
pub use commands::Command;
pub use constants::*;
pub use error::MarshalError;
pub use structures::*;
