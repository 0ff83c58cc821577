//! Part 2, 12: identity structures (TPM_MakeIdentity, TPM_ActivateIdentity and the
//! privacy CA exchange).
//!
//! TPM_IDENTITY_REQ, TPM_IDENTITY_PROOF and TPM_SYM_CA_ATTESTATION put their size fields
//! ahead of other fields, away from the data they measure; they are written by hand and
//! their sizes are checked like any other (within the input and [`crate::MAX_BUFFER`]).

use crate::{
    AuthData, Digest, EkType, KeyParms, Marshal, MarshalError, Ordinal, PcrInfoShort, Pubkey,
    Reader, SizedBuffer, StructVer, StructureTag, SymmetricKey, Unmarshal, Writer, MAX_BUFFER,
};

/// Part 2, 12.4 TPM_CHOSENID_HASH: SHA-1 of the identity label and the chosen privacy CA's
/// public key.
#[doc(alias = "TPM_CHOSENID_HASH")]
pub type ChosenIdHash = Digest;

/// Reads the `size` bytes announced by a size field read earlier.
fn read_announced(
    r: &mut Reader<'_>,
    size: u32,
    what: &'static str,
) -> Result<Vec<u8>, MarshalError> {
    match usize::try_from(size) {
        Ok(n) if n <= MAX_BUFFER => Ok(r.sub(n).map_err(|e| e.at(what))?.rest().to_vec()),
        _ => Err(MarshalError::TooLarge {
            what,
            size: u64::from(size),
        }),
    }
}

/// Writes the UINT32 size of a field written later.
fn write_size(w: &mut Writer, data: &[u8], what: &'static str) {
    match u32::try_from(data.len()) {
        Ok(n) => w.u32(n),
        Err(_) => w.fail(MarshalError::TooLarge {
            what,
            size: data.len() as u64,
        }),
    }
}

tpm_struct! {
    /// Part 2, 12.1 TPM_EK_BLOB: the blob TPM_ActivateIdentity decrypts with the EK; `blob`
    /// is a TPM_EK_BLOB_ACTIVATE or TPM_EK_BLOB_AUTH as `ekType` says.
    pub struct EkBlob = "TPM_EK_BLOB" [tag = StructureTag::TPM_TAG_EK_BLOB] {
        pub ek_type: EkType,
        pub blob: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 12.2 TPM_EK_BLOB_ACTIVATE: the session key for the identity credential, the
    /// identity it is for and the PCR state it requires.
    pub struct EkBlobActivate = "TPM_EK_BLOB_ACTIVATE" [tag = StructureTag::TPM_TAG_EK_BLOB_ACTIVATE] {
        pub session_key: SymmetricKey,
        pub id_digest: Digest,
        pub pcr_info: PcrInfoShort,
    }
}

tpm_struct! {
    /// Part 2, 12.3 TPM_EK_BLOB_AUTH: an authorization value, carried in a TPM_EK_BLOB of
    /// type TPM_EK_TYPE_AUTH.
    pub struct EkBlobAuth = "TPM_EK_BLOB_AUTH" [tag = StructureTag::TPM_TAG_EK_BLOB_AUTH] {
        pub auth_value: AuthData,
    }
}

tpm_struct! {
    /// Part 2, 12.5 TPM_IDENTITY_CONTENTS: what TPM_MakeIdentity signs with the new
    /// identity key (`ordinal` is TPM_ORD_MakeIdentity).
    pub struct IdentityContents = "TPM_IDENTITY_CONTENTS" {
        pub ver: StructVer,
        pub ordinal: Ordinal,
        pub label_priv_ca_digest: ChosenIdHash,
        pub identity_pub_key: Pubkey,
    }
}

/// Part 2, 12.6 TPM_IDENTITY_REQ: the request a TSS sends the privacy CA. On the wire:
/// asymSize, symSize, asymAlgorithm, symAlgorithm, asymBlob, symBlob.
#[doc(alias = "TPM_IDENTITY_REQ")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct IdentityReq {
    /// `asymAlgorithm`.
    pub asym_algorithm: KeyParms,
    /// `symAlgorithm`.
    pub sym_algorithm: KeyParms,
    /// `asymBlob` (`asymSize` bytes).
    #[cfg_attr(test, proptest(strategy = "crate::structures::small_bytes()"))]
    pub asym_blob: Vec<u8>,
    /// `symBlob` (`symSize` bytes).
    #[cfg_attr(test, proptest(strategy = "crate::structures::small_bytes()"))]
    pub sym_blob: Vec<u8>,
}

