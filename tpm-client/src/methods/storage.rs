//! Part 3, 10 Storage functions: sealing, binding, wrapping and loading keys.
//!
//! New secrets travel encrypted (ADIP, Part 1, 13.8): the methods that take one encrypt it
//! with the OSAP session that authorizes the parent key.

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::storage::{
    CreateWrapKey, CreateWrapKeyIn, GetPubKey, GetPubKeyIn, LoadKey2, LoadKey2In, Seal, SealIn,
    SealPcrInfo, Sealx, SealxIn, StoredDataBlob, UnBind, UnBindIn, Unseal, UnsealIn,
};
use tpm_marshal::{AuthData, Handle, KeyBlob, PcrInfoLong, Pubkey, Sized32, StoredData12};

impl<T: Transport> Client<T> {
    /// Part 3, 10.1 TPM_Seal: encrypts `in_data` to a storage key, optionally bound to PCR
    /// values. The new data secret is ADIP-encrypted with `key_auth`'s session.
    ///
    /// # Arguments
    /// - `key_handle`: a loaded non-migratable storage key (e.g. `TPM_KH_SRK`).
    /// - `data_auth`: the secret TPM_Unseal will ask for (in the clear; encrypted here).
    /// - `pcr_info`: PCRs to bind to, or `None`. A TPM_PCR_INFO_LONG makes a
    ///   TPM_STORED_DATA12.
    /// - `in_data`: the secret to seal.
    /// - `key_auth`: an OSAP session for `key_handle` (ADIP needs its shared secret).
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE` for a key that is not a storage key; `TPM_AUTHFAIL`;
    /// `TPM_BAD_DATASIZE` for data too long for the key.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{EntityType, KeyHandle};
    /// let mut srk = tpm.osap(EntityType::TPM_ET_KEYHANDLE, KeyHandle::TPM_KH_SRK.0, &[0; 20])?;
    /// let blob = tpm.seal(KeyHandle::TPM_KH_SRK.0, &[3; 20], None, b"disk key",
    ///     tpm_client::Auth::last(&mut srk))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn seal(
        &mut self,
        key_handle: Handle,
        data_auth: &AuthData,
        pcr_info: Option<SealPcrInfo>,
        in_data: &[u8],
        key_auth: Auth<'_>,
    ) -> Result<StoredDataBlob> {
        let input = SealIn {
            key_handle,
            enc_auth: key_auth.session.encrypt_auth(data_auth),
            pcr_info: Sized32(pcr_info),
            in_data: in_data.into(),
        };
        Ok(self.call_auth::<Seal>(&input, &mut [key_auth])?.sealed_data)
    }

    /// Part 3, 10.2 TPM_Unseal: decrypts sealed data when the PCRs and locality match.
    ///
    /// # Arguments
    /// - `parent_handle`: the storage key that sealed it.
    /// - `in_data`: the sealed blob from [`Client::seal`].
    /// - `parent_auth`: a session for the parent key (`None` for TPM_AUTH_NEVER).
    /// - `data_auth`: an OIAP session keyed with the data secret given to TPM_Seal.
    ///
    /// # Errors
    /// `TPM_WRONGPCRVAL` when the PCRs differ from the sealed ones; `TPM_AUTHFAIL` (or
    /// `TPM_AUTH2FAIL` for the data secret); `TPM_NOTSEALED_BLOB`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_client::Auth;
    /// use tpm_marshal::{commands::storage::StoredDataBlob, Unmarshal};
    /// let blob = StoredDataBlob::from_bytes(&std::fs::read("secret.sealed")?)?;
    /// let (mut srk, mut data) = (tpm.oiap()?, tpm.oiap()?);
    /// data.set_secret([3; 20]);
    /// let secret = tpm.unseal(tpm_marshal::KeyHandle::TPM_KH_SRK.0, &blob,
    ///     Some(Auth::last(&mut srk)), Auth::last(&mut data))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn unseal(
        &mut self,
        parent_handle: Handle,
        in_data: &StoredDataBlob,
        parent_auth: Option<Auth<'_>>,
        data_auth: Auth<'_>,
    ) -> Result<Vec<u8>> {
        let input = UnsealIn {
            parent_handle,
            in_data: in_data.clone(),
        };
        let out = self.call_auth::<Unseal>(&input, &mut present([parent_auth, Some(data_auth)]))?;
        Ok(out.secret.0)
    }

    /// Part 3, 10.3 TPM_UnBind: decrypts data encrypted (bound) to a bind or legacy key.
    ///
    /// # Arguments
    /// - `key_handle`: the loaded key; `in_data`: the encrypted blob.
    /// - `key_auth`: a session for the key, or `None` for TPM_AUTH_NEVER.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE` for a key that cannot unbind; `TPM_DECRYPT_ERROR`;
    /// `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (key, encrypted) = (0x0100_0000, vec![0u8; 256]);
    /// let plain = tpm.unbind(key, &encrypted, None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn unbind(
        &mut self,
        key_handle: Handle,
        in_data: &[u8],
        key_auth: Option<Auth<'_>>,
    ) -> Result<Vec<u8>> {
        let input = UnBindIn {
            key_handle,
            in_data: in_data.into(),
        };
        let out = self.call_auth::<UnBind>(&input, &mut present([key_auth]))?;
        Ok(out.out_data.0)
    }

    /// Part 3, 10.4 TPM_CreateWrapKey: generates a key wrapped by a storage key. The two
    /// new secrets are ADIP-encrypted with `parent_auth`'s session (the usage secret with
    /// nonceEven, the migration secret with nonceOdd).
    ///
    /// # Arguments
    /// - `parent_handle`: the wrapping storage key.
    /// - `usage_auth`, `migration_auth`: the new key's secrets, in the clear.
    /// - `key_info`: the template (TPM_KEY or TPM_KEY12 with empty key and encData), see
    ///   [`crate::flows::key_template`].
    /// - `parent_auth`: an OSAP session for the parent.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE` when the parent is not a storage key; `TPM_BAD_KEY_PROPERTY`
    /// for an unsupported template; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{EntityType, KeyHandle, KeyUsage};
    /// let mut srk = tpm.osap(EntityType::TPM_ET_KEYHANDLE, KeyHandle::TPM_KH_SRK.0, &[0; 20])?;
    /// let template = tpm_client::flows::key_template(KeyUsage::TPM_KEY_SIGNING);
    /// let blob = tpm.create_wrap_key(KeyHandle::TPM_KH_SRK.0, &[2; 20], &[2; 20], &template,
    ///     tpm_client::Auth::last(&mut srk))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn create_wrap_key(
        &mut self,
        parent_handle: Handle,
        usage_auth: &AuthData,
        migration_auth: &AuthData,
        key_info: &KeyBlob,
        parent_auth: Auth<'_>,
    ) -> Result<KeyBlob> {
        let input = CreateWrapKeyIn {
            parent_handle,
            data_usage_auth: parent_auth.session.encrypt_auth(usage_auth),
            data_migration_auth: parent_auth.session.encrypt_auth_odd(migration_auth),
            key_info: key_info.clone(),
        };
        let out = self.call_auth::<CreateWrapKey>(&input, &mut [parent_auth])?;
        Ok(out.wrapped_key)
    }

    /// Part 3, 10.5 TPM_LoadKey2: loads a wrapped key; returns its handle.
    ///
    /// # Arguments
    /// - `parent_handle`: the storage key that wraps `in_key`.
    /// - `in_key`: the blob from [`Client::create_wrap_key`].
    /// - `parent_auth`: a session for the parent, or `None` for TPM_AUTH_NEVER.
    ///
    /// # Errors
    /// `TPM_NOSPACE` when every key slot is taken; `TPM_AUTHFAIL`; `TPM_DECRYPT_ERROR`
    /// for a blob of another parent.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::Unmarshal;
    /// let blob = tpm_marshal::KeyBlob::from_bytes(&std::fs::read("key.blob")?)?;
    /// let mut srk = tpm.oiap()?;
    /// let handle = tpm.load_key2(tpm_marshal::KeyHandle::TPM_KH_SRK.0, &blob,
    ///     Some(tpm_client::Auth::last(&mut srk)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn load_key2(
        &mut self,
        parent_handle: Handle,
        in_key: &KeyBlob,
        parent_auth: Option<Auth<'_>>,
    ) -> Result<Handle> {
        let input = LoadKey2In {
            parent_handle,
            in_key: in_key.clone(),
        };
        let out = self.call_auth::<LoadKey2>(&input, &mut present([parent_auth]))?;
        Ok(out.inkey_handle)
    }

    /// Part 3, 10.6 TPM_GetPubKey: the public part of a loaded key (TPM_KH_SRK only when
    /// readSRKPub allows it).
    ///
    /// # Arguments
    /// - `key_handle`: the loaded key.
    /// - `key_auth`: a session for the key, or `None` for TPM_AUTH_NEVER and
    ///   TPM_AUTH_PRIV_USE_ONLY keys.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYHANDLE`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key = 0x0100_0000;
    /// let mut s = tpm.oiap()?;
    /// s.set_secret([2; 20]);
    /// let public = tpm.get_pub_key(key, Some(tpm_client::Auth::last(&mut s)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_pub_key(
        &mut self,
        key_handle: Handle,
        key_auth: Option<Auth<'_>>,
    ) -> Result<Pubkey> {
        let input = GetPubKeyIn { key_handle };
        Ok(self
            .call_auth::<GetPubKey>(&input, &mut present([key_auth]))?
            .pub_key)
    }

    /// Part 3, 10.7 TPM_Sealx: TPM_Seal with 1.2 structures whose input the session
    /// encrypts. The new data secret is ADIP-encrypted here; `in_data` must already be
    /// encrypted as Part 3, 10.7 describes for the session's scheme.
    ///
    /// # Arguments
    /// - `key_handle`, `data_auth`, `key_auth`: as for [`Client::seal`].
    /// - `pcr_info`: a TPM_PCR_INFO_LONG, or `None`.
    /// - `in_data`: the session-encrypted data.
    ///
    /// # Errors
    /// As [`Client::seal`].
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let encrypted = vec![0u8; 16];
    /// use tpm_marshal::{EntityType, KeyHandle};
    /// let mut srk = tpm.osap(EntityType::TPM_ET_KEYHANDLE, KeyHandle::TPM_KH_SRK.0, &[0; 20])?;
    /// let blob = tpm.sealx(KeyHandle::TPM_KH_SRK.0, &[3; 20], None, &encrypted,
    ///     tpm_client::Auth::last(&mut srk))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn sealx(
        &mut self,
        key_handle: Handle,
        data_auth: &AuthData,
        pcr_info: Option<PcrInfoLong>,
        in_data: &[u8],
        key_auth: Auth<'_>,
    ) -> Result<StoredData12> {
        let input = SealxIn {
            key_handle,
            enc_auth: key_auth.session.encrypt_auth(data_auth),
            pcr_info: Sized32(pcr_info),
            in_data: in_data.into(),
        };
        Ok(self
            .call_auth::<Sealx>(&input, &mut [key_auth])?
            .sealed_data)
    }
}
