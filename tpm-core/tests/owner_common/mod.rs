//! Helpers for the owner, key, storage and attestation tests: a TPM with an EK, ownership
//! taken the way swtpm_setup does it, OSAP/ADIP computed here, key templates, and RSA
//! checks with the `rsa` crate outside the engine.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use chacha20::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, Oaep, PublicKey};
use sha1::Sha1;
use std::sync::OnceLock;
use tpm_core::{TestPlatform, Tpm};
use tpm_marshal::framing::{AuthIn, CommandFrame, ResponseFrame, HEADER_SIZE};
use tpm_marshal::{
    AlgorithmId, AuthDataUsage, Command, EncScheme, EntityType, Key12, KeyBlob, KeyFlags,
    KeyHandle, KeyParms, KeyParmsDetail, KeyUsage, Marshal, PcrInfoLong, ProtocolId, Pubkey,
    ReturnCode, RsaKeyParms, SigScheme, Sized32, SizedBuffer, StartupType, StorePubkey, Unmarshal,
};

pub const OWNER: [u8; 20] = [0x11; 20];
pub const SRK_AUTH: [u8; 20] = [0x22; 20];
pub const KEY_AUTH: [u8; 20] = [0x33; 20];
pub const DATA_AUTH: [u8; 20] = [0x44; 20];
pub const SRK: u32 = KeyHandle::TPM_KH_SRK.0;

/// An enabled, active, started TPM with an EK, on a platform seeded with `seed`, its
/// state in a store the test keeps.
pub fn with_ek(seed: u64) -> Bench {
    let platform = TestPlatform::new(seed);
    let controls = platform.controls();
    let store = SharedStore::default();
    let config = Config {
        create_ek: true,
        enabled: true,
        activated: true,
    };
    let mut tpm = Tpm::new(config, Box::new(platform), Box::new(store.clone())).unwrap();
    startup(&mut tpm, StartupType::TPM_ST_CLEAR).unwrap();
    Bench {
        tpm,
        controls,
        store,
    }
}

/// The same TPM after a power cycle: a new engine on the same store.
pub fn restart(b: Bench, seed: u64) -> Bench {
    let platform = TestPlatform::new(seed);
    let controls = platform.controls();
    drop(b.tpm);
    let mut tpm = Tpm::new(
        Config::default(),
        Box::new(platform),
        Box::new(b.store.clone()),
    )
    .unwrap();
    startup(&mut tpm, StartupType::TPM_ST_CLEAR).unwrap();
    Bench {
        tpm,
        controls,
        store: b.store,
    }
}

/// An RSA public key from a TPM_PUBKEY.
pub fn rsa_public(p: &Pubkey) -> PublicKey {
    let n = &p.pub_key.key.0;
    let n = BoxedUint::from_be_slice(n, (n.len() * 8) as u32).unwrap();
    PublicKey::new(n, BoxedUint::from(65537u64)).unwrap()
}

/// A test RNG for the caller's side (OAEP padding).
pub fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_seed([9; 32])
}

/// Encrypts `data` to a TPM key with OAEP and the "TCPA" label, as a caller does.
pub fn oaep_tcpa(key: &PublicKey, data: &[u8]) -> Vec<u8> {
    key.encrypt(&mut rng(), Oaep::<Sha1>::new_with_label(*b"TCPA"), data)
        .unwrap()
}

/// RSA parameters: RSA, `bits`, two primes, the default exponent.
pub fn rsa_parms(enc: EncScheme, sig: SigScheme, bits: u32) -> KeyParms {
    KeyParms {
        algorithm_id: AlgorithmId::TPM_ALG_RSA,
        enc_scheme: enc,
        sig_scheme: sig,
        parms: KeyParmsDetail::Rsa(RsaKeyParms {
            key_length: bits,
            num_primes: 2,
            exponent: SizedBuffer::default(),
        }),
    }
}

