//! `tpm`: one subcommand per TPM 1.2 ordinal, over `tpm-client`. (Filled by the client issue.)
#![forbid(unsafe_code)]

fn main() {
    eprintln!("tpm: no subcommands yet; see the README");
    std::process::exit(2);
}
