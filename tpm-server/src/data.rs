//! The data channel: raw TPM command bytes in, response bytes out (swtpm-protocol.md,
//! "Data channel").
//!
//! Each connection has its own thread that assembles commands by paramSize, so a command
//! split over several writes works and a client that stalls mid-command holds nothing but
//! its own thread. Only the complete command is handed to the [`CommandSink`], which
//! serialises execution. Each response leaves in one `write_all`.

use std::io::{self, Read, Write};
use std::time::Duration;

use tpm_marshal::ReturnCode;

use crate::log::{Logger, LEVEL_COMMANDS, LEVEL_EVENTS};
use crate::transport::{is_timeout, Stream};
use crate::wire;

/// Who runs the assembled commands: the TPM server or the proxy's device.
pub trait CommandSink: Send + Sync {
    /// Runs one complete command and returns its response.
    fn execute(&self, command: &[u8]) -> Vec<u8>;
    /// The largest command accepted (the TPM's buffer size).
    fn buffer_size(&self) -> usize;
    /// The log.
    fn logger(&self) -> &Logger;
}

/// How one connection behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConnectionMode {
    /// Close after each response (`--server ...,disconnect`, `-p`, IBM style).
    pub disconnect: bool,
}

/// How long the rest of a bad command may keep arriving before it is all discarded.
const DRAIN_QUIET: Duration = Duration::from_millis(50);

/// Serves one data connection until the client closes it (or after one response in
/// disconnect mode). Errors end the connection, never the server.
pub fn serve_connection(sink: &dyn CommandSink, mut stream: Stream, mode: ConnectionMode) {
    let log = sink.logger();
    loop {
        match read_command(&mut stream, sink.buffer_size()) {
            Ok(Frame::Closed) => break,
            Ok(Frame::Command(cmd)) => {
                log.dump(" Data Cmd:", &cmd);
                let rsp = sink.execute(&cmd);
                log.log(
                    LEVEL_COMMANDS,
                    &format!(
                        "{} -> {}",
                        wire::ordinal_name(&cmd),
                        wire::return_code(&rsp).map_or("(no code)".into(), |c| c.to_string())
                    ),
                );
                log.dump(" Data Rsp:", &rsp);
                if stream.write_all(&rsp).is_err() {
                    break;
                }
            }
            Ok(Frame::Refused(code)) => {
                log.log(
                    LEVEL_EVENTS,
                    &format!("data channel: refused a command: {code}"),
                );
                if stream.write_all(&wire::error_response(code)).is_err() {
                    break;
                }
            }
            Err(e) => {
                log.log(LEVEL_EVENTS, &format!("data channel: {e}"));
                break;
            }
        }
        if mode.disconnect {
            break;
        }
    }
}

/// What arrived on a data connection.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A complete command of paramSize bytes.
    Command(Vec<u8>),
    /// A header with an impossible paramSize; the rest of it was discarded.
    Refused(ReturnCode),
    /// The client closed the connection (possibly mid-command).
    Closed,
}

/// Reads one command: 6 bytes for the paramSize, then the rest of it.
///
/// A paramSize below 10 is answered TPM_BAD_PARAM_SIZE, one above `buffer_size` TPM_SIZE;
/// whatever else of it arrives right away is discarded so the connection stays usable.
///
/// # Errors
/// A read failed.
pub fn read_command(stream: &mut Stream, buffer_size: usize) -> io::Result<Frame> {
    let mut buf = Vec::with_capacity(wire::HEADER_LEN);
    if !read_to(stream, &mut buf, 6)? {
        return Ok(Frame::Closed);
    }
    let size = wire::param_size(&buf).and_then(|s| usize::try_from(s).ok());
    let refused = match size {
        Some(s) if s < wire::HEADER_LEN => Some(ReturnCode::TPM_BAD_PARAM_SIZE),
        Some(s) if s > buffer_size => Some(ReturnCode::TPM_SIZE),
        Some(_) => None,
        None => Some(ReturnCode::TPM_BAD_PARAM_SIZE),
    };
    if let Some(code) = refused {
        drain(stream)?;
        return Ok(Frame::Refused(code));
    }
    if !read_to(stream, &mut buf, size.unwrap_or(wire::HEADER_LEN))? {
        return Ok(Frame::Closed);
    }
    Ok(Frame::Command(buf))
}

