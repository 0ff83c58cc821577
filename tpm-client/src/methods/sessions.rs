//! Part 3, 18 Authorization sessions: opening OIAP, OSAP and DSAP sessions as
//! [`AuthSession`] values, and the owner pointer.

use crate::client::Client;
use crate::error::Result;
use crate::session::{random_nonce, AuthSession, SessionKind};
use crate::transport::Transport;
use tpm_marshal::commands::sessions::{
    Dsap, DsapIn, Oiap, Osap, OsapIn, SetOwnerPointer, SetOwnerPointerIn,
};
use tpm_marshal::{AuthData, EntityType, Handle};

impl<T: Transport> Client<T> {
    /// Part 3, 18.1 TPM_OIAP: opens an object-independent session. Its secret starts as
    /// 20 zero bytes (the well-known secret); key it with the secret of the entity each
    /// command authorizes ([`AuthSession::set_secret`]).
    ///
    /// # Errors
    /// `TPM_RESOURCES` when every session slot is taken.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut session = tpm.oiap()?;
    /// session.set_secret([1; 20]);
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn oiap(&mut self) -> Result<AuthSession> {
        let out = self.call::<Oiap>(&())?;
        AuthSession::new(SessionKind::Oiap, out.auth_handle, out.nonce_even, [0; 20])
    }

    /// Part 3, 18.2 TPM_OSAP: opens a session bound to one entity; the session is keyed
    /// with the shared secret HMAC(`entity_auth`, nonceEvenOSAP || nonceOddOSAP), which
    /// also encrypts new secrets (ADIP, [`AuthSession::encrypt_auth`]).
    ///
    /// # Arguments
    /// - `entity_type`: `TPM_ET_KEYHANDLE`, `TPM_ET_OWNER`, `TPM_ET_SRK`, `TPM_ET_NV` ...
    ///   (the high byte selects the ADIP scheme; 0 is XOR).
    /// - `entity_value`: the key handle or NV index (ignored for the owner and SRK).
    /// - `entity_auth`: the entity's usage secret.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYHANDLE` / `TPM_BADINDEX` for an unknown entity; `TPM_RESOURCES`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{EntityType, KeyHandle};
    /// let srk = tpm.osap(EntityType::TPM_ET_KEYHANDLE, KeyHandle::TPM_KH_SRK.0, &[0; 20])?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn osap(
        &mut self,
        entity_type: EntityType,
        entity_value: u32,
        entity_auth: &AuthData,
    ) -> Result<AuthSession> {
        let nonce_odd_osap = random_nonce()?;
        let out = self.call::<Osap>(&OsapIn {
            entity_type,
            entity_value,
            nonce_odd_osap,
        })?;
        let secret =
            AuthSession::osap_shared_secret(entity_auth, &out.nonce_even_osap, &nonce_odd_osap);
        AuthSession::new(SessionKind::Osap, out.auth_handle, out.nonce_even, secret)
    }

    /// Part 3, 18.3 TPM_DSAP: opens a session that uses a delegated secret; keyed like
    /// OSAP with HMAC(`delegate_auth`, nonceEvenDSAP || nonceOddDSAP).
    ///
    /// # Arguments
    /// - `entity_type`: `TPM_ET_DEL_OWNER_BLOB`, `TPM_ET_DEL_ROW` or
    ///   `TPM_ET_DEL_KEY_BLOB`.
    /// - `key_handle`: the key a key delegation is for (TPM_KH_OWNER otherwise).
    /// - `entity_value`: the delegate blob, or the row index as a big-endian UINT32.
    /// - `delegate_auth`: the delegated secret.
    ///
    /// # Errors
    /// `TPM_BAD_DELEGATE` / `TPM_BADINDEX` for an unusable delegation; `TPM_RESOURCES`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{EntityType, KeyHandle};
    /// let s = tpm.dsap(EntityType::TPM_ET_DEL_ROW, KeyHandle::TPM_KH_OWNER.0, &0u32.to_be_bytes(), &[5; 20])?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn dsap(
        &mut self,
        entity_type: EntityType,
        key_handle: Handle,
        entity_value: &[u8],
        delegate_auth: &AuthData,
    ) -> Result<AuthSession> {
        let nonce_odd_dsap = random_nonce()?;
        let out = self.call::<Dsap>(&DsapIn {
            entity_type,
            key_handle,
            nonce_odd_dsap,
            entity_value: entity_value.into(),
        })?;
        let secret =
            AuthSession::osap_shared_secret(delegate_auth, &out.nonce_even_dsap, &nonce_odd_dsap);
        AuthSession::new(SessionKind::Dsap, out.auth_handle, out.nonce_even, secret)
    }

    /// Part 3, 18.4 TPM_SetOwnerPointer: says which secret later legacy OIAP/OSAP owner
    /// sessions use (the owner's, or a delegate row's).
    ///
    /// # Arguments
    /// - `entity_type`: `TPM_ET_OWNER` or `TPM_ET_DEL_ROW`; `entity_value`: the row.
    ///
    /// # Errors
    /// `TPM_BAD_PARAMETER` for another entity type; `TPM_BADINDEX` for an unused row.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.set_owner_pointer(tpm_marshal::EntityType::TPM_ET_OWNER, 0)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn set_owner_pointer(&mut self, entity_type: EntityType, entity_value: u32) -> Result<()> {
        self.call::<SetOwnerPointer>(&SetOwnerPointerIn {
            entity_type,
            entity_value,
        })
    }
}
