//! Starting the real `tpmd` for integration tests, and small clients for its channels.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub const TPMD: &str = env!("CARGO_BIN_EXE_tpmd");
pub const SWTPM_IOCTL: &str = "/usr/bin/swtpm_ioctl";
pub const SWTPM_BIOS: &str = "/usr/bin/swtpm_bios";

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// True if the Debian tool is installed; otherwise says so loudly (and fails under CI).
pub fn have_tool(path: &str) -> bool {
    if Path::new(path).exists() {
        return true;
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{path} is missing (install Debian's swtpm-tools)");
    }
    eprintln!("SKIPPED: {path} is missing (install Debian's swtpm-tools)");
    false
}

/// A running tpmd, killed on drop.
pub struct Tpmd {
    pub child: Child,
    pub dir: tempfile::TempDir,
    pub data_port: u16,
    pub ctrl_path: PathBuf,
}

impl Tpmd {
    /// `tpmd socket` on a fresh state folder with a TCP data port and a unix ctrl socket,
    /// plus `extra` arguments (the mock backend unless they name one).
    pub fn socket(extra: &[&str]) -> Self {
        Self::socket_in(tempfile::tempdir().unwrap(), extra)
    }

    /// As [`Tpmd::socket`] in an existing folder (its `state` subfolder is the state).
    pub fn socket_in(dir: tempfile::TempDir, extra: &[&str]) -> Self {
        let data_port = free_port();
        let ctrl_path = dir.path().join("ctrl.sock");
        let state = dir.path().join("state");
        let mut args: Vec<String> = vec!["socket".into()];
        if !extra.contains(&"--backend") {
            args.extend(["--backend".into(), "mock".into()]);
        }
        args.extend([
            "--tpmstate".into(),
            format!("dir={}", state.display()),
            "--server".into(),
            format!("type=tcp,port={data_port}"),
        ]);
        let own_ctrl = !extra.contains(&"--ctrl");
        if own_ctrl {
            args.push("--ctrl".into());
            args.push(format!("type=unixio,path={}", ctrl_path.display()));
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let child = Command::new(TPMD)
            .args(&args)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let tpmd = Self {
            child,
            dir,
            data_port,
            ctrl_path,
        };
        // with -t, probing the data port would end the server
        let probe_data = !extra.contains(&"-t");
        tpmd.wait_ready(probe_data, own_ctrl);
        tpmd
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn wait_ready(&self, probe_data: bool, own_ctrl: bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if (!probe_data || TcpStream::connect(("127.0.0.1", self.data_port)).is_ok())
                && (!own_ctrl || UnixStream::connect(&self.ctrl_path).is_ok())
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("tpmd did not start listening");
    }

    pub fn data(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.data_port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    pub fn ctrl(&self) -> UnixStream {
        let s = UnixStream::connect(&self.ctrl_path).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s
    }

    /// Runs swtpm_ioctl against the control socket; returns (success, stdout+stderr).
    pub fn ioctl(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new(SWTPM_IOCTL)
            .arg("--unix")
            .arg(&self.ctrl_path)
            .args(args)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    /// Runs swtpm_ioctl and insists it succeeds.
    pub fn ioctl_ok(&self, args: &[&str]) -> String {
        let (ok, text) = self.ioctl(args);
        assert!(ok, "swtpm_ioctl {args:?} failed: {text}");
        text
    }

    /// Waits for the process to exit by itself.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("tpmd did not exit");
    }
}

impl Drop for Tpmd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A child process killed on drop.
pub struct KillOnDrop(pub Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A TPM 1.2 command with no auth: tag C1, paramSize, ordinal, params.
pub fn command(ordinal: u32, params: &[u8]) -> Vec<u8> {
    let mut c = vec![0, 0xC1];
    c.extend_from_slice(&(10 + params.len() as u32).to_be_bytes());
    c.extend_from_slice(&ordinal.to_be_bytes());
    c.extend_from_slice(params);
    c
}

/// Reads one response by its paramSize.
pub fn read_response(s: &mut impl Read) -> Vec<u8> {
    let mut head = [0u8; 6];
    s.read_exact(&mut head).unwrap();
    let size = u32::from_be_bytes(head[2..6].try_into().unwrap()) as usize;
    let mut rsp = head.to_vec();
    rsp.resize(size, 0);
    s.read_exact(&mut rsp[6..]).unwrap();
    rsp
}

/// Sends a command and reads its response.
pub fn transact(s: &mut (impl Read + Write), cmd: &[u8]) -> Vec<u8> {
    s.write_all(cmd).unwrap();
    read_response(s)
}

/// The return code of a response.
pub fn rc(rsp: &[u8]) -> u32 {
    u32::from_be_bytes(rsp[6..10].try_into().unwrap())
}

/// Sends a control request and reads `len` response bytes.
pub fn ctrl_request(s: &mut UnixStream, req: &[u8], len: usize) -> Vec<u8> {
    s.write_all(req).unwrap();
    let mut rsp = vec![0u8; len];
    s.read_exact(&mut rsp).unwrap();
    rsp
}

/// The u32 at `at` of a control response.
pub fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap())
}
