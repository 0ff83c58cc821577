//! swtpm's option values: `key=value` pairs and bare flags separated by commas
//! (`--server type=tcp,port=2321,disconnect`), turned into typed settings.

use std::path::PathBuf;

/// A parse error, phrased for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct OptError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, OptError> {
    Err(OptError(msg.into()))
}

/// The parsed pairs of one option value, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionMap {
    option: &'static str,
    pairs: Vec<(String, Option<String>)>,
}

impl OptionMap {
    /// Parses `value` of option `option` (named in errors), accepting only `known` keys.
    ///
    /// # Errors
    /// An unknown key, an empty item, or a key given twice.
    pub fn parse(option: &'static str, value: &str, known: &[&str]) -> Result<Self, OptError> {
        let mut map = Self {
            option,
            pairs: Vec::new(),
        };
        for item in value.split(',').filter(|i| !i.is_empty()) {
            let (key, val) = match item.split_once('=') {
                Some((k, v)) => (k, Some(v.to_string())),
                None => (item, None),
            };
            if !known.contains(&key) {
                return err(format!(
                    "{option}: unknown parameter '{key}' (known: {})",
                    known.join(", ")
                ));
            }
            if map.pairs.iter().any(|(k, _)| k == key) {
                return err(format!("{option}: parameter '{key}' given twice"));
            }
            map.pairs.push((key.to_string(), val));
        }
        Ok(map)
    }

    /// The value of `key`, if given with a value.
    ///
    /// # Errors
    /// `key` was given as a bare flag.
    pub fn get(&self, key: &str) -> Result<Option<&str>, OptError> {
        match self.pairs.iter().find(|(k, _)| k == key) {
            None => Ok(None),
            Some((_, Some(v))) => Ok(Some(v)),
            Some((_, None)) => err(format!("{}: '{key}' needs a value", self.option)),
        }
    }

    /// Whether `key` was given at all (bare, or `key=true`; `key=false` is false).
    ///
    /// # Errors
    /// A value other than true/false.
    pub fn flag(&self, key: &str) -> Result<bool, OptError> {
        match self.pairs.iter().find(|(k, _)| k == key) {
            None => Ok(false),
            Some((_, None)) => Ok(true),
            Some((_, Some(v))) => match v.as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                other => err(format!(
                    "{}: '{key}={other}' is not true or false",
                    self.option
                )),
            },
        }
    }

    /// The value of `key` parsed as a number (decimal, or octal with a leading 0 when
    /// `octal`).
    ///
    /// # Errors
    /// Not a number.
    pub fn number(&self, key: &str, octal: bool) -> Result<Option<u32>, OptError> {
        let Some(text) = self.get(key)? else {
            return Ok(None);
        };
        let parsed = if octal {
            u32::from_str_radix(text, 8)
        } else {
            text.parse()
        };
        parsed
            .map(Some)
            .map_err(|_| OptError(format!("{}: '{key}={text}' is not a number", self.option)))
    }

    /// The value of `key` as a file descriptor number.
    ///
    /// # Errors
    /// Not a non-negative number.
    pub fn fd(&self, key: &str) -> Result<Option<i32>, OptError> {
        self.number(key, false)?
            .map(|n| i32::try_from(n).map_err(|_| OptError(format!("{}: bad fd {n}", self.option))))
            .transpose()
    }
}

/// Where a socket listens or which descriptor it already is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A TCP listener on `bindaddr:port`.
    Tcp {
        /// Address to bind (default 127.0.0.1).
        bindaddr: String,
        /// Port.
        port: u16,
    },
    /// A unix socket listener at `path`, with file mode `mode` if given.
    Unix {
        /// Socket path.
        path: PathBuf,
        /// File mode bits.
        mode: Option<u32>,
    },
    /// An inherited listening socket.
    ListenFd(i32),
    /// An inherited connected socket (a single client).
    ClientFd(i32),
}

/// `--server`: the data channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOpt {
    /// Where it listens.
    pub endpoint: Endpoint,
    /// Close the connection after every response (IBM style).
    pub disconnect: bool,
}

fn parse_port(map: &OptionMap, what: &str) -> Result<u16, OptError> {
    let port = match map.number("port", false)? {
        Some(p) => p,
        None => match std::env::var("TPM_PORT").ok().and_then(|p| p.parse().ok()) {
            Some(p) if what == "--server" => p,
            _ => {
                return err(format!(
                    "{what}: type=tcp needs port= (or TPM_PORT for --server)"
                ))
            }
        },
    };
    u16::try_from(port).map_err(|_| OptError(format!("{what}: port {port} is out of range")))
}

