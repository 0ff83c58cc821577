//! `tpm-server`: the `tpmd` daemon, a drop-in replacement for `swtpm socket`.
//! (Filled by the server issue.)
#![forbid(unsafe_code)]
