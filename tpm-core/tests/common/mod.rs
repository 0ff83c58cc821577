//! Helpers for the integration tests: a seeded TPM, typed commands through `execute()`,
//! auth trailers computed here with the `hmac` and `sha1` crates directly, and a store
//! the test can watch.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest as _, Sha1};
use std::sync::{Arc, Mutex};
use tpm_core::{BlobName, MemStore, Store, StoreError, TestControls, TestPlatform, Tpm};
use tpm_marshal::framing::{AuthIn, CommandFrame, ResponseFrame, HEADER_SIZE};
use tpm_marshal::{
    CapabilityArea, Command, DaInfo, Marshal, Ordinal, ReturnCode, SizedBuffer, StartupType, Tag,
    Unmarshal,
};

pub use tpm_core::Config;
pub use tpm_marshal::commands;

/// A store shared with the test, so it can count saves and corrupt blobs.
#[derive(Debug, Clone, Default)]
pub struct SharedStore(pub Arc<Mutex<MemStore>>);

impl SharedStore {
    pub fn saves(&self) -> u64 {
        self.0.lock().unwrap().saves
    }

    pub fn blob(&self, name: BlobName) -> Option<Vec<u8>> {
        self.0.lock().unwrap().load(name).unwrap()
    }
}

impl Store for SharedStore {
    fn load(&mut self, name: BlobName) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.lock().unwrap().load(name)
    }
    fn save(&mut self, name: BlobName, data: &[u8]) -> Result<(), StoreError> {
        self.0.lock().unwrap().save(name, data)
    }
    fn delete(&mut self, name: BlobName) -> Result<(), StoreError> {
        self.0.lock().unwrap().delete(name)
    }
}

/// Enabled and activated.
pub const ACTIVE: Config = Config {
    create_ek: false,
    enabled: true,
    activated: true,
};

/// A test TPM with its platform controls and store.
pub struct Bench {
    pub tpm: Tpm,
    pub controls: TestControls,
    pub store: SharedStore,
}

/// A fresh TPM (not started) on a seeded platform.
pub fn fresh(config: Config) -> Bench {
    let platform = TestPlatform::new(7);
    let controls = platform.controls();
    let store = SharedStore::default();
    let tpm = Tpm::new(config, Box::new(platform), Box::new(store.clone())).unwrap();
    Bench {
        tpm,
        controls,
        store,
    }
}

/// A power cycle: the same store, a new engine with `config` on a platform seeded with
/// `seed`, started with `t`.
pub fn power_cycle(b: Bench, config: Config, seed: u64, t: StartupType) -> Bench {
    let platform = TestPlatform::new(seed);
    let controls = platform.controls();
    let store = b.store.clone();
    drop(b);
    let mut tpm = Tpm::new(config, Box::new(platform), Box::new(store.clone())).unwrap();
    startup(&mut tpm, t).unwrap();
    Bench {
        tpm,
        controls,
        store,
    }
}

/// An enabled, activated TPM after TPM_Startup(ST_CLEAR).
pub fn started() -> Bench {
    let mut b = fresh(ACTIVE);
    startup(&mut b.tpm, StartupType::TPM_ST_CLEAR).unwrap();
    b
}

pub fn startup(tpm: &mut Tpm, t: StartupType) -> Result<(), ReturnCode> {
    run::<commands::startup::Startup>(tpm, &commands::startup::StartupIn { startup_type: t })
}

/// The bytes of an unauthorized command.
pub fn command<C: Command>(input: &C::In) -> Vec<u8> {
    CommandFrame::encode(C::ORDINAL, &input.to_bytes().unwrap(), &[]).unwrap()
}

/// Runs an unauthorized command at locality 0.
pub fn run<C: Command>(tpm: &mut Tpm, input: &C::In) -> Result<C::Out, ReturnCode> {
    run_at::<C>(tpm, 0, input)
}

/// Runs an unauthorized command at `locality`.
pub fn run_at<C: Command>(
    tpm: &mut Tpm,
    locality: u8,
    input: &C::In,
) -> Result<C::Out, ReturnCode> {
    let resp = tpm.execute(locality, &command::<C>(input));
    decode::<C>(&resp)
}

/// Decodes a response: the return code, or the output parameters.
pub fn decode<C: Command>(resp: &[u8]) -> Result<C::Out, ReturnCode> {
    let f = ResponseFrame::parse(resp).expect("well-formed response");
    if f.return_code != ReturnCode::TPM_SUCCESS {
        assert_eq!(resp.len(), HEADER_SIZE, "error responses carry no body");
        return Err(f.return_code);
    }
    Ok(C::Out::from_bytes(f.body).expect("output decodes"))
}

/// Checks that `resp` is a well-formed response: a response tag, paramSize equal to its
/// length, and an error response of exactly 10 bytes.
pub fn assert_well_formed(resp: &[u8]) -> ReturnCode {
    assert!(resp.len() >= HEADER_SIZE, "short response {resp:02x?}");
    let tag = u16::from_be_bytes([resp[0], resp[1]]);
    let size = u32::from_be_bytes([resp[2], resp[3], resp[4], resp[5]]);
    let rc = ReturnCode(u32::from_be_bytes([resp[6], resp[7], resp[8], resp[9]]));
    assert_eq!(size as usize, resp.len(), "paramSize");
    assert!([0xc4, 0xc5, 0xc6].contains(&tag), "response tag {tag:#x}");
    if rc != ReturnCode::TPM_SUCCESS {
        assert_eq!(tag, Tag::TPM_TAG_RSP_COMMAND.0);
        assert_eq!(resp.len(), HEADER_SIZE);
    }
    ResponseFrame::parse(resp).expect("parses");
    rc
}

