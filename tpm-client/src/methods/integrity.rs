//! Part 3, 16 Integrity collection and reporting (PCRs).

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::integrity::{
    Extend, ExtendIn, PcrRead, PcrReadIn, PcrReset, PcrResetIn, Quote, Quote2, Quote2In, Quote2Out,
    QuoteIn, QuoteOut,
};
use tpm_marshal::{Digest, Handle, Nonce, PcrSelection};

impl<T: Transport> Client<T> {
    /// Part 3, 16.1 TPM_Extend: PCR `pcr_num` becomes SHA1(PCR || `in_digest`). Returns
    /// the new value.
    ///
    /// # Errors
    /// `TPM_BADINDEX` for an unknown PCR; `TPM_BAD_LOCALITY` when the locality may not
    /// extend it.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let new_value = tpm.extend(10, &tpm_client::session::sha1(&[b"event"]))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn extend(&mut self, pcr_num: u32, in_digest: &Digest) -> Result<Digest> {
        let input = ExtendIn {
            pcr_num,
            in_digest: *in_digest,
        };
        Ok(self.call::<Extend>(&input)?.out_digest)
    }

    /// Part 3, 16.2 TPM_PCRRead: reads PCR `pcr_index`.
    ///
    /// # Errors
    /// `TPM_BADINDEX` for an unknown PCR.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let pcr0 = tpm.pcr_read(0)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn pcr_read(&mut self, pcr_index: u32) -> Result<Digest> {
        Ok(self.call::<PcrRead>(&PcrReadIn { pcr_index })?.out_digest)
    }

    /// Part 3, 16.3 TPM_Quote: a loaded signing key signs the selected PCRs and
    /// `external_data` (a TPM_QUOTE_INFO); check it with
    /// [`crate::flows::verify_quote`].
    ///
    /// # Arguments
    /// - `key_handle`: a loaded signing, legacy or identity key.
    /// - `external_data`: the verifier's nonce.
    /// - `target_pcr`: the PCRs to report.
    /// - `key_auth`: a session keyed with the key's secret, or `None` for TPM_AUTH_NEVER.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE` for a key that cannot quote; `TPM_INVALID_PCR_INFO` for a
    /// bad selection; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key = 0x0100_0000;
    /// let mut s = tpm.oiap()?;
    /// s.set_secret([2; 20]);
    /// let sel = tpm_marshal::PcrSelection::new(3, &[0, 16]).unwrap_or_default();
    /// let quote = tpm.quote(key, &[7; 20], &sel, Some(tpm_client::Auth::keep(&mut s)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn quote(
        &mut self,
        key_handle: Handle,
        external_data: &Nonce,
        target_pcr: &PcrSelection,
        key_auth: Option<Auth<'_>>,
    ) -> Result<QuoteOut> {
        let input = QuoteIn {
            key_handle,
            external_data: *external_data,
            target_pcr: target_pcr.clone(),
        };
        self.call_auth::<Quote>(&input, &mut present([key_auth]))
    }

    /// Part 3, 16.4 TPM_PCR_Reset: resets the selected PCRs to their reset value, where the
    /// locality allows it (PC Client: PCR 16 and 23 from any locality).
    ///
    /// # Errors
    /// `TPM_NOTRESETABLE` for a PCR that is not resettable; `TPM_NOTLOCAL` when the
    /// locality may not reset it.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let sel = tpm_marshal::PcrSelection::new(3, &[16]).unwrap_or_default();
    /// tpm.pcr_reset(&sel)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn pcr_reset(&mut self, pcr_selection: &PcrSelection) -> Result<()> {
        self.call::<PcrReset>(&PcrResetIn {
            pcr_selection: pcr_selection.clone(),
        })
    }

    /// Part 3, 16.5 TPM_Quote2: a loaded signing key signs a TPM_PCR_INFO_SHORT view of
    /// the selected PCRs with the locality, and optionally the TPM version.
    ///
    /// # Arguments
    /// - `key_handle`, `external_data`, `target_pcr`, `key_auth`: as for
    ///   [`Client::quote`].
    /// - `add_version`: include TPM_CAP_VERSION_INFO in the signed data.
    ///
    /// # Errors
    /// As [`Client::quote`].
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key = 0x0100_0000;
    /// let sel = tpm_marshal::PcrSelection::new(3, &[16]).unwrap_or_default();
    /// let quote = tpm.quote2(key, &[7; 20], &sel, true, None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn quote2(
        &mut self,
        key_handle: Handle,
        external_data: &Nonce,
        target_pcr: &PcrSelection,
        add_version: bool,
        key_auth: Option<Auth<'_>>,
    ) -> Result<Quote2Out> {
        let input = Quote2In {
            key_handle,
            external_data: *external_data,
            target_pcr: target_pcr.clone(),
            add_version,
        };
        self.call_auth::<Quote2>(&input, &mut present([key_auth]))
    }
}
