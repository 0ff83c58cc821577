//! `tpm`: one subcommand per TPM 1.2 ordinal (`tpm pcr-read 0`), named after it, over
//! `tpm-client`; also callable as `tpm_<name>` through argv[0] (`tpm_pcr_read 0`).
//! `tpm list` prints every subcommand with its ordinal and spec section.
//!
//! `--tpm URI` picks the TPM (default `$TPM_URI`, then `$TPM_SERVER_NAME:$TPM_SERVER_PORT`,
//! then 127.0.0.1:6545). A `dir:///path` URI runs the TPM in this process with its state
//! in a folder, so everything works with no server running. Errors go to stderr as
//! `tpm: TPM_AUTHFAIL: ...` with exit code 1.
#![forbid(unsafe_code)]

mod args;
mod cmd;
mod ctx;
mod error;
mod hex;
mod output;
mod secrets;
mod table;

use clap::Parser;
use cmd::Command;
use ctx::Ctx;
use error::{Error, Result};
use secrets::SecretRules;
use std::ffi::OsString;
use tpm_client::{TcpTransport, TpmUri};

/// A TPM 1.2 from the command line: one subcommand per ordinal.
#[derive(Parser, Debug)]
#[command(name = "tpm", version)]
pub struct Cli {
    /// The TPM: host:port, tcp://, unix://PATH, dev:///dev/tpm0, swtpm+unix://CTRL,DATA,
    /// dir://STATE-FOLDER (in-process, persistent) or mem: (in-process, fresh).
    #[arg(long, global = true, env = "TPM_URI", value_name = "URI")]
    tpm: Option<String>,
    /// Print results as JSON.
    #[arg(long, global = true)]
    json: bool,
    /// Secrets are 40 hex digits (the auth value itself), not passwords.
    #[arg(long, global = true)]
    hex: bool,
    /// A secret not given is the well-known secret (20 zero bytes).
    #[arg(short = 'z', long = "well-known", global = true)]
    well_known: bool,
    #[command(subcommand)]
    command: Command,
}

/// The arguments, with `tpm_pcr_read ARGS` (argv[0]) turned into `tpm pcr-read ARGS`.
fn arguments(mut args: Vec<OsString>) -> Vec<OsString> {
    let alias = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .and_then(|f| f.to_str())
        .and_then(|f| f.strip_prefix("tpm_"))
        .map(|name| name.replace('_', "-"));
    if let Some(name) = alias {
        args.insert(1, name.into());
    }
    args
}

/// Parses the command line and runs it.
fn run(cli: Cli) -> Result<()> {
    if matches!(cli.command, Command::List) && !cli.json {
        print!("{}", table::list_text());
        return Ok(());
    }
    let uri = match &cli.tpm {
        Some(s) => TpmUri::parse(s)?,
        None => TpmUri::Tcp(TcpTransport::default_addr()),
    };
    let transport = tpm_client::connect(&uri)
        .map_err(|e| Error::usage(format!("cannot open the TPM at {uri:?}: {e}")))?;
    let mut ctx = Ctx {
        tpm: tpm_client::Client::new(transport),
        secrets: SecretRules {
            hex: cli.hex,
            well_known: cli.well_known,
        },
    };
    let report = cli.command.run(&mut ctx)?;
    drop(ctx); // a dir: TPM saves its volatile state here
    if cli.json {
        print!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}

fn main() {
    let cli = Cli::parse_from(arguments(std::env::args_os().collect()));
    if let Err(e) = run(cli) {
        eprintln!("tpm: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::collections::BTreeSet;

    #[test]
    fn the_table_lists_exactly_the_subcommands() {
        let cli = Cli::command();
        let clap_names: BTreeSet<&str> = cli
            .get_subcommands()
            .map(|c| c.get_name())
            .filter(|n| *n != "list")
            .collect();
        let table_names: BTreeSet<&str> = table::SUBCOMMANDS.iter().map(|e| e.0).collect();
        assert_eq!(clap_names, table_names);
        assert_eq!(table_names.len(), table::SUBCOMMANDS.len(), "no duplicates");
    }

    #[test]
    fn no_subcommand_option_shadows_a_global_one() {
        let cli = Cli::command();
        let globals: BTreeSet<&str> = cli.get_arguments().map(|a| a.get_id().as_str()).collect();
        for sub in cli.get_subcommands() {
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                assert!(!globals.contains(id), "{} --{id}", sub.get_name());
            }
        }
    }

    #[test]
    fn argv0_names_the_subcommand() {
        let args = arguments(vec!["/usr/bin/tpm_pcr_read".into(), "0".into()]);
        assert_eq!(args, ["/usr/bin/tpm_pcr_read", "pcr-read", "0"]);
        let plain = arguments(vec!["tpm".into(), "list".into()]);
        assert_eq!(plain, ["tpm", "list"]);
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
