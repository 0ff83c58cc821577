//! Part 3, 20 Non-volatile storage.

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::nv::{
    NvDefineSpace, NvDefineSpaceIn, NvReadValue, NvReadValueAuth, NvReadValueAuthIn, NvReadValueIn,
    NvWriteValue, NvWriteValueAuth, NvWriteValueAuthIn, NvWriteValueIn,
};
use tpm_marshal::{AuthData, NvDataPublic, NvIndex};

impl<T: Transport> Client<T> {
    /// Part 3, 20.1 TPM_NV_DefineSpace: defines (or, with `data_size` 0, deletes) an NV
    /// area.
    ///
    /// # Arguments
    /// - `pub_info`: the index, size, permissions and PCR bindings.
    /// - `new_auth`: the area's secret (for TPM_NV_PER_AUTHREAD/AUTHWRITE), in the clear:
    ///   ADIP-encrypted here with `owner`'s session, sent as is without one.
    /// - `owner`: an OSAP session for the owner, or `None` while no owner is installed
    ///   (or for TPM_NV_INDEX_LOCK).
    ///
    /// # Errors
    /// `TPM_BADINDEX` / `TPM_BAD_PARAMETER` for an unusable index; `TPM_NOSPACE`;
    /// `TPM_AUTH_CONFLICT` for a conflicting definition; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{NvAttributes, NvIndex};
    /// let attrs = NvAttributes::TPM_NV_PER_AUTHREAD | NvAttributes::TPM_NV_PER_AUTHWRITE;
    /// let pub_info = tpm_client::flows::nv_public(NvIndex(0x0001_1101), 32, attrs);
    /// let mut owner = tpm.osap(tpm_marshal::EntityType::TPM_ET_OWNER, 0, &[1; 20])?;
    /// tpm.nv_define_space(&pub_info, &[4; 20], Some(tpm_client::Auth::last(&mut owner)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn nv_define_space(
        &mut self,
        pub_info: &NvDataPublic,
        new_auth: &AuthData,
        owner: Option<Auth<'_>>,
    ) -> Result<()> {
        let enc_auth = match &owner {
            Some(a) => a.session.encrypt_auth(new_auth),
            None => *new_auth,
        };
        let input = NvDefineSpaceIn {
            pub_info: pub_info.clone(),
            enc_auth,
        };
        self.call_auth::<NvDefineSpace>(&input, &mut present([owner]))
    }

    /// Part 3, 20.2 TPM_NV_WriteValue: writes `data` at `offset` of an NV area.
    ///
    /// # Arguments
    /// - `owner`: an owner session for TPM_NV_PER_OWNERWRITE areas, else `None`.
    ///
    /// # Errors
    /// `TPM_BADINDEX` for an undefined index; `TPM_NOSPACE` past the area's end;
    /// `TPM_AREA_LOCKED`; `TPM_AUTH_CONFLICT` for an area written with its own secret.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.nv_write_value(tpm_marshal::NvIndex(0x0001_0000), 0, b"hello", None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn nv_write_value(
        &mut self,
        nv_index: NvIndex,
        offset: u32,
        data: &[u8],
        owner: Option<Auth<'_>>,
    ) -> Result<()> {
        let input = NvWriteValueIn {
            nv_index,
            offset,
            data: data.into(),
        };
        self.call_auth::<NvWriteValue>(&input, &mut present([owner]))
    }

    /// Part 3, 20.3 TPM_NV_WriteValueAuth: writes an area defined with
    /// TPM_NV_PER_AUTHWRITE, authorized by the area's own secret.
    ///
    /// # Errors
    /// As [`Client::nv_write_value`]; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut s = tpm.oiap()?;
    /// s.set_secret([4; 20]);
    /// tpm.nv_write_value_auth(tpm_marshal::NvIndex(0x0001_0000), 0, b"hello",
    ///     tpm_client::Auth::last(&mut s))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn nv_write_value_auth(
        &mut self,
        nv_index: NvIndex,
        offset: u32,
        data: &[u8],
        auth: Auth<'_>,
    ) -> Result<()> {
        let input = NvWriteValueAuthIn {
            nv_index,
            offset,
            data: data.into(),
        };
        self.call_auth::<NvWriteValueAuth>(&input, &mut [auth])
    }

    /// Part 3, 20.4 TPM_NV_ReadValue: reads `data_size` bytes at `offset` of an NV area.
    ///
    /// # Arguments
    /// - `owner`: an owner session for TPM_NV_PER_OWNERREAD areas, else `None`.
    ///
    /// # Errors
    /// `TPM_BADINDEX`; `TPM_NOSPACE` past the area's end; `TPM_DISABLED_CMD` for a
    /// read-locked area; `TPM_AUTH_CONFLICT` for an area read with its own secret.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let bytes = tpm.nv_read_value(tpm_marshal::NvIndex(0x0001_0000), 0, 5, None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn nv_read_value(
        &mut self,
        nv_index: NvIndex,
        offset: u32,
        data_size: u32,
        owner: Option<Auth<'_>>,
    ) -> Result<Vec<u8>> {
        let input = NvReadValueIn {
            nv_index,
            offset,
            data_size,
        };
        Ok(self
            .call_auth::<NvReadValue>(&input, &mut present([owner]))?
            .data
            .0)
    }

    /// Part 3, 20.5 TPM_NV_ReadValueAuth: reads an area defined with
    /// TPM_NV_PER_AUTHREAD, authorized by the area's own secret.
    ///
    /// # Errors
    /// As [`Client::nv_read_value`]; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut s = tpm.oiap()?;
    /// s.set_secret([4; 20]);
    /// let bytes = tpm.nv_read_value_auth(tpm_marshal::NvIndex(0x0001_0000), 0, 5,
    ///     tpm_client::Auth::last(&mut s))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn nv_read_value_auth(
        &mut self,
        nv_index: NvIndex,
        offset: u32,
        data_size: u32,
        auth: Auth<'_>,
    ) -> Result<Vec<u8>> {
        let input = NvReadValueAuthIn {
            nv_index,
            offset,
            data_size,
        };
        Ok(self
            .call_auth::<NvReadValueAuth>(&input, &mut [auth])?
            .data
            .0)
    }
}
