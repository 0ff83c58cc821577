//! What a subcommand can fail with, and how it is shown: `tpm: TPM_AUTHFAIL: ...`.

use std::fmt;
use std::path::Path;

/// A failed subcommand.
#[derive(Debug)]
pub enum Error {
    /// The TPM or the client library said no.
    Client(tpm_client::Error),
    /// The command line asks for something impossible.
    Usage(String),
    /// A file could not be read or written.
    File(String, std::io::Error),
}

/// Shorthand for subcommand results.
pub type Result<T, E = Error> = core::result::Result<T, E>;

impl From<tpm_client::Error> for Error {
    fn from(e: tpm_client::Error) -> Self {
        Self::Client(e)
    }
}

impl From<tpm_marshal::MarshalError> for Error {
    fn from(e: tpm_marshal::MarshalError) -> Self {
        Self::Usage(format!("malformed input: {e}"))
    }
}

impl Error {
    /// A usage error.
    pub fn usage(msg: impl Into<String>) -> Self {
        Self::Usage(msg.into())
    }

    /// A file error naming `path`.
    pub fn file(path: &Path, e: std::io::Error) -> Self {
        Self::File(path.display().to_string(), e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Client(tpm_client::Error::Tpm {
                code,
                name,
                description,
            }) => write!(f, "{name}: {description} ({:#x})", code.0),
            Self::Client(e) => write!(f, "{e}"),
            Self::Usage(msg) => write!(f, "{msg}"),
            Self::File(path, e) => write!(f, "{path}: {e}"),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    use tpm_marshal::ReturnCode;

    #[test]
    fn a_tpm_error_starts_with_its_spec_name() {
        let e = Error::from(tpm_client::Error::tpm(ReturnCode::TPM_AUTHFAIL));
        assert!(e.to_string().starts_with("TPM_AUTHFAIL: "), "{e}");
    }
}
