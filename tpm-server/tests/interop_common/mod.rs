//! Helpers for the interop tests that drive Debian's real programs (swtpm_setup, tcsd,
//! tpm-tools) against `tpmd` with the real engine: peers that skip loudly (and fail under
//! CI=true), processes killed on drop, commands with a deadline, free ports, and a small
//! TPM client over the data channel built from tpm-marshal types.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest as _, Sha1};
use tpm_marshal::framing::{AuthIn, CommandFrame, ResponseFrame};
use tpm_marshal::{Command as TpmCommand, Marshal, ReturnCode, Unmarshal};

pub const TPMD: &str = env!("CARGO_BIN_EXE_tpmd");

/// Generous deadlines: the machine running CI may be small and busy.
pub const START_TIMEOUT: Duration = Duration::from_secs(60);
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(300);

/// True if every peer file exists. Otherwise says which Debian package is missing, loudly;
/// under CI=true a missing peer fails the test instead.
pub fn have_peers(peers: &[(&str, &str)]) -> bool {
    let missing: Vec<String> = peers
        .iter()
        .filter(|(file, _)| !Path::new(file).exists())
        .map(|(file, package)| format!("{file} (Debian package {package})"))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!("missing peers: {}", missing.join(", "));
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}; scripts/test.sh installs them");
    }
    eprintln!("SKIPPED: {msg}; run scripts/test.sh to install them");
    false
}

/// True if the test runs as root (tcsd must start as root to drop to user tss); otherwise
/// skips loudly, or fails under CI=true.
pub fn running_as_root(why: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the effective user
    if std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0) {
        return true;
    }
    let msg = format!("not root: {why}");
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    false
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something accepts TCP connections on `port`, or `child` exits, or the
/// deadline passes. Returns true once the port answers.
pub fn wait_for_port(port: u16, child: &mut Child) -> bool {
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A child process killed (and reaped) on drop.
#[derive(Debug)]
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `cmd` to completion with stdin closed, killing it after `timeout`.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Output {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    // read both pipes in threads so a chatty child never blocks on a full pipe
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_thread = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out_thread.join().unwrap(),
        stderr: err_thread.join().unwrap(),
    }
}

/// stdout and stderr of a finished command, for messages.
pub fn text(out: &Output) -> String {
    format!(
        "status {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The last `n` lines of a log file (for failure messages).
pub fn tail(path: &Path, n: usize) -> String {
    let all = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = all.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

pub fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> [u8; 20] {
    let mut m = Hmac::<Sha1>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// A TPM client over tpmd's TCP data channel, typed with tpm-marshal.
pub struct DataClient(TcpStream);

impl DataClient {
    pub fn connect(port: u16) -> Self {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(TOOL_TIMEOUT)).unwrap();
        Self(s)
    }

    /// Sends raw command bytes and reads one response by its paramSize.
    pub fn transact(&mut self, cmd: &[u8]) -> Vec<u8> {
        self.0.write_all(cmd).unwrap();
        let mut head = [0u8; 6];
        self.0.read_exact(&mut head).unwrap();
        let size = u32::from_be_bytes(head[2..6].try_into().unwrap()) as usize;
        let mut rsp = head.to_vec();
        rsp.resize(size, 0);
        self.0.read_exact(&mut rsp[6..]).unwrap();
        rsp
    }

    /// An unauthorized command.
    pub fn run<C: TpmCommand>(&mut self, input: &C::In) -> Result<C::Out, ReturnCode> {
        let cmd = CommandFrame::encode(C::ORDINAL, &input.to_bytes().unwrap(), &[]).unwrap();
        let rsp = self.transact(&cmd);
        let f = ResponseFrame::parse(&rsp).unwrap();
        if f.return_code != ReturnCode::TPM_SUCCESS {
            return Err(f.return_code);
        }
        Ok(C::Out::from_bytes(f.body).unwrap())
    }

    /// A command authorized by a fresh OIAP session keyed with `auth` (the session ends with
    /// the command); the response HMAC is checked.
    pub fn run_oiap<C: TpmCommand>(
        &mut self,
        auth: &[u8; 20],
        input: &C::In,
    ) -> Result<C::Out, ReturnCode> {
        use tpm_marshal::commands::sessions::Oiap;
        let session = self.run::<Oiap>(&())?;
        let body = input.to_bytes().unwrap();
        let in_digest = sha1(&[&C::ORDINAL.0.to_be_bytes(), &body[C::IN_HANDLES * 4..]]);
        let nonce_odd = [0x3c; 20];
        let hmac = hmac_sha1(auth, &[&in_digest, &session.nonce_even, &nonce_odd, &[0]]);
        let cmd = CommandFrame::encode(
            C::ORDINAL,
            &body,
            &[AuthIn {
                handle: session.auth_handle,
                nonce_odd,
                continue_auth_session: false,
                auth: hmac,
            }],
        )
        .unwrap();
        let rsp = self.transact(&cmd);
        let f = ResponseFrame::parse(&rsp).unwrap();
        if f.return_code != ReturnCode::TPM_SUCCESS {
            return Err(f.return_code);
        }
        let out_digest = sha1(&[
            &0u32.to_be_bytes(),
            &C::ORDINAL.0.to_be_bytes(),
            &f.body[C::OUT_HANDLES * 4..],
        ]);
        let a = &f.auths[0];
        let expected = hmac_sha1(auth, &[&out_digest, &a.nonce_even, &nonce_odd, &[0]]);
        assert_eq!(a.auth, expected, "response HMAC of {:?}", C::ORDINAL);
        Ok(C::Out::from_bytes(f.body).unwrap())
    }
}
