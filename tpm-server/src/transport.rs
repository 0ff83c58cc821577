//! Listeners and streams over TCP, unix sockets and inherited descriptors, behind two
//! small enums so the data and control channels need not care which.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::os::fd::OwnedFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::opts::Endpoint;

/// A listening socket.
#[derive(Debug)]
pub enum Listener {
    /// TCP.
    Tcp(TcpListener),
    /// A unix socket; the path (if we created it) is removed when the server exits.
    Unix(UnixListener, Option<PathBuf>),
}

/// What an endpoint turned into: something to accept on, or the one client.
#[derive(Debug)]
pub enum Bound {
    /// Accept clients.
    Listener(Listener),
    /// Serve this single connection.
    Client(Stream),
}

/// Binds `endpoint` (`what` names the channel in errors).
///
/// # Errors
/// The address is in use, the path cannot be created, or the descriptor is not a socket.
pub fn bind(endpoint: &Endpoint, what: &str) -> Result<Bound, String> {
    match endpoint {
        Endpoint::Tcp { bindaddr, port } => {
            let host = bindaddr.trim_start_matches('[').trim_end_matches(']');
            let addrs: Vec<_> = (host, *port)
                .to_socket_addrs()
                .map_err(|e| format!("{what}: bad bind address {bindaddr}: {e}"))?
                .collect();
            TcpListener::bind(addrs.as_slice())
                .map(|l| Bound::Listener(Listener::Tcp(l)))
                .map_err(|e| format!("{what}: cannot listen on {bindaddr} port {port}: {e}"))
        }
        Endpoint::Unix { path, mode } => bind_unix(path, *mode)
            .map(|l| Bound::Listener(Listener::Unix(l, Some(path.clone()))))
            .map_err(|e| format!("{what}: cannot listen on {}: {e}", path.display())),
        Endpoint::ListenFd(fd) => {
            let owned = crate::fdpass::take_inherited(*fd).map_err(|e| format!("{what}: {e}"))?;
            Ok(adopt_fd(owned))
        }
        Endpoint::ClientFd(fd) => {
            let owned = crate::fdpass::take_inherited(*fd).map_err(|e| format!("{what}: {e}"))?;
            Ok(Bound::Client(Stream::Unix(UnixStream::from(owned))))
        }
    }
}

fn bind_unix(path: &Path, mode: Option<u32>) -> io::Result<UnixListener> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| {
        use std::os::unix::fs::FileTypeExt;
        m.file_type().is_socket()
    }) {
        // A socket left by an earlier run: connecting fails if nobody listens on it.
        if UnixStream::connect(path).is_err() {
            std::fs::remove_file(path)?;
        }
    }
    let listener = UnixListener::bind(path)?;
    if let Some(mode) = mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(listener)
}

/// An inherited socket: accepted on if it listens, else served as the one client (as
/// swtpm does with `--server fd=`, which swtpm_setup fills with a socketpair end).
fn adopt_fd(fd: OwnedFd) -> Bound {
    use nix::sys::socket::{getsockopt, sockopt::AcceptConn};
    if getsockopt(&fd, AcceptConn).unwrap_or(true) {
        return Bound::Listener(listener_from_fd(fd));
    }
    let tcp = TcpStream::from(fd);
    if tcp.local_addr().is_ok() {
        Bound::Client(Stream::Tcp(tcp))
    } else {
        Bound::Client(Stream::Unix(UnixStream::from(OwnedFd::from(tcp))))
    }
}

/// An inherited listening socket: TCP if it has an internet address, else unix.
fn listener_from_fd(fd: OwnedFd) -> Listener {
    let tcp = TcpListener::from(fd);
    if tcp.local_addr().is_ok() {
        Listener::Tcp(tcp)
    } else {
        Listener::Unix(UnixListener::from(OwnedFd::from(tcp)), None)
    }
}

impl Listener {
    /// Waits for the next client.
    ///
    /// # Errors
    /// accept(2) failed.
    pub fn accept(&self) -> io::Result<Stream> {
        match self {
            Self::Tcp(l) => {
                let (s, _) = l.accept()?;
                let _ = s.set_nodelay(true);
                Ok(Stream::Tcp(s))
            }
            Self::Unix(l, _) => l.accept().map(|(s, _)| Stream::Unix(s)),
        }
    }

    /// The TCP port, if this is a TCP listener.
    pub fn port(&self) -> Option<u16> {
        match self {
            Self::Tcp(l) => l.local_addr().ok().map(|a| a.port()),
            Self::Unix(..) => None,
        }
    }

    /// The socket file this listener created, to remove at exit.
    pub fn socket_path(&self) -> Option<&Path> {
        match self {
            Self::Unix(_, path) => path.as_deref(),
            Self::Tcp(_) => None,
        }
    }
}

