//! Part 3, 23 Timing ticks.

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::timing::{GetTicks, TickStampBlob, TickStampBlobIn, TickStampBlobOut};
use tpm_marshal::{CurrentTicks, Digest, Handle, Nonce};

impl<T: Transport> Client<T> {
    /// Part 3, 23.1 TPM_GetTicks: the tick counter, its rate and the tick session nonce.
    ///
    /// # Errors
    /// Transport and framing errors only, in practice.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let ticks = tpm.get_ticks()?;
    /// println!("{} ticks of {} us", ticks.current_ticks, ticks.tick_rate);
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_ticks(&mut self) -> Result<CurrentTicks> {
        Ok(self.call::<GetTicks>(&())?.current_time)
    }

    /// Part 3, 23.2 TPM_TickStampBlob: a signing key signs a digest with the current
    /// ticks (a TPM_SIGN_INFO with fixed "TSTP").
    ///
    /// # Arguments
    /// - `key_handle`: a loaded signing key; `anti_replay`: the verifier's nonce.
    /// - `digest_to_stamp`: the digest to time-stamp.
    /// - `key_auth`: a session for the key, or `None` for TPM_AUTH_NEVER.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE` for a key that cannot sign; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key = 0x0100_0000;
    /// let stamp = tpm.tick_stamp_blob(key, &[1; 20], &[2; 20], None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn tick_stamp_blob(
        &mut self,
        key_handle: Handle,
        anti_replay: &Nonce,
        digest_to_stamp: &Digest,
        key_auth: Option<Auth<'_>>,
    ) -> Result<TickStampBlobOut> {
        let input = TickStampBlobIn {
            key_handle,
            anti_replay: *anti_replay,
            digest_to_stamp: *digest_to_stamp,
        };
        self.call_auth::<TickStampBlob>(&input, &mut present([key_auth]))
    }
}