impl ServerOpt {
    /// Parses a `--server` value.
    ///
    /// # Errors
    /// Unknown parameters, a missing port or path, or a bad number.
    pub fn parse(value: &str) -> Result<Self, OptError> {
        let map = OptionMap::parse(
            "--server",
            value,
            &[
                "type",
                "port",
                "bindaddr",
                "fd",
                "path",
                "mode",
                "disconnect",
                "uid",
                "gid",
            ],
        )?;
        reject_ownership(&map)?;
        let endpoint = match (map.get("type")?.unwrap_or("tcp"), map.fd("fd")?) {
            (_, Some(fd)) => Endpoint::ListenFd(fd),
            ("tcp", None) => Endpoint::Tcp {
                bindaddr: map.get("bindaddr")?.unwrap_or("127.0.0.1").to_string(),
                port: parse_port(&map, "--server")?,
            },
            ("unixio", None) => Endpoint::Unix {
                path: map
                    .get("path")?
                    .map(PathBuf::from)
                    .ok_or_else(|| OptError("--server: type=unixio needs path= or fd=".into()))?,
                mode: map.number("mode", true)?,
            },
            (other, _) => return err(format!("--server: unknown type '{other}'")),
        };
        Ok(Self {
            endpoint,
            disconnect: map.flag("disconnect")?,
        })
    }
}

fn reject_ownership(map: &OptionMap) -> Result<(), OptError> {
    if map.get("uid")?.is_some() || map.get("gid")?.is_some() {
        return err(format!(
            "{}: uid= and gid= are not supported (chown the socket's folder instead)",
            map.option
        ));
    }
    Ok(())
}

/// `--ctrl`: the control channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtrlOpt {
    /// Where it listens (or the one client it serves).
    pub endpoint: Endpoint,
    /// Exit when the control connection is lost.
    pub terminate: bool,
}

impl CtrlOpt {
    /// Parses a `--ctrl` value.
    ///
    /// # Errors
    /// Unknown parameters, a missing port or path, or conflicting fd and clientfd.
    pub fn parse(value: &str) -> Result<Self, OptError> {
        let map = OptionMap::parse(
            "--ctrl",
            value,
            &[
                "type",
                "port",
                "bindaddr",
                "path",
                "fd",
                "clientfd",
                "mode",
                "terminate",
                "uid",
                "gid",
            ],
        )?;
        reject_ownership(&map)?;
        let kind = map
            .get("type")?
            .ok_or_else(|| OptError("--ctrl: type=tcp or type=unixio is required".into()))?;
        let endpoint = match (kind, map.fd("fd")?, map.fd("clientfd")?) {
            (_, Some(_), Some(_)) => return err("--ctrl: fd= and clientfd= exclude each other"),
            ("tcp", None, Some(_)) => return err("--ctrl: clientfd= needs type=unixio"),
            (_, Some(fd), None) => Endpoint::ListenFd(fd),
            ("unixio", None, Some(fd)) => Endpoint::ClientFd(fd),
            ("tcp", None, None) => Endpoint::Tcp {
                bindaddr: map.get("bindaddr")?.unwrap_or("127.0.0.1").to_string(),
                port: parse_port(&map, "--ctrl")?,
            },
            ("unixio", None, None) => Endpoint::Unix {
                path: map.get("path")?.map(PathBuf::from).ok_or_else(|| {
                    OptError("--ctrl: type=unixio needs path=, fd= or clientfd=".into())
                })?,
                mode: map.number("mode", true)?,
            },
            (other, _, _) => return err(format!("--ctrl: unknown type '{other}'")),
        };
        Ok(Self {
            endpoint,
            terminate: map.flag("terminate")?,
        })
    }
}

/// The TPM_Startup the server sends by itself after each init (`--flags startup-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Startup {
    /// TPM_ST_CLEAR (Part 2, 4.5 TPM_STARTUP_TYPE).
    Clear,
    /// TPM_ST_STATE.
    State,
    /// TPM_ST_DEACTIVATED.
    Deactivated,
}