pub fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

pub fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> [u8; 20] {
    let mut m = Hmac::<Sha1>::new_from_slice(key).unwrap();
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

/// A session as the caller sees it.
#[derive(Debug, Clone)]
pub struct CallerSession {
    pub handle: u32,
    pub nonce_even: [u8; 20],
    /// The HMAC key: the entity's auth (OIAP) or the shared secret (OSAP).
    pub key: [u8; 20],
}

/// Opens an OIAP session whose HMACs are keyed by `auth`.
pub fn oiap(tpm: &mut Tpm, auth: [u8; 20]) -> CallerSession {
    let out = run::<commands::sessions::Oiap>(tpm, &()).unwrap();
    CallerSession {
        handle: out.auth_handle,
        nonce_even: out.nonce_even,
        key: auth,
    }
}

/// The nonceOdd `run_auth1` and `run_auths` send.
pub const NONCE_ODD: [u8; 20] = [0x5a; 20];

/// Sends `C` with one auth trailer for `s` (continueAuthSession = `cont`) and checks the
/// response HMAC the way a caller would. Returns the decoded result and rolls the nonce.
pub fn run_auth1<C: Command>(
    tpm: &mut Tpm,
    s: &mut CallerSession,
    input: &C::In,
    cont: bool,
) -> Result<C::Out, ReturnCode> {
    run_auths::<C>(tpm, &mut [s], input, cont)
}

/// Sends `C` with one auth trailer per session (continueAuthSession = `cont` for each),
/// checks each response HMAC the way a caller would, and rolls the nonces.
pub fn run_auths<C: Command>(
    tpm: &mut Tpm,
    sessions: &mut [&mut CallerSession],
    input: &C::In,
    cont: bool,
) -> Result<C::Out, ReturnCode> {
    let body = input.to_bytes().unwrap();
    let params = &body[C::IN_HANDLES * 4..];
    let in_digest = sha1(&[&C::ORDINAL.0.to_be_bytes(), params]);
    let flag = [u8::from(cont)];
    let trailers: Vec<AuthIn> = sessions
        .iter()
        .map(|s| AuthIn {
            handle: s.handle,
            nonce_odd: NONCE_ODD,
            continue_auth_session: cont,
            auth: hmac_sha1(&s.key, &[&in_digest, &s.nonce_even, &NONCE_ODD, &flag]),
        })
        .collect();
    let cmd = CommandFrame::encode(C::ORDINAL, &body, &trailers).unwrap();
    let resp = tpm.execute(0, &cmd);
    let f = ResponseFrame::parse(&resp).unwrap();
    if f.return_code != ReturnCode::TPM_SUCCESS {
        assert_eq!(resp.len(), HEADER_SIZE);
        return Err(f.return_code);
    }
    let out_params = &f.body[C::OUT_HANDLES * 4..];
    let out_digest = sha1(&[&0u32.to_be_bytes(), &C::ORDINAL.0.to_be_bytes(), out_params]);
    assert_eq!(
        f.auths.len(),
        sessions.len(),
        "one response trailer per session"
    );
    for (s, a) in sessions.iter_mut().zip(&f.auths) {
        assert_eq!(a.continue_auth_session, cont);
        let expect = hmac_sha1(&s.key, &[&out_digest, &a.nonce_even, &NONCE_ODD, &flag]);
        assert_eq!(a.auth, expect, "response HMAC");
        s.nonce_even = a.nonce_even;
    }
    Ok(C::Out::from_bytes(f.body).unwrap())
}

/// TPM_GetCapability(`area`, `sub`): the response bytes.
pub fn get_capability(
    tpm: &mut Tpm,
    area: CapabilityArea,
    sub: &[u8],
) -> Result<Vec<u8>, ReturnCode> {
    use commands::capability::{GetCapability, GetCapabilityIn};
    run::<GetCapability>(
        tpm,
        &GetCapabilityIn {
            cap_area: area,
            sub_cap: SizedBuffer(sub.to_vec()),
        },
    )
    .map(|o| o.resp.0)
}

/// TPM_DA_INFO.currentCount for the owner (TPM_CAP_DA_LOGIC, TPM_ET_OWNER).
pub fn da_count(tpm: &mut Tpm) -> u16 {
    let info = get_capability(tpm, CapabilityArea::TPM_CAP_DA_LOGIC, &[0, 2]).unwrap();
    DaInfo::from_bytes(&info).unwrap().current_count
}

/// The ordinal's 10-byte unauthorized command with no parameters.
pub fn bare(ordinal: Ordinal) -> Vec<u8> {
    CommandFrame::encode(ordinal, &[], &[]).unwrap()
}

/// Asserts physical presence through TSC_PhysicalPresence (CMD_ENABLE then PRESENT).
pub fn assert_presence(tpm: &mut Tpm) {
    use commands::ownership::{TscPhysicalPresence, TscPhysicalPresenceIn};
    use tpm_marshal::PhysicalPresence as P;
    let pp = |v: P| TscPhysicalPresenceIn {
        physical_presence: v,
    };
    run::<TscPhysicalPresence>(tpm, &pp(P::TPM_PHYSICAL_PRESENCE_CMD_ENABLE)).unwrap();
    run::<TscPhysicalPresence>(tpm, &pp(P::TPM_PHYSICAL_PRESENCE_PRESENT)).unwrap();
}
