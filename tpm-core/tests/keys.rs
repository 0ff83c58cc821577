//! Part 3, 10.4-10.6, 13.5, 21.1, 22.1, 27.1.1, 27.9: creating, loading, using and
//! unloading keys through `execute()`, with signatures checked by the `rsa` crate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owner_common;
use commands::context::{KeyControlOwner, KeyControlOwnerIn};
use commands::crypto::{Sign, SignIn};
use commands::deprecated::{EvictKey, EvictKeyIn, LoadKey, LoadKeyIn};
use commands::eviction::{FlushSpecific, FlushSpecificIn};
use common::*;
use owner_common::*;
use rsa::Pkcs1v15Sign;
use sha1::Sha1;
use tpm_marshal::{
    AuthDataUsage, EncScheme, KeyBlob, KeyControl, KeyFlags, KeyUsage, ResourceType,
    ReturnCode as Rc, SigScheme, SizedBuffer,
};

fn sign(b: &mut Bench, handle: u32, area: &[u8]) -> Result<Vec<u8>, Rc> {
    let mut s = oiap(&mut b.tpm, KEY_AUTH);
    let input = SignIn {
        key_handle: handle,
        area_to_sign: SizedBuffer(area.to_vec()),
    };
    run_auth1::<Sign>(&mut b.tpm, &mut s, &input, false).map(|o| o.sig.0)
}

fn flush(b: &mut Bench, handle: u32) -> Result<(), Rc> {
    run::<FlushSpecific>(
        &mut b.tpm,
        &FlushSpecificIn {
            handle,
            resource_type: ResourceType::TPM_RT_KEY,
        },
    )
}

#[test]
fn take_ownership_create_load_sign_and_verify_outside() {
    let mut b = owned(1);
    let blob = create_wrap_key(
        &mut b.tpm,
        SRK,
        SRK_AUTH,
        signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 2048),
    )
    .unwrap();
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let pubkey = get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap();
    assert_eq!(pubkey.pub_key, *blob.pub_key());
    let digest = sha1(&[b"message"]);
    let sig = sign(&mut b, h, &digest).unwrap();
    rsa_public(&pubkey)
        .verify(Pkcs1v15Sign::new::<Sha1>(), &digest, &sig)
        .unwrap();
    // A SHA-1 scheme key signs exactly a 20-byte digest.
    assert_eq!(sign(&mut b, h, &[1; 19]), Err(Rc::TPM_BAD_PARAMETER));
    flush(&mut b, h).unwrap();
    assert_eq!(flush(&mut b, h), Err(Rc::TPM_INVALID_KEYHANDLE));
    assert_eq!(sign(&mut b, h, &digest), Err(Rc::TPM_INVALID_KEYHANDLE));
}

#[test]
fn der_scheme_signs_the_callers_digest_info() {
    let mut b = owned(1);
    let blob = create_wrap_key(
        &mut b.tpm,
        SRK,
        SRK_AUTH,
        signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_DER, 1024),
    )
    .unwrap();
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let pubkey = get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap();
    assert_eq!(modulus_len(&pubkey), 128);
    let digest = sha1(&[b"der"]);
    let mut der = vec![
        0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
    ];
    der.extend_from_slice(&digest);
    let sig = sign(&mut b, h, &der).unwrap();
    rsa_public(&pubkey)
        .verify(Pkcs1v15Sign::new::<Sha1>(), &digest, &sig)
        .unwrap();
}

#[test]
fn load_key2_without_auth_under_an_srk_that_needs_auth_is_authfail() {
    use commands::storage::{LoadKey2, LoadKey2In};
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let input = LoadKey2In {
        parent_handle: SRK,
        in_key: blob,
    };
    assert_eq!(run::<LoadKey2>(&mut b.tpm, &input), Err(Rc::TPM_AUTHFAIL));
}

#[test]
fn deprecated_load_key_and_evict_key_work_like_load_key2_and_flush() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let mut s = oiap(&mut b.tpm, SRK_AUTH);
    let input = LoadKeyIn {
        parent_handle: SRK,
        in_key: blob,
    };
    let h = run_auth1::<LoadKey>(&mut b.tpm, &mut s, &input, false)
        .unwrap()
        .inkey_handle;
    get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap();
    run::<EvictKey>(&mut b.tpm, &EvictKeyIn { evict_handle: h }).unwrap();
    assert_eq!(
        run::<EvictKey>(&mut b.tpm, &EvictKeyIn { evict_handle: h }),
        Err(Rc::TPM_INVALID_KEYHANDLE)
    );
}

