//! A session that closes itself: [`SessionGuard`] flushes its session from the TPM when
//! dropped, so an early return cannot leak a session slot.

use crate::client::{Auth, Client};
use crate::session::AuthSession;
use crate::transport::Transport;

/// A client borrowed together with one of its sessions; dropping it flushes the session
/// (TPM_FlushSpecific) if the TPM still holds it. A failed flush on drop is ignored (the
/// TPM frees its sessions at the next TPM_Startup anyway).
///
/// # Example
/// ```no_run
/// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
/// let mut session = tpm.oiap()?;
/// session.set_secret([2; 20]);
/// let mut guard = tpm_client::SessionGuard::new(&mut tpm, session);
/// let (tpm, auth) = guard.parts();
/// let sig = tpm.sign(0x0100_0000, &[0; 20], Some(auth))?;
/// drop(guard); // TPM_FlushSpecific(TPM_RT_AUTH)
/// # Ok::<(), tpm_client::Error>(())
/// ```
#[derive(Debug)]
pub struct SessionGuard<'c, T: Transport> {
    client: &'c mut Client<T>,
    session: AuthSession,
}

impl<'c, T: Transport> SessionGuard<'c, T> {
    /// Guards `session`, opened on `client`.
    pub fn new(client: &'c mut Client<T>, session: AuthSession) -> Self {
        Self { client, session }
    }

    /// The client, and an [`Auth`] that keeps the session open, for one call.
    pub fn parts(&mut self) -> (&mut Client<T>, Auth<'_>) {
        (self.client, Auth::keep(&mut self.session))
    }

    /// The session (to re-key it, or to use it with `Auth::last`).
    pub fn session(&mut self) -> &mut AuthSession {
        &mut self.session
    }

    /// The client, for calls that do not use the session.
    pub fn client(&mut self) -> &mut Client<T> {
        self.client
    }
}

impl<T: Transport> Drop for SessionGuard<'_, T> {
    fn drop(&mut self) {
        if self.session.is_open() {
            self.session.close();
            let handle = self.session.handle();
            let _ = self
                .client
                .flush_specific(handle, tpm_marshal::ResourceType::TPM_RT_AUTH);
        }
    }
}