/// A TPM_KEY12 template.
pub fn key12(
    usage: KeyUsage,
    parms: KeyParms,
    flags: KeyFlags,
    pcr: Option<PcrInfoLong>,
) -> KeyBlob {
    KeyBlob::Key12(Key12 {
        key_usage: usage,
        key_flags: flags,
        auth_data_usage: AuthDataUsage::TPM_AUTH_ALWAYS,
        algorithm_parms: parms,
        pcr_info: Sized32(pcr),
        pub_key: StorePubkey {
            key: SizedBuffer::default(),
        },
        enc_data: SizedBuffer::default(),
    })
}

/// A 2048-bit storage key template (the SRK's, or a child storage key).
pub fn storage_template(flags: KeyFlags) -> KeyBlob {
    key12(
        KeyUsage::TPM_KEY_STORAGE,
        rsa_parms(
            EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
            SigScheme::TPM_SS_NONE,
            2048,
        ),
        flags,
        None,
    )
}

/// A signing key template of `bits` with `sig`.
pub fn signing_template(sig: SigScheme, bits: u32) -> KeyBlob {
    key12(
        KeyUsage::TPM_KEY_SIGNING,
        rsa_parms(EncScheme::TPM_ES_NONE, sig, bits),
        KeyFlags(0),
        None,
    )
}

/// The EK through TPM_ReadPubek.
pub fn read_pubek(tpm: &mut Tpm) -> Pubkey {
    use commands::ek::{ReadPubek, ReadPubekIn};
    run::<ReadPubek>(
        tpm,
        &ReadPubekIn {
            anti_replay: [1; 20],
        },
    )
    .unwrap()
    .pub_endorsement_key
}

/// TPM_TakeOwnership as swtpm_setup sends it: OIAP, TPM_PID_OWNER, secrets under the EK.
pub fn take_ownership(tpm: &mut Tpm) -> Result<KeyBlob, ReturnCode> {
    let ek = read_pubek(tpm);
    take_ownership_to(tpm, &ek)
}

/// TPM_TakeOwnership with the secrets encrypted to `ek`.
pub fn take_ownership_to(tpm: &mut Tpm, ek: &Pubkey) -> Result<KeyBlob, ReturnCode> {
    use commands::ownership::{TakeOwnership, TakeOwnershipIn};
    let ek = rsa_public(ek);
    let input = TakeOwnershipIn {
        protocol_id: ProtocolId::TPM_PID_OWNER,
        enc_owner_auth: SizedBuffer(oaep_tcpa(&ek, &OWNER)),
        enc_srk_auth: SizedBuffer(oaep_tcpa(&ek, &SRK_AUTH)),
        srk_params: storage_template(KeyFlags(0)),
    };
    let mut s = oiap(tpm, OWNER);
    run_auth1::<TakeOwnership>(tpm, &mut s, &input, false).map(|o| o.srk_pub)
}

/// A TPM with an EK and an owner.
pub fn owned(seed: u64) -> Bench {
    let mut b = with_ek(seed);
    take_ownership(&mut b.tpm).unwrap();
    b
}

/// Opens an OSAP session for an entity; its HMAC key is the shared secret.
pub fn osap(tpm: &mut Tpm, et: EntityType, value: u32, auth: [u8; 20]) -> CallerSession {
    use commands::sessions::{Osap, OsapIn};
    let nonce_odd_osap = [0x77; 20];
    let out = run::<Osap>(
        tpm,
        &OsapIn {
            entity_type: et,
            entity_value: value,
            nonce_odd_osap,
        },
    )
    .unwrap();
    CallerSession {
        handle: out.auth_handle,
        nonce_even: out.nonce_even,
        key: hmac_sha1(&auth, &[&out.nonce_even_osap, &nonce_odd_osap]),
    }
}

/// The nonceOdd `run_auth1` and `run_auths` send.
pub const NONCE_ODD: [u8; 20] = [0x5a; 20];

/// Part 1, 13.8 ADIP: `secret` XOR SHA1(sharedSecret || nonce).
pub fn adip(s: &CallerSession, nonce: &[u8; 20], secret: &[u8; 20]) -> [u8; 20] {
    let pad = sha1(&[&s.key, nonce]);
    let mut out = *secret;
    out.iter_mut().zip(pad).for_each(|(o, p)| *o ^= p);
    out
}