#[test]
fn a_blob_from_one_tpm_does_not_load_under_another_tpms_srk() {
    let mut a = owned(1);
    let mut other = owned(2);
    let blob = shared_signing_blob(&mut a.tpm);
    load_key2(&mut a.tpm, SRK, SRK_AUTH, &blob).unwrap();
    assert_eq!(
        load_key2(&mut other.tpm, SRK, SRK_AUTH, &blob),
        Err(Rc::TPM_DECRYPT_ERROR)
    );
}

#[test]
fn a_tampered_public_part_does_not_load() {
    let mut b = owned(1);
    let mut blob = shared_signing_blob(&mut b.tpm);
    if let KeyBlob::Key12(k) = &mut blob {
        k.auth_data_usage = AuthDataUsage::TPM_AUTH_NEVER;
    }
    assert_eq!(
        load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob),
        Err(Rc::TPM_DECRYPT_ERROR)
    );
}

#[test]
fn owner_evict_key_survives_a_restart_and_cannot_be_flushed() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let pub_key = get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap();
    let other = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let mut s = oiap(&mut b.tpm, OWNER);
    let control = |value| KeyControlOwnerIn {
        key_handle: h,
        pub_key: pub_key.clone(),
        bit_name: KeyControl::TPM_KEY_CONTROL_OWNER_EVICT,
        bit_value: value,
    };
    run_auth1::<KeyControlOwner>(&mut b.tpm, &mut s, &control(true), true).unwrap();
    assert_eq!(flush(&mut b, h), Err(Rc::TPM_KEY_OWNER_CONTROL));
    let mut b = restart(b, 5);
    let digest = sha1(&[b"after restart"]);
    let sig = sign(&mut b, h, &digest).unwrap();
    rsa_public(&pub_key)
        .verify(Pkcs1v15Sign::new::<Sha1>(), &digest, &sig)
        .unwrap();
    // The key that was not owner-evict is gone.
    assert_eq!(flush(&mut b, other), Err(Rc::TPM_INVALID_KEYHANDLE));
    // Clearing the bit makes it an ordinary key again.
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<KeyControlOwner>(&mut b.tpm, &mut s, &control(false), false).unwrap();
    flush(&mut b, h).unwrap();
}

#[test]
fn key_control_owner_checks_the_public_key_and_the_bit() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let mut pub_key = get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap();
    let mut s = oiap(&mut b.tpm, OWNER);
    let mut input = KeyControlOwnerIn {
        key_handle: h,
        pub_key: pub_key.clone(),
        bit_name: KeyControl(2),
        bit_value: true,
    };
    assert_eq!(
        run_auth1::<KeyControlOwner>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_BAD_MODE)
    );
    pub_key.pub_key.key.0[5] ^= 1;
    input.pub_key = pub_key;
    input.bit_name = KeyControl::TPM_KEY_CONTROL_OWNER_EVICT;
    let mut s = oiap(&mut b.tpm, OWNER);
    assert_eq!(
        run_auth1::<KeyControlOwner>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_BAD_PARAMETER)
    );
}

#[test]
fn key_slots_are_bounded_and_answer_nospace() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let mut handles = Vec::new();
    for _ in 0..20 {
        handles.push(load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap());
    }
    assert_eq!(
        load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob),
        Err(Rc::TPM_NOSPACE)
    );
    flush(&mut b, handles[3]).unwrap();
    load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
}

#[test]
fn create_wrap_key_checks_usage_and_parameters() {
    let mut b = owned(1);
    // A signing key cannot be a parent.
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    assert_eq!(
        create_wrap_key(
            &mut b.tpm,
            h,
            KEY_AUTH,
            signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 1024)
        ),
        Err(Rc::TPM_INVALID_KEYUSAGE)
    );
    // Storage keys are 2048-bit OAEP; 512-bit keys are not offered.
    let mut small_storage = storage_template(KeyFlags(0));
    if let KeyBlob::Key12(k) = &mut small_storage {
        k.algorithm_parms = rsa_parms(
            EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
            SigScheme::TPM_SS_NONE,
            1024,
        );
    }
    for template in [
        small_storage,
        signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 512),
        signing_template(SigScheme::TPM_SS_NONE, 2048),
    ] {
        assert_eq!(
            create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, template),
            Err(Rc::TPM_BAD_KEY_PROPERTY)
        );
    }
    // Identity keys come only from TPM_MakeIdentity.
    let identity = key12(
        KeyUsage::TPM_KEY_IDENTITY,
        rsa_parms(
            EncScheme::TPM_ES_NONE,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
            2048,
        ),
        KeyFlags(0),
        None,
    );
    assert_eq!(
        create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, identity),
        Err(Rc::TPM_INVALID_KEYUSAGE)
    );
}

