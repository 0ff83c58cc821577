//! Load test of the real engine: 8 clients x 10,000 mixed commands (TPM_Extend,
//! TPM_PCRRead, TPM_GetRandom, TPM_OIAP, and TPM_NV_ReadValueAuth authorised by that OIAP
//! session) against `tpmd`, then the same workload against Debian's swtpm for comparison.
//! Every response is checked: each client extends its own PCR and tracks its value, checks
//! what PCRRead returns, the size of the random bytes, the NV data, and the response HMAC.
//!
//! `cargo bench -p tpm-server --bench load_engine` (not part of `cargo test`).
//! Environment: LOAD_CLIENTS (8), LOAD_COMMANDS (10000), LOAD_SWTPM=0 skips swtpm.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::cast_possible_truncation
)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};

const SWTPM: &str = "/usr/bin/swtpm";

const OPENSSL: &str = "/usr/bin/openssl";

const TPM_ORD_OIAP: u32 = 0x0A;
const TPM_ORD_TAKE_OWNERSHIP: u32 = 0x0D;
const TPM_ORD_CREATE_ENDORSEMENT_KEY_PAIR: u32 = 0x78;
const TPM_ORD_EXTEND: u32 = 0x14;
const TPM_ORD_PCR_READ: u32 = 0x15;
const TPM_ORD_GET_RANDOM: u32 = 0x46;
const TPM_ORD_PHYSICAL_ENABLE: u32 = 0x6F;
const TPM_ORD_PHYSICAL_SET_DEACTIVATED: u32 = 0x72;
const TPM_ORD_STARTUP: u32 = 0x99;
const TPM_ORD_NV_DEFINE_SPACE: u32 = 0xCC;
const TPM_ORD_NV_WRITE_VALUE: u32 = 0xCD;
const TPM_ORD_NV_READ_VALUE_AUTH: u32 = 0xD0;
const TSC_ORD_PHYSICAL_PRESENCE: u32 = 0x4000_000A;
const TPM_INVALID_POSTINIT: u32 = 0x26;
/// The well-known owner and SRK secrets (swtpm_setup's --owner-well-known).
const WELL_KNOWN: [u8; 20] = [0; 20];
/// TPM_KEY_PARMS (Part 2, 10.1) of an RSA-2048 OAEP storage key: algorithmID TPM_ALG_RSA,
/// encScheme TPM_ES_RSAESOAEP_SHA1_MGF1, sigScheme TPM_SS_NONE, then TPM_RSA_KEY_PARMS
/// (keyLength 2048, numPrimes 2, no exponent: 65537).
const RSA_2048_STORAGE_PARMS: [u8; 24] = [
    0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12, 0, 0, 8, 0, 0, 0, 0, 2, 0, 0, 0, 0,
];
/// CMD_INIT on the control channel, flags 0.
const CMD_INIT: [u8; 8] = [0, 0, 0, 2, 0, 0, 0, 0];

/// The NV area the authorised reads use, its auth value and its contents.
const NV_INDEX: u32 = 0x0000_BEEF;
const NV_AUTH: [u8; 20] = [0x42; 20];
const NV_DATA: [u8; 32] = *b"tpmd load test: authorised read.";
/// Part 2, 19.2 TPM_NV_ATTRIBUTES: TPM_NV_PER_AUTHREAD | TPM_NV_PER_PPWRITE (an area needs
/// some write protection; while NV is unlocked the setup's unauthorised write passes it).
const NV_ATTRIBUTES: u32 = 0x0004_0001;

/// A single command's latency that counts as starving a client.
const STARVED: Duration = Duration::from_secs(10);

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = Sha1::new();
    parts.iter().for_each(|p| h.update(p));
    h.finalize().into()
}

fn hmac(key: &[u8; 20], parts: &[&[u8]]) -> [u8; 20] {
    let mut m = Hmac::<Sha1>::new_from_slice(key).unwrap();
    parts.iter().for_each(|p| m.update(p));
    m.finalize().into_bytes().into()
}

/// A TPM command: tag, paramSize, ordinal, params.
fn command(tag: u16, ordinal: u32, params: &[u8]) -> Vec<u8> {
    let mut c = tag.to_be_bytes().to_vec();
    c.extend_from_slice(&(10 + params.len() as u32).to_be_bytes());
    c.extend_from_slice(&ordinal.to_be_bytes());
    c.extend_from_slice(params);
    c
}

fn plain(ordinal: u32, params: &[u8]) -> Vec<u8> {
    command(0x00C1, ordinal, params)
}

