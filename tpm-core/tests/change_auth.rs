//! Part 3, 17: TPM_ChangeAuth (sealed data and keys) and TPM_ChangeAuthOwner (owner and
//! SRK) through `execute()`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owner_common;
use commands::capability::GetCapabilityOwner;
use commands::change_auth::*;
use commands::storage::{Seal, SealIn, StoredDataBlob, Unseal, UnsealIn};
use common::*;
use owner_common::*;
use tpm_core::Tpm;
use tpm_marshal::{EntityType, KeyBlob, ProtocolId, ReturnCode as Rc, Sized32, SizedBuffer};

const NEW: [u8; 20] = [0x99; 20];

fn change_auth_owner(tpm: &mut Tpm, et: EntityType, new: [u8; 20]) -> Result<(), Rc> {
    let mut s = osap(tpm, EntityType::TPM_ET_OWNER, 0, OWNER);
    let input = ChangeAuthOwnerIn {
        protocol_id: ProtocolId::TPM_PID_ADCP,
        new_auth: adip(&s, &s.nonce_even.clone(), &new),
        entity_type: et,
    };
    run_auth1::<ChangeAuthOwner>(tpm, &mut s, &input, false)
}

fn change_auth(tpm: &mut Tpm, et: EntityType, old: [u8; 20], enc: &[u8]) -> Result<Vec<u8>, Rc> {
    let mut parent = osap(tpm, EntityType::TPM_ET_KEYHANDLE, SRK, SRK_AUTH);
    let mut entity = oiap(tpm, old);
    let input = ChangeAuthIn {
        parent_handle: SRK,
        protocol_id: ProtocolId::TPM_PID_ADCP,
        new_auth: adip(&parent, &parent.nonce_even.clone(), &NEW),
        entity_type: et,
        enc_data: SizedBuffer(enc.to_vec()),
    };
    run_auths::<ChangeAuth>(tpm, &mut [&mut parent, &mut entity], &input).map(|o| o.out_data.0)
}

#[test]
fn change_auth_owner_replaces_the_owner_auth() {
    let mut b = owned(1);
    change_auth_owner(&mut b.tpm, EntityType::TPM_ET_OWNER, NEW).unwrap();
    let mut s = oiap(&mut b.tpm, OWNER);
    assert_eq!(
        run_auth1::<GetCapabilityOwner>(&mut b.tpm, &mut s, &(), false).err(),
        Some(Rc::TPM_AUTHFAIL)
    );
    let mut s = oiap(&mut b.tpm, NEW);
    run_auth1::<GetCapabilityOwner>(&mut b.tpm, &mut s, &(), false).unwrap();
}

#[test]
fn change_auth_owner_replaces_the_srk_auth() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    change_auth_owner(&mut b.tpm, EntityType::TPM_ET_SRK, NEW).unwrap();
    assert_eq!(
        load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob),
        Err(Rc::TPM_AUTHFAIL)
    );
    load_key2(&mut b.tpm, SRK, NEW, &blob).unwrap();
    assert_eq!(
        change_auth_owner(&mut b.tpm, EntityType::TPM_ET_DATA, NEW),
        Err(Rc::TPM_WRONG_ENTITYTYPE)
    );
}

#[test]
fn change_auth_of_sealed_data_then_unseal_with_the_new_auth() {
    let mut b = owned(1);
    let mut s = osap(&mut b.tpm, EntityType::TPM_ET_SRK, SRK, SRK_AUTH);
    let input = SealIn {
        key_handle: SRK,
        enc_auth: adip(&s, &s.nonce_even.clone(), &DATA_AUTH),
        pcr_info: Sized32(None),
        in_data: SizedBuffer(b"data".to_vec()),
    };
    let sealed = run_auth1::<Seal>(&mut b.tpm, &mut s, &input, false)
        .unwrap()
        .sealed_data;
    let StoredDataBlob::StoredData(mut d) = sealed else {
        panic!("TPM_STORED_DATA expected");
    };
    assert_eq!(
        change_auth(&mut b.tpm, EntityType::TPM_ET_DATA, [0; 20], &d.enc_data.0),
        Err(Rc::TPM_AUTH2FAIL)
    );
    d.enc_data.0 = change_auth(
        &mut b.tpm,
        EntityType::TPM_ET_DATA,
        DATA_AUTH,
        &d.enc_data.0,
    )
    .unwrap();
    let mut key = oiap(&mut b.tpm, SRK_AUTH);
    let mut data = oiap(&mut b.tpm, NEW);
    let input = UnsealIn {
        parent_handle: SRK,
        in_data: StoredDataBlob::StoredData(d),
    };
    let out = run_auths::<Unseal>(&mut b.tpm, &mut [&mut key, &mut data], &input).unwrap();
    assert_eq!(out.secret.0, b"data");
}

#[test]
fn change_auth_of_a_key_blob_then_use_it_with_the_new_auth() {
    let mut b = owned(1);
    let mut blob = shared_signing_blob(&mut b.tpm);
    let KeyBlob::Key12(k) = &mut blob else {
        panic!("TPM_KEY12 expected");
    };
    assert_eq!(
        change_auth(&mut b.tpm, EntityType::TPM_ET_DATA, KEY_AUTH, &k.enc_data.0),
        Err(Rc::TPM_NOTSEALED_BLOB)
    );
    k.enc_data.0 =
        change_auth(&mut b.tpm, EntityType::TPM_ET_KEY, KEY_AUTH, &k.enc_data.0).unwrap();
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    assert_eq!(get_pub_key(&mut b.tpm, h, KEY_AUTH), Err(Rc::TPM_AUTHFAIL));
    get_pub_key(&mut b.tpm, h, NEW).unwrap();
}

