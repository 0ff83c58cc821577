//! `tpmd`: see the `tpm_server::cli` module.

use clap::Parser;

fn main() -> std::process::ExitCode {
    tpm_server::cli::run(tpm_server::cli::Cli::parse())
}
