//! Load test: 8 clients x 10,000 commands against a real `tpmd`, every response checked.
//!
//! `cargo bench -p tpm-server --bench load` (not part of `cargo test`). Environment:
//! TPMD_BACKEND=mock|engine (default mock), LOAD_CLIENTS (8), LOAD_COMMANDS (10000).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TPM_ORD_GET_RANDOM: u32 = 0x46;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// TPM_GetRandom(n): both the engine (randomBytesSize) and the mock (echo) answer with n
/// as the first u32 after the header.
fn get_random(n: u32) -> Vec<u8> {
    let mut c = vec![0, 0xC1, 0, 0, 0, 14];
    c.extend_from_slice(&TPM_ORD_GET_RANDOM.to_be_bytes());
    c.extend_from_slice(&n.to_be_bytes());
    c
}

fn client(port: u16, commands: usize, id: usize) -> Vec<Duration> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_nodelay(true).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut latencies = Vec::with_capacity(commands);
    let mut rsp = vec![0u8; 4096];
    for i in 0..commands {
        let n = ((id * 7 + i) % 32 + 1) as u32;
        let start = Instant::now();
        s.write_all(&get_random(n)).unwrap();
        s.read_exact(&mut rsp[..6]).unwrap();
        let size = u32::from_be_bytes(rsp[2..6].try_into().unwrap()) as usize;
        s.read_exact(&mut rsp[6..size]).unwrap();
        latencies.push(start.elapsed());
        assert_eq!(rsp[..2], [0, 0xC4], "client {id} command {i}: tag");
        assert_eq!(
            rsp[6..10],
            [0, 0, 0, 0],
            "client {id} command {i}: return code"
        );
        assert_eq!(
            rsp[10..14],
            n.to_be_bytes(),
            "client {id} command {i}: size"
        );
    }
    latencies
}

/// Kills tpmd even when a check fails.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not: skip the load then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("load: skipped (run it with `cargo bench -p tpm-server --bench load`)");
        return;
    }
    let backend = std::env::var("TPMD_BACKEND").unwrap_or_else(|_| "mock".into());
    let clients = env_or("LOAD_CLIENTS", 8);
    let commands = env_or("LOAD_COMMANDS", 10_000);
    let dir = std::env::temp_dir().join(format!("tpmd-load-{}", std::process::id()));
    let free_port = || {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (port, ctrl_port) = (free_port(), free_port());
    // the default mode: the TPM is started, enabled and activated (GetRandom needs that)
    let tpmd = Command::new(env!("CARGO_BIN_EXE_tpmd"))
        .args(["--backend", &backend, "--log", "file=-"])
        .arg("--tpmstate")
        .arg(format!("dir={}", dir.display()))
        .args(["--server", &format!("type=tcp,port={port}")])
        .args(["--ctrl", &format!("type=tcp,port={ctrl_port}")])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let _tpmd = KillOnDrop(tpmd);
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "tpmd did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let start = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|id| std::thread::spawn(move || client(port, commands, id)))
        .collect();
    let mut latencies: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let elapsed = start.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    latencies.sort();
    let total = latencies.len();
    let pct = |p: usize| latencies[(total * p / 100).min(total - 1)];
    println!(
        "load ({backend}): {clients} clients x {commands} TPM_GetRandom = {total} commands, all checked, in {:.2} s: {:.0} commands/s; latency p50 {:?}, p99 {:?}, max {:?}",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        pct(50),
        pct(99),
        latencies[total - 1],
    );
}
