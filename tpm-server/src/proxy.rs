//! `tpmd proxy`: relays a TCP (or unix) data channel to a TPM character device, like
//! IBM's tpm_proxy. Commands are assembled by paramSize as in the server and forwarded one
//! at a time; the device's response is read up to its own paramSize.

use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tpm_marshal::ReturnCode;

use crate::data::{self, CommandSink, ConnectionMode};
use crate::log::{Logger, LEVEL_EVENTS};
use crate::opts::ServerOpt;
use crate::transport::{self, Bound};
use crate::wire;

/// Something that reads and writes like a device.
trait Device: Read + Write + Send {}
impl<T: Read + Write + Send> Device for T {}

/// Forwards commands to a device; reopens it after an error.
pub struct DeviceSink {
    path: PathBuf,
    device: Mutex<Option<Box<dyn Device>>>,
    log: Logger,
}

impl std::fmt::Debug for DeviceSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceSink")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Opens a TPM character device (or a pty), or connects to a unix socket standing in for
/// one.
fn open_device(path: &Path) -> io::Result<Box<dyn Device>> {
    if std::fs::metadata(path)?.file_type().is_socket() {
        return Ok(Box::new(UnixStream::connect(path)?));
    }
    Ok(Box::new(
        OpenOptions::new().read(true).write(true).open(path)?,
    ))
}

impl DeviceSink {
    /// Opens `path` now, so a missing device is reported at start.
    ///
    /// # Errors
    /// The device cannot be opened.
    pub fn open(path: &Path, log: Logger) -> Result<Self, String> {
        let device = open_device(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self {
            path: path.to_path_buf(),
            device: Mutex::new(Some(device)),
            log,
        })
    }

    fn transmit(&self, device: &mut dyn Device, command: &[u8]) -> io::Result<Vec<u8>> {
        device.write_all(command)?;
        device.flush()?;
        let mut rsp = Vec::new();
        let mut want = 6;
        let mut chunk = [0u8; 4096];
        while rsp.len() < want {
            let n = device.read(&mut chunk)?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "device closed",
                ));
            }
            rsp.extend_from_slice(chunk.get(..n).unwrap_or_default());
            if let Some(size) = wire::param_size(&rsp) {
                want = usize::try_from(size)
                    .unwrap_or(usize::MAX)
                    .max(wire::HEADER_LEN);
                if want > 64 * 1024 {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "response too large",
                    ));
                }
            }
        }
        rsp.truncate(want);
        Ok(rsp)
    }
}

impl CommandSink for DeviceSink {
    fn execute(&self, command: &[u8]) -> Vec<u8> {
        let mut slot = self.device.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = open_device(&self.path).ok();
        }
        let Some(device) = slot.as_mut() else {
            self.log.log(
                LEVEL_EVENTS,
                &format!("{}: cannot reopen", self.path.display()),
            );
            return wire::error_response(ReturnCode::TPM_IOERROR);
        };
        match self.transmit(device.as_mut(), command) {
            Ok(rsp) => rsp,
            Err(e) => {
                self.log
                    .log(LEVEL_EVENTS, &format!("{}: {e}", self.path.display()));
                *slot = None;
                wire::error_response(ReturnCode::TPM_IOERROR)
            }
        }
    }

    fn buffer_size(&self) -> usize {
        4096
    }

    fn logger(&self) -> &Logger {
        &self.log
    }
}

/// Binds `server` and relays every client to `sink`; returns the TCP port if any.
///
/// # Errors
/// The address cannot be bound.
pub fn start(server: &ServerOpt, sink: Arc<DeviceSink>) -> Result<Option<u16>, String> {
    let mode = ConnectionMode {
        disconnect: server.disconnect,
    };
    match transport::bind(&server.endpoint, "--server")? {
        Bound::Listener(listener) => {
            let port = listener.port();
            std::thread::spawn(move || loop {
                match listener.accept() {
                    Ok(stream) => {
                        let sink = Arc::clone(&sink);
                        std::thread::spawn(move || {
                            data::serve_connection(sink.as_ref(), stream, mode)
                        });
                    }
                    Err(e) => {
                        sink.log.log(LEVEL_EVENTS, &format!("accept: {e}"));
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                }
            });
            Ok(port)
        }
        Bound::Client(stream) => {
            std::thread::spawn(move || data::serve_connection(sink.as_ref(), stream, mode));
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    #[test]
    fn relays_commands_to_a_unix_socket_device() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tpm0");
        let device = UnixListener::bind(&path).unwrap();
        let fake = std::thread::spawn(move || {
            let (mut s, _) = device.accept().unwrap();
            let mut cmd = [0u8; 10];
            s.read_exact(&mut cmd).unwrap();
            // answer in two writes to show the proxy reads up to paramSize
            s.write_all(&[0, 0xC4, 0, 0, 0, 12]).unwrap();
            s.write_all(&[0, 0, 0, 0, cmd[8], cmd[9]]).unwrap();
        });
        let sink = DeviceSink::open(&path, Logger::none()).unwrap();
        let rsp = sink.execute(&[0, 0xC1, 0, 0, 0, 10, 0, 0, 0xAB, 0xCD]);
        assert_eq!(rsp, [0, 0xC4, 0, 0, 0, 12, 0, 0, 0, 0, 0xAB, 0xCD]);
        fake.join().unwrap();
        // the fake device is gone: an I/O error answer, not a hang or a panic
        let rsp = sink.execute(&[0, 0xC1, 0, 0, 0, 10, 0, 0, 0, 1]);
        assert_eq!(wire::return_code(&rsp), Some(ReturnCode::TPM_IOERROR));
    }
}