impl Startup {
    /// The TPM_STARTUP_TYPE value (Part 2, 4.5).
    pub fn value(self) -> u16 {
        match self {
            Self::Clear => 1,
            Self::State => 2,
            Self::Deactivated => 3,
        }
    }
}

/// `--flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// Serve commands without a control-channel INIT.
    pub not_need_init: bool,
    /// Send this TPM_Startup after init.
    pub startup: Option<Startup>,
}

impl Flags {
    /// Parses a `--flags` value.
    ///
    /// # Errors
    /// Unknown flags or two startup types.
    pub fn parse(value: &str) -> Result<Self, OptError> {
        let map = OptionMap::parse(
            "--flags",
            value,
            &[
                "not-need-init",
                "startup-clear",
                "startup-state",
                "startup-deactivated",
                "startup-none",
                "disable-auto-shutdown",
            ],
        )?;
        let chosen: Vec<(&str, Option<Startup>)> = [
            ("startup-clear", Some(Startup::Clear)),
            ("startup-state", Some(Startup::State)),
            ("startup-deactivated", Some(Startup::Deactivated)),
            ("startup-none", None),
        ]
        .into_iter()
        .filter(|(k, _)| map.flag(k).unwrap_or(false))
        .collect();
        if chosen.len() > 1 {
            return err("--flags: give at most one startup-* flag");
        }
        Ok(Self {
            not_need_init: map.flag("not-need-init")?,
            startup: chosen.first().and_then(|(_, s)| *s),
        })
    }
}

/// `--locality`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LocalityOpt {
    /// SET_LOCALITY 4 is refused with TPM_BAD_LOCALITY.
    pub reject_locality_4: bool,
}

impl LocalityOpt {
    /// Parses a `--locality` value (`allow-set-locality` concerns a TPM 2 command and is
    /// accepted without effect).
    ///
    /// # Errors
    /// Unknown flags.
    pub fn parse(value: &str) -> Result<Self, OptError> {
        let map = OptionMap::parse(
            "--locality",
            value,
            &["reject-locality-4", "allow-set-locality"],
        )?;
        Ok(Self {
            reject_locality_4: map.flag("reject-locality-4")?,
        })
    }
}

/// `--tpmstate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateOpt {
    /// The state folder.
    pub dir: PathBuf,
}

impl StateOpt {
    /// Parses a `--tpmstate` value (`dir=`, or `backend-uri=dir://`); `mode=`, `lock`,
    /// `fsync` are accepted (files are always private, locked and synced).
    ///
    /// # Errors
    /// No folder, or a `file://` backend.
    pub fn parse(value: &str) -> Result<Self, OptError> {
        let map = OptionMap::parse(
            "--tpmstate",
            value,
            &["dir", "backend-uri", "mode", "lock", "fsync", "backup"],
        )?;
        let dir = match (map.get("dir")?, map.get("backend-uri")?) {
            (Some(d), None) => d.to_string(),
            (None, Some(uri)) => match uri.strip_prefix("dir://") {
                Some(d) => d.to_string(),
                None => {
                    return err(format!(
                        "--tpmstate: backend-uri '{uri}' is not supported (only dir://)"
                    ))
                }
            },
            (Some(_), Some(_)) => {
                return err("--tpmstate: dir= and backend-uri= exclude each other")
            }
            (None, None) => return err("--tpmstate: dir= is required"),
        };
        Ok(Self { dir: dir.into() })
    }
}

/// `--pid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PidOpt {
    /// Write the pid into this file (removed at exit).
    File(PathBuf),
    /// Write the pid to this descriptor.
    Fd(i32),
}

impl PidOpt {
    /// Parses a `--pid` value.
    ///
    /// # Errors
    /// Neither or both of file= and fd=.
    pub fn parse(value: &str) -> Result<Self, OptError> {
        let map = OptionMap::parse("--pid", value, &["file", "fd"])?;
        match (map.get("file")?, map.fd("fd")?) {
            (Some(f), None) => Ok(Self::File(f.into())),
            (None, Some(fd)) => Ok(Self::Fd(fd)),
            _ => err("--pid: give file= or fd="),
        }
    }
}

/// `--log`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogOpt {
    /// Where to write.
    pub target: LogTarget,
    /// Verbosity: 1 errors and events, 2 one line per command, 20 hex dumps.
    pub level: u32,
    /// Put before every line.
    pub prefix: String,
    /// Truncate the file at start.
    pub truncate: bool,
}

