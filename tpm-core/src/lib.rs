//! `tpm-core`: the TPM 1.2 ordinal engine.
//!
//! `Tpm::execute(locality, bytes) -> bytes` runs every ordinal of TPM Main Part 3 with
//! sessions, the key hierarchy, NV storage and persistence through a storage trait. It opens
//! no sockets and no files except through its `Store`. (Filled by the engine issue.)
#![forbid(unsafe_code)]
