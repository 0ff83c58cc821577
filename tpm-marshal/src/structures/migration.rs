//! Part 2, 5.12 and 5.15-5.21: migration and certified-migration-key (CMK) structures.
//! TPM_MIGRATE_ASYMKEY (10.8) lives with the key structures.

use crate::{
    Digest, Marshal, MarshalError, MigrateScheme, Pubkey, Reader, StructureTag, Unmarshal, Writer,
};

tpm_struct! {
    /// Part 2, 5.12 TPM_MIGRATIONKEYAUTH: the owner's approval of a migration destination
    /// key (`digest` is SHA-1 of the key, the scheme and tpmProof).
    pub struct MigrationKeyAuth = "TPM_MIGRATIONKEYAUTH" {
        pub migration_key: Pubkey,
        pub migration_scheme: MigrateScheme,
        pub digest: Digest,
    }
}

/// Part 2, 5.15 TPM_MSA_COMPOSITE: the digests of the public keys of the migration
/// authorities a CMK may migrate under. On the wire: a UINT32 count (`MSAlist`), then the
/// digests. The count is checked against the input before anything is allocated; that it
/// is at least one is the command's check.
#[doc(alias = "TPM_MSA_COMPOSITE")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct MsaComposite {
    /// `migAuthDigest`, `MSAlist` of them.
    pub mig_auth_digest: Vec<Digest>,
}

impl Marshal for MsaComposite {
    fn marshal(&self, w: &mut Writer) {
        match u32::try_from(self.mig_auth_digest.len()) {
            Ok(n) => w.u32(n),
            Err(_) => w.fail(MarshalError::TooLarge {
                what: "TPM_MSA_COMPOSITE.MSAlist",
                size: self.mig_auth_digest.len() as u64,
            }),
        }
        for d in &self.mig_auth_digest {
            w.bytes(d);
        }
    }
}

impl Unmarshal for MsaComposite {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let msa_list = r.u32().map_err(|e| e.at("TPM_MSA_COMPOSITE.MSAlist"))?;
        let count = usize::try_from(msa_list)
            .ok()
            .filter(|n| n.saturating_mul(20) <= r.remaining())
            .ok_or(MarshalError::TooLarge {
                what: "TPM_MSA_COMPOSITE.MSAlist",
                size: u64::from(msa_list),
            })?;
        let mig_auth_digest = (0..count)
            .map(|_| {
                r.array()
                    .map_err(|e| e.at("TPM_MSA_COMPOSITE.migAuthDigest"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { mig_auth_digest })
    }
}

tpm_struct! {
    /// Part 2, 5.16 TPM_CMK_AUTH: the digests a migration authority signs to approve one
    /// migration (the `restrictTicket` of TPM_CMK_CreateBlob).
    pub struct CmkAuth = "TPM_CMK_AUTH" {
        pub migration_authority_digest: Digest,
        pub destination_key_digest: Digest,
        pub source_key_digest: Digest,
    }
}

tpm_struct! {
    /// Part 2, 5.19 TPM_CMK_MIGAUTH: the owner's approval of a CMK's migration authorities
    /// and public key (HMACed with tpmProof into the key's migrationAuth).
    pub struct CmkMigauth = "TPM_CMK_MIGAUTH" [tag = StructureTag::TPM_TAG_CMK_MIGAUTH] {
        pub msa_digest: Digest,
        pub pub_key_digest: Digest,
    }
}

tpm_struct! {
    /// Part 2, 5.20 TPM_CMK_SIGTICKET: a ticket that a verification key signed some data
    /// (made by TPM_CMK_CreateTicket).
    pub struct CmkSigticket = "TPM_CMK_SIGTICKET" [tag = StructureTag::TPM_TAG_CMK_SIGTICKET] {
        pub ver_key_digest: Digest,
        pub signed_data: Digest,
    }
}

tpm_struct! {
    /// Part 2, 5.21 TPM_CMK_MA_APPROVAL: the owner's approval of a migration authority
    /// (made by TPM_CMK_ApproveMA).
    pub struct CmkMaApproval = "TPM_CMK_MA_APPROVAL" [tag = StructureTag::TPM_TAG_CMK_MA_APPROVAL] {
        pub migration_authority_digest: Digest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    round_trip_tests! {
        migration_key_auth_round_trips: MigrationKeyAuth,
        msa_composite_round_trips: MsaComposite,
        cmk_auth_round_trips: CmkAuth,
        cmk_migauth_round_trips: CmkMigauth,
        cmk_sigticket_round_trips: CmkSigticket,
        cmk_ma_approval_round_trips: CmkMaApproval,
    }

    #[test]
    fn msa_composite_byte_picture() {
        let mut bytes = vec![0x00, 0x00, 0x00, 0x02]; // MSAlist
        bytes.extend_from_slice(&[0x0a; 20]); // migAuthDigest[0]
        bytes.extend_from_slice(&[0x0b; 20]); // migAuthDigest[1]
        byte_picture!(
            MsaComposite,
            bytes,
            MsaComposite {
                mig_auth_digest: vec![[0x0a; 20], [0x0b; 20]],
            }
        );
    }

    #[test]
    fn rejects_msa_count_beyond_input_without_allocating() {
        let mut bytes = vec![0xff, 0xff, 0xff, 0xff];
        bytes.extend_from_slice(&[0; 20]);
        assert_eq!(
            MsaComposite::from_bytes(&bytes),
            Err(MarshalError::TooLarge {
                what: "TPM_MSA_COMPOSITE.MSAlist",
                size: 0xffff_ffff
            })
        );
        bytes[..4].copy_from_slice(&[0, 0, 0, 2]);
        assert!(matches!(
            MsaComposite::from_bytes(&bytes),
            Err(MarshalError::TooLarge { size: 2, .. })
        ));
    }

    #[test]
    fn rejects_cmk_migauth_with_wrong_tag() {
        let mut bytes = vec![0x00, 0x34]; // TPM_TAG_CMK_SIGTICKET
        bytes.extend_from_slice(&[0; 40]);
        assert_eq!(
            CmkMigauth::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_CMK_MIGAUTH",
                found: 0x34
            })
        );
        assert_eq!(CmkSigticket::from_bytes(&bytes).map(|_| ()), Ok(()));
    }
}
