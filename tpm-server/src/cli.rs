//! The `tpmd` command line: swtpm's `socket` options, the newcomer default (no
//! arguments), and `proxy`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};
use nix::sys::signal::{SigSet, Signal};
use tpm_marshal::{Ordinal, Tag};

use crate::instance::{Backend, Manufacture};
use crate::keys::{KeyMaterial, KeyOpt};
use crate::log::{Logger, LEVEL_COMMANDS, LEVEL_EVENTS};
use crate::opts::{CtrlOpt, Endpoint, Flags, LocalityOpt, LogOpt, PidOpt, ServerOpt, StateOpt};
use crate::server::{Config, ExitReason, Server};
use crate::wire;

/// The data port of the newcomer default and of TrouSerS' tcsd.
pub const DEFAULT_DATA_PORT: u16 = 6545;
/// The control port of the newcomer default.
pub const DEFAULT_CTRL_PORT: u16 = 6546;
/// The state folder of the newcomer default.
pub const DEFAULT_STATE_DIR: &str = "tpm-state";

/// tpmd: a software TPM 1.2 daemon, drop-in for `swtpm socket`.
///
/// With no subcommand, serves one TPM on 127.0.0.1:6545 (data) and 127.0.0.1:6546
/// (control), state in ./tpm-state, already started, enabled and activated with an EK.
#[derive(Debug, Parser)]
#[command(name = "tpmd", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to run.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default mode (the same as `socket`'s).
    #[command(flatten)]
    pub run: SocketArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve a TPM like `swtpm socket` (same options, same semantics).
    Socket(SocketArgs),
    /// Relay a TCP data channel to a TPM character device (like tpm_proxy).
    Proxy(ProxyArgs),
    /// Not supported: swtpm's character-device mode.
    #[command(hide = true)]
    Chardev(Unsupported),
    /// Not supported: swtpm's CUSE mode.
    #[command(hide = true)]
    Cuse(Unsupported),
}

/// The arguments of an unsupported subcommand, ignored.
#[derive(Debug, Args)]
pub struct Unsupported {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    rest: Vec<String>,
}

/// Which TPM implementation serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendName {
    /// The TPM 1.2 engine (tpm-core).
    Engine,
    /// A stand-in that echoes commands (tests and benchmarks only).
    Mock,
}

/// `swtpm socket`'s options.
#[derive(Debug, Default, Args)]
pub struct SocketArgs {
    /// dir=DIR[,mode=0640][,lock] or backend-uri=dir://DIR: the state folder (or TPM_PATH).
    #[arg(long, value_name = "dir=DIR")]
    pub tpmstate: Option<String>,
    /// [type=tcp][,port=P][,bindaddr=A][,fd=N][,disconnect] | type=unixio,path=P[,mode=M]
    #[arg(long, value_name = "OPTIONS")]
    pub server: Option<String>,
    /// type=tcp,port=P[,bindaddr=A] | type=unixio,path=P|fd=N|clientfd=N [,mode=M][,terminate]
    #[arg(long, value_name = "OPTIONS")]
    pub ctrl: Option<String>,
    /// not-need-init[,startup-clear|startup-state|startup-deactivated|startup-none]
    #[arg(long, value_name = "FLAGS")]
    pub flags: Option<String>,
    /// file=F|fd=N[,format=hex|binary][,mode=aes-cbc|aes-256-cbc][,remove] or
    /// pwdfile=F|pwdfd=N[,kdf=sha512|pbkdf2][,mode=..]: encrypt the state files.
    #[arg(long, value_name = "OPTIONS")]
    pub key: Option<String>,
    /// Same forms as --key: encrypt state blobs leaving through the control channel.
    #[arg(long = "migration-key", value_name = "OPTIONS")]
    pub migration_key: Option<String>,
    /// file=F|fd=N: write the process id.
    #[arg(long, value_name = "OPTIONS")]
    pub pid: Option<String>,
    /// file=F|fd=N[,level=N][,prefix=P][,truncate]: 1 events, 2 every command, 20 hex dumps.
    #[arg(long, value_name = "OPTIONS")]
    pub log: Option<String>,
    /// reject-locality-4[,allow-set-locality]
    #[arg(long, value_name = "OPTIONS")]
    pub locality: Option<String>,
    /// Serve TCP on PORT, closing after every response (IBM style; sets TPM_PORT).
    #[arg(short = 'p', long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Exit when the data connection closes.
    #[arg(short = 't', long)]
    pub terminate: bool,
    /// Run in the background.
    #[arg(short = 'd', long)]
    pub daemon: bool,
    /// Print the supported features as JSON and exit.
    #[arg(long = "print-capabilities")]
    pub print_capabilities: bool,
    /// Which TPM serves (mock: tests and benchmarks only).
    #[arg(long, value_enum, hide = true)]
    pub backend: Option<BackendName>,
    /// Not supported: this is a TPM 1.2.
    #[arg(long, hide = true)]
    pub tpm2: bool,
    /// Not supported: start tpmd as the user it should run as.
    #[arg(short = 'r', long, hide = true, value_name = "USER")]
    pub runas: Option<String>,
}

