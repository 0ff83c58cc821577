//! [`connect`]: a transport for any [`TpmUri`].

use crate::error::Result;
use crate::transport::{DeviceTransport, TcpTransport, Transport, UnixTransport};
use crate::uri::TpmUri;

/// Opens a transport to the TPM at `uri`. `mem:` and `dir:` need the feature
/// `in-process`; a `dir:` TPM saves its volatile state when the transport is dropped.
///
/// # Errors
/// [`crate::Error::Io`] when the TPM cannot be reached (or its folder opened);
/// [`crate::Error::Usage`] for an in-process URI without the feature.
///
/// # Example
/// ```no_run
/// let uri = tpm_client::TpmUri::parse("127.0.0.1:6545")?;
/// let mut tpm = tpm_client::Client::new(tpm_client::connect(&uri)?);
/// let random = tpm.get_random(8)?;
/// # Ok::<(), tpm_client::Error>(())
/// ```
pub fn connect(uri: &TpmUri) -> Result<Box<dyn Transport>> {
    Ok(match uri {
        TpmUri::Tcp(addr) => Box::new(TcpTransport::connect(addr)?),
        TpmUri::Unix(path) => Box::new(UnixTransport::connect(path)?),
        TpmUri::Device(path) => Box::new(DeviceTransport::open(path)?),
        TpmUri::SwtpmUnix { data, .. } => Box::new(UnixTransport::connect(data)?),
        TpmUri::Mem | TpmUri::Dir(_) => in_process(uri)?,
    })
}

#[cfg(feature = "in-process")]
fn in_process(uri: &TpmUri) -> Result<Box<dyn Transport>> {
    use crate::in_process::InProcessTransport;
    match uri {
        TpmUri::Dir(path) => Ok(Box::new(InProcessTransport::open_dir(path)?)),
        _ => Ok(Box::new(InProcessTransport::open_mem()?)),
    }
}

#[cfg(not(feature = "in-process"))]
fn in_process(uri: &TpmUri) -> Result<Box<dyn Transport>> {
    Err(crate::Error::Usage(format!(
        "{uri:?} needs tpm-client's feature `in-process`"
    )))
}
