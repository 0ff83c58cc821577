//! Transports: how command bytes reach a TPM and the response comes back.

use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;
use tpm_marshal::framing::{Header, HEADER_SIZE};

/// The largest response a transport accepts (well above any TPM 1.2 buffer).
pub const MAX_RESPONSE: usize = 64 * 1024;

/// Sends one command and returns the whole response.
pub trait Transport {
    /// Sends `command` and waits for its response.
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>>;
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        (**self).transmit(command)
    }
}

/// Reads one response framed by its paramSize.
pub fn read_response(r: &mut impl Read) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; HEADER_SIZE];
    r.read_exact(&mut buf)?;
    let size = Header::expected_size(&buf)
        .and_then(|s| usize::try_from(s).ok())
        .filter(|s| (HEADER_SIZE..=MAX_RESPONSE).contains(s))
        .ok_or_else(|| Error::Malformed(format!("response header {buf:02x?}")))?;
    buf.resize(size, 0);
    if let Some(rest) = buf.get_mut(HEADER_SIZE..) {
        r.read_exact(rest)?;
    }
    Ok(buf)
}

/// Writes a whole command in one write, then reads the response (socket TPMs).
fn exchange(stream: &mut (impl Read + Write), command: &[u8]) -> Result<Vec<u8>> {
    stream.write_all(command)?;
    stream.flush()?;
    read_response(stream)
}

/// A TPM on a TCP socket: tpmd, swtpm's data channel, IBM's TPM server.
#[derive(Debug)]
pub struct TcpTransport {
    addr: String,
    stream: Option<TcpStream>,
    reconnect_each_command: bool,
}

impl TcpTransport {
    /// Connects to `addr` (`host:port`).
    pub fn connect(addr: &str) -> Result<Self> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(300)))?;
        Ok(Self {
            addr: addr.to_string(),
            stream: Some(stream),
            reconnect_each_command: false,
        })
    }

    /// The address from `TPM_SERVER_NAME` / `TPM_SERVER_PORT` (IBM's libtpm variables),
    /// defaulting to 127.0.0.1:6545.
    pub fn default_addr() -> String {
        let host = std::env::var("TPM_SERVER_NAME").unwrap_or_else(|_| "127.0.0.1".into());
        let port = std::env::var("TPM_SERVER_PORT").unwrap_or_else(|_| "6545".into());
        format!("{host}:{port}")
    }

    /// Opens a new connection for every command (IBM's server closes after each response).
    pub fn reconnect_each_command(mut self, yes: bool) -> Self {
        self.reconnect_each_command = yes;
        self
    }
}

impl Transport for TcpTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        let mut stream = match self.stream.take() {
            Some(s) if !self.reconnect_each_command => s,
            _ => TcpStream::connect(&self.addr)?,
        };
        let out = exchange(&mut stream, command)?;
        self.stream = Some(stream);
        Ok(out)
    }
}

/// A TPM on a unix socket (tpmd or swtpm with `--server type=unixio`).
#[derive(Debug)]
pub struct UnixTransport {
    stream: UnixStream,
}

impl UnixTransport {
    /// Connects to the socket at `path`.
    pub fn connect(path: impl AsRef<Path>) -> Result<Self> {
        Ok(Self {
            stream: UnixStream::connect(path)?,
        })
    }
}

impl Transport for UnixTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        exchange(&mut self.stream, command)
    }
}

/// A TPM character device (`/dev/tpm0`): one write, one read of the whole response.
#[derive(Debug)]
pub struct DeviceTransport {
    file: std::fs::File,
}

impl DeviceTransport {
    /// Opens the device read-write.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)?;
        Ok(Self { file })
    }
}

impl Transport for DeviceTransport {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        self.file.write_all(command)?;
        let mut buf = vec![0u8; MAX_RESPONSE];
        let n = self.file.read(&mut buf)?;
        buf.truncate(n);
        match Header::expected_size(&buf).and_then(|s| usize::try_from(s).ok()) {
            Some(size) if size == n => Ok(buf),
            _ => Err(Error::Malformed(format!("device returned {n} bytes"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_response_by_its_param_size() {
        let bytes = [0, 0xc4, 0, 0, 0, 12, 0, 0, 0, 0, 7, 7, 99];
        let mut r = &bytes[..];
        assert_eq!(read_response(&mut r).unwrap(), &bytes[..12]);
    }

    #[test]
    fn rejects_a_response_smaller_than_its_header() {
        let bytes = [0, 0xc4, 0, 0, 0, 9, 0, 0, 0, 0];
        assert!(matches!(
            read_response(&mut &bytes[..]),
            Err(Error::Malformed(_))
        ));
    }
}
