//! Part 3, 15 Identity creation and activation.

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::identity::{
    ActivateIdentity, ActivateIdentityIn, MakeIdentity, MakeIdentityIn, MakeIdentityOut,
};
use tpm_marshal::{AuthData, Digest, Handle, KeyBlob, SymmetricKey};

impl<T: Transport> Client<T> {
    /// Part 3, 15.1 TPM_MakeIdentity: creates an attestation identity key (AIK) and the
    /// signed binding a privacy CA checks.
    ///
    /// # Arguments
    /// - `identity_auth`: the AIK's secret, in the clear (ADIP-encrypted here with the
    ///   owner's OSAP session).
    /// - `label_priv_ca_digest`: SHA-1 of the label and the privacy CA's public key.
    /// - `id_key_params`: the AIK template (identity usage, RSA 2048).
    /// - `srk_auth`: a session for the SRK (`None` when the SRK needs none); `owner`: an
    ///   OSAP session for the owner.
    ///
    /// # Errors
    /// `TPM_BAD_KEY_PROPERTY` for a bad template; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{EntityType, KeyUsage};
    /// let mut srk = tpm.oiap()?;
    /// let mut owner = tpm.osap(EntityType::TPM_ET_OWNER, 0, &[1; 20])?;
    /// let template = tpm_client::flows::key_template(KeyUsage::TPM_KEY_IDENTITY);
    /// let aik = tpm.make_identity(&[6; 20], &[0; 20], &template,
    ///     Some(tpm_client::Auth::last(&mut srk)), tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn make_identity(
        &mut self,
        identity_auth: &AuthData,
        label_priv_ca_digest: &Digest,
        id_key_params: &KeyBlob,
        srk_auth: Option<Auth<'_>>,
        owner: Auth<'_>,
    ) -> Result<MakeIdentityOut> {
        let input = MakeIdentityIn {
            identity_auth: owner.session.encrypt_auth(identity_auth),
            label_priv_ca_digest: *label_priv_ca_digest,
            id_key_params: id_key_params.clone(),
        };
        self.call_auth::<MakeIdentity>(&input, &mut present([srk_auth, Some(owner)]))
    }

    /// Part 3, 15.2 TPM_ActivateIdentity: decrypts the privacy CA's answer (encrypted to
    /// the EK) and returns the session key that unlocks the AIK credential.
    ///
    /// # Arguments
    /// - `id_key_handle`: the loaded AIK; `blob`: the CA's encrypted TPM_EK_BLOB or
    ///   TPM_ASYM_CA_CONTENTS.
    /// - `id_key_auth`: a session for the AIK (`None` for TPM_AUTH_NEVER); `owner`: a
    ///   session for the owner.
    ///
    /// # Errors
    /// `TPM_BAD_PARAMETER` when the blob names another AIK; `TPM_DECRYPT_ERROR`;
    /// `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (aik, blob) = (0x0100_0000, vec![0u8; 256]);
    /// let (mut key, mut owner) = (tpm.oiap()?, tpm.oiap()?);
    /// key.set_secret([6; 20]);
    /// owner.set_secret([1; 20]);
    /// let session_key = tpm.activate_identity(aik, &blob,
    ///     Some(tpm_client::Auth::last(&mut key)), tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn activate_identity(
        &mut self,
        id_key_handle: Handle,
        blob: &[u8],
        id_key_auth: Option<Auth<'_>>,
        owner: Auth<'_>,
    ) -> Result<SymmetricKey> {
        let input = ActivateIdentityIn {
            id_key_handle,
            blob: blob.into(),
        };
        let out =
            self.call_auth::<ActivateIdentity>(&input, &mut present([id_key_auth, Some(owner)]))?;
        Ok(out.symmetric_key)
    }
}