#[test]
fn change_auth_asym_start_and_finish_change_a_sealed_blobs_auth() {
    use commands::deprecated::*;
    use commands::identity::{MakeIdentity, MakeIdentityIn};
    use rsa::Pkcs1v15Sign;
    use sha1::Sha1;
    use tpm_marshal::{
        ChangeauthValidate, EncScheme, KeyFlags, KeyUsage, Marshal, Pubkey, SigScheme,
    };
    let mut b = owned(1);
    // An identity key to certify the ephemeral key.
    let id_auth = [0x66; 20];
    let mut srk = oiap(&mut b.tpm, SRK_AUTH);
    let mut owner = osap(&mut b.tpm, EntityType::TPM_ET_OWNER, 0, OWNER);
    let input = MakeIdentityIn {
        identity_auth: adip(&owner, &owner.nonce_even.clone(), &id_auth),
        label_priv_ca_digest: [0; 20],
        id_key_params: key12(
            KeyUsage::TPM_KEY_IDENTITY,
            rsa_parms(
                EncScheme::TPM_ES_NONE,
                SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
                2048,
            ),
            KeyFlags(0),
            None,
        ),
    };
    let id_blob = run_auths::<MakeIdentity>(&mut b.tpm, &mut [&mut srk, &mut owner], &input)
        .unwrap()
        .id_key;
    let id = load_key2(&mut b.tpm, SRK, SRK_AUTH, &id_blob).unwrap();
    let mut s = oiap(&mut b.tpm, id_auth);
    let start = run_auth1::<ChangeAuthAsymStart>(
        &mut b.tpm,
        &mut s,
        &ChangeAuthAsymStartIn {
            id_handle: id,
            anti_replay: [0x31; 20],
            temp_key: rsa_parms(
                EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
                SigScheme::TPM_SS_NONE,
                1024,
            ),
        },
        false,
    )
    .unwrap();
    assert_eq!(start.certify_info.data, [0x31; 20]);
    let id_pub = Pubkey {
        algorithm_parms: id_blob.algorithm_parms().clone(),
        pub_key: id_blob.pub_key().clone(),
    };
    let bytes = start.certify_info.to_bytes().unwrap();
    rsa_public(&id_pub)
        .verify(Pkcs1v15Sign::new::<Sha1>(), &sha1(&[&bytes]), &start.sig.0)
        .unwrap();
    // A sealed blob whose auth changes.
    let mut so = osap(&mut b.tpm, EntityType::TPM_ET_SRK, SRK, SRK_AUTH);
    let seal_in = SealIn {
        key_handle: SRK,
        enc_auth: adip(&so, &so.nonce_even.clone(), &DATA_AUTH),
        pcr_info: Sized32(None),
        in_data: SizedBuffer(b"asym".to_vec()),
    };
    let StoredDataBlob::StoredData(mut d) = run_auth1::<Seal>(&mut b.tpm, &mut so, &seal_in, false)
        .unwrap()
        .sealed_data
    else {
        panic!("TPM_STORED_DATA expected");
    };
    let eph_pub = Pubkey {
        algorithm_parms: start.temp_key.algorithm_parms().clone(),
        pub_key: start.temp_key.pub_key().clone(),
    };
    let validate = ChangeauthValidate {
        new_auth_secret: NEW,
        n1: [0x32; 20],
    };
    let finish_in = |link: [u8; 20], enc: &[u8]| ChangeAuthAsymFinishIn {
        parent_handle: SRK,
        eph_handle: start.eph_handle,
        entity_type: EntityType::TPM_ET_DATA,
        new_auth_link: link,
        enc_new_auth: SizedBuffer(oaep_tcpa(
            &rsa_public(&eph_pub),
            &validate.to_bytes().unwrap(),
        )),
        enc_data: SizedBuffer(enc.to_vec()),
    };
    let mut p = oiap(&mut b.tpm, SRK_AUTH);
    assert_eq!(
        run_auth1::<ChangeAuthAsymFinish>(
            &mut b.tpm,
            &mut p,
            &finish_in([0; 20], &d.enc_data.0),
            false
        )
        .err(),
        Some(Rc::TPM_AUTHFAIL)
    );
    let link = hmac_sha1(&DATA_AUTH, &[&NEW]);
    let mut p = oiap(&mut b.tpm, SRK_AUTH);
    let out = run_auth1::<ChangeAuthAsymFinish>(
        &mut b.tpm,
        &mut p,
        &finish_in(link, &d.enc_data.0),
        false,
    )
    .unwrap();
    assert_eq!(
        out.change_proof,
        hmac_sha1(&NEW, &[&out.salt_nonce, &[0x32; 20]])
    );
    d.enc_data.0 = out.out_data.0;
    let mut key = oiap(&mut b.tpm, SRK_AUTH);
    let mut data = oiap(&mut b.tpm, NEW);
    let input = UnsealIn {
        parent_handle: SRK,
        in_data: StoredDataBlob::StoredData(d),
    };
    let secret = run_auths::<Unseal>(&mut b.tpm, &mut [&mut key, &mut data], &input).unwrap();
    assert_eq!(secret.secret.0, b"asym");
    // The ephemeral key is gone.
    assert_eq!(
        run::<EvictKey>(
            &mut b.tpm,
            &EvictKeyIn {
                evict_handle: start.eph_handle
            }
        ),
        Err(Rc::TPM_INVALID_KEYHANDLE)
    );
}
