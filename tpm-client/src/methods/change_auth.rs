//! Part 3, 17 Changing authorization data (ADCP: the new secret is ADIP-encrypted with
//! the parent's or owner's OSAP session).

use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::change_auth::{
    ChangeAuth, ChangeAuthIn, ChangeAuthOwner, ChangeAuthOwnerIn,
};
use tpm_marshal::{AuthData, EntityType, Handle, ProtocolId};

impl<T: Transport> Client<T> {
    /// Part 3, 17.1 TPM_ChangeAuth: gives a key or sealed blob a new secret; returns the
    /// re-encrypted `encData` to put back into the blob.
    ///
    /// # Arguments
    /// - `parent_handle`: the storage key wrapping the entity.
    /// - `new_auth`: the new secret, in the clear (ADIP-encrypted here with
    ///   `parent_auth`'s session).
    /// - `entity_type`: `TPM_ET_KEY` or `TPM_ET_DATA`; `enc_data`: the entity's encData.
    /// - `parent_auth`: an OSAP session for the parent; `entity_auth`: an OIAP session
    ///   keyed with the entity's current secret.
    ///
    /// # Errors
    /// `TPM_AUTHFAIL` / `TPM_AUTH2FAIL`; `TPM_WRONG_ENTITYTYPE`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let blob: tpm_marshal::KeyBlob = tpm_marshal::Unmarshal::from_bytes(&std::fs::read("key.blob")?)?;
    /// use tpm_marshal::{EntityType, KeyHandle};
    /// let mut parent = tpm.osap(EntityType::TPM_ET_KEYHANDLE, KeyHandle::TPM_KH_SRK.0, &[0; 20])?;
    /// let mut entity = tpm.oiap()?;
    /// entity.set_secret([2; 20]);
    /// let enc = tpm.change_auth(KeyHandle::TPM_KH_SRK.0, &[9; 20], EntityType::TPM_ET_KEY,
    ///     &blob.enc_data().0, tpm_client::Auth::last(&mut parent), tpm_client::Auth::last(&mut entity))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn change_auth(
        &mut self,
        parent_handle: Handle,
        new_auth: &AuthData,
        entity_type: EntityType,
        enc_data: &[u8],
        parent_auth: Auth<'_>,
        entity_auth: Auth<'_>,
    ) -> Result<Vec<u8>> {
        let input = ChangeAuthIn {
            parent_handle,
            protocol_id: ProtocolId::TPM_PID_ADCP,
            new_auth: parent_auth.session.encrypt_auth(new_auth),
            entity_type,
            enc_data: enc_data.into(),
        };
        let out = self.call_auth::<ChangeAuth>(&input, &mut [parent_auth, entity_auth])?;
        Ok(out.out_data.0)
    }

    /// Part 3, 17.2 TPM_ChangeAuthOwner: changes the owner or SRK secret.
    ///
    /// # Arguments
    /// - `new_auth`: the new secret, in the clear (ADIP-encrypted here).
    /// - `entity_type`: `TPM_ET_OWNER` or `TPM_ET_SRK`.
    /// - `owner`: an OSAP session for the owner.
    ///
    /// # Errors
    /// `TPM_AUTHFAIL`; `TPM_WRONG_ENTITYTYPE`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::EntityType;
    /// let mut owner = tpm.osap(EntityType::TPM_ET_OWNER, 0, &[1; 20])?;
    /// tpm.change_auth_owner(&[8; 20], EntityType::TPM_ET_SRK, tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn change_auth_owner(
        &mut self,
        new_auth: &AuthData,
        entity_type: EntityType,
        owner: Auth<'_>,
    ) -> Result<()> {
        let input = ChangeAuthOwnerIn {
            protocol_id: ProtocolId::TPM_PID_ADCP,
            new_auth: owner.session.encrypt_auth(new_auth),
            entity_type,
        };
        self.call_auth::<ChangeAuthOwner>(&input, &mut [owner])
    }
}