#[test]
fn migratable_storage_key_parents_only_migratable_keys() {
    let mut b = owned(1);
    let parent_blob = create_wrap_key(
        &mut b.tpm,
        SRK,
        SRK_AUTH,
        storage_template(KeyFlags::TPM_MIGRATABLE),
    )
    .unwrap();
    let parent = load_key2(&mut b.tpm, SRK, SRK_AUTH, &parent_blob).unwrap();
    let non_migratable = signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 1024);
    assert_eq!(
        create_wrap_key(&mut b.tpm, parent, KEY_AUTH, non_migratable),
        Err(Rc::TPM_INVALID_KEYUSAGE)
    );
    let mut migratable = signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 1024);
    if let KeyBlob::Key12(k) = &mut migratable {
        k.key_flags = KeyFlags::TPM_MIGRATABLE;
    }
    let child = create_wrap_key(&mut b.tpm, parent, KEY_AUTH, migratable).unwrap();
    let h = load_key2(&mut b.tpm, parent, KEY_AUTH, &child).unwrap();
    sign(&mut b, h, &[7; 20]).unwrap();
}

#[test]
fn auth_never_keys_sign_without_a_session() {
    let mut b = owned(1);
    let mut template = signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 1024);
    if let KeyBlob::Key12(k) = &mut template {
        k.auth_data_usage = AuthDataUsage::TPM_AUTH_NEVER;
    }
    let blob = create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, template).unwrap();
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let input = SignIn {
        key_handle: h,
        area_to_sign: SizedBuffer(vec![3; 20]),
    };
    run::<Sign>(&mut b.tpm, &input).unwrap();
    // A key that needs auth does not.
    let shared = shared_signing_blob(&mut b.tpm);
    let h2 = load_key2(&mut b.tpm, SRK, SRK_AUTH, &shared).unwrap();
    let input = SignIn {
        key_handle: h2,
        area_to_sign: SizedBuffer(vec![3; 20]),
    };
    assert_eq!(run::<Sign>(&mut b.tpm, &input), Err(Rc::TPM_AUTHFAIL));
}

fn pcr16_info(b: &mut Bench, localities: u8) -> tpm_marshal::PcrInfoLong {
    use commands::integrity::{PcrRead, PcrReadIn};
    use tpm_marshal::{LocalitySelection, Marshal, PcrComposite, PcrSelection};
    let select = PcrSelection::new(3, &[16]).unwrap();
    let value = run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 16 })
        .unwrap()
        .out_digest;
    let composite = PcrComposite {
        select: select.clone(),
        pcr_values: vec![value],
    };
    tpm_marshal::PcrInfoLong {
        locality_at_creation: LocalitySelection(0),
        locality_at_release: LocalitySelection(localities),
        creation_pcr_selection: select.clone(),
        release_pcr_selection: select,
        digest_at_creation: [0; 20],
        digest_at_release: sha1(&[&composite.to_bytes().unwrap()]),
    }
}

#[test]
fn pcr_bound_key_signs_only_while_its_pcrs_hold() {
    use commands::integrity::{Extend, ExtendIn};
    let mut b = owned(1);
    let info = pcr16_info(&mut b, 0x1f);
    let template = key12(
        KeyUsage::TPM_KEY_SIGNING,
        rsa_parms(
            EncScheme::TPM_ES_NONE,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
            1024,
        ),
        KeyFlags(0),
        Some(info),
    );
    let blob = create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, template).unwrap();
    let KeyBlob::Key12(k) = &blob else {
        panic!("TPM_KEY12 expected")
    };
    // The TPM filled in the creation digest and locality.
    let created = k.pcr_info.0.as_ref().unwrap();
    assert_eq!(created.locality_at_creation.0, 1);
    assert_eq!(created.digest_at_creation, created.digest_at_release);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    sign(&mut b, h, &[1; 20]).unwrap();
    run::<Extend>(
        &mut b.tpm,
        &ExtendIn {
            pcr_num: 16,
            in_digest: [2; 20],
        },
    )
    .unwrap();
    assert_eq!(sign(&mut b, h, &[1; 20]), Err(Rc::TPM_WRONGPCRVAL));
}

