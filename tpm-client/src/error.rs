//! Errors in two levels: the TPM said no (a return code with its spec name), or the
//! library could not get an answer (transport, framing, a response that fails its HMAC).

use tpm_marshal::{MarshalError, ReturnCode};

/// Everything a client call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The TPM answered with a non-zero return code.
    #[error("TPM error {name} ({:#x}): {description}", code.0)]
    Tpm {
        /// The return code.
        code: ReturnCode,
        /// Its spec name (`TPM_AUTHFAIL`), or `TPM_UNKNOWN_ERROR`.
        name: &'static str,
        /// What it means.
        description: &'static str,
    },
    /// The transport failed (connection refused, closed, timed out ...).
    #[error("transport: {0}")]
    Io(#[from] std::io::Error),
    /// The bytes we got back are not a well-formed response.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// A request could not be encoded (a field outgrew its size).
    #[error("cannot encode the request: {0}")]
    Encode(MarshalError),
    /// The response HMAC did not verify: the answer is not from the TPM we share the
    /// secret with, or was altered. Its content must not be used.
    #[error("response authorisation of session {0:#x} does not verify")]
    ResponseAuth(u32),
    /// A signature, quote or checksum the TPM returned does not verify.
    #[error("verification failed: {0}")]
    Verification(&'static str),
    /// A caller-side mistake (bad URI, wrong number of sessions ...).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// The error for a TPM return code.
    pub fn tpm(code: ReturnCode) -> Self {
        Self::Tpm {
            code,
            name: code.name().unwrap_or("TPM_UNKNOWN_ERROR"),
            description: describe(code),
        }
    }

    /// The TPM return code, if the TPM said no.
    pub fn code(&self) -> Option<ReturnCode> {
        match self {
            Self::Tpm { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// A short meaning of a return code, for messages.
fn describe(code: ReturnCode) -> &'static str {
    match code {
        ReturnCode::TPM_AUTHFAIL => "authorisation failed",
        ReturnCode::TPM_BAD_ORDINAL => "the TPM does not implement this command",
        ReturnCode::TPM_BAD_PARAMETER => "a parameter is out of range",
        ReturnCode::TPM_BAD_PARAM_SIZE => "a parameter has the wrong size",
        ReturnCode::TPM_BADTAG => "the command tag is not accepted for this command",
        ReturnCode::TPM_DISABLED => "the TPM is disabled",
        ReturnCode::TPM_DEACTIVATED => "the TPM is deactivated",
        ReturnCode::TPM_INVALID_POSTINIT => "the TPM needs TPM_Startup first",
        ReturnCode::TPM_DEFEND_LOCK_RUNNING => "dictionary-attack lockout is active",
        ReturnCode::TPM_NOSPACE => "no room left",
        ReturnCode::TPM_RESOURCES => "no free resource slot",
        ReturnCode::TPM_WRONGPCRVAL => "the PCRs do not match",
        _ => "see TPM Main Part 2, section 16",
    }
}

impl From<MarshalError> for Error {
    fn from(e: MarshalError) -> Self {
        Self::Malformed(e.to_string())
    }
}

/// Shorthand for client results.
pub type Result<T, E = Error> = core::result::Result<T, E>;
