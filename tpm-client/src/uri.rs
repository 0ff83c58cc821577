//! `--tpm` URIs, shared with tpm-utils: which TPM to talk to and how.

use crate::error::{Error, Result};

/// Where a TPM is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TpmUri {
    /// `tcp://host:port` (or a bare `host:port`).
    Tcp(String),
    /// `unix:///path/to/socket`.
    Unix(String),
    /// `dev:///dev/tpm0`.
    Device(String),
    /// `swtpm+unix://CTRL,DATA`: swtpm's control and data unix sockets.
    SwtpmUnix {
        /// The control socket.
        ctrl: String,
        /// The data socket.
        data: String,
    },
    /// `mem:`: a fresh in-process TPM (feature `in-process`).
    Mem,
    /// `dir:///state`: an in-process TPM whose state lives in a folder.
    Dir(String),
}

impl TpmUri {
    /// Parses a URI; a string without a scheme is `host:port`.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || Error::Usage(format!("unrecognised TPM URI {s:?}"));
        let nonempty = |p: &str| {
            if p.is_empty() {
                Err(bad())
            } else {
                Ok(p.to_string())
            }
        };
        if let Some(rest) = s.strip_prefix("tcp://") {
            return nonempty(rest).map(Self::Tcp);
        }
        if let Some(rest) = s.strip_prefix("unix://") {
            return nonempty(rest).map(Self::Unix);
        }
        if let Some(rest) = s.strip_prefix("dev://") {
            return nonempty(rest).map(Self::Device);
        }
        if let Some(rest) = s.strip_prefix("swtpm+unix://") {
            let (ctrl, data) = rest.split_once(',').ok_or_else(bad)?;
            return Ok(Self::SwtpmUnix {
                ctrl: nonempty(ctrl)?,
                data: nonempty(data)?,
            });
        }
        if s == "mem:" || s == "mem://" {
            return Ok(Self::Mem);
        }
        if let Some(rest) = s.strip_prefix("dir://") {
            return nonempty(rest).map(Self::Dir);
        }
        if s.contains("://") || !s.contains(':') {
            return Err(bad());
        }
        Ok(Self::Tcp(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_scheme() {
        assert_eq!(
            TpmUri::parse("tcp://h:1").unwrap(),
            TpmUri::Tcp("h:1".into())
        );
        assert_eq!(
            TpmUri::parse("127.0.0.1:6545").unwrap(),
            TpmUri::Tcp("127.0.0.1:6545".into())
        );
        assert_eq!(
            TpmUri::parse("unix:///run/t").unwrap(),
            TpmUri::Unix("/run/t".into())
        );
        assert_eq!(
            TpmUri::parse("dev:///dev/tpm0").unwrap(),
            TpmUri::Device("/dev/tpm0".into())
        );
        assert_eq!(
            TpmUri::parse("swtpm+unix:///c,/d").unwrap(),
            TpmUri::SwtpmUnix {
                ctrl: "/c".into(),
                data: "/d".into()
            }
        );
        assert_eq!(TpmUri::parse("mem:").unwrap(), TpmUri::Mem);
        assert_eq!(TpmUri::parse("dir:///s").unwrap(), TpmUri::Dir("/s".into()));
    }

    #[test]
    fn rejects_unknown_schemes_and_empty_paths() {
        for s in [
            "ftp://x",
            "unix://",
            "swtpm+unix:///c",
            "nonsense",
            "dir://",
        ] {
            assert!(TpmUri::parse(s).is_err(), "{s}");
        }
    }
}