/// `tpmd proxy`'s options.
#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// The TPM device (e.g. /dev/tpm0), a pty, or a unix socket standing in for one.
    #[arg(long, value_name = "PATH")]
    pub device: PathBuf,
    /// Where clients connect (default type=tcp,port=6545).
    #[arg(long, value_name = "OPTIONS")]
    pub server: Option<String>,
    /// file=F|fd=N[,level=N][,prefix=P][,truncate]
    #[arg(long, value_name = "OPTIONS")]
    pub log: Option<String>,
}

/// What main does once the server is configured.
#[derive(Debug)]
pub struct Launch {
    /// The server configuration.
    pub config: Config,
    /// `--pid`.
    pub pid: Option<PidOpt>,
    /// `-d`.
    pub daemon: bool,
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        None => launch(cli.run, true),
        Some(Command::Socket(args)) => launch(args, false),
        Some(Command::Proxy(args)) => proxy(args),
        Some(Command::Chardev(_)) => {
            Err("the chardev subcommand is not supported; use `tpmd socket` or `tpmd proxy`".into())
        }
        Some(Command::Cuse(_)) => {
            Err("the cuse subcommand is not supported; use `tpmd socket`".into())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("tpmd: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn launch(args: SocketArgs, newcomer: bool) -> Result<(), String> {
    if args.print_capabilities {
        println!("{}", crate::caps::capabilities_json());
        return Ok(());
    }
    let launch = configure(args, newcomer)?;
    serve(launch)
}

/// Builds the server configuration from the options (reading key files).
///
/// # Errors
/// A message naming the bad option.
pub fn configure(args: SocketArgs, newcomer: bool) -> Result<Launch, String> {
    if args.tpm2 {
        return Err("--tpm2 is not supported: tpmd is a TPM 1.2".into());
    }
    if args.runas.is_some() {
        return Err("--runas is not supported: start tpmd as the user it should run as".into());
    }
    let state_dir = match (&args.tpmstate, std::env::var_os("TPM_PATH")) {
        (Some(v), _) => StateOpt::parse(v).map_err(|e| e.0)?.dir,
        (None, Some(path)) => PathBuf::from(path),
        (None, None) if newcomer => PathBuf::from(DEFAULT_STATE_DIR),
        (None, None) => return Err("--tpmstate dir=DIR (or TPM_PATH) is required".into()),
    };
    let server = match (&args.server, args.port) {
        (Some(_), Some(_)) => return Err("--server and -p/--port exclude each other".into()),
        (Some(v), None) => Some(ServerOpt::parse(v).map_err(|e| e.0)?),
        (None, Some(port)) => Some(ServerOpt {
            endpoint: tcp(port),
            disconnect: true,
        }),
        (None, None) if newcomer => Some(ServerOpt {
            endpoint: tcp(DEFAULT_DATA_PORT),
            disconnect: false,
        }),
        // as swtpm: with a control channel the data channel may come only by SET_DATAFD
        (None, None) if args.ctrl.is_some() && std::env::var_os("TPM_PORT").is_none() => None,
        (None, None) => Some(ServerOpt::parse("type=tcp").map_err(|e| {
            format!("{e}; give --server type=tcp,port=P or --server type=unixio,path=P")
        })?),
    };
    let ctrl = match &args.ctrl {
        Some(v) => Some(CtrlOpt::parse(v).map_err(|e| e.0)?),
        None if newcomer => Some(CtrlOpt {
            endpoint: tcp(DEFAULT_CTRL_PORT),
            terminate: false,
        }),
        None => None,
    };
    let flags = match &args.flags {
        Some(v) => Flags::parse(v).map_err(|e| e.0)?,
        None => Flags::default(),
    };
    let log = match (&args.log, newcomer) {
        (Some(v), _) => Logger::open(&LogOpt::parse(v).map_err(|e| e.0)?)?,
        (None, true) => Logger::stderr(LEVEL_COMMANDS),
        (None, false) => Logger::stderr(LEVEL_EVENTS),
    };
    let locality = match &args.locality {
        Some(v) => LocalityOpt::parse(v).map_err(|e| e.0)?,
        None => LocalityOpt::default(),
    };
    let pid = args
        .pid
        .as_deref()
        .map(PidOpt::parse)
        .transpose()
        .map_err(|e| e.0)?;
    let state_key = load_key("--key", args.key.as_deref())?;
    let migration_key = load_key("--migration-key", args.migration_key.as_deref())?;
    let backend = match args.backend.unwrap_or(BackendName::Engine) {
        BackendName::Mock => crate::mock::MockTpm::backend as Backend,
        BackendName::Engine => crate::engine::TpmAdapter::backend as Backend,
    };
    let (not_need_init, after_init, manufacture) = if newcomer {
        let startup = startup_command(1);
        let selftest = wire::command(
            Tag::TPM_TAG_RQU_COMMAND,
            Ordinal::TPM_ORD_ContinueSelfTest,
            &[],
        );
        (true, vec![startup, selftest], Manufacture::READY)
    } else {
        let after = flags
            .startup
            .map(|s| vec![startup_command(s.value())])
            .unwrap_or_default();
        (flags.not_need_init, after, Manufacture::SWTPM)
    };
    Ok(Launch {
        config: Config {
            state_dir,
            state_key,
            migration_key,
            server,
            ctrl,
            not_need_init,
            after_init,
            reject_locality_4: locality.reject_locality_4,
            terminate: args.terminate,
            manufacture,
            backend,
            log,
        },
        pid,
        daemon: args.daemon,
    })
}

fn tcp(port: u16) -> Endpoint {
    Endpoint::Tcp {
        bindaddr: "127.0.0.1".into(),
        port,
    }
}

/// TPM_Startup (Part 3, 3.2) with a TPM_STARTUP_TYPE.
fn startup_command(startup_type: u16) -> Vec<u8> {
    wire::command(
        Tag::TPM_TAG_RQU_COMMAND,
        Ordinal::TPM_ORD_Startup,
        &startup_type.to_be_bytes(),
    )
}

fn load_key(option: &'static str, value: Option<&str>) -> Result<Option<KeyMaterial>, String> {
    value
        .map(|v| KeyOpt::parse(option, v).map_err(|e| e.0)?.load())
        .transpose()
        .map_err(|e| format!("{option}: {e}"))
}

/// SIGINT and SIGTERM, blocked in every thread and taken by one waiting thread.
fn exit_signals() -> SigSet {
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    set
}

fn serve(launch: Launch) -> Result<(), String> {
    let server = Server::bind(launch.config)?;
    if launch.daemon {
        nix::unistd::daemon(true, false).map_err(|e| format!("cannot daemonise: {e}"))?;
    }
    let pid_file = write_pid(launch.pid.as_ref())?;
    let signals = exit_signals();
    signals
        .thread_block()
        .map_err(|e| format!("cannot block signals: {e}"))?;
    let shared = Arc::clone(server.shared());
    std::thread::spawn(move || {
        if let Ok(sig) = signals.wait() {
            shared.exit(ExitReason::Signal(sig.to_string()));
        }
    });
    if let (Some(d), Some(c)) = (server.data_port(), server.ctrl_port()) {
        server.shared().log.log(
            LEVEL_EVENTS,
            &format!("tpmd: data on port {d}, control on port {c}"),
        );
    }
    let running = server.serve();
    let reason = running.wait();
    running
        .shared()
        .log
        .log(LEVEL_EVENTS, &format!("tpmd: exiting ({reason:?})"));
    let saved = running.shutdown();
    if let Some(path) = pid_file {
        let _ = std::fs::remove_file(path);
    }
    saved.map_err(|code| format!("could not save the TPM state: {code}"))
}

fn write_pid(pid: Option<&PidOpt>) -> Result<Option<PathBuf>, String> {
    use std::io::Write;
    let line = format!("{}\n", std::process::id());
    match pid {
        None => Ok(None),
        Some(PidOpt::File(path)) => {
            std::fs::write(path, line).map_err(|e| format!("--pid: {}: {e}", path.display()))?;
            Ok(Some(path.clone()))
        }
        Some(PidOpt::Fd(fd)) => {
            let mut file = crate::fdpass::file_from_fd(*fd).map_err(|e| format!("--pid: {e}"))?;
            file.write_all(line.as_bytes())
                .map_err(|e| format!("--pid: fd {fd}: {e}"))?;
            Ok(None)
        }
    }
}

fn proxy(args: ProxyArgs) -> Result<(), String> {
    let log = match &args.log {
        Some(v) => Logger::open(&LogOpt::parse(v).map_err(|e| e.0)?)?,
        None => Logger::stderr(LEVEL_EVENTS),
    };
    let server = match &args.server {
        Some(v) => ServerOpt::parse(v).map_err(|e| e.0)?,
        None => ServerOpt {
            endpoint: tcp(DEFAULT_DATA_PORT),
            disconnect: false,
        },
    };
    let signals = exit_signals();
    signals
        .thread_block()
        .map_err(|e| format!("cannot block signals: {e}"))?;
    let sink = Arc::new(crate::proxy::DeviceSink::open(&args.device, log)?);
    crate::proxy::start(&server, sink)?;
    let _ = signals.wait();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(args).unwrap()
    }

    #[test]
    fn no_arguments_means_newcomer_defaults() {
        let cli = parse(&["tpmd", "--backend", "mock"]);
        assert!(cli.command.is_none());
        let launch = configure(cli.run, true).unwrap();
        let c = launch.config;
        assert_eq!(c.server.unwrap().endpoint, tcp(6545));
        assert_eq!(c.ctrl.unwrap().endpoint, tcp(6546));
        assert!(c.not_need_init);
        assert_eq!(c.manufacture, Manufacture::READY);
        assert_eq!(c.after_init.len(), 2);
    }

    #[test]
    fn socket_mode_keeps_swtpm_semantics() {
        let cli = parse(&[
            "tpmd",
            "socket",
            "--tpmstate",
            "dir=/tmp/x",
            "--server",
            "type=tcp,port=2321",
            "--ctrl",
            "type=tcp,port=2322",
            "--flags",
            "not-need-init,startup-clear",
            "--backend",
            "mock",
        ]);
        let Some(Command::Socket(args)) = cli.command else {
            panic!("not socket")
        };
        let c = configure(args, false).unwrap().config;
        assert_eq!(c.manufacture, Manufacture::SWTPM);
        assert!(c.not_need_init);
        assert_eq!(c.after_init, vec![startup_command(1)]);
        assert_eq!(c.state_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn port_option_is_ibm_style() {
        let cli = parse(&[
            "tpmd",
            "socket",
            "--tpmstate",
            "dir=/x",
            "-p",
            "6545",
            "--backend",
            "mock",
        ]);
        let Some(Command::Socket(args)) = cli.command else {
            panic!("not socket")
        };
        let c = configure(args, false).unwrap().config;
        assert!(c.server.unwrap().disconnect);
    }

    #[test]
    fn refuses_tpm2_and_runas_clearly() {
        let cli = parse(&["tpmd", "socket", "--tpm2", "--tpmstate", "dir=/x"]);
        let Some(Command::Socket(args)) = cli.command else {
            panic!("not socket")
        };
        assert!(configure(args, false).unwrap_err().contains("TPM 1.2"));
        assert!(Cli::try_parse_from(["tpmd", "socket", "--seccomp", "action=none"]).is_err());
    }
}
