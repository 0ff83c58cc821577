//! Part 3, 12 Maintenance functions (optional): moving the SRK and tpmProof to another
//! TPM through the manufacturer.

use crate::{Digest, Nonce, Pubkey, SizedBuffer};

tpm_struct! {
    /// Part 3, 12.1 TPM_CreateMaintenanceArchive incoming parameters.
    pub struct CreateMaintenanceArchiveIn = "TPM_CreateMaintenanceArchive in" {
        /// `generateRandom`: TRUE masks the archive with fresh random bytes (returned in
        /// `random`), FALSE with a mask derived from ownerAuth.
        pub generate_random: bool,
    }
}

tpm_struct! {
    /// Part 3, 12.1 TPM_CreateMaintenanceArchive outgoing parameters.
    pub struct CreateMaintenanceArchiveOut = "TPM_CreateMaintenanceArchive out" {
        /// `randomSize` and `random`: the mask, empty unless `generate_random` was TRUE.
        pub random: SizedBuffer,
        /// `archiveSize` and `archive`: the SRK as a TPM_KEY whose encData is the masked
        /// and encrypted TPM_MIGRATE_ASYMKEY.
        pub archive: SizedBuffer,
    }
}

command!(
    /// Part 3, 12.1 TPM_CreateMaintenanceArchive: the owner exports the SRK for the
    /// manufacturer to move to another TPM.
    CreateMaintenanceArchive = TPM_ORD_CreateMaintenanceArchive, CreateMaintenanceArchiveIn, 0, CreateMaintenanceArchiveOut, 0
);

tpm_struct! {
    /// Part 3, 12.2 TPM_LoadMaintenanceArchive incoming parameters. Part 3 leaves them
    /// vendor-specific; like the peers, we take the `archive` of
    /// TPM_CreateMaintenanceArchive as a sized buffer.
    pub struct LoadMaintenanceArchiveIn = "TPM_LoadMaintenanceArchive in" {
        /// `archiveSize` and `archive`: the archive as the manufacturer prepared it.
        pub archive: SizedBuffer,
    }
}

command!(
    /// Part 3, 12.2 TPM_LoadMaintenanceArchive: the owner loads an archive from another
    /// TPM, replacing the SRK, tpmProof and ownerAuth.
    LoadMaintenanceArchive = TPM_ORD_LoadMaintenanceArchive, LoadMaintenanceArchiveIn, 0, (), 0
);

command!(
    /// Part 3, 12.3 TPM_KillMaintenanceFeature: the owner disables maintenance until the
    /// next owner.
    KillMaintenanceFeature = TPM_ORD_KillMaintenanceFeature, (), 0, (), 0
);

tpm_struct! {
    /// Part 3, 12.4 TPM_LoadManuMaintPub incoming parameters.
    pub struct LoadManuMaintPubIn = "TPM_LoadManuMaintPub in" {
        /// `antiReplay`: a nonce that goes into `checksum`.
        pub anti_replay: Nonce,
        /// `pubKey`: the manufacturer's public maintenance key.
        pub pub_key: Pubkey,
    }
}

tpm_struct! {
    /// Part 3, 12.4 TPM_LoadManuMaintPub outgoing parameters.
    pub struct LoadManuMaintPubOut = "TPM_LoadManuMaintPub out" {
        /// `checksum`: SHA-1 of `pub_key` and `anti_replay`.
        pub checksum: Digest,
    }
}

command!(
    /// Part 3, 12.4 TPM_LoadManuMaintPub: installs the manufacturer's maintenance key, once.
    LoadManuMaintPub = TPM_ORD_LoadManuMaintPub, LoadManuMaintPubIn, 0, LoadManuMaintPubOut, 0
);

tpm_struct! {
    /// Part 3, 12.5 TPM_ReadManuMaintPub incoming parameters.
    pub struct ReadManuMaintPubIn = "TPM_ReadManuMaintPub in" {
        /// `antiReplay`: a nonce that goes into `checksum`.
        pub anti_replay: Nonce,
    }
}

tpm_struct! {
    /// Part 3, 12.5 TPM_ReadManuMaintPub outgoing parameters.
    pub struct ReadManuMaintPubOut = "TPM_ReadManuMaintPub out" {
        /// `checksum`: SHA-1 of the maintenance public key and `anti_replay`.
        pub checksum: Digest,
    }
}

command!(
    /// Part 3, 12.5 TPM_ReadManuMaintPub: proves which maintenance key is installed.
    ReadManuMaintPub = TPM_ORD_ReadManuMaintPub, ReadManuMaintPubIn, 0, ReadManuMaintPubOut, 0
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MarshalError, Unmarshal};

    round_trip_tests! {
        create_maintenance_archive_in_round_trips: CreateMaintenanceArchiveIn,
        create_maintenance_archive_out_round_trips: CreateMaintenanceArchiveOut,
        load_maintenance_archive_in_round_trips: LoadMaintenanceArchiveIn,
        load_manu_maint_pub_in_round_trips: LoadManuMaintPubIn,
        load_manu_maint_pub_out_round_trips: LoadManuMaintPubOut,
        read_manu_maint_pub_in_round_trips: ReadManuMaintPubIn,
        read_manu_maint_pub_out_round_trips: ReadManuMaintPubOut,
    }

    #[test]
    fn create_maintenance_archive_out_byte_picture() {
        byte_picture!(
            CreateMaintenanceArchiveOut,
            [
                0x00, 0x00, 0x00, 0x00, // randomSize: no mask returned
                0x00, 0x00, 0x00, 0x02, // archiveSize
                0x01, 0x01, // archive
            ],
            CreateMaintenanceArchiveOut {
                random: SizedBuffer(vec![]),
                archive: SizedBuffer(vec![0x01, 0x01]),
            }
        );
    }

    #[test]
    fn rejects_generate_random_other_than_true_or_false() {
        assert_eq!(
            CreateMaintenanceArchiveIn::from_bytes(&[1]),
            Ok(CreateMaintenanceArchiveIn {
                generate_random: true
            })
        );
        assert_eq!(
            CreateMaintenanceArchiveIn::from_bytes(&[2]),
            Err(MarshalError::BadValue {
                what: "TPM_CreateMaintenanceArchive in.generate_random",
                found: 2
            })
        );
    }
}
