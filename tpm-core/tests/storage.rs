//! Part 3, 10.1-10.3: TPM_Seal, TPM_Unseal and TPM_UnBind through `execute()`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owner_common;
use commands::integrity::{Extend, ExtendIn, PcrRead, PcrReadIn};
use commands::storage::*;
use common::*;
use owner_common::*;
use rsa::Pkcs1v15Encrypt;
use tpm_core::Tpm;
use tpm_marshal::{
    EncScheme, EntityType, KeyBlob, KeyFlags, KeyUsage, LocalitySelection, Marshal, PayloadType,
    PcrComposite, PcrInfoLong, PcrSelection, ReturnCode as Rc, SigScheme, Sized32, SizedBuffer,
    StructVer,
};

/// TPM_Seal under the SRK (OSAP), data auth DATA_AUTH.
fn seal(tpm: &mut Tpm, pcr_info: Option<SealPcrInfo>, data: &[u8]) -> Result<StoredDataBlob, Rc> {
    let mut s = osap(tpm, EntityType::TPM_ET_SRK, SRK, SRK_AUTH);
    let input = SealIn {
        key_handle: SRK,
        enc_auth: adip(&s, &s.nonce_even.clone(), &DATA_AUTH),
        pcr_info: Sized32(pcr_info),
        in_data: SizedBuffer(data.to_vec()),
    };
    run_auth1::<Seal>(tpm, &mut s, &input, false).map(|o| o.sealed_data)
}

/// TPM_Unseal with two OIAP sessions (SRK, then data).
fn unseal(tpm: &mut Tpm, blob: &StoredDataBlob, data_auth: [u8; 20]) -> Result<Vec<u8>, Rc> {
    let mut key = oiap(tpm, SRK_AUTH);
    let mut data = oiap(tpm, data_auth);
    let input = UnsealIn {
        parent_handle: SRK,
        in_data: blob.clone(),
    };
    run_auths::<Unseal>(tpm, &mut [&mut key, &mut data], &input).map(|o| o.secret.0)
}

fn pcr(tpm: &mut Tpm, i: u32) -> [u8; 20] {
    run::<PcrRead>(tpm, &PcrReadIn { pcr_index: i })
        .unwrap()
        .out_digest
}

