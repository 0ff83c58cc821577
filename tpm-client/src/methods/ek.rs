//! Part 3, 14 Endorsement key handling.
//!
//! The methods that return the PUBEK check its checksum, SHA1(pubEndorsementKey ||
//! antiReplay), against a fresh nonce of their own.

use crate::client::{Auth, Client};
use crate::error::{Error, Result};
use crate::session::{random_nonce, sha1};
use crate::transport::Transport;
use tpm_marshal::commands::ek::{
    CreateEndorsementKeyPair, CreateEndorsementKeyPairIn, CreateRevocableEk, CreateRevocableEkIn,
    OwnerReadInternalPub, OwnerReadInternalPubIn, ReadPubek, ReadPubekIn, RevokeTrust,
    RevokeTrustIn,
};
use tpm_marshal::{Digest, Handle, KeyParms, Marshal, Nonce, Pubkey};
use zeroize::Zeroizing;

/// Checks a PUBEK checksum (Part 3, 14.1 action 4, 14.4 action 3).
fn check_pubek(pubek: &Pubkey, anti_replay: &Nonce, checksum: &Digest) -> Result<()> {
    let bytes = pubek.to_bytes().map_err(Error::Encode)?;
    if sha1(&[&bytes, anti_replay]) == *checksum {
        Ok(())
    } else {
        Err(Error::Verification("PUBEK checksum does not match"))
    }
}

impl<T: Transport> Client<T> {
    /// Part 3, 14.1 TPM_CreateEndorsementKeyPair: generates the EK (once per TPM life;
    /// chips ship with one, swtpm starts without unless created with swtpm_setup).
    ///
    /// # Arguments
    /// - `key_info`: the EK parameters, e.g. [`crate::flows::ek_parms`] (RSA 2048, OAEP).
    ///
    /// Returns the PUBEK after checking its checksum.
    ///
    /// # Errors
    /// `TPM_DISABLED_CMD` when an EK exists; `TPM_BAD_KEY_PROPERTY` for unsupported
    /// parameters; [`Error::Verification`] for a wrong checksum.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let pubek = tpm.create_endorsement_key_pair(&tpm_client::flows::ek_parms())?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn create_endorsement_key_pair(&mut self, key_info: &KeyParms) -> Result<Pubkey> {
        let anti_replay = random_nonce()?;
        let out = self.call::<CreateEndorsementKeyPair>(&CreateEndorsementKeyPairIn {
            anti_replay,
            key_info: key_info.clone(),
        })?;
        check_pubek(&out.pub_endorsement_key, &anti_replay, &out.checksum)?;
        Ok(out.pub_endorsement_key)
    }

    /// Part 3, 14.2 TPM_CreateRevocableEK: generates an EK that TPM_RevokeTrust can
    /// remove. Returns the PUBEK (checksum checked) and the EK reset value.
    ///
    /// # Arguments
    /// - `key_info`: the EK parameters.
    /// - `input_ek_reset`: the reset value to use, or `None` to let the TPM generate one.
    ///
    /// # Errors
    /// As [`Client::create_endorsement_key_pair`].
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let (pubek, reset) = tpm.create_revocable_ek(&tpm_client::flows::ek_parms(), None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn create_revocable_ek(
        &mut self,
        key_info: &KeyParms,
        input_ek_reset: Option<&Nonce>,
    ) -> Result<(Pubkey, Zeroizing<Nonce>)> {
        let anti_replay = random_nonce()?;
        let out = self.call::<CreateRevocableEk>(&CreateRevocableEkIn {
            anti_replay,
            key_info: key_info.clone(),
            generate_reset: input_ek_reset.is_none(),
            input_ek_reset: input_ek_reset.copied().unwrap_or_default(),
        })?;
        check_pubek(&out.pub_endorsement_key, &anti_replay, &out.checksum)?;
        Ok((out.pub_endorsement_key, Zeroizing::new(out.output_ek_reset)))
    }

    /// Part 3, 14.3 TPM_RevokeTrust: removes a revocable EK (and the owner). Needs
    /// physical presence.
    ///
    /// # Errors
    /// `TPM_PERMANENTEK` for an EK that is not revocable; `TPM_AUTHFAIL` for a wrong
    /// reset value; `TPM_BAD_PRESENCE`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let reset = [0u8; 20];
    /// tpm.revoke_trust(&reset)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn revoke_trust(&mut self, ek_reset: &Nonce) -> Result<()> {
        self.call::<RevokeTrust>(&RevokeTrustIn {
            ek_reset: *ek_reset,
        })
    }

    /// Part 3, 14.4 TPM_ReadPubek: reads the PUBEK while TPM_PERMANENT_FLAGS.readPubek
    /// allows it (until an owner is installed); checks its checksum.
    ///
    /// # Errors
    /// `TPM_NO_ENDORSEMENT` without an EK; `TPM_DISABLED_CMD` once readPubek is FALSE;
    /// [`Error::Verification`] for a wrong checksum.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let pubek = tpm.read_pubek()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn read_pubek(&mut self) -> Result<Pubkey> {
        let anti_replay = random_nonce()?;
        let out = self.call::<ReadPubek>(&ReadPubekIn { anti_replay })?;
        check_pubek(&out.pub_endorsement_key, &anti_replay, &out.checksum)?;
        Ok(out.pub_endorsement_key)
    }

    /// Part 3, 14.5 TPM_OwnerReadInternalPub: the owner reads the public EK or SRK.
    ///
    /// # Arguments
    /// - `key_handle`: `TPM_KH_EK` or `TPM_KH_SRK`.
    /// - `owner`: a session keyed with the owner secret.
    ///
    /// # Errors
    /// `TPM_BAD_PARAMETER` for another handle; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let srk = tpm.owner_read_internal_pub(tpm_marshal::KeyHandle::TPM_KH_SRK.0,
    ///     tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn owner_read_internal_pub(
        &mut self,
        key_handle: Handle,
        owner: Auth<'_>,
    ) -> Result<Pubkey> {
        let input = OwnerReadInternalPubIn { key_handle };
        Ok(self
            .call_auth::<OwnerReadInternalPub>(&input, &mut [owner])?
            .public_portion)
    }
}
