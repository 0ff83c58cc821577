//! Part 3, 12 Maintenance (optional; libtpms/swtpm do not implement it).

use crate::client::{Auth, Client};
use crate::error::{Error, Result};
use crate::session::{random_nonce, sha1};
use crate::transport::Transport;
use tpm_marshal::commands::maintenance::{
    CreateMaintenanceArchive, CreateMaintenanceArchiveIn, CreateMaintenanceArchiveOut,
    KillMaintenanceFeature, LoadMaintenanceArchive, LoadMaintenanceArchiveIn, LoadManuMaintPub,
    LoadManuMaintPubIn, ReadManuMaintPub, ReadManuMaintPubIn,
};
use tpm_marshal::{Digest, Marshal, Pubkey};

impl<T: Transport> Client<T> {
    /// Part 3, 12.1 TPM_CreateMaintenanceArchive: the owner exports an encrypted archive
    /// of the TPM's state for the manufacturer.
    ///
    /// # Arguments
    /// - `generate_random`: let the TPM generate the OAEP random (returned) or use the
    ///   owner secret.
    ///
    /// # Errors
    /// `TPM_DISABLED_CMD` when maintenance is off; `TPM_BAD_ORDINAL` where it is not
    /// implemented (swtpm); `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let archive = tpm.create_maintenance_archive(true, tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn create_maintenance_archive(
        &mut self,
        generate_random: bool,
        owner: Auth<'_>,
    ) -> Result<CreateMaintenanceArchiveOut> {
        let input = CreateMaintenanceArchiveIn { generate_random };
        self.call_auth::<CreateMaintenanceArchive>(&input, &mut [owner])
    }

    /// Part 3, 12.2 TPM_LoadMaintenanceArchive: the owner loads a manufacturer-processed
    /// archive.
    ///
    /// # Errors
    /// `TPM_DISABLED_CMD`; `TPM_BAD_ORDINAL` where not implemented; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let archive = std::fs::read("archive")?;
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.load_maintenance_archive(&archive, tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn load_maintenance_archive(&mut self, archive: &[u8], owner: Auth<'_>) -> Result<()> {
        let input = LoadMaintenanceArchiveIn {
            archive: archive.into(),
        };
        self.call_auth::<LoadMaintenanceArchive>(&input, &mut [owner])
    }

    /// Part 3, 12.3 TPM_KillMaintenanceFeature: the owner disables maintenance for good.
    ///
    /// # Errors
    /// `TPM_BAD_ORDINAL` where not implemented; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.kill_maintenance_feature(tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn kill_maintenance_feature(&mut self, owner: Auth<'_>) -> Result<()> {
        self.call_auth::<KillMaintenanceFeature>(&(), &mut [owner])
    }

    /// Part 3, 12.4 TPM_LoadManuMaintPub: installs the manufacturer's maintenance public
    /// key (once); checks the returned checksum SHA1(pubKey || antiReplay).
    ///
    /// # Errors
    /// `TPM_DISABLED_CMD` once a key is installed; [`Error::Verification`] for a wrong
    /// checksum.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let manufacturer_key = tpm.read_pubek()?;
    /// tpm.load_manu_maint_pub(&manufacturer_key)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn load_manu_maint_pub(&mut self, pub_key: &Pubkey) -> Result<()> {
        let anti_replay = random_nonce()?;
        let input = LoadManuMaintPubIn {
            anti_replay,
            pub_key: pub_key.clone(),
        };
        let out = self.call::<LoadManuMaintPub>(&input)?;
        check_maint_checksum(pub_key, &anti_replay, &out.checksum)
    }

    /// Part 3, 12.5 TPM_ReadManuMaintPub: checks that `pub_key` is the installed
    /// maintenance key: the TPM answers SHA1(its key || antiReplay).
    ///
    /// # Errors
    /// [`Error::Verification`] when the installed key is another one.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let manufacturer_key = tpm.read_pubek()?;
    /// tpm.read_manu_maint_pub(&manufacturer_key)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn read_manu_maint_pub(&mut self, pub_key: &Pubkey) -> Result<()> {
        let anti_replay = random_nonce()?;
        let out = self.call::<ReadManuMaintPub>(&ReadManuMaintPubIn { anti_replay })?;
        check_maint_checksum(pub_key, &anti_replay, &out.checksum)
    }
}

/// Part 3, 12.4 and 12.5: checksum = SHA1(pubKey || antiReplay).
fn check_maint_checksum(pub_key: &Pubkey, anti_replay: &Digest, checksum: &Digest) -> Result<()> {
    if sha1(&[&pub_key.to_bytes().map_err(Error::Encode)?, anti_replay]) == *checksum {
        Ok(())
    } else {
        Err(Error::Verification(
            "maintenance key checksum does not match",
        ))
    }
}