fn transact(s: &mut TcpStream, cmd: &[u8]) -> Vec<u8> {
    s.write_all(cmd).unwrap();
    let mut rsp = vec![0u8; 6];
    s.read_exact(&mut rsp).unwrap();
    let size = u32::from_be_bytes(rsp[2..6].try_into().unwrap()) as usize;
    assert!((10..=4096).contains(&size), "paramSize {size}");
    rsp.resize(size, 0);
    s.read_exact(&mut rsp[6..]).unwrap();
    rsp
}

fn rc(rsp: &[u8]) -> u32 {
    u32::from_be_bytes(rsp[6..10].try_into().unwrap())
}

/// A TPM server process on a temporary state folder, killed on drop.
struct Server {
    child: Child,
    data_port: u16,
    ctrl_port: u16,
    _dir: tempfile::TempDir,
}

impl Server {
    /// `program socket` with TCP data and control ports, started (`not-need-init,
    /// startup-clear`), then set up for the workload.
    fn start(program: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data_port = free_port();
        let ctrl_port = free_port();
        let child = Command::new(program)
            .arg("socket")
            .arg("--tpmstate")
            .arg(format!("dir={}", dir.path().display()))
            .args(["--server", &format!("type=tcp,port={data_port}")])
            .args(["--ctrl", &format!("type=tcp,port={ctrl_port}")])
            .args(["--flags", "not-need-init,startup-clear"])
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self {
            child,
            data_port,
            ctrl_port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", ctrl_port)).is_err() {
            assert!(Instant::now() < deadline, "{program} did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        server.set_up();
        server
    }

    fn data(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.data_port)).unwrap();
        s.set_nodelay(true).unwrap();
        // swtpm serves one connection at a time: a client may wait for all the others
        s.set_read_timeout(Some(Duration::from_secs(1200))).unwrap();
        s
    }