/// TPM_CreateWrapKey under `parent` (OSAP with `parent_auth`), new usage auth KEY_AUTH.
pub fn create_wrap_key(
    tpm: &mut Tpm,
    parent: u32,
    parent_auth: [u8; 20],
    template: KeyBlob,
) -> Result<KeyBlob, ReturnCode> {
    use commands::storage::{CreateWrapKey, CreateWrapKeyIn};
    let mut s = osap(tpm, EntityType::TPM_ET_KEYHANDLE, parent, parent_auth);
    let input = CreateWrapKeyIn {
        parent_handle: parent,
        data_usage_auth: adip(&s, &s.nonce_even.clone(), &KEY_AUTH),
        data_migration_auth: adip(&s, &NONCE_ODD, &[0x55; 20]),
        key_info: template,
    };
    run_auth1::<CreateWrapKey>(tpm, &mut s, &input, false).map(|o| o.wrapped_key)
}

/// TPM_LoadKey2 with an OIAP session for the parent.
pub fn load_key2(
    tpm: &mut Tpm,
    parent: u32,
    parent_auth: [u8; 20],
    blob: &KeyBlob,
) -> Result<u32, ReturnCode> {
    use commands::storage::{LoadKey2, LoadKey2In};
    let mut s = oiap(tpm, parent_auth);
    let input = LoadKey2In {
        parent_handle: parent,
        in_key: blob.clone(),
    };
    run_auth1::<LoadKey2>(tpm, &mut s, &input, false).map(|o| o.inkey_handle)
}

/// TPM_GetPubKey with the key's auth.
pub fn get_pub_key(tpm: &mut Tpm, handle: u32, auth: [u8; 20]) -> Result<Pubkey, ReturnCode> {
    use commands::storage::{GetPubKey, GetPubKeyIn};
    let mut s = oiap(tpm, auth);
    run_auth1::<GetPubKey>(tpm, &mut s, &GetPubKeyIn { key_handle: handle }, false)
        .map(|o| o.pub_key)
}

/// The key every test that only needs "a loaded 2048-bit SHA-1 signing key" shares: made
/// once per test binary (key generation is the slow part), loaded into each TPM made with
/// `owned(1)`.
pub fn shared_signing_blob(tpm: &mut Tpm) -> KeyBlob {
    static BLOB: OnceLock<KeyBlob> = OnceLock::new();
    BLOB.get_or_init(|| {
        create_wrap_key(
            tpm,
            SRK,
            SRK_AUTH,
            signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 2048),
        )
        .unwrap()
    })
    .clone()
}

/// Sends `C` with one auth trailer per session, checking each response HMAC.
pub fn run_auths<C: Command>(
    tpm: &mut Tpm,
    sessions: &mut [&mut CallerSession],
    input: &C::In,
) -> Result<C::Out, ReturnCode> {
    let body = input.to_bytes().unwrap();
    let params = &body[C::IN_HANDLES * 4..];
    let in_digest = sha1(&[&C::ORDINAL.0.to_be_bytes(), params]);
    let trailers: Vec<AuthIn> = sessions
        .iter()
        .map(|s| AuthIn {
            handle: s.handle,
            nonce_odd: NONCE_ODD,
            continue_auth_session: false,
            auth: hmac_sha1(&s.key, &[&in_digest, &s.nonce_even, &NONCE_ODD, &[0]]),
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
    for (s, a) in sessions.iter().zip(&f.auths) {
        let expect = hmac_sha1(&s.key, &[&out_digest, &a.nonce_even, &NONCE_ODD, &[0]]);
        assert_eq!(a.auth, expect, "response HMAC");
    }
    Ok(C::Out::from_bytes(f.body).unwrap())
}

/// The modulus size in bytes of a TPM_PUBKEY.
pub fn modulus_len(p: &Pubkey) -> usize {
    rsa_public(p).size()
}
