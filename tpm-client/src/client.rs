//! `Client<T>`: sends typed commands over a transport, with or without sessions.

use crate::error::{Error, Result};
use crate::session::{sha1, AuthSession};
use crate::transport::Transport;
use tpm_marshal::framing::{CommandFrame, ResponseFrame};
use tpm_marshal::{Command, Marshal, ReturnCode, Unmarshal};

/// One session's part in a command: the session and whether to keep it open.
#[derive(Debug)]
pub struct Auth<'a> {
    /// The session.
    pub session: &'a mut AuthSession,
    /// continueAuthSession.
    pub keep: bool,
}

impl<'a> Auth<'a> {
    /// Use `session` and keep it open afterwards.
    pub fn keep(session: &'a mut AuthSession) -> Self {
        Self {
            session,
            keep: true,
        }
    }

    /// Use `session` and let the TPM close it afterwards.
    pub fn last(session: &'a mut AuthSession) -> Self {
        Self {
            session,
            keep: false,
        }
    }
}

/// A TPM 1.2 client over any [`Transport`].
#[derive(Debug)]
pub struct Client<T> {
    transport: T,
}

impl<T: Transport> Client<T> {
    /// A client over `transport`.
    pub fn new(transport: T) -> Self {
        Self { transport }
    }

    /// The transport.
    pub fn transport(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Sends raw command bytes and returns the raw response.
    pub fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        self.transport.transmit(command)
    }

    /// Sends `C` without authorization.
    pub fn call<C: Command>(&mut self, input: &C::In) -> Result<C::Out> {
        self.call_auth::<C>(input, &mut [])
    }

    /// Sends `C` with 0, 1 or 2 authorization sessions, verifies each response HMAC and
    /// rolls the nonces. Part 1, 13.6: the digests cover the ordinal and the parameters
    /// after the handles (inParamDigest), and the return code, ordinal and output
    /// parameters after the handles (outParamDigest).
    pub fn call_auth<C: Command>(
        &mut self,
        input: &C::In,
        auths: &mut [Auth<'_>],
    ) -> Result<C::Out> {
        let body = input.to_bytes().map_err(Error::Encode)?;
        let params = body.get(4 * C::IN_HANDLES..).unwrap_or_default();
        let in_digest = sha1(&[&C::ORDINAL.0.to_be_bytes(), params]);
        let trailers: Vec<_> = auths
            .iter()
            .map(|a| a.session.authorize(&in_digest, a.keep))
            .collect();
        let command = CommandFrame::encode(C::ORDINAL, &body, &trailers).map_err(Error::Encode)?;
        let response = self.transport.transmit(&command)?;
        let frame = ResponseFrame::parse(&response).map_err(|e| Error::Malformed(e.to_string()))?;
        if frame.return_code != ReturnCode::TPM_SUCCESS {
            for a in auths.iter_mut() {
                a.session.close();
            }
            return Err(Error::tpm(frame.return_code));
        }
        if frame.auths.len() != auths.len() {
            return Err(Error::Malformed(format!(
                "{} auth trailers for {} sessions",
                frame.auths.len(),
                auths.len()
            )));
        }
        if !auths.is_empty() {
            let out_params = frame.body.get(4 * C::OUT_HANDLES..).unwrap_or_default();
            let out_digest = sha1(&[
                &frame.return_code.0.to_be_bytes(),
                &C::ORDINAL.0.to_be_bytes(),
                out_params,
            ]);
            for (a, out) in auths.iter_mut().zip(&frame.auths) {
                a.session.verify(&out_digest, out)?;
            }
        }
        Ok(C::Out::from_bytes(frame.body)?)
    }
}
