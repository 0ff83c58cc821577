//! Part 3, 4 Admin testing.

use crate::client::Client;
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::testing::{ContinueSelfTest, GetTestResult, SelfTestFull};

impl<T: Transport> Client<T> {
    /// Part 3, 4.1 TPM_SelfTestFull: tests every TPM function now.
    ///
    /// # Errors
    /// `TPM_FAILEDSELFTEST` when a test fails (the TPM enters failure mode).
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.self_test_full()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn self_test_full(&mut self) -> Result<()> {
        self.call::<SelfTestFull>(&())
    }

    /// Part 3, 4.2 TPM_ContinueSelfTest: tests the functions not tested at start-up.
    ///
    /// # Errors
    /// `TPM_FAILEDSELFTEST` when a test fails.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.continue_self_test()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn continue_self_test(&mut self) -> Result<()> {
        self.call::<ContinueSelfTest>(&())
    }

    /// Part 3, 4.3 TPM_GetTestResult: the vendor-specific outcome of the last self-test.
    ///
    /// # Errors
    /// Transport and framing errors only, in practice.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let vendor_bytes = tpm.get_test_result()?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_test_result(&mut self) -> Result<Vec<u8>> {
        Ok(self.call::<GetTestResult>(&())?.out_data.0)
    }
}