    /// Enables and activates the TPM (as swtpm_bios does: a fresh `tpmd socket` TPM is
    /// disabled and deactivated), restarts it so that takes effect, creates the EK, takes
    /// ownership (as swtpm_setup does; swtpm refuses TPM_NV_ReadValueAuth without an
    /// owner) and defines the NV area (unauthorised, allowed while NV is unlocked).
    fn set_up(&self) {
        let mut s = self.data();
        let pp = |bits: u16| plain(TSC_ORD_PHYSICAL_PRESENCE, &bits.to_be_bytes());
        for (what, cmd) in [
            ("TSC_PhysicalPresence(CMD_ENABLE)", pp(0x20)),
            ("TSC_PhysicalPresence(PRESENT)", pp(0x08)),
            ("TPM_PhysicalEnable", plain(TPM_ORD_PHYSICAL_ENABLE, &[])),
            (
                "TPM_PhysicalSetDeactivated(FALSE)",
                plain(TPM_ORD_PHYSICAL_SET_DEACTIVATED, &[0]),
            ),
        ] {
            assert_eq!(rc(&transact(&mut s, &cmd)), 0, "{what}");
        }
        let mut ctrl = TcpStream::connect(("127.0.0.1", self.ctrl_port)).unwrap();
        ctrl.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        ctrl.write_all(&CMD_INIT).unwrap();
        let mut result = [0u8; 4];
        ctrl.read_exact(&mut result).unwrap();
        assert_eq!(result, [0; 4], "CMD_INIT");
        let startup = rc(&transact(&mut s, &plain(TPM_ORD_STARTUP, &[0, 1])));
        assert!(
            startup == 0 || startup == TPM_INVALID_POSTINIT,
            "TPM_Startup: {startup:#x}"
        );
        take_ownership(&mut s);
        assert_eq!(
            rc(&transact(
                &mut s,
                &plain(TPM_ORD_NV_DEFINE_SPACE, &nv_define_params())
            )),
            0,
            "TPM_NV_DefineSpace"
        );
        let mut write = NV_INDEX.to_be_bytes().to_vec();
        write.extend_from_slice(&0u32.to_be_bytes());
        write.extend_from_slice(&(NV_DATA.len() as u32).to_be_bytes());
        write.extend_from_slice(&NV_DATA);
        assert_eq!(
            rc(&transact(&mut s, &plain(TPM_ORD_NV_WRITE_VALUE, &write))),
            0,
            "TPM_NV_WriteValue"
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A DER element (X.690) of `tag` around `content`.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let len = content.len();
    let mut out = vec![tag];
    match len {
        0..=127 => out.push(len as u8),
        128..=255 => out.extend_from_slice(&[0x81, len as u8]),
        _ => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(content);
    out
}

/// The EK's public key (modulus, exponent 65537) as a DER SubjectPublicKeyInfo.
fn rsa_spki(modulus: &[u8]) -> Vec<u8> {
    let mut n = vec![0];
    n.extend_from_slice(modulus);
    let key = der(0x30, &[der(0x02, &n), der(0x02, &[1, 0, 1])].concat());
    let mut bits = vec![0];
    bits.extend_from_slice(&key);
    let rsa_encryption = der(
        0x30,
        &[
            der(
                0x06,
                &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01],
            ),
            vec![0x05, 0],
        ]
        .concat(),
    );
    der(0x30, &[rsa_encryption, der(0x03, &bits)].concat())
}

/// RSAES-OAEP(SHA-1, label "TCPA") of `secret` under `spki`, by Debian's openssl.
fn oaep_tcpa(spki: &std::path::Path, secret: &[u8]) -> Vec<u8> {
    let mut child = Command::new(OPENSSL)
        .args(["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey"])
        .arg(spki)
        .args(["-pkeyopt", "rsa_padding_mode:oaep"])
        .args([
            "-pkeyopt",
            "rsa_oaep_md:sha1",
            "-pkeyopt",
            "rsa_mgf1_md:sha1",
        ])
        .args(["-pkeyopt", "rsa_oaep_label:54435041"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(secret).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "openssl pkeyutl failed");
    out.stdout
}

/// TPM_CreateEndorsementKeyPair (Part 3, 14.1), then TPM_TakeOwnership (Part 3, 6.1) with
/// the well-known owner and SRK secrets and an RSA-2048 TPM_KEY12 SRK, under OIAP.
fn take_ownership(s: &mut TcpStream) {
    let mut params = [7u8; 20].to_vec();
    params.extend_from_slice(&RSA_2048_STORAGE_PARMS);
    let rsp = transact(s, &plain(TPM_ORD_CREATE_ENDORSEMENT_KEY_PAIR, &params));
    assert_eq!(rc(&rsp), 0, "TPM_CreateEndorsementKeyPair");
    let parm_size = u32::from_be_bytes(rsp[18..22].try_into().unwrap()) as usize;
    let at = 22 + parm_size;
    let key_len = u32::from_be_bytes(rsp[at..at + 4].try_into().unwrap()) as usize;
    let modulus = &rsp[at + 4..at + 4 + key_len];
    let dir = tempfile::tempdir().unwrap();
    let spki = dir.path().join("ek.der");
    std::fs::write(&spki, rsa_spki(modulus)).unwrap();
    let enc_owner = oaep_tcpa(&spki, &WELL_KNOWN);
    let enc_srk = oaep_tcpa(&spki, &WELL_KNOWN);

    let mut params = 5u16.to_be_bytes().to_vec(); // TPM_PID_OWNER
    for enc in [&enc_owner, &enc_srk] {
        params.extend_from_slice(&(enc.len() as u32).to_be_bytes());
        params.extend_from_slice(enc);
    }
    params.extend_from_slice(&[0, 0x28, 0, 0]); // TPM_TAG_KEY12, fill
    params.extend_from_slice(&[0, 0x11]); // TPM_KEY_STORAGE
    params.extend_from_slice(&[0, 0, 0, 0, 1]); // keyFlags, authDataUsage TPM_AUTH_ALWAYS
    params.extend_from_slice(&RSA_2048_STORAGE_PARMS);
    params.extend_from_slice(&[0; 12]); // PCRInfoSize, pubKey, encData: all empty

    let oiap = transact(s, &plain(TPM_ORD_OIAP, &[]));
    assert_eq!(rc(&oiap), 0, "TPM_OIAP");
    let ordinal = TPM_ORD_TAKE_OWNERSHIP.to_be_bytes();
    let nonce_odd = [9u8; 20];
    let in_digest = sha1(&[&ordinal, &params]);
    let auth = hmac(&WELL_KNOWN, &[&in_digest, &oiap[14..34], &nonce_odd, &[0]]);
    params.extend_from_slice(&oiap[10..14]);
    params.extend_from_slice(&nonce_odd);
    params.push(0);
    params.extend_from_slice(&auth);
    let rsp = transact(s, &command(0x00C2, TPM_ORD_TAKE_OWNERSHIP, &params));
    assert_eq!(rc(&rsp), 0, "TPM_TakeOwnership");
}

/// TPM_NV_DefineSpace's parameters: TPM_NV_DATA_PUBLIC (Part 2, 19.3) and the auth value
/// (sent as is without a session).
fn nv_define_params() -> Vec<u8> {
    let pcr_info_short = |p: &mut Vec<u8>| {
        p.extend_from_slice(&[0, 3, 0, 0, 0]); // TPM_PCR_SELECTION: none of 24 PCRs
        p.push(0x1F); // localityAtRelease: any
        p.extend_from_slice(&[0; 20]); // digestAtRelease
    };
    let mut p = 0x0018u16.to_be_bytes().to_vec(); // TPM_TAG_NV_DATA_PUBLIC
    p.extend_from_slice(&NV_INDEX.to_be_bytes());
    pcr_info_short(&mut p);
    pcr_info_short(&mut p);
    p.extend_from_slice(&0x0017u16.to_be_bytes()); // TPM_TAG_NV_ATTRIBUTES
    p.extend_from_slice(&NV_ATTRIBUTES.to_be_bytes());
    p.extend_from_slice(&[0, 0, 0]); // bReadSTClear, bWriteSTClear, bWriteDefine
    p.extend_from_slice(&(NV_DATA.len() as u32).to_be_bytes());
    p.extend_from_slice(&NV_AUTH);
    p
}

/// TPM_NV_ReadValueAuth of the whole area under the OIAP session (handle, nonceEven),
/// ending it (continueAuthSession FALSE); checks the data and the response HMAC.
fn nv_read_value_auth(s: &mut TcpStream, handle: &[u8], nonce_even: &[u8], nonce_odd: [u8; 20]) {
    let ordinal = TPM_ORD_NV_READ_VALUE_AUTH.to_be_bytes();
    let mut params = NV_INDEX.to_be_bytes().to_vec();
    params.extend_from_slice(&0u32.to_be_bytes());
    params.extend_from_slice(&(NV_DATA.len() as u32).to_be_bytes());
    let in_digest = sha1(&[&ordinal, &params]);
    let auth = hmac(&NV_AUTH, &[&in_digest, nonce_even, &nonce_odd, &[0]]);
    let mut body = params;
    body.extend_from_slice(handle);
    body.extend_from_slice(&nonce_odd);
    body.push(0);
    body.extend_from_slice(&auth);
    let rsp = transact(s, &command(0x00C2, TPM_ORD_NV_READ_VALUE_AUTH, &body));
    assert_eq!(rc(&rsp), 0, "TPM_NV_ReadValueAuth");
    assert_eq!(rsp.len(), 10 + 4 + NV_DATA.len() + 41);
    let (out, trailer) = rsp[10..].split_at(4 + NV_DATA.len());
    assert_eq!(out[..4], (NV_DATA.len() as u32).to_be_bytes());
    assert_eq!(out[4..], NV_DATA, "NV data");
    let (new_even, rest) = trailer.split_at(20);
    assert_eq!(rest[0], 0, "continueAuthSession");
    let out_digest = sha1(&[&rsp[6..10], &ordinal, out]);
    let expected = hmac(&NV_AUTH, &[&out_digest, new_even, &nonce_odd, &[0]]);
    assert_eq!(rest[1..], expected, "resAuth");
}

/// One client: `commands` commands cycling through Extend, PCRRead, GetRandom, OIAP and
/// NV_ReadValueAuth; returns each command's latency.
fn client(port: u16, commands: usize, id: usize) -> Vec<Duration> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_nodelay(true).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(1200))).unwrap();
    let pcr = 8 + (id as u32 % 8);
    let mut latencies = Vec::with_capacity(commands);
    // the first command learns the PCR's value (and shows how long the client waited to
    // be served at all)
    let start = Instant::now();
    let rsp = transact(&mut s, &plain(TPM_ORD_PCR_READ, &pcr.to_be_bytes()));
    assert_eq!(rc(&rsp), 0, "client {id}: first TPM_PCRRead");
    latencies.push(start.elapsed());
    let mut value: [u8; 20] = rsp[10..30].try_into().unwrap();
    let mut session: Option<([u8; 4], [u8; 20])> = None;
    for i in 1..commands {
        let start = Instant::now();
        let tag = sha1(&[&(id as u64).to_be_bytes(), &(i as u64).to_be_bytes()]);
        match (i - 1) % 5 {
            0 => {
                let mut p = pcr.to_be_bytes().to_vec();
                p.extend_from_slice(&tag);
                let rsp = transact(&mut s, &plain(TPM_ORD_EXTEND, &p));
                assert_eq!(rc(&rsp), 0, "client {id} #{i}: TPM_Extend");
                value = sha1(&[&value, &tag]);
                assert_eq!(rsp[10..], value, "client {id} #{i}: TPM_Extend outDigest");
            }
            1 => {
                let rsp = transact(&mut s, &plain(TPM_ORD_PCR_READ, &pcr.to_be_bytes()));
                assert_eq!(rc(&rsp), 0, "client {id} #{i}: TPM_PCRRead");
                assert_eq!(rsp[10..], value, "client {id} #{i}: PCR {pcr}");
            }
            2 => {
                let n = (i % 64 + 1) as u32;
                let rsp = transact(&mut s, &plain(TPM_ORD_GET_RANDOM, &n.to_be_bytes()));
                assert_eq!(rc(&rsp), 0, "client {id} #{i}: TPM_GetRandom");
                assert_eq!(rsp[10..14], n.to_be_bytes());
                assert_eq!(rsp.len(), 14 + n as usize);
            }
            3 => {
                let rsp = transact(&mut s, &plain(TPM_ORD_OIAP, &[]));
                assert_eq!(rc(&rsp), 0, "client {id} #{i}: TPM_OIAP");
                assert_eq!(rsp.len(), 34);
                session = Some((
                    rsp[10..14].try_into().unwrap(),
                    rsp[14..34].try_into().unwrap(),
                ));
            }
            _ => {
                let (handle, even) = session.take().unwrap();
                nv_read_value_auth(&mut s, &handle, &even, tag);
            }
        }
        latencies.push(start.elapsed());
    }
    latencies
}

