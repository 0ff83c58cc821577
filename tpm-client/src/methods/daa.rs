//! Part 3, 26 Direct anonymous attestation: the two stage-driven commands, as the raw
//! exchange the DAA protocol defines (the protocol itself is the caller's).

use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::daa::{DaaJoin, DaaJoinIn, DaaSign, DaaSignIn};
use tpm_marshal::Handle;

impl<T: Transport> Client<T> {
    /// Part 3, 26.1 TPM_DAA_Join: one stage of the DAA join protocol.
    ///
    /// # Arguments
    /// - `handle`: the DAA session (`TPM_RT_DAA_TPM`; ignored at stage 0).
    /// - `stage`: the protocol stage; `input_data0`, `input_data1`: its inputs.
    /// - `owner`: a session for the owner.
    ///
    /// # Errors
    /// `TPM_DAA_STAGE`, `TPM_DAA_INPUT_DATA0` ... for protocol errors; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let out = tpm.daa_join(0, 0, &1u32.to_be_bytes(), &[], tpm_client::Auth::keep(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn daa_join(
        &mut self,
        handle: Handle,
        stage: u8,
        input_data0: &[u8],
        input_data1: &[u8],
        owner: Auth<'_>,
    ) -> Result<Vec<u8>> {
        let input = DaaJoinIn {
            handle,
            stage,
            input_data0: input_data0.into(),
            input_data1: input_data1.into(),
        };
        Ok(self
            .call_auth::<DaaJoin>(&input, &mut [owner])?
            .output_data
            .0)
    }

    /// Part 3, 26.2 TPM_DAA_Sign: one stage of the DAA sign protocol.
    ///
    /// # Arguments
    /// As [`Client::daa_join`].
    ///
    /// # Errors
    /// As [`Client::daa_join`].
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let mut owner = tpm.oiap()?;
    /// owner.set_secret([1; 20]);
    /// let out = tpm.daa_sign(0, 0, &[], &[], tpm_client::Auth::keep(&mut owner))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn daa_sign(
        &mut self,
        handle: Handle,
        stage: u8,
        input_data0: &[u8],
        input_data1: &[u8],
        owner: Auth<'_>,
    ) -> Result<Vec<u8>> {
        let input = DaaSignIn {
            handle,
            stage,
            input_data0: input_data0.into(),
            input_data1: input_data1.into(),
        };
        Ok(self
            .call_auth::<DaaSign>(&input, &mut [owner])?
            .output_data
            .0)
    }
}