/// Where the log goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// Standard error.
    Stderr,
    /// Nowhere (`file=-`).
    Nowhere,
    /// Appended to a file.
    File(PathBuf),
    /// An inherited descriptor.
    Fd(i32),
}

impl LogOpt {
    /// Parses a `--log` value.
    ///
    /// # Errors
    /// Both file= and fd=, or a bad level.
    pub fn parse(value: &str) -> Result<Self, OptError> {
        let map = OptionMap::parse(
            "--log",
            value,
            &["file", "fd", "level", "prefix", "truncate"],
        )?;
        let target = match (map.get("file")?, map.fd("fd")?) {
            (Some("-"), None) => LogTarget::Nowhere,
            (Some(f), None) => LogTarget::File(f.into()),
            (None, Some(fd)) => LogTarget::Fd(fd),
            (None, None) => LogTarget::Stderr,
            (Some(_), Some(_)) => return err("--log: file= and fd= exclude each other"),
        };
        Ok(Self {
            target,
            level: map.number("level", false)?.unwrap_or(1),
            prefix: map.get("prefix")?.unwrap_or_default().to_string(),
            truncate: map.flag("truncate")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tcp_server_with_defaults() {
        let s = ServerOpt::parse("type=tcp,port=2321,disconnect").unwrap();
        assert_eq!(
            s.endpoint,
            Endpoint::Tcp {
                bindaddr: "127.0.0.1".into(),
                port: 2321
            }
        );
        assert!(s.disconnect);
        let s = ServerOpt::parse("port=1,bindaddr=::1").unwrap();
        assert!(matches!(s.endpoint, Endpoint::Tcp { ref bindaddr, port: 1 } if bindaddr == "::1"));
    }

    #[test]
    fn rejects_unknown_and_repeated_parameters() {
        assert!(ServerOpt::parse("type=tcp,port=1,colour=red")
            .unwrap_err()
            .0
            .contains("unknown parameter 'colour'"));
        assert!(ServerOpt::parse("port=1,port=2").is_err());
        assert!(ServerOpt::parse("type=tcp,port=70000").is_err());
        assert!(ServerOpt::parse("type=serial,port=1").is_err());
    }

    #[test]
    fn parses_ctrl_variants() {
        let c = CtrlOpt::parse("type=unixio,path=/tmp/c.sock,mode=0600,terminate").unwrap();
        assert_eq!(
            c.endpoint,
            Endpoint::Unix {
                path: "/tmp/c.sock".into(),
                mode: Some(0o600)
            }
        );
        assert!(c.terminate);
        let c = CtrlOpt::parse("type=unixio,clientfd=7").unwrap();
        assert_eq!(c.endpoint, Endpoint::ClientFd(7));
        assert!(CtrlOpt::parse("type=unixio,fd=3,clientfd=4").is_err());
        assert!(CtrlOpt::parse("type=tcp,clientfd=4").is_err());
        assert!(CtrlOpt::parse("port=4").is_err());
    }

    #[test]
    fn parses_flags() {
        let f = Flags::parse("not-need-init,startup-clear").unwrap();
        assert!(f.not_need_init);
        assert_eq!(f.startup, Some(Startup::Clear));
        assert_eq!(Flags::parse("startup-none").unwrap().startup, None);
        assert!(Flags::parse("startup-clear,startup-state").is_err());
    }

    #[test]
    fn parses_state_pid_log_locality() {
        assert_eq!(
            StateOpt::parse("dir=/x,mode=0640").unwrap().dir,
            PathBuf::from("/x")
        );
        assert_eq!(
            StateOpt::parse("backend-uri=dir:///y").unwrap().dir,
            PathBuf::from("/y")
        );
        assert!(StateOpt::parse("backend-uri=file:///y").is_err());
        assert_eq!(PidOpt::parse("fd=5").unwrap(), PidOpt::Fd(5));
        let l = LogOpt::parse("file=/l,level=20,prefix=X ,truncate").unwrap();
        assert_eq!(l.level, 20);
        assert_eq!(l.prefix, "X ");
        assert!(l.truncate);
        assert_eq!(LogOpt::parse("file=-").unwrap().target, LogTarget::Nowhere);
        assert!(
            LocalityOpt::parse("reject-locality-4,allow-set-locality")
                .unwrap()
                .reject_locality_4
        );
    }
}
