//! `--log`: where messages go and how many. Level 1: errors and lifecycle events;
//! level 2: one line per TPM command and control command; level 20: every message in hex
//! on indented lines, as swtpm does.

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::Mutex;

use crate::opts::{LogOpt, LogTarget};

/// Lifecycle events and errors.
pub const LEVEL_EVENTS: u32 = 1;
/// One line per command.
pub const LEVEL_COMMANDS: u32 = 2;
/// Hex dumps of every message.
pub const LEVEL_DUMP: u32 = 20;

/// A shared log.
pub struct Logger {
    level: u32,
    prefix: String,
    out: Option<Mutex<Box<dyn Write + Send>>>,
}

impl std::fmt::Debug for Logger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logger")
            .field("level", &self.level)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl Logger {
    /// A log to standard error at `level`.
    pub fn stderr(level: u32) -> Self {
        Self {
            level,
            prefix: String::new(),
            out: Some(Mutex::new(Box::new(std::io::stderr()))),
        }
    }

    /// A log that drops everything.
    pub fn none() -> Self {
        Self {
            level: 0,
            prefix: String::new(),
            out: None,
        }
    }

    /// Opens the log an option describes.
    ///
    /// # Errors
    /// The file or descriptor cannot be opened.
    pub fn open(opt: &LogOpt) -> Result<Self, String> {
        let out: Box<dyn Write + Send> = match &opt.target {
            LogTarget::Nowhere => return Ok(Self::none()),
            LogTarget::Stderr => Box::new(std::io::stderr()),
            LogTarget::File(path) => Box::new(
                OpenOptions::new()
                    .create(true)
                    .append(!opt.truncate)
                    .write(true)
                    .truncate(opt.truncate)
                    .open(path)
                    .map_err(|e| format!("--log: {}: {e}", path.display()))?,
            ),
            LogTarget::Fd(fd) => Box::new(
                crate::fdpass::file_from_fd(*fd).map_err(|e| format!("--log: fd {fd}: {e}"))?,
            ),
        };
        Ok(Self {
            level: opt.level,
            prefix: opt.prefix.clone(),
            out: Some(Mutex::new(out)),
        })
    }

    /// Whether messages of `level` are written.
    pub fn enabled(&self, level: u32) -> bool {
        self.out.is_some() && self.level >= level
    }

    /// Writes `text` (one or more lines) if `level` is enabled.
    pub fn log(&self, level: u32, text: &str) {
        if !self.enabled(level) {
            return;
        }
        if let Some(out) = &self.out {
            if let Ok(mut out) = out.lock() {
                for line in text.lines() {
                    let _ = writeln!(out, "{}{line}", self.prefix);
                }
                let _ = out.flush();
            }
        }
    }

    /// At level 20, `title` and `bytes` in hex on indented lines.
    pub fn dump(&self, title: &str, bytes: &[u8]) {
        if self.enabled(LEVEL_DUMP) {
            self.log(
                LEVEL_DUMP,
                &format!("{title}\n{}", crate::wire::hex_dump(bytes, "   ")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_prefixed_lines_to_file_up_to_level() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        std::fs::write(&path, "old\n").unwrap();
        let opt = LogOpt::parse(&format!(
            "file={},level=2,prefix=T: ,truncate",
            path.display()
        ))
        .unwrap();
        let log = Logger::open(&opt).unwrap();
        log.log(LEVEL_COMMANDS, "one\ntwo");
        log.log(LEVEL_DUMP, "hidden");
        log.dump("also hidden", &[1, 2]);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "T: one\nT: two\n");
    }

    #[test]
    fn level_20_dumps_messages_in_hex_on_indented_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let opt = LogOpt::parse(&format!("file={},level=20", path.display())).unwrap();
        let log = Logger::open(&opt).unwrap();
        log.dump(" Ctrl Cmd:", &[0, 0, 0, 1]);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            " Ctrl Cmd:\n   00 00 00 01\n"
        );
    }
}
