//! Part 3, 13.8-13.9 and 16.3, 16.5: quotes and key certification, verified outside the
//! engine with the `rsa` crate and structures rebuilt by the test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owner_common;
use commands::crypto::{CertifyKey, CertifyKeyIn, CertifyKeyInfo};
use commands::integrity::{PcrRead, PcrReadIn, Quote, Quote2, Quote2In, QuoteIn};
use common::*;
use owner_common::*;
use rsa::Pkcs1v15Sign;
use sha1::Sha1;
use tpm_marshal::{Marshal, PcrSelection, ReturnCode as Rc, SigScheme};

fn loaded_signing_key(b: &mut Bench) -> (u32, rsa::PublicKey) {
    let blob = shared_signing_blob(&mut b.tpm);
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let public = rsa_public(&get_pub_key(&mut b.tpm, h, KEY_AUTH).unwrap());
    (h, public)
}

#[test]
fn quote_signature_and_pcr_composite_verify_independently() {
    let mut b = owned(1);
    let (h, public) = loaded_signing_key(&mut b);
    let select = PcrSelection::new(3, &[0, 16, 17]).unwrap();
    let mut s = oiap(&mut b.tpm, KEY_AUTH);
    let input = QuoteIn {
        key_handle: h,
        external_data: [0xab; 20],
        target_pcr: select.clone(),
    };
    let out = run_auth1::<Quote>(&mut b.tpm, &mut s, &input, false).unwrap();
    // The composite holds the PCRs as PCRRead reports them.
    assert_eq!(out.pcr_data.select, select);
    let values: Vec<_> = [0, 16, 17]
        .iter()
        .map(|&i| {
            run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: i })
                .unwrap()
                .out_digest
        })
        .collect();
    assert_eq!(out.pcr_data.pcr_values, values);
    // TPM_QUOTE_INFO rebuilt by hand: version 1.1.0.0, "QUOT", composite hash, nonce.
    let mut info = vec![1, 1, 0, 0];
    info.extend_from_slice(b"QUOT");
    info.extend_from_slice(&sha1(&[&out.pcr_data.to_bytes().unwrap()]));
    info.extend_from_slice(&[0xab; 20]);
    public
        .verify(Pkcs1v15Sign::new::<Sha1>(), &sha1(&[&info]), &out.sig.0)
        .unwrap();
}

#[test]
fn quote2_signs_quote_info2_and_version_info() {
    let mut b = owned(1);
    let (h, public) = loaded_signing_key(&mut b);
    let select = PcrSelection::new(3, &[10]).unwrap();
    let mut s = oiap(&mut b.tpm, KEY_AUTH);
    let input = Quote2In {
        key_handle: h,
        external_data: [0xcd; 20],
        target_pcr: select.clone(),
        add_version: true,
    };
    let out = run_auth1::<Quote2>(&mut b.tpm, &mut s, &input, false).unwrap();
    let pcr10 = run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 10 })
        .unwrap()
        .out_digest;
    // digestAtRelease is the composite hash of PCR 10, rebuilt by hand.
    let mut composite = vec![0, 3, 0, 4, 0, 0, 0, 0, 20];
    composite.extend_from_slice(&pcr10);
    assert_eq!(out.pcr_data.digest_at_release, sha1(&[&composite]));
    assert_eq!(out.pcr_data.locality_at_release.0, 1);
    // TPM_QUOTE_INFO2: tag 0x0036, "QUT2", nonce, TPM_PCR_INFO_SHORT; then the version.
    let mut signed = vec![0x00, 0x36];
    signed.extend_from_slice(b"QUT2");
    signed.extend_from_slice(&[0xcd; 20]);
    signed.extend(out.pcr_data.to_bytes().unwrap());
    signed.extend(out.version_info.0.as_ref().unwrap().to_bytes().unwrap());
    public
        .verify(Pkcs1v15Sign::new::<Sha1>(), &sha1(&[&signed]), &out.sig.0)
        .unwrap();
}