/// TPM_PCR_INFO_LONG releasing at PCR 16's current value, at `localities`.
fn bound_to_pcr16(tpm: &mut Tpm, localities: u8) -> PcrInfoLong {
    let select = PcrSelection::new(3, &[16]).unwrap();
    let composite = PcrComposite {
        select: select.clone(),
        pcr_values: vec![pcr(tpm, 16)],
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

#[test]
fn seal_unseal_round_trip_without_pcrs() {
    let mut b = owned(1);
    let blob = seal(&mut b.tpm, None, b"the secret").unwrap();
    assert!(matches!(blob, StoredDataBlob::StoredData(_)));
    assert_eq!(unseal(&mut b.tpm, &blob, DATA_AUTH).unwrap(), b"the secret");
    assert_eq!(unseal(&mut b.tpm, &blob, [0; 20]), Err(Rc::TPM_AUTH2FAIL));
}

#[test]
fn seal_to_pcrs_unseal_then_extend_is_wrong_pcr_val() {
    let mut b = owned(1);
    let info = bound_to_pcr16(&mut b.tpm, 0x1f);
    let blob = seal(&mut b.tpm, Some(SealPcrInfo::Long(info)), b"pcr bound").unwrap();
    let StoredDataBlob::StoredData12(d) = &blob else {
        panic!("TPM_STORED_DATA12 expected");
    };
    let sealed_info = d.seal_info.0.as_ref().unwrap();
    assert_eq!(sealed_info.locality_at_creation, LocalitySelection(1));
    assert_eq!(unseal(&mut b.tpm, &blob, DATA_AUTH).unwrap(), b"pcr bound");
    run::<Extend>(
        &mut b.tpm,
        &ExtendIn {
            pcr_num: 16,
            in_digest: [1; 20],
        },
    )
    .unwrap();
    assert_eq!(
        unseal(&mut b.tpm, &blob, DATA_AUTH),
        Err(Rc::TPM_WRONGPCRVAL)
    );
}

#[test]
fn unseal_at_a_locality_not_released_is_bad_locality() {
    let mut b = owned(1);
    let info = bound_to_pcr16(&mut b.tpm, 0x02); // locality 1 only
    let blob = seal(&mut b.tpm, Some(SealPcrInfo::Long(info)), b"x").unwrap();
    assert_eq!(
        unseal(&mut b.tpm, &blob, DATA_AUTH),
        Err(Rc::TPM_BAD_LOCALITY)
    );
}

#[test]
fn a_sealed_blob_from_another_tpm_is_refused() {
    let mut a = owned(1);
    let mut other = owned(2);
    let blob = seal(&mut a.tpm, None, b"a's").unwrap();
    assert_eq!(
        unseal(&mut other.tpm, &blob, DATA_AUTH),
        Err(Rc::TPM_NOTSEALED_BLOB)
    );
}

#[test]
fn seal_needs_an_osap_session_and_a_storage_key() {
    let mut b = owned(1);
    let mut s = oiap(&mut b.tpm, SRK_AUTH);
    let input = SealIn {
        key_handle: SRK,
        enc_auth: [0; 20],
        pcr_info: Sized32(None),
        in_data: SizedBuffer(vec![1]),
    };
    assert_eq!(
        run_auth1::<Seal>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_BAD_MODE)
    );
}

fn bind_key(b: &mut Bench, enc: EncScheme, usage: KeyUsage) -> (u32, rsa::PublicKey) {
    let sig = if usage == KeyUsage::TPM_KEY_LEGACY {
        SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1
    } else {
        SigScheme::TPM_SS_NONE
    };
    let template = key12(usage, rsa_parms(enc, sig, 1024), KeyFlags(0), None);
    let blob: KeyBlob = create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, template).unwrap();
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let public = rsa_public(&get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap());
    (h, public)
}

fn unbind(b: &mut Bench, h: u32, data: Vec<u8>) -> Result<Vec<u8>, Rc> {
    let mut s = oiap(&mut b.tpm, KEY_AUTH);
    let input = UnBindIn {
        key_handle: h,
        in_data: SizedBuffer(data),
    };
    run_auth1::<UnBind>(&mut b.tpm, &mut s, &input, false).map(|o| o.out_data.0)
}

fn bound_data(payload: &[u8]) -> Vec<u8> {
    tpm_marshal::BoundData {
        ver: StructVer::V1_1,
        payload: PayloadType::TPM_PT_BIND,
        payload_data: payload.to_vec(),
    }
    .to_bytes()
    .unwrap()
}

#[test]
fn unbind_oaep_bound_data() {
    let mut b = owned(1);
    let (h, public) = bind_key(
        &mut b,
        EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
        KeyUsage::TPM_KEY_BIND,
    );
    let enc = oaep_tcpa(&public, &bound_data(b"bound"));
    assert_eq!(unbind(&mut b, h, enc).unwrap(), b"bound");
    // OAEP data must be TPM_BOUND_DATA.
    let raw = oaep_tcpa(&public, b"raw");
    assert_eq!(unbind(&mut b, h, raw), Err(Rc::TPM_INVALID_STRUCTURE));
}

#[test]
fn unbind_pkcs1_accepts_bound_data_and_the_legacy_form() {
    let mut b = owned(1);
    let (h, public) = bind_key(
        &mut b,
        EncScheme::TPM_ES_RSAESPKCSv15,
        KeyUsage::TPM_KEY_LEGACY,
    );
    let enc = public
        .encrypt(&mut rng(), Pkcs1v15Encrypt, &bound_data(b"new form"))
        .unwrap();
    assert_eq!(unbind(&mut b, h, enc).unwrap(), b"new form");
    let enc = public
        .encrypt(&mut rng(), Pkcs1v15Encrypt, b"legacy form")
        .unwrap();
    assert_eq!(unbind(&mut b, h, enc).unwrap(), b"legacy form");
}