/// Reads (blocking) until `buf` holds `want` bytes; false if the stream ended first.
fn read_to(stream: &mut Stream, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let mut chunk = [0u8; 4096];
    while buf.len() < want {
        let room = want.saturating_sub(buf.len()).min(chunk.len());
        match stream.read(chunk.get_mut(..room).unwrap_or_default()) {
            Ok(0) => return Ok(false),
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Discards bytes until the stream has been quiet for [`DRAIN_QUIET`].
fn drain(stream: &mut Stream) -> io::Result<()> {
    let mut chunk = [0u8; 4096];
    stream.set_read_timeout(Some(DRAIN_QUIET))?;
    let result = loop {
        match stream.read(&mut chunk) {
            Ok(0) => break Ok(()),
            Ok(_) => {}
            Err(e) if is_timeout(&e) => break Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    stream.set_read_timeout(None)?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixStream;
    use std::sync::Mutex;

    struct Echo {
        log: Logger,
        seen: Mutex<Vec<Vec<u8>>>,
    }

    impl CommandSink for Echo {
        fn execute(&self, command: &[u8]) -> Vec<u8> {
            self.seen.lock().unwrap().push(command.to_vec());
            wire::success_response(&command[10..])
        }
        fn buffer_size(&self) -> usize {
            4096
        }
        fn logger(&self) -> &Logger {
            &self.log
        }
    }

    fn pair() -> (UnixStream, Stream) {
        let (a, b) = UnixStream::pair().unwrap();
        (a, Stream::Unix(b))
    }

    #[test]
    fn assembles_command_split_across_writes() {
        let (mut client, mut server) = pair();
        let t = std::thread::spawn(move || read_command(&mut server, 4096).unwrap());
        for part in [&[0u8, 0xC1, 0][..], &[0, 0, 12, 0, 0], &[0, 0x46, 1], &[2]] {
            client.write_all(part).unwrap();
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            t.join().unwrap(),
            Frame::Command(vec![0, 0xC1, 0, 0, 0, 12, 0, 0, 0, 0x46, 1, 2])
        );
    }

    #[test]
    fn refuses_bad_param_size_and_stays_usable() {
        let (mut client, server) = pair();
        let sink = Echo {
            log: Logger::none(),
            seen: Mutex::new(Vec::new()),
        };
        let t = std::thread::spawn(move || {
            serve_connection(&sink, server, ConnectionMode::default());
            sink.seen.into_inner().unwrap()
        });
        let mut rsp = [0u8; 10];
        client
            .write_all(&[0, 0xC1, 0, 0, 0, 4, 0, 0, 0, 0])
            .unwrap();
        client.read_exact(&mut rsp).unwrap();
        assert_eq!(rsp, [0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 0x19]);
        client
            .write_all(&[0, 0xC1, 0, 1, 0, 0, 0, 0, 0, 0, 9, 9])
            .unwrap();
        client.read_exact(&mut rsp).unwrap();
        assert_eq!(rsp, [0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 0x17]);
        std::thread::sleep(Duration::from_millis(100));
        client
            .write_all(&[0, 0xC1, 0, 0, 0, 10, 0, 0, 0, 0x46])
            .unwrap();
        client.read_exact(&mut rsp).unwrap();
        assert_eq!(rsp, [0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 0]);
        drop(client);
        assert_eq!(t.join().unwrap().len(), 1);
    }

    #[test]
    fn disconnect_mode_closes_after_one_response() {
        let (mut client, server) = pair();
        let sink = Echo {
            log: Logger::none(),
            seen: Mutex::new(Vec::new()),
        };
        let t = std::thread::spawn(move || {
            serve_connection(&sink, server, ConnectionMode { disconnect: true })
        });
        client
            .write_all(&[0, 0xC1, 0, 0, 0, 10, 0, 0, 0, 0x46])
            .unwrap();
        let mut all = Vec::new();
        client.read_to_end(&mut all).unwrap();
        assert_eq!(all.len(), 10);
        t.join().unwrap();
    }
}
