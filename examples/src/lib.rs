//! Runnable programs that show how to embed the TPM crates; run one with
//! `cargo run -p examples --example NAME`.
#![forbid(unsafe_code)]
