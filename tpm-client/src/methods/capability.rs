//! Part 3, 7 Capability commands, with typed readers for the common capability areas.

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::capability::{
    GetCapability, GetCapabilityIn, GetCapabilityOut, GetCapabilityOwner, GetCapabilityOwnerOut,
    SetCapability, SetCapabilityIn,
};
use tpm_marshal::{
    CapFlag, CapProperty, CapVersionInfo, CapabilityArea, Ordinal, PermanentFlags,
    SetCapabilityArea, StClearFlags, Unmarshal,
};

impl<T: Transport> Client<T> {
    /// Part 3, 7.1 TPM_GetCapability: reports a capability, property or flag set, as raw
    /// bytes laid out as Part 2, 21.1 says for `cap_area`. The typed readers below cover
    /// the common areas.
    ///
    /// # Arguments
    /// - `cap_area`: what to ask about (`TPM_CAP_PROPERTY`, `TPM_CAP_FLAG` ...).
    /// - `sub_cap`: the area's sub-capability, usually a big-endian UINT32.
    ///
    /// # Errors
    /// `TPM_BAD_MODE` for an unknown area or sub-capability.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{CapabilityArea, CapProperty};
    /// let raw = tpm.get_capability(
    ///     CapabilityArea::TPM_CAP_PROPERTY,
    ///     &CapProperty::TPM_CAP_PROP_PCR.0.to_be_bytes(),
    /// )?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_capability(&mut self, cap_area: CapabilityArea, sub_cap: &[u8]) -> Result<Vec<u8>> {
        let GetCapabilityOut { resp } = self.call::<GetCapability>(&GetCapabilityIn {
            cap_area,
            sub_cap: sub_cap.into(),
        })?;
        Ok(resp.0)
    }

    /// Part 3, 7.1 TPM_GetCapability(TPM_CAP_VERSION_VAL): the TPM's version, spec level,
    /// errata and vendor (Part 2, 21.6 TPM_CAP_VERSION_INFO).
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] when the answer is not a TPM_CAP_VERSION_INFO.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let v = tpm.get_capability_version_val()?;
    /// println!("TPM {}.{} by {:?}", v.version.major, v.version.minor, v.tpm_vendor_id);
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_capability_version_val(&mut self) -> Result<CapVersionInfo> {
        let raw = self.get_capability(CapabilityArea::TPM_CAP_VERSION_VAL, &[])?;
        Ok(CapVersionInfo::from_bytes(&raw)?)
    }

    /// Part 3, 7.1 TPM_GetCapability(TPM_CAP_PROPERTY) for a property whose value is one
    /// UINT32 (Part 2, 21.2: `TPM_CAP_PROP_PCR`, `TPM_CAP_PROP_KEYS`, `..._MANUFACTURER` ...).
    ///
    /// # Errors
    /// `TPM_BAD_MODE` for an unknown property; [`crate::Error::Malformed`] when the
    /// property is not a UINT32 (the TIS timeouts, the durations, the startup effect
    /// structures: read those with [`Client::get_capability`]).
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let pcrs = tpm.get_capability_property(tpm_marshal::CapProperty::TPM_CAP_PROP_PCR)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_capability_property(&mut self, property: CapProperty) -> Result<u32> {
        let raw =
            self.get_capability(CapabilityArea::TPM_CAP_PROPERTY, &property.0.to_be_bytes())?;
        Ok(u32::from_bytes(&raw)?)
    }

    /// Part 3, 7.1 TPM_GetCapability(TPM_CAP_FLAG, TPM_CAP_FLAG_PERMANENT): the
    /// permanent flags (Part 2, 7.1 TPM_PERMANENT_FLAGS).
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] when the answer is not a TPM_PERMANENT_FLAGS.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let owned = tpm.get_capability_permanent_flags()?.ownership;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_capability_permanent_flags(&mut self) -> Result<PermanentFlags> {
        let raw = self.get_capability(
            CapabilityArea::TPM_CAP_FLAG,
            &CapFlag::TPM_CAP_FLAG_PERMANENT.0.to_be_bytes(),
        )?;
        Ok(PermanentFlags::from_bytes(&raw)?)
    }

    /// Part 3, 7.1 TPM_GetCapability(TPM_CAP_FLAG, TPM_CAP_FLAG_VOLATILE): the
    /// startup-clear flags (Part 2, 7.2 TPM_STCLEAR_FLAGS).
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] when the answer is not a TPM_STCLEAR_FLAGS.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let present = tpm.get_capability_volatile_flags()?.physical_presence;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_capability_volatile_flags(&mut self) -> Result<StClearFlags> {
        let raw = self.get_capability(
            CapabilityArea::TPM_CAP_FLAG,
            &CapFlag::TPM_CAP_FLAG_VOLATILE.0.to_be_bytes(),
        )?;
        Ok(StClearFlags::from_bytes(&raw)?)
    }

    /// Part 3, 7.1 TPM_GetCapability(TPM_CAP_ORD): whether the TPM implements `ordinal`.
    ///
    /// # Errors
    /// [`crate::Error::Malformed`] when the answer is not a TPM_BOOL.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let has_quote2 = tpm.get_capability_ordinal(tpm_marshal::Ordinal::TPM_ORD_Quote2)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_capability_ordinal(&mut self, ordinal: Ordinal) -> Result<bool> {
        let raw = self.get_capability(CapabilityArea::TPM_CAP_ORD, &ordinal.0.to_be_bytes())?;
        Ok(bool::from_bytes(&raw)?)
    }

    /// Part 3, 7.2 TPM_SetCapability: sets one flag or data field.
    ///
    /// # Arguments
    /// - `cap_area`, `sub_cap`: which field (e.g. `TPM_SET_PERM_FLAGS`,
    ///   `TPM_PF_READPUBEK` as a big-endian UINT32).
    /// - `set_value`: the new value (a TPM_BOOL is one byte).
    /// - `owner`: a session keyed with the owner secret, or `None` where physical presence
    ///   is enough for that field.
    ///
    /// # Errors
    /// `TPM_BAD_MODE` for an unknown field; `TPM_AUTHFAIL`, `TPM_BAD_PRESENCE` when the
    /// field's authorization is missing.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{PermanentFlag, SetCapabilityArea};
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.set_capability(
    ///     SetCapabilityArea::TPM_SET_PERM_FLAGS,
    ///     &PermanentFlag::TPM_PF_READPUBEK.0.to_be_bytes(),
    ///     &[0],
    ///     Some(tpm_client::Auth::last(&mut owner)),
    /// )?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn set_capability(
        &mut self,
        cap_area: SetCapabilityArea,
        sub_cap: &[u8],
        set_value: &[u8],
        owner: Option<Auth<'_>>,
    ) -> Result<()> {
        let input = SetCapabilityIn {
            cap_area,
            sub_cap: sub_cap.into(),
            set_value: set_value.into(),
        };
        self.call_auth::<SetCapability>(&input, &mut present([owner]))
    }

    /// Part 3, 7.3 TPM_GetCapabilityOwner: the owner reads the version and every flag as
    /// two bit maps (permanent flags, then startup-clear flags, first flag in bit 0).
    ///
    /// # Errors
    /// `TPM_AUTHFAIL` for a wrong owner secret.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let flags = tpm.get_capability_owner(tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_capability_owner(&mut self, owner: Auth<'_>) -> Result<GetCapabilityOwnerOut> {
        self.call_auth::<GetCapabilityOwner>(&(), &mut [owner])
    }
}