impl Marshal for IdentityReq {
    fn marshal(&self, w: &mut Writer) {
        write_size(w, &self.asym_blob, "TPM_IDENTITY_REQ.asymSize");
        write_size(w, &self.sym_blob, "TPM_IDENTITY_REQ.symSize");
        self.asym_algorithm.marshal(w);
        self.sym_algorithm.marshal(w);
        w.bytes(&self.asym_blob);
        w.bytes(&self.sym_blob);
    }
}

impl Unmarshal for IdentityReq {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let asym_size = r.field("TPM_IDENTITY_REQ.asymSize")?;
        let sym_size = r.field("TPM_IDENTITY_REQ.symSize")?;
        let asym_algorithm = r.field("TPM_IDENTITY_REQ.asymAlgorithm")?;
        let sym_algorithm = r.field("TPM_IDENTITY_REQ.symAlgorithm")?;
        Ok(Self {
            asym_algorithm,
            sym_algorithm,
            asym_blob: read_announced(r, asym_size, "TPM_IDENTITY_REQ.asymBlob")?,
            sym_blob: read_announced(r, sym_size, "TPM_IDENTITY_REQ.symBlob")?,
        })
    }
}

/// Part 2, 12.7 TPM_IDENTITY_PROOF: the identity key with its binding signature and the
/// platform's credentials, encrypted to the privacy CA. On the wire the five sizes come
/// after `ver`, then `identityKey`, then the five areas.
#[doc(alias = "TPM_IDENTITY_PROOF")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct IdentityProof {
    /// `ver` (1.1.0.0).
    pub ver: StructVer,
    /// `identityKey`.
    pub identity_key: Pubkey,
    /// `labelArea` (`labelSize` bytes).
    #[cfg_attr(test, proptest(strategy = "crate::structures::small_bytes()"))]
    pub label_area: Vec<u8>,
    /// `identityBinding` (`identityBindingSize` bytes).
    #[cfg_attr(test, proptest(strategy = "crate::structures::small_bytes()"))]
    pub identity_binding: Vec<u8>,
    /// `endorsementCredential` (`endorsementSize` bytes).
    #[cfg_attr(test, proptest(strategy = "crate::structures::small_bytes()"))]
    pub endorsement_credential: Vec<u8>,
    /// `platformCredential` (`platformSize` bytes).
    #[cfg_attr(test, proptest(strategy = "crate::structures::small_bytes()"))]
    pub platform_credential: Vec<u8>,
    /// `conformanceCredential` (`conformanceSize` bytes).
    #[cfg_attr(test, proptest(strategy = "crate::structures::small_bytes()"))]
    pub conformance_credential: Vec<u8>,
}

impl Marshal for IdentityProof {
    fn marshal(&self, w: &mut Writer) {
        self.ver.marshal(w);
        write_size(w, &self.label_area, "TPM_IDENTITY_PROOF.labelSize");
        write_size(
            w,
            &self.identity_binding,
            "TPM_IDENTITY_PROOF.identityBindingSize",
        );
        write_size(
            w,
            &self.endorsement_credential,
            "TPM_IDENTITY_PROOF.endorsementSize",
        );
        write_size(
            w,
            &self.platform_credential,
            "TPM_IDENTITY_PROOF.platformSize",
        );
        write_size(
            w,
            &self.conformance_credential,
            "TPM_IDENTITY_PROOF.conformanceSize",
        );
        self.identity_key.marshal(w);
        w.bytes(&self.label_area);
        w.bytes(&self.identity_binding);
        w.bytes(&self.endorsement_credential);
        w.bytes(&self.platform_credential);
        w.bytes(&self.conformance_credential);
    }
}

impl Unmarshal for IdentityProof {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let ver = r.field("TPM_IDENTITY_PROOF.ver")?;
        let label_size = r.field("TPM_IDENTITY_PROOF.labelSize")?;
        let binding_size = r.field("TPM_IDENTITY_PROOF.identityBindingSize")?;
        let endorsement_size = r.field("TPM_IDENTITY_PROOF.endorsementSize")?;
        let platform_size = r.field("TPM_IDENTITY_PROOF.platformSize")?;
        let conformance_size = r.field("TPM_IDENTITY_PROOF.conformanceSize")?;
        let identity_key = r.field("TPM_IDENTITY_PROOF.identityKey")?;
        Ok(Self {
            ver,
            identity_key,
            label_area: read_announced(r, label_size, "TPM_IDENTITY_PROOF.labelArea")?,
            identity_binding: read_announced(
                r,
                binding_size,
                "TPM_IDENTITY_PROOF.identityBinding",
            )?,
            endorsement_credential: read_announced(
                r,
                endorsement_size,
                "TPM_IDENTITY_PROOF.endorsementCredential",
            )?,
            platform_credential: read_announced(
                r,
                platform_size,
                "TPM_IDENTITY_PROOF.platformCredential",
            )?,
            conformance_credential: read_announced(
                r,
                conformance_size,
                "TPM_IDENTITY_PROOF.conformanceCredential",
            )?,
        })
    }
}

