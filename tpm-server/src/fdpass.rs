//! File descriptors that arrive as numbers: inherited ones (`--server fd=`, `--ctrl
//! clientfd=`, `--key fd=`, `--log fd=`, `--pid fd=`) and those passed with SCM_RIGHTS on
//! a unix socket (CMD_SET_DATAFD). Turning a number into an owned descriptor is the one
//! unsafe operation of this crate; it lives here, each use with its reason.
#![allow(unsafe_code)]

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::Mutex;

use nix::fcntl::{fcntl, FcntlArg};
use nix::sys::socket::{recvmsg, sendmsg, ControlMessage, ControlMessageOwned, MsgFlags, UnixAddr};

/// Inherited descriptors already taken over, so no number is owned twice.
static TAKEN: Mutex<BTreeSet<RawFd>> = Mutex::new(BTreeSet::new());

/// Takes ownership of the inherited descriptor `fd` (at least 3: standard streams are not
/// ours to close).
///
/// # Errors
/// `fd` is a standard stream, not open, or already taken.
pub fn take_inherited(fd: RawFd) -> io::Result<OwnedFd> {
    if fd < 3 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("fd {fd} is a standard stream"),
        ));
    }
    let mut taken = TAKEN
        .lock()
        .map_err(|_| io::Error::other("fd table poisoned"))?;
    if taken.contains(&fd) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("fd {fd} is used twice"),
        ));
    }
    // SAFETY: the borrow lasts for this one fcntl call, which only asks whether the
    // number names an open descriptor (EBADF otherwise); nothing is closed or kept.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    fcntl(borrowed, FcntlArg::F_GETFD).map_err(|e| io::Error::other(format!("fd {fd}: {e}")))?;
    taken.insert(fd);
    // SAFETY: `fd` is open (checked above), was inherited from our parent for this
    // purpose, is not a standard stream, and the TAKEN set guarantees it is turned into
    // an owner only once in this process.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// An inherited descriptor as a `File` (key, passphrase, log, pid).
///
/// # Errors
/// As [`take_inherited`].
pub fn file_from_fd(fd: RawFd) -> io::Result<File> {
    take_inherited(fd).map(File::from)
}

/// Receives bytes on `sock` and at most one descriptor sent with them as SCM_RIGHTS.
/// Extra descriptors are closed.
///
/// # Errors
/// The receive failed.
pub fn recv_with_fd(sock: &UnixStream, buf: &mut [u8]) -> io::Result<(usize, Option<OwnedFd>)> {
    let mut space = nix::cmsg_space!([RawFd; 4]);
    let mut iov = [IoSliceMut::new(buf)];
    let msg = recvmsg::<UnixAddr>(
        sock.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )
    .map_err(io::Error::from)?;
    let mut received: Vec<OwnedFd> = Vec::new();
    for cmsg in msg.cmsgs().map_err(io::Error::from)? {
        if let ControlMessageOwned::ScmRights(fds) = cmsg {
            // SAFETY: the kernel has just installed these descriptors in our table for
            // this message; nothing else in the process knows their numbers.
            received.extend(
                fds.into_iter()
                    .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
            );
        }
    }
    let bytes = msg.bytes;
    Ok((bytes, received.into_iter().next()))
}

/// Sends `bytes` on `sock` with `fd` attached as SCM_RIGHTS (what QEMU does for
/// CMD_SET_DATAFD).
///
/// # Errors
/// The send failed.
pub fn send_with_fd(sock: &UnixStream, bytes: &[u8], fd: RawFd) -> io::Result<usize> {
    let fds = [fd];
    let cmsg = [ControlMessage::ScmRights(&fds)];
    sendmsg::<UnixAddr>(
        sock.as_raw_fd(),
        &[IoSlice::new(bytes)],
        &cmsg,
        MsgFlags::empty(),
        None,
    )
    .map_err(io::Error::from)
}

/// For tests: moves `fd` to a free number at least `min` (so tests running in parallel
/// never hand [`take_inherited`] the same number) and gives up ownership of it, as a parent
/// process does when it passes a descriptor on.
#[cfg(test)]
pub(crate) fn release_at(fd: OwnedFd, min: RawFd) -> RawFd {
    let high = fcntl(&fd, FcntlArg::F_DUPFD_CLOEXEC(min));
    drop(fd);
    high.unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn passes_a_descriptor_over_a_unix_socket() {
        let (a, b) = UnixStream::pair().unwrap();
        let (mut data_ours, data_theirs) = UnixStream::pair().unwrap();
        send_with_fd(&a, &[0, 0, 0, 0x10], data_theirs.as_raw_fd()).unwrap();
        drop(data_theirs);
        let mut buf = [0u8; 16];
        let (n, fd) = recv_with_fd(&b, &mut buf).unwrap();
        assert_eq!(&buf[..n], [0, 0, 0, 0x10]);
        let mut passed = UnixStream::from(fd.unwrap());
        passed.write_all(b"hi").unwrap();
        let mut got = [0u8; 2];
        data_ours.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"hi");
    }

    #[test]
    fn refuses_standard_streams_and_closed_numbers() {
        assert!(take_inherited(1).is_err());
        assert!(take_inherited(987_654).is_err());
    }
}
