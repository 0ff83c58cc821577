//! Part 3, 25 Monotonic counters.

use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::counters::{
    CreateCounter, CreateCounterIn, CreateCounterOut, IncrementCounter, IncrementCounterIn,
    ReadCounter, ReadCounterIn, ReleaseCounter, ReleaseCounterIn, ReleaseCounterOwner,
    ReleaseCounterOwnerIn,
};
use tpm_marshal::{AuthData, CounterValue};

impl<T: Transport> Client<T> {
    /// Part 3, 25.1 TPM_CreateCounter: the owner creates a monotonic counter.
    ///
    /// # Arguments
    /// - `new_auth`: the counter's secret, in the clear (ADIP-encrypted here with
    ///   `owner`'s session).
    /// - `label`: four bytes naming the counter.
    /// - `owner`: an OSAP session for the owner.
    ///
    /// Returns the counter's id and its starting value.
    ///
    /// # Errors
    /// `TPM_TOOMANYCONTEXTS` / `TPM_NOSPACE` when every counter slot is taken;
    /// `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.osap(tpm_marshal::EntityType::TPM_ET_OWNER, 0, &[1; 20])?;
    /// let out = tpm.create_counter(&[5; 20], *b"boot", tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn create_counter(
        &mut self,
        new_auth: &AuthData,
        label: [u8; 4],
        owner: Auth<'_>,
    ) -> Result<CreateCounterOut> {
        let input = CreateCounterIn {
            enc_auth: owner.session.encrypt_auth(new_auth),
            label,
        };
        self.call_auth::<CreateCounter>(&input, &mut [owner])
    }

    /// Part 3, 25.2 TPM_IncrementCounter: increments a counter (at most one counter
    /// per TPM_Startup). Returns the new value.
    ///
    /// # Arguments
    /// - `count_id`: the counter; `counter_auth`: a session keyed with its secret.
    ///
    /// # Errors
    /// `TPM_BAD_COUNTER` for an unknown counter; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut s = tpm.oiap()?;
    /// s.set_secret([5; 20]);
    /// let value = tpm.increment_counter(1, tpm_client::Auth::last(&mut s))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn increment_counter(
        &mut self,
        count_id: u32,
        counter_auth: Auth<'_>,
    ) -> Result<CounterValue> {
        let input = IncrementCounterIn { count_id };
        Ok(self
            .call_auth::<IncrementCounter>(&input, &mut [counter_auth])?
            .count)
    }

    /// Part 3, 25.3 TPM_ReadCounter: reads a counter (no authorization).
    ///
    /// # Errors
    /// `TPM_BAD_COUNTER` for an unknown counter.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let value = tpm.read_counter(1)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn read_counter(&mut self, count_id: u32) -> Result<CounterValue> {
        Ok(self.call::<ReadCounter>(&ReadCounterIn { count_id })?.count)
    }

    /// Part 3, 25.4 TPM_ReleaseCounter: releases a counter with its own secret.
    ///
    /// # Errors
    /// `TPM_BAD_COUNTER`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut s = tpm.oiap()?;
    /// s.set_secret([5; 20]);
    /// tpm.release_counter(1, tpm_client::Auth::last(&mut s))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn release_counter(&mut self, count_id: u32, counter_auth: Auth<'_>) -> Result<()> {
        self.call_auth::<ReleaseCounter>(&ReleaseCounterIn { count_id }, &mut [counter_auth])
    }

    /// Part 3, 25.5 TPM_ReleaseCounterOwner: the owner releases a counter.
    ///
    /// # Errors
    /// `TPM_BAD_COUNTER`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// tpm.release_counter_owner(1, tpm_client::Auth::last(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn release_counter_owner(&mut self, count_id: u32, owner: Auth<'_>) -> Result<()> {
        self.call_auth::<ReleaseCounterOwner>(&ReleaseCounterOwnerIn { count_id }, &mut [owner])
    }
}