#[test]
fn quote_with_a_der_key_is_inappropriate_sig() {
    let mut b = owned(1);
    let blob = create_wrap_key(
        &mut b.tpm,
        SRK,
        SRK_AUTH,
        signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_DER, 1024),
    )
    .unwrap();
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let mut s = oiap(&mut b.tpm, KEY_AUTH);
    let input = QuoteIn {
        key_handle: h,
        external_data: [0; 20],
        target_pcr: PcrSelection::new(3, &[0]).unwrap(),
    };
    assert_eq!(
        run_auth1::<Quote>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_INAPPROPRIATE_SIG)
    );
}

#[test]
fn quote_with_a_selection_beyond_the_pcrs_is_refused() {
    let mut b = owned(1);
    let (h, _) = loaded_signing_key(&mut b);
    let mut s = oiap(&mut b.tpm, KEY_AUTH);
    let input = QuoteIn {
        key_handle: h,
        external_data: [0; 20],
        target_pcr: PcrSelection::new(4, &[30]).unwrap(),
    };
    assert_eq!(
        run_auth1::<Quote>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_INVALID_PCR_INFO)
    );
}

#[test]
fn certify_key_signs_certify_info_with_the_certifying_key() {
    let mut b = owned(1);
    let (cert, public) = loaded_signing_key(&mut b);
    let blob = shared_signing_blob(&mut b.tpm);
    let key = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let mut s1 = oiap(&mut b.tpm, KEY_AUTH);
    let mut s2 = oiap(&mut b.tpm, KEY_AUTH);
    let input = CertifyKeyIn {
        cert_handle: cert,
        key_handle: key,
        anti_replay: [0x12; 20],
    };
    let out = run_auths::<CertifyKey>(&mut b.tpm, &mut [&mut s1, &mut s2], &input).unwrap();
    let CertifyKeyInfo::V1(info) = &out.certify_info else {
        panic!("TPM_CERTIFY_INFO expected for a key without PCRs");
    };
    assert_eq!(info.data, [0x12; 20]);
    assert_eq!(info.pubkey_digest, sha1(&[&blob.pub_key().key.0]));
    let bytes = out.certify_info.to_bytes().unwrap();
    public
        .verify(
            Pkcs1v15Sign::new::<Sha1>(),
            &sha1(&[&bytes]),
            &out.out_data.0,
        )
        .unwrap();
}

#[test]
fn certify_key2_describes_a_pcr_bound_key_with_certify_info2() {
    use commands::crypto::{CertifyKey2, CertifyKey2In};
    use tpm_marshal::{EncScheme, KeyFlags, KeyUsage, LocalitySelection, PayloadType, PcrInfoLong};
    let mut b = owned(1);
    let (cert, public) = loaded_signing_key(&mut b);
    let select = PcrSelection::new(3, &[23]).unwrap();
    let info = PcrInfoLong {
        locality_at_creation: LocalitySelection(0),
        locality_at_release: LocalitySelection(0x1f),
        creation_pcr_selection: select.clone(),
        release_pcr_selection: select.clone(),
        digest_at_creation: [0; 20],
        digest_at_release: [0; 20],
    };
    let template = key12(
        KeyUsage::TPM_KEY_SIGNING,
        rsa_parms(
            EncScheme::TPM_ES_NONE,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
            1024,
        ),
        KeyFlags::TPM_PCRIGNOREDONREAD,
        Some(info),
    );
    let blob = create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, template).unwrap();
    let key = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    // Sessions in handle order: the certified key's, then the certifying key's.
    let mut s1 = oiap(&mut b.tpm, KEY_AUTH);
    let mut s2 = oiap(&mut b.tpm, KEY_AUTH);
    let input = CertifyKey2In {
        key_handle: key,
        cert_handle: cert,
        migration_pub_digest: [0; 20],
        anti_replay: [0x21; 20],
    };
    let out = run_auths::<CertifyKey2>(&mut b.tpm, &mut [&mut s1, &mut s2], &input).unwrap();
    let info = &out.certify_info;
    assert_eq!(info.payload_type, PayloadType::TPM_PT_ASYM);
    assert_eq!(info.pcr_info.0.as_ref().unwrap().pcr_selection, select);
    assert_eq!(info.data, [0x21; 20]);
    let bytes = info.to_bytes().unwrap();
    public
        .verify(
            Pkcs1v15Sign::new::<Sha1>(),
            &sha1(&[&bytes]),
            &out.out_data.0,
        )
        .unwrap();
}
