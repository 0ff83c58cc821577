//! Part 3, 19 Delegation: family and delegate tables, owner and key delegations. A
//! delegation is used through a DSAP session ([`Client::dsap`]).

use super::present;
use crate::client::{Auth, Client};
use crate::error::{Error, Result};
use crate::transport::Transport;
use tpm_marshal::commands::delegation::{
    DelegateCreateKeyDelegation, DelegateCreateKeyDelegationIn, DelegateCreateOwnerDelegation,
    DelegateCreateOwnerDelegationIn, DelegateLoadOwnerDelegation, DelegateLoadOwnerDelegationIn,
    DelegateManage, DelegateManageIn, DelegateReadTable, DelegateReadTableOut,
    DelegateUpdateVerification, DelegateUpdateVerificationIn, DelegateVerifyDelegation,
    DelegateVerifyDelegationIn,
};
use tpm_marshal::{
    AuthData, DelegateKeyBlob, DelegateOwnerBlob, DelegatePublic, FamilyOperation, Handle, Sized32,
};

/// A delegation blob the TPM must have returned.
fn blob<B>(blob: Sized32<B>, what: &'static str) -> Result<B> {
    blob.0
        .ok_or_else(|| Error::Malformed(format!("{what} returned no blob")))
}

impl<T: Transport> Client<T> {
    /// Part 3, 19.1 TPM_Delegate_Manage: creates, enables, administers or invalidates a
    /// delegation family; returns the operation's output (the new family id for
    /// `TPM_FAMILY_CREATE`).
    ///
    /// # Arguments
    /// - `family_id`: the family (ignored for create); `op_code`: the operation;
    ///   `op_data`: its data (the label byte for create, a TPM_BOOL for enable/admin).
    /// - `owner`: a session for the owner, or `None` where the spec allows (no owner,
    ///   or an unlocked table).
    ///
    /// # Errors
    /// `TPM_BADINDEX` for an unknown family; `TPM_NOSPACE`; `TPM_DELEGATE_LOCK`;
    /// `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let id = tpm.delegate_manage(0, tpm_marshal::FamilyOperation::TPM_FAMILY_CREATE, &[1],
    ///     Some(tpm_client::Auth::last(&mut owner)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn delegate_manage(
        &mut self,
        family_id: u32,
        op_code: FamilyOperation,
        op_data: &[u8],
        owner: Option<Auth<'_>>,
    ) -> Result<Vec<u8>> {
        let input = DelegateManageIn {
            family_id,
            op_code,
            op_data: op_data.into(),
        };
        let out = self.call_auth::<DelegateManage>(&input, &mut present([owner]))?;
        Ok(out.ret_data.0)
    }

    /// Part 3, 19.2 TPM_Delegate_CreateKeyDelegation: delegates some uses of a key. The
    /// delegate's secret is ADIP-encrypted with `key_auth`'s session.
    ///
    /// # Arguments
    /// - `key_handle`: the loaded key; `public_info`: the delegation's row (label, PCRs,
    ///   permissions, family).
    /// - `del_auth`: the delegate's secret, in the clear.
    /// - `key_auth`: an OSAP session for the key.
    ///
    /// # Errors
    /// `TPM_BADINDEX` for an unknown family; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (key, public): (u32, tpm_marshal::DelegatePublic) = (0x0100_0000, tpm_marshal::Unmarshal::from_bytes(&std::fs::read("row")?)?);
    /// let mut k = tpm.osap(tpm_marshal::EntityType::TPM_ET_KEYHANDLE, key, &[2; 20])?;
    /// let blob = tpm.delegate_create_key_delegation(key, &public, &[5; 20], tpm_client::Auth::last(&mut k))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn delegate_create_key_delegation(
        &mut self,
        key_handle: Handle,
        public_info: &DelegatePublic,
        del_auth: &AuthData,
        key_auth: Auth<'_>,
    ) -> Result<DelegateKeyBlob> {
        let input = DelegateCreateKeyDelegationIn {
            key_handle,
            public_info: public_info.clone(),
            del_auth: key_auth.session.encrypt_auth(del_auth),
        };
        let out = self.call_auth::<DelegateCreateKeyDelegation>(&input, &mut [key_auth])?;
        blob(out.blob, "TPM_Delegate_CreateKeyDelegation")
    }

    /// Part 3, 19.3 TPM_Delegate_CreateOwnerDelegation: delegates some owner commands.
    /// The delegate's secret is ADIP-encrypted with `owner`'s session.
    ///
    /// # Arguments
    /// - `increment`: bump the family's verification count first (invalidating older
    ///   blobs).
    /// - `public_info`: the delegation's row; `del_auth`: the delegate's secret.
    /// - `owner`: an OSAP session for the owner.
    ///
    /// # Errors
    /// `TPM_BADINDEX`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let public: tpm_marshal::DelegatePublic = tpm_marshal::Unmarshal::from_bytes(&std::fs::read("row")?)?;
    /// let mut owner = tpm.osap(tpm_marshal::EntityType::TPM_ET_OWNER, 0, &[1; 20])?;
    /// let blob = tpm.delegate_create_owner_delegation(false, &public, &[5; 20],
    ///     tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn delegate_create_owner_delegation(
        &mut self,
        increment: bool,
        public_info: &DelegatePublic,
        del_auth: &AuthData,
        owner: Auth<'_>,
    ) -> Result<DelegateOwnerBlob> {
        let input = DelegateCreateOwnerDelegationIn {
            increment,
            public_info: public_info.clone(),
            del_auth: owner.session.encrypt_auth(del_auth),
        };
        let out = self.call_auth::<DelegateCreateOwnerDelegation>(&input, &mut [owner])?;
        blob(out.blob, "TPM_Delegate_CreateOwnerDelegation")
    }

    /// Part 3, 19.4 TPM_Delegate_LoadOwnerDelegation: loads an owner delegation into a
    /// row of the delegate table.
    ///
    /// # Arguments
    /// - `index`: the row; `blob`: from [`Client::delegate_create_owner_delegation`].
    /// - `owner`: a session for the owner, or `None` without an owner.
    ///
    /// # Errors
    /// `TPM_BADINDEX`; `TPM_DELEGATE_LOCK`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let blob: tpm_marshal::DelegateOwnerBlob = tpm_marshal::Unmarshal::from_bytes(&std::fs::read("blob")?)?;
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.delegate_load_owner_delegation(0, &blob, Some(tpm_client::Auth::last(&mut owner)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn delegate_load_owner_delegation(
        &mut self,
        index: u32,
        blob: &DelegateOwnerBlob,
        owner: Option<Auth<'_>>,
    ) -> Result<()> {
        let input = DelegateLoadOwnerDelegationIn {
            index,
            blob: Sized32(Some(blob.clone())),
        };
        self.call_auth::<DelegateLoadOwnerDelegation>(&input, &mut present([owner]))
    }

    /// Part 3, 19.5 TPM_Delegate_ReadTable: the public parts of the family and delegate
    /// tables (no authorization).
    ///
    /// # Errors
    /// Transport and framing errors only, in practice.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let tables = tpm.delegate_read_table()?;
    /// println!("{} families", tables.family_table.0.len());
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn delegate_read_table(&mut self) -> Result<DelegateReadTableOut> {
        self.call::<DelegateReadTable>(&())
    }

    /// Part 3, 19.6 TPM_Delegate_UpdateVerification: the owner brings a delegation (a
    /// blob or a table row) up to its family's current verification count.
    ///
    /// # Arguments
    /// - `input_data`: a TPM_DELEGATE_KEY_BLOB, TPM_DELEGATE_OWNER_BLOB or row index.
    /// - `owner`: a session for the owner.
    ///
    /// # Errors
    /// `TPM_BADINDEX`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let updated = tpm.delegate_update_verification(&0u32.to_be_bytes(),
    ///     tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn delegate_update_verification(
        &mut self,
        input_data: &[u8],
        owner: Auth<'_>,
    ) -> Result<Vec<u8>> {
        let input = DelegateUpdateVerificationIn {
            input_data: input_data.into(),
        };
        let out = self.call_auth::<DelegateUpdateVerification>(&input, &mut [owner])?;
        Ok(out.output_data.0)
    }

    /// Part 3, 19.7 TPM_Delegate_VerifyDelegation: checks that a delegation blob is
    /// current (its family enabled and its verification count up to date).
    ///
    /// # Errors
    /// `TPM_FAMILYCOUNT` for a stale blob; `TPM_DISABLED_CMD` for a disabled family.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.delegate_verify_delegation(&std::fs::read("delegation.blob")?)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn delegate_verify_delegation(&mut self, delegation: &[u8]) -> Result<()> {
        self.call::<DelegateVerifyDelegation>(&DelegateVerifyDelegationIn {
            delegation: delegation.into(),
        })
    }
}