#[test]
fn key_bound_to_another_locality_is_bad_locality() {
    let mut b = owned(1);
    let info = pcr16_info(&mut b, 0x08); // locality 3 only
    let template = key12(
        KeyUsage::TPM_KEY_SIGNING,
        rsa_parms(
            EncScheme::TPM_ES_NONE,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
            1024,
        ),
        KeyFlags(0),
        Some(info),
    );
    let blob = create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, template).unwrap();
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    assert_eq!(sign(&mut b, h, &[1; 20]), Err(Rc::TPM_BAD_LOCALITY));
}

#[test]
fn version_1_1_tpm_key_is_created_loaded_and_used() {
    use tpm_marshal::{Key, Sized32, StorePubkey, StructVer};
    let mut b = owned(1);
    let template = KeyBlob::Key(Key {
        ver: StructVer::V1_1,
        key_usage: KeyUsage::TPM_KEY_SIGNING,
        key_flags: KeyFlags(0),
        auth_data_usage: AuthDataUsage::TPM_AUTH_ALWAYS,
        algorithm_parms: rsa_parms(
            EncScheme::TPM_ES_NONE,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
            1024,
        ),
        pcr_info: Sized32(None),
        pub_key: StorePubkey {
            key: SizedBuffer::default(),
        },
        enc_data: SizedBuffer::default(),
    });
    let blob = create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, template).unwrap();
    assert!(matches!(blob, KeyBlob::Key(_)));
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    sign(&mut b, h, &[4; 20]).unwrap();
}

#[test]
fn priv_use_only_key_reads_its_public_part_without_auth() {
    use commands::storage::{GetPubKey, GetPubKeyIn};
    let mut b = owned(1);
    let mut template = signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 1024);
    if let KeyBlob::Key12(k) = &mut template {
        k.auth_data_usage = AuthDataUsage::TPM_AUTH_PRIV_USE_ONLY;
    }
    let blob = create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, template).unwrap();
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    run::<GetPubKey>(&mut b.tpm, &GetPubKeyIn { key_handle: h }).unwrap();
    let input = SignIn {
        key_handle: h,
        area_to_sign: SizedBuffer(vec![3; 20]),
    };
    assert_eq!(run::<Sign>(&mut b.tpm, &input), Err(Rc::TPM_AUTHFAIL));
    // An ALWAYS key needs auth even for its public part.
    let shared = shared_signing_blob(&mut b.tpm);
    let h2 = load_key2(&mut b.tpm, SRK, SRK_AUTH, &shared).unwrap();
    assert_eq!(
        run::<GetPubKey>(&mut b.tpm, &GetPubKeyIn { key_handle: h2 }),
        Err(Rc::TPM_AUTHFAIL)
    );
}

#[test]
fn loaded_keys_travel_in_the_volatile_state() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let volatile = b.tpm.volatile_blob();
    b.tpm.init();
    b.tpm.set_volatile_blob(&volatile).unwrap();
    sign(&mut b, h, &[5; 20]).unwrap();
}

#[test]
fn an_osap_session_that_carried_adip_ends_with_the_command() {
    use commands::storage::{CreateWrapKey, CreateWrapKeyIn};
    use tpm_marshal::framing::{AuthIn, CommandFrame, ResponseFrame};
    use tpm_marshal::{Command, EntityType, Marshal};
    let mut b = owned(1);
    let s = osap(&mut b.tpm, EntityType::TPM_ET_KEYHANDLE, SRK, SRK_AUTH);
    let input = CreateWrapKeyIn {
        parent_handle: SRK,
        data_usage_auth: adip(&s, &s.nonce_even.clone(), &KEY_AUTH),
        data_migration_auth: [0; 20],
        key_info: signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 1024),
    };
    let body = input.to_bytes().unwrap();
    let digest = sha1(&[&CreateWrapKey::ORDINAL.0.to_be_bytes(), &body[4..]]);
    let auth = hmac_sha1(&s.key, &[&digest, &s.nonce_even, &NONCE_ODD, &[1]]);
    let trailer = AuthIn {
        handle: s.handle,
        nonce_odd: NONCE_ODD,
        continue_auth_session: true,
        auth,
    };
    let cmd = CommandFrame::encode(CreateWrapKey::ORDINAL, &body, &[trailer]).unwrap();
    let resp = b.tpm.execute(0, &cmd);
    let f = ResponseFrame::parse(&resp).unwrap();
    assert_eq!(f.return_code, Rc::TPM_SUCCESS);
    assert!(!f.auths[0].continue_auth_session);
    // The session is gone.
    assert_eq!(
        create_wrap_key_with(&mut b, s),
        Err(Rc::TPM_INVALID_AUTHHANDLE)
    );
}