/// The workload's outcome on one server.
struct Outcome {
    elapsed: Duration,
    latencies: Vec<Duration>,
    /// When each client finished, from the start.
    finished: Vec<Duration>,
}

fn run(server: &Server, clients: usize, commands: usize) -> Outcome {
    let port = server.data_port;
    let start = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|id| {
            std::thread::spawn(move || {
                let l = client(port, commands, id);
                (l, start.elapsed())
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut finished = Vec::new();
    for w in workers {
        let (l, at) = w.join().unwrap();
        latencies.extend(l);
        finished.push(at);
    }
    let elapsed = start.elapsed();
    latencies.sort();
    finished.sort();
    Outcome {
        elapsed,
        latencies,
        finished,
    }
}

fn report(name: &str, clients: usize, commands: usize, o: &Outcome) {
    let total = o.latencies.len();
    let pct = |p: usize| o.latencies[(total * p / 100).min(total - 1)];
    println!(
        "load_engine {name}: {clients} clients x {commands} commands (Extend, PCRRead, GetRandom, \
         OIAP, NV_ReadValueAuth under OIAP) = {total}, all checked, in {:.2} s: {:.0} commands/s; \
         latency p50 {:?}, p99 {:?}, max {:?}; clients finished between {:.2} s and {:.2} s",
        o.elapsed.as_secs_f64(),
        total as f64 / o.elapsed.as_secs_f64(),
        pct(50),
        pct(99),
        o.latencies[total - 1],
        o.finished[0].as_secs_f64(),
        o.finished[o.finished.len() - 1].as_secs_f64(),
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not: skip the load then.
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "load_engine: skipped (run it with `cargo bench -p tpm-server --bench load_engine`)"
        );
        return;
    }
    let clients = env_or("LOAD_CLIENTS", 8);
    let commands = env_or("LOAD_COMMANDS", 10_000);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("load_engine: {cores} cores");

    let tpmd = Server::start(env!("CARGO_BIN_EXE_tpmd"));
    let ours = run(&tpmd, clients, commands);
    drop(tpmd);
    report("tpmd (engine)", clients, commands, &ours);
    let worst = ours.latencies[ours.latencies.len() - 1];
    assert!(
        worst < STARVED,
        "a tpmd client waited {worst:?} for one command"
    );

    if std::env::var("LOAD_SWTPM").as_deref() == Ok("0") {
        return;
    }
    if !std::path::Path::new(SWTPM).exists() {
        println!("load_engine: swtpm: SKIPPED ({SWTPM} is missing)");
        return;
    }
    let swtpm = Server::start(SWTPM);
    let theirs = run(&swtpm, clients, commands);
    drop(swtpm);
    report("swtpm", clients, commands, &theirs);
    println!(
        "load_engine: tpmd / swtpm throughput = {:.2} (swtpm serves one connection at a time, \
         so its clients run one after another)",
        theirs.elapsed.as_secs_f64() / ours.elapsed.as_secs_f64()
    );
}
