//! Part 3, 15: TPM_MakeIdentity then TPM_ActivateIdentity with an EK blob built here the
//! way a privacy CA builds it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owner_common;
use commands::identity::*;
use common::*;
use owner_common::*;
use rsa::Pkcs1v15Sign;
use sha1::Sha1;
use tpm_core::Tpm;
use tpm_marshal::{
    AlgorithmId, EkBlob, EkBlobActivate, EkType, EncScheme, EntityType, KeyBlob, KeyFlags,
    KeyUsage, LocalitySelection, Marshal, Ordinal, PcrInfoShort, PcrSelection, Pubkey,
    ReturnCode as Rc, SigScheme, SizedBuffer, SizedBuffer16, SymmetricKey,
};

const ID_AUTH: [u8; 20] = [0x66; 20];

fn identity_template() -> KeyBlob {
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

fn make_identity(tpm: &mut Tpm, label: [u8; 20]) -> MakeIdentityOut {
    let mut srk = oiap(tpm, SRK_AUTH);
    let mut owner = osap(tpm, EntityType::TPM_ET_OWNER, 0, OWNER);
    let input = MakeIdentityIn {
        identity_auth: adip(&owner, &owner.nonce_even.clone(), &ID_AUTH),
        label_priv_ca_digest: label,
        id_key_params: identity_template(),
    };
    run_auths::<MakeIdentity>(tpm, &mut [&mut srk, &mut owner], &input).unwrap()
}

/// TPM_EK_BLOB(TPM_EK_BLOB_ACTIVATE) for the identity key, encrypted to the EK.
fn ca_blob(ek: &Pubkey, id_pub: &Pubkey, pcr_info: PcrInfoShort) -> Vec<u8> {
    let activate = EkBlobActivate {
        session_key: SymmetricKey {
            alg_id: AlgorithmId::TPM_ALG_AES,
            enc_scheme: EncScheme::TPM_ES_SYM_CTR,
            data: SizedBuffer16(vec![0xa7; 16]),
        },
        id_digest: sha1(&[&id_pub.to_bytes().unwrap()]),
        pcr_info,
    };
    let blob = EkBlob {
        ek_type: EkType::TPM_EK_TYPE_ACTIVATE,
        blob: SizedBuffer(activate.to_bytes().unwrap()),
    };
    oaep_tcpa(&rsa_public(ek), &blob.to_bytes().unwrap())
}

fn activate(tpm: &mut Tpm, h: u32, blob: Vec<u8>) -> Result<SymmetricKey, Rc> {
    let mut id = oiap(tpm, ID_AUTH);
    let mut owner = oiap(tpm, OWNER);
    let input = ActivateIdentityIn {
        id_key_handle: h,
        blob: SizedBuffer(blob),
    };
    run_auths::<ActivateIdentity>(tpm, &mut [&mut id, &mut owner], &input).map(|o| o.symmetric_key)
}

fn no_pcrs() -> PcrInfoShort {
    PcrInfoShort {
        pcr_selection: PcrSelection::new(3, &[]).unwrap(),
        locality_at_release: LocalitySelection(0x1f),
        digest_at_release: [0; 20],
    }
}

#[test]
fn make_identity_then_activate_identity_with_a_privacy_ca_blob() {
    let mut b = with_ek(1);
    let ek = read_pubek(&mut b.tpm);
    take_ownership_to(&mut b.tpm, &ek).unwrap();
    let label = sha1(&[b"label", b"privacy CA key"]);
    let out = make_identity(&mut b.tpm, label);
    // The binding is the identity key's signature over TPM_IDENTITY_CONTENTS.
    let id_pub = Pubkey {
        algorithm_parms: out.id_key.algorithm_parms().clone(),
        pub_key: out.id_key.pub_key().clone(),
    };
    let mut contents = vec![1, 1, 0, 0];
    contents.extend_from_slice(&Ordinal::TPM_ORD_MakeIdentity.0.to_be_bytes());
    contents.extend_from_slice(&label);
    contents.extend(id_pub.to_bytes().unwrap());
    rsa_public(&id_pub)
        .verify(
            Pkcs1v15Sign::new::<Sha1>(),
            &sha1(&[&contents]),
            &out.identity_binding.0,
        )
        .unwrap();
    // The CA's credential opens only for this identity key.
    let h = load_key2(&mut b.tpm, SRK, SRK_AUTH, &out.id_key).unwrap();
    let key = activate(&mut b.tpm, h, ca_blob(&ek, &id_pub, no_pcrs())).unwrap();
    assert_eq!(key.data.0, vec![0xa7; 16]);
    assert_eq!(key.alg_id, AlgorithmId::TPM_ALG_AES);
    let mut other = id_pub.clone();
    other.pub_key.key.0[0] ^= 1;
    assert_eq!(
        activate(&mut b.tpm, h, ca_blob(&ek, &other, no_pcrs())),
        Err(Rc::TPM_BAD_PARAMETER)
    );
    // Bound to a PCR value that does not hold.
    let bound = PcrInfoShort {
        pcr_selection: PcrSelection::new(3, &[0]).unwrap(),
        locality_at_release: LocalitySelection(0x1f),
        digest_at_release: [1; 20],
    };
    assert_eq!(
        activate(&mut b.tpm, h, ca_blob(&ek, &id_pub, bound)),
        Err(Rc::TPM_WRONGPCRVAL)
    );
}

#[test]
fn make_identity_refuses_a_non_identity_key() {
    let mut b = owned(1);
    let mut srk = oiap(&mut b.tpm, SRK_AUTH);
    let mut owner = osap(&mut b.tpm, EntityType::TPM_ET_OWNER, 0, OWNER);
    let input = MakeIdentityIn {
        identity_auth: [0; 20],
        label_priv_ca_digest: [0; 20],
        id_key_params: signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 2048),
    };
    assert_eq!(
        run_auths::<MakeIdentity>(&mut b.tpm, &mut [&mut srk, &mut owner], &input).err(),
        Some(Rc::TPM_INVALID_KEYUSAGE)
    );
}

#[test]
fn an_identity_key_certifies_only_non_migratable_keys() {
    use commands::crypto::{CertifyKey, CertifyKeyIn};
    let mut b = owned(1);
    let out = make_identity(&mut b.tpm, [0; 20]);
    let id = load_key2(&mut b.tpm, SRK, SRK_AUTH, &out.id_key).unwrap();
    let mut migratable = signing_template(SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1, 1024);
    if let KeyBlob::Key12(k) = &mut migratable {
        k.key_flags = KeyFlags::TPM_MIGRATABLE;
    }
    let blob = create_wrap_key(&mut b.tpm, SRK, SRK_AUTH, migratable).unwrap();
    let key = load_key2(&mut b.tpm, SRK, SRK_AUTH, &blob).unwrap();
    let certify = |tpm: &mut Tpm, key| {
        let mut s1 = oiap(tpm, ID_AUTH);
        let mut s2 = oiap(tpm, KEY_AUTH);
        let input = CertifyKeyIn {
            cert_handle: id,
            key_handle: key,
            anti_replay: [0; 20],
        };
        run_auths::<CertifyKey>(tpm, &mut [&mut s1, &mut s2], &input).map(|_| ())
    };
    assert_eq!(certify(&mut b.tpm, key), Err(Rc::TPM_MIGRATEFAIL));
    let shared = shared_signing_blob(&mut b.tpm);
    let fixed = load_key2(&mut b.tpm, SRK, SRK_AUTH, &shared).unwrap();
    certify(&mut b.tpm, fixed).unwrap();
}
