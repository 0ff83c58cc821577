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
use tpm_marshal::{
    AuthDataUsage, EncScheme, EntityType, Key12, KeyBlob, KeyFlags, KeyHandle, KeyParms, KeyUsage,
    LocalitySelection, Marshal, PcrComposite, PcrInfoLong, PcrSelection, ProtocolId, Pubkey,
    ReturnCode, SigScheme, Sized32, SizedBuffer, StartupType, StorePubkey,
};

pub const OWNER: [u8; 20] = [0x11; 20];
pub const SRK_AUTH: [u8; 20] = [0x22; 20];
pub const KEY_AUTH: [u8; 20] = [0x33; 20];
pub const DATA_AUTH: [u8; 20] = [0x44; 20];
pub const SRK: u32 = KeyHandle::TPM_KH_SRK.0;
/// Part 2, 4.5 TPM_KH_OWNER.
pub const TPM_KH_OWNER: u32 = KeyHandle::TPM_KH_OWNER.0;

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
    power_cycle(b, Config::default(), seed, StartupType::TPM_ST_CLEAR)
}

/// An RSA public key from a TPM_PUBKEY.
pub fn rsa_public(p: &Pubkey) -> PublicKey {
    let n = &p.pub_key.key.0;
    let n = BoxedUint::from_be_slice(n, (n.len() * 8) as u32).unwrap();
    // The TPM makes keys from 512 bits up; the rsa crate's default floor is 1024.
    PublicKey::new_with_size_limits(n, BoxedUint::from(65537u64), 512..=4096).unwrap()
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
    KeyParms::new_rsa(enc, sig, bits)
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

/// A 2048-bit identity key template (what TPM_MakeIdentity is given).
pub fn identity_template() -> KeyBlob {
    key12(
        KeyUsage::TPM_KEY_IDENTITY,
        rsa_parms(
            EncScheme::TPM_ES_NONE,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
            2048,
        ),
        KeyFlags(0),
        None,
    )
}

/// TPM_PCR_INFO_LONG releasing at PCR 16's current value, at `localities`.
pub fn bound_to_pcr16(tpm: &mut Tpm, localities: u8) -> PcrInfoLong {
    use commands::integrity::{PcrRead, PcrReadIn};
    let select = PcrSelection::new(3, &[16]).unwrap();
    let value = run::<PcrRead>(tpm, &PcrReadIn { pcr_index: 16 })
        .unwrap()
        .out_digest;
    let composite = PcrComposite {
        select: select.clone(),
        pcr_values: vec![value],
    };
    PcrInfoLong {
        locality_at_creation: LocalitySelection(0),
        locality_at_release: LocalitySelection(localities),
        creation_pcr_selection: select.clone(),
        release_pcr_selection: select,
        digest_at_creation: [0; 20],
        digest_at_release: sha1(&[&composite.to_bytes().unwrap()]),
    }
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
    take_ownership_with_srk(tpm, ek, storage_template(KeyFlags(0)))
}

/// TPM_TakeOwnership asking for the SRK `srk_params`.
pub fn take_ownership_with_srk(
    tpm: &mut Tpm,
    ek: &Pubkey,
    srk_params: KeyBlob,
) -> Result<KeyBlob, ReturnCode> {
    use commands::ownership::{TakeOwnership, TakeOwnershipIn};
    let ek = rsa_public(ek);
    let input = TakeOwnershipIn {
        protocol_id: ProtocolId::TPM_PID_OWNER,
        enc_owner_auth: SizedBuffer(oaep_tcpa(&ek, &OWNER)),
        enc_srk_auth: SizedBuffer(oaep_tcpa(&ek, &SRK_AUTH)),
        srk_params,
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

/// Opens an OSAP session for an entity whose auth is `auth`; its HMAC key is the shared
/// secret.
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

/// An OSAP session for the owner.
pub fn owner_osap(tpm: &mut Tpm) -> CallerSession {
    osap(tpm, EntityType::TPM_ET_OWNER, TPM_KH_OWNER, OWNER)
}

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

/// A key made from `template` under the SRK and loaded there: its handle.
pub fn create_and_load(tpm: &mut Tpm, template: KeyBlob) -> u32 {
    let blob = create_wrap_key(tpm, SRK, SRK_AUTH, template).unwrap();
    load_key2(tpm, SRK, SRK_AUTH, &blob).unwrap()
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

/// The modulus size in bytes of a TPM_PUBKEY.
pub fn modulus_len(p: &Pubkey) -> usize {
    rsa_public(p).size()
}

/// The shared signing key ([`shared_signing_blob`]) loaded under the SRK: its handle.
pub fn load_shared_signing_key(tpm: &mut Tpm) -> u32 {
    let blob = shared_signing_blob(tpm);
    load_key2(tpm, SRK, SRK_AUTH, &blob).unwrap()
}