fn create_wrap_key_with(b: &mut Bench, mut s: CallerSession) -> Result<(), Rc> {
    use commands::storage::{CreateWrapKey, CreateWrapKeyIn};
    let input = CreateWrapKeyIn {
        parent_handle: SRK,
        data_usage_auth: [0; 20],
        data_migration_auth: [0; 20],
        key_info: signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 1024),
    };
    run_auth1::<CreateWrapKey>(&mut b.tpm, &mut s, &input, false).map(|_| ())
}

#[test]
fn info_scheme_signs_sign_info_with_the_session_nonce() {
    let mut b = owned(1);
    let blob = create_wrap_key(
        &mut b.tpm,
        SRK,
        SRK_AUTH,
        signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_INFO, 1024),
    )
    .unwrap();
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let pubkey = get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap();
    let sig = sign(&mut b, h, b"any length of data").unwrap();
    // TPM_SIGN_INFO: tag 0x0005, "SIGN", replay = nonceOdd, dataLen, data.
    let mut info = vec![0x00, 0x05];
    info.extend_from_slice(b"SIGN");
    info.extend_from_slice(&NONCE_ODD);
    info.extend_from_slice(&18u32.to_be_bytes());
    info.extend_from_slice(b"any length of data");
    rsa_public(&pubkey)
        .verify(Pkcs1v15Sign::new::<Sha1>(), &sha1(&[&info]), &sig)
        .unwrap();
}

#[test]
fn flushing_a_key_ends_the_osap_sessions_opened_for_it() {
    use tpm_marshal::EntityType;
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let mut s = osap(&mut b.tpm, EntityType::TPM_ET_KEYHANDLE, h, KEY_AUTH);
    flush(&mut b, h).unwrap();
    let input = SignIn {
        key_handle: h,
        area_to_sign: SizedBuffer(vec![0; 20]),
    };
    assert_eq!(
        run_auth1::<Sign>(&mut b.tpm, &mut s, &input, false).err(),
        Some(Rc::TPM_INVALID_KEYHANDLE)
    );
    // The session itself is gone too.
    use commands::eviction::{FlushSpecific, FlushSpecificIn};
    assert_eq!(
        run::<FlushSpecific>(
            &mut b.tpm,
            &FlushSpecificIn {
                handle: s.handle,
                resource_type: ResourceType::TPM_RT_AUTH,
            },
        ),
        Err(Rc::TPM_INVALID_AUTHHANDLE)
    );
}

#[test]
fn a_pcr_bound_parent_loads_children_only_while_its_pcrs_hold() {
    use commands::integrity::{Extend, ExtendIn};
    let mut b = owned(1);
    let info = pcr16_info(&mut b, 0x1f);
    let mut template = storage_template(KeyFlags(0));
    if let KeyBlob::Key12(k) = &mut template {
        k.pcr_info = tpm_marshal::Sized32(Some(info));
    }
    let parent_blob = create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, template).unwrap();
    let parent = load_key2(&mut b.tpm, SRK, SRK_AUTH, &parent_blob).unwrap();
    let child = create_wrap_key(
        &mut b.tpm,
        parent,
        KEY_AUTH,
        signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 1024),
    )
    .unwrap();
    load_key2(&mut b.tpm, parent, KEY_AUTH, &child).unwrap();
    run::<Extend>(
        &mut b.tpm,
        &ExtendIn {
            pcr_num: 16,
            in_digest: [9; 20],
        },
    )
    .unwrap();
    assert_eq!(
        load_key2(&mut b.tpm, parent, KEY_AUTH, &child),
        Err(Rc::TPM_WRONGPCRVAL)
    );
}
