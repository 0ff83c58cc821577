//! Starts Debian's swtpm (TPM 1.2) for one test, and a transport that can tamper with
//! responses.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command};
use std::time::{Duration, Instant};
use tpm_client::{Client, SwtpmCtrl, TcpTransport, Transport};

/// A running swtpm; killed and its state removed on drop.
pub struct Swtpm {
    child: Child,
    pub data: String,
    pub ctrl: String,
    dir: std::path::PathBuf,
}

impl Drop for Swtpm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Swtpm {
    /// A client on the data channel.
    pub fn client(&self) -> Client<Tamper> {
        Client::new(Tamper {
            inner: TcpTransport::connect(&self.data).unwrap(),
            flip_next: false,
        })
    }

    /// The control channel.
    pub fn ctrl(&self) -> SwtpmCtrl {
        SwtpmCtrl::connect_tcp(&self.ctrl).unwrap()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts swtpm (already started with TPM_Startup(ST_CLEAR)), or returns None (loudly)
/// when it is not installed outside CI.
pub fn start_swtpm() -> Option<Swtpm> {
    let installed = Command::new("swtpm").arg("--version").output().is_ok();
    if !installed {
        assert!(
            std::env::var("CI").is_err(),
            "swtpm is not installed, and CI must run this test"
        );
        eprintln!("SKIPPED: swtpm is not installed (scripts/test.sh installs it)");
        return None;
    }
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("tpm-client-swtpm-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (dp, cp) = (free_port(), free_port());
    let child = Command::new("swtpm")
        .arg("socket")
        .arg("--tpmstate")
        .arg(format!("dir={}", dir.display()))
        .args(["--server", &format!("type=tcp,port={dp}")])
        .args(["--ctrl", &format!("type=tcp,port={cp}")])
        .args(["--flags", "not-need-init,startup-clear"])
        .spawn()
        .unwrap();
    let s = Swtpm {
        child,
        data: format!("127.0.0.1:{dp}"),
        ctrl: format!("127.0.0.1:{cp}"),
        dir,
    };
    let start = Instant::now();
    while std::net::TcpStream::connect(&s.ctrl).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "swtpm did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(s)
}

/// A transport that can flip one bit of the next response's last byte (inside the
/// response HMAC when the command had a session).
pub struct Tamper {
    pub inner: TcpTransport,
    pub flip_next: bool,
}

impl Transport for Tamper {
    fn transmit(&mut self, command: &[u8]) -> tpm_client::Result<Vec<u8>> {
        let mut out = self.inner.transmit(command)?;
        if std::mem::take(&mut self.flip_next) {
            if let Some(b) = out.last_mut() {
                *b ^= 1;
            }
        }
        Ok(out)
    }
}

/// Unwraps a step's result, or fails the test naming the step.
pub fn step<T>(what: &str, r: tpm_client::Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("step `{what}` failed against swtpm: {e}"),
    }
}
