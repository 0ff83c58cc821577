//! Part 3, 21 Session management: owner-evict keys and saved contexts.

use crate::client::{Auth, Client};
use crate::error::{Error, Result};
use crate::transport::Transport;
use tpm_marshal::commands::context::{
    KeyControlOwner, KeyControlOwnerIn, LoadContext, LoadContextIn, SaveContext, SaveContextIn,
};
use tpm_marshal::{ContextBlob, Handle, KeyControl, Pubkey, ResourceType, Sized32};

impl<T: Transport> Client<T> {
    /// Part 3, 21.1 TPM_KeyControlOwner: the owner sets a key's owner-evict bit (an
    /// owner-evict key stays loaded across power cycles).
    ///
    /// # Arguments
    /// - `key_handle`, `pub_key`: the loaded key and its public part (checked by the TPM).
    /// - `bit_name`: `TPM_KEY_CONTROL_OWNER_EVICT`; `bit_value`: set or clear.
    /// - `owner`: a session for the owner.
    ///
    /// # Errors
    /// `TPM_BAD_PARAMETER` for a public key that does not match; `TPM_NOSPACE` when the
    /// owner-evict slots are full; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key = 0x0100_0000;
    /// let public = tpm.get_pub_key(key, None)?;
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.key_control_owner(key, &public, tpm_marshal::KeyControl::TPM_KEY_CONTROL_OWNER_EVICT,
    ///     true, tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn key_control_owner(
        &mut self,
        key_handle: Handle,
        pub_key: &Pubkey,
        bit_name: KeyControl,
        bit_value: bool,
        owner: Auth<'_>,
    ) -> Result<()> {
        let input = KeyControlOwnerIn {
            key_handle,
            pub_key: pub_key.clone(),
            bit_name,
            bit_value,
        };
        self.call_auth::<KeyControlOwner>(&input, &mut [owner])
    }

    /// Part 3, 21.2 TPM_SaveContext: saves a loaded key, session or transport session
    /// outside the TPM (encrypted, bound to this TPM).
    ///
    /// # Arguments
    /// - `handle`, `resource_type`: what to save (`TPM_RT_KEY`, `TPM_RT_AUTH` ...).
    /// - `label`: 16 bytes of the caller's, kept in the clear in the blob.
    ///
    /// # Errors
    /// `TPM_INVALID_RESOURCE`; `TPM_NOCONTEXTSPACE` when the context slots are full.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key = 0x0100_0000;
    /// let blob = tpm.save_context(key, tpm_marshal::ResourceType::TPM_RT_KEY, *b"my signing key!!")?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn save_context(
        &mut self,
        handle: Handle,
        resource_type: ResourceType,
        label: [u8; 16],
    ) -> Result<ContextBlob> {
        let input = SaveContextIn {
            handle,
            resource_type,
            label,
        };
        self.call::<SaveContext>(&input)?
            .context_blob
            .0
            .ok_or_else(|| Error::Malformed("TPM_SaveContext returned no blob".into()))
    }

    /// Part 3, 21.3 TPM_LoadContext: loads a saved context; returns its (possibly new)
    /// handle.
    ///
    /// # Arguments
    /// - `entity_handle`: the handle it had; `keep_handle`: ask for that handle again.
    /// - `context_blob`: the blob from [`Client::save_context`].
    ///
    /// # Errors
    /// `TPM_BADCONTEXT` for a blob of another TPM or a replayed session;
    /// `TPM_RESOURCES`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key = 0x0100_0000;
    /// let blob = tpm.save_context(key, tpm_marshal::ResourceType::TPM_RT_KEY, [0; 16])?;
    /// let handle = tpm.load_context(key, false, &blob)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn load_context(
        &mut self,
        entity_handle: Handle,
        keep_handle: bool,
        context_blob: &ContextBlob,
    ) -> Result<Handle> {
        let input = LoadContextIn {
            entity_handle,
            keep_handle,
            context_blob: Sized32(Some(context_blob.clone())),
        };
        Ok(self.call::<LoadContext>(&input)?.handle)
    }
}