tpm_struct! {
    /// Part 2, 12.8 TPM_ASYM_CA_CONTENTS: the session key and identity digest the privacy
    /// CA encrypts to the EK (the `asymCAContents` of TPM_ActivateIdentity).
    pub struct AsymCaContents = "TPM_ASYM_CA_CONTENTS" {
        pub session_key: SymmetricKey,
        pub id_digest: Digest,
    }
}

/// Part 2, 12.9 TPM_SYM_CA_ATTESTATION: the identity credential, encrypted with the
/// session key. On the wire: credSize, algorithm, credential.
#[doc(alias = "TPM_SYM_CA_ATTESTATION")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct SymCaAttestation {
    /// `algorithm`.
    pub algorithm: KeyParms,
    /// `credential` (`credSize` bytes).
    #[cfg_attr(test, proptest(strategy = "crate::structures::small_bytes()"))]
    pub credential: Vec<u8>,
}

impl Marshal for SymCaAttestation {
    fn marshal(&self, w: &mut Writer) {
        write_size(w, &self.credential, "TPM_SYM_CA_ATTESTATION.credSize");
        self.algorithm.marshal(w);
        w.bytes(&self.credential);
    }
}

impl Unmarshal for SymCaAttestation {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let cred_size = r.field("TPM_SYM_CA_ATTESTATION.credSize")?;
        let algorithm = r.field("TPM_SYM_CA_ATTESTATION.algorithm")?;
        Ok(Self {
            algorithm,
            credential: read_announced(r, cred_size, "TPM_SYM_CA_ATTESTATION.credential")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AlgorithmId, EncScheme, KeyParmsDetail, SigScheme};

    round_trip_tests! {
        ek_blob_round_trips: EkBlob,
        ek_blob_activate_round_trips: EkBlobActivate,
        ek_blob_auth_round_trips: EkBlobAuth,
        identity_contents_round_trips: IdentityContents,
        identity_req_round_trips: IdentityReq,
        identity_proof_round_trips: IdentityProof,
        asym_ca_contents_round_trips: AsymCaContents,
        sym_ca_attestation_round_trips: SymCaAttestation,
    }

    fn aes_parms() -> KeyParms {
        KeyParms {
            algorithm_id: AlgorithmId::TPM_ALG_AES,
            enc_scheme: EncScheme::TPM_ES_SYM_CBC_PKCS5PAD,
            sig_scheme: SigScheme::TPM_SS_NONE,
            parms: KeyParmsDetail::Other(Vec::new()),
        }
    }

    #[test]
    fn identity_req_sizes_precede_the_algorithms() {
        byte_picture!(
            IdentityReq,
            [
                0x00, 0x00, 0x00, 0x02, // asymSize
                0x00, 0x00, 0x00, 0x01, // symSize
                0x00, 0x00, 0x00, 0x06, 0x00, 0xff, 0x00, 0x01, 0, 0, 0, 0, // asymAlgorithm
                0x00, 0x00, 0x00, 0x06, 0x00, 0xff, 0x00, 0x01, 0, 0, 0, 0, // symAlgorithm
                0xa1, 0xa2, // asymBlob
                0xb1, // symBlob
            ],
            IdentityReq {
                asym_algorithm: aes_parms(),
                sym_algorithm: aes_parms(),
                asym_blob: vec![0xa1, 0xa2],
                sym_blob: vec![0xb1],
            }
        );
    }

    #[test]
    fn rejects_announced_size_beyond_input_without_allocating() {
        let mut bytes = vec![0xff, 0xff, 0xff, 0xff]; // credSize
        bytes.extend_from_slice(&[0, 0, 0, 6, 0, 0xff, 0, 1, 0, 0, 0, 0]); // algorithm
        bytes.push(0x01);
        assert_eq!(
            SymCaAttestation::from_bytes(&bytes),
            Err(MarshalError::TooLarge {
                what: "TPM_SYM_CA_ATTESTATION.credential",
                size: 0xffff_ffff
            })
        );
        bytes[..4].copy_from_slice(&[0, 0, 0, 2]);
        assert_eq!(
            SymCaAttestation::from_bytes(&bytes),
            Err(MarshalError::TooLarge {
                what: "TPM_SYM_CA_ATTESTATION.credential",
                size: 2
            })
        );
    }

    #[test]
    fn rejects_ek_blob_with_wrong_tag() {
        assert_eq!(
            EkBlob::from_bytes(&[0x00, 0x0d, 0x00, 0x01, 0, 0, 0, 0]),
            Err(MarshalError::BadTag {
                what: "TPM_EK_BLOB",
                found: 0x0d
            })
        );
    }
}