/// A connected client.
#[derive(Debug)]
pub enum Stream {
    /// TCP.
    Tcp(TcpStream),
    /// A unix socket (or a socketpair end from SET_DATAFD).
    Unix(UnixStream),
}

impl Stream {
    /// Reads like `read`, also taking one descriptor sent as SCM_RIGHTS (unix only).
    ///
    /// # Errors
    /// The read failed.
    pub fn recv_with_fd(&mut self, buf: &mut [u8]) -> io::Result<(usize, Option<OwnedFd>)> {
        match self {
            Self::Tcp(s) => s.read(buf).map(|n| (n, None)),
            Self::Unix(s) => crate::fdpass::recv_with_fd(s, buf),
        }
    }

    /// Sets or clears the read timeout.
    ///
    /// # Errors
    /// The socket refused.
    pub fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Self::Tcp(s) => s.set_read_timeout(timeout),
            Self::Unix(s) => s.set_read_timeout(timeout),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Self::Tcp(s) => s.read(buf),
            Self::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Self::Tcp(s) => s.write(buf),
            Self::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Self::Tcp(s) => s.flush(),
            Self::Unix(s) => s.flush(),
        }
    }
}

/// Reads until `buf` holds `want` bytes, each read waiting at most `timeout`.
/// Returns false on end of stream or timeout.
///
/// # Errors
/// A read failed other than by timing out.
pub fn fill_to(
    stream: &mut Stream,
    buf: &mut Vec<u8>,
    want: usize,
    timeout: Duration,
) -> io::Result<bool> {
    let mut chunk = [0u8; 4096];
    stream.set_read_timeout(Some(timeout))?;
    let result = loop {
        if buf.len() >= want {
            break Ok(true);
        }
        let room = want.saturating_sub(buf.len()).min(chunk.len());
        match stream.read(chunk.get_mut(..room).unwrap_or_default()) {
            Ok(0) => break Ok(false),
            Ok(n) => buf.extend_from_slice(chunk.get(..n).unwrap_or_default()),
            Err(e) if is_timeout(&e) => break Ok(false),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    stream.set_read_timeout(None)?;
    result
}

/// Whether a read error is a timeout.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_tcp_on_any_free_port_and_accepts() {
        let Bound::Listener(l) = bind(
            &Endpoint::Tcp {
                bindaddr: "127.0.0.1".into(),
                port: 0,
            },
            "--server",
        )
        .unwrap() else {
            panic!("not a listener")
        };
        let port = l.port().unwrap();
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut s = l.accept().unwrap();
        c.write_all(b"abc").unwrap();
        let mut buf = Vec::new();
        assert!(fill_to(&mut s, &mut buf, 3, Duration::from_secs(1)).unwrap());
        assert_eq!(buf, b"abc");
        assert!(!fill_to(&mut s, &mut buf, 4, Duration::from_millis(50)).unwrap());
    }

    #[test]
    fn adopts_inherited_listening_and_client_descriptors() {
        use crate::fdpass::release_at;
        let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = tcp.local_addr().unwrap().port();
        let Bound::Listener(l) =
            bind(&Endpoint::ListenFd(release_at(tcp.into(), 800)), "--server").unwrap()
        else {
            panic!("not a listener")
        };
        assert_eq!(l.port(), Some(port));
        let (mut ours, theirs) = UnixStream::pair().unwrap();
        let Bound::Client(mut s) = bind(
            &Endpoint::ClientFd(release_at(theirs.into(), 900)),
            "--ctrl",
        )
        .unwrap() else {
            panic!("not a client")
        };
        ours.write_all(b"x").unwrap();
        let mut buf = Vec::new();
        assert!(fill_to(&mut s, &mut buf, 1, Duration::from_secs(1)).unwrap());
    }

    #[test]
    fn replaces_stale_unix_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        drop(UnixListener::bind(&path).unwrap());
        let ep = Endpoint::Unix {
            path: path.clone(),
            mode: Some(0o600),
        };
        let Bound::Listener(l) = bind(&ep, "--ctrl").unwrap() else {
            panic!("not a listener")
        };
        assert_eq!(l.socket_path(), Some(path.as_path()));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(bind(&ep, "--ctrl").is_err());
    }

    #[test]
    fn serves_an_inherited_connected_descriptor_as_the_one_client() {
        use std::os::fd::IntoRawFd;
        let (mut ours, theirs) = UnixStream::pair().unwrap();
        let Bound::Client(mut s) =
            bind(&Endpoint::ListenFd(theirs.into_raw_fd()), "--server").unwrap()
        else {
            panic!("not a client")
        };
        ours.write_all(b"x").unwrap();
        let mut buf = Vec::new();
        assert!(fill_to(&mut s, &mut buf, 1, Duration::from_secs(1)).unwrap());
    }
}