#[test]
fn unbind_with_a_signing_key_is_invalid_keyusage() {
    let mut b = owned(1);
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    assert_eq!(
        unbind(&mut b, h, vec![0; 256]),
        Err(Rc::TPM_INVALID_KEYUSAGE)
    );
}

/// MGF1-SHA1, written here from PKCS #1 B.2.1.
fn mgf1(seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for counter in 0u32.. {
        if out.len() >= len {
            break;
        }
        out.extend_from_slice(&sha1(&[seed, &counter.to_be_bytes()]));
    }
    out.truncate(len);
    out
}

fn xor_pad(s: &CallerSession, len: usize) -> Vec<u8> {
    mgf1(
        &[&s.nonce_even[..], &NONCE_ODD, b"XOR", &s.key].concat(),
        len,
    )
}

#[test]
fn sealx_encrypts_in_and_unseal_encrypts_out() {
    let mut b = owned(1);
    let secret = b"sealed with Sealx, longer than one SHA-1 block of pad";
    let mut s = osap(&mut b.tpm, EntityType::TPM_ET_SRK, SRK, SRK_AUTH);
    let pad = xor_pad(&s, secret.len());
    let input = SealxIn {
        key_handle: SRK,
        enc_auth: adip(&s, &s.nonce_even.clone(), &DATA_AUTH),
        pcr_info: Sized32(Some(bound_to_pcr16(&mut b.tpm, 0x1f))),
        in_data: SizedBuffer(secret.iter().zip(&pad).map(|(d, p)| d ^ p).collect()),
    };
    let blob = run_auth1::<Sealx>(&mut b.tpm, &mut s, &input, false)
        .unwrap()
        .sealed_data;
    assert_eq!(blob.et, EntityType::TPM_ET_KEY);
    let blob = StoredDataBlob::StoredData12(blob);
    // Unseal needs the parent's OSAP session to encrypt the output.
    assert_eq!(unseal(&mut b.tpm, &blob, DATA_AUTH), Err(Rc::TPM_BAD_MODE));
    let mut key = osap(&mut b.tpm, EntityType::TPM_ET_SRK, SRK, SRK_AUTH);
    let pad = xor_pad(&key, secret.len());
    let mut data = oiap(&mut b.tpm, DATA_AUTH);
    let input = UnsealIn {
        parent_handle: SRK,
        in_data: blob,
    };
    let out = run_auths::<Unseal>(&mut b.tpm, &mut [&mut key, &mut data], &input).unwrap();
    let clear: Vec<u8> = out.secret.0.iter().zip(&pad).map(|(d, p)| d ^ p).collect();
    assert_eq!(clear, secret);
}

#[test]
fn sealx_of_nothing_is_bad_parameter() {
    let mut b = owned(1);
    let mut s = osap(&mut b.tpm, EntityType::TPM_ET_SRK, SRK, SRK_AUTH);
    let input = SealxIn {
        key_handle: SRK,
        enc_auth: [0; 20],
        pcr_info: Sized32(None),
        in_data: SizedBuffer(Vec::new()),
    };
    assert_eq!(
        run_auth1::<Sealx>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_BAD_PARAMETER)
    );
}

#[test]
fn unseal_with_wrong_pcrs_and_wrong_data_auth_is_wrong_pcr_val() {
    let mut b = owned(1);
    let info = bound_to_pcr16(&mut b.tpm, 0x1f);
    let blob = seal(&mut b.tpm, Some(SealPcrInfo::Long(info)), b"x").unwrap();
    run::<Extend>(
        &mut b.tpm,
        &ExtendIn {
            pcr_num: 16,
            in_digest: [1; 20],
        },
    )
    .unwrap();
    assert_eq!(unseal(&mut b.tpm, &blob, [0; 20]), Err(Rc::TPM_WRONGPCRVAL));
}
