//! `Client<T>`: sends typed commands over a transport, with or without sessions.

use crate::error::{Error, Result};
use crate::session::{sha1, AuthSession};
use crate::transport::Transport;
use tpm_marshal::framing::{CommandFrame, Header, ResponseFrame};
use tpm_marshal::{Command, Digest, Marshal, ReturnCode, Unmarshal};

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
    ///
    /// # Example
    /// ```no_run
    /// let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn new(transport: T) -> Self {
        Self { transport }
    }

    /// The transport (to reconfigure it, or reach swtpm's control channel beside it).
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let transport: &mut tpm_client::TcpTransport = tpm.transport();
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn transport(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Sends raw command bytes and returns the raw response, unchecked (for tests and
    /// tools that speak the wire format themselves).
    ///
    /// # Errors
    /// Transport errors only: the response is not parsed.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// // TPM_GetRandom(4), written by hand.
    /// let response = tpm.transmit(&[0, 0xc1, 0, 0, 0, 14, 0, 0, 0, 0x46, 0, 0, 0, 4])?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>> {
        self.transport.transmit(command)
    }

    /// Sends `C` without authorization (Part 1, 13: TPM_TAG_RQU_COMMAND) and decodes its
    /// response; the typed methods of [`crate::methods`] are built on it.
    ///
    /// # Errors
    /// [`Error::Tpm`] for a non-zero return code; [`Error::Malformed`] for a response that
    /// does not decode as `C::Out`; transport errors.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::commands::integrity::{PcrRead, PcrReadIn};
    /// let pcr = tpm.call::<PcrRead>(&PcrReadIn { pcr_index: 0 })?.out_digest;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn call<C: Command>(&mut self, input: &C::In) -> Result<C::Out> {
        self.call_auth::<C>(input, &mut [])
    }

    /// Sends `C` with 0, 1 or 2 authorization sessions, verifies each response HMAC and
    /// rolls the nonces. Part 1, 13.6: the digests cover the ordinal and the parameters
    /// after the handles (inParamDigest), and the return code, ordinal and output
    /// parameters after the handles (outParamDigest).
    ///
    /// # Errors
    /// [`Error::Tpm`] for a non-zero return code (the TPM closed the sessions, and so
    /// does this call); [`Error::ResponseAuth`] when a response HMAC does not verify (the
    /// answer is discarded); [`Error::Malformed`]; transport errors.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::commands::crypto::{Sign, SignIn};
    /// let mut s = tpm.oiap()?;
    /// s.set_secret([2; 20]);
    /// let input = SignIn { key_handle: 0x0100_0000, area_to_sign: vec![0; 20].into() };
    /// let sig = tpm.call_auth::<Sign>(&input, &mut [tpm_client::Auth::keep(&mut s)])?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn call_auth<C: Command>(
        &mut self,
        input: &C::In,
        auths: &mut [Auth<'_>],
    ) -> Result<C::Out> {
        let (command, _) = encode_command::<C>(input, auths)?;
        let response = self.transport.transmit(&command)?;
        decode_response::<C>(&response, auths)
    }
}

/// The command frame of `C` with one trailer per session, and its inParamDigest.
pub(crate) fn encode_command<C: Command>(
    input: &C::In,
    auths: &[Auth<'_>],
) -> Result<(Vec<u8>, Digest)> {
    let body = input.to_bytes().map_err(Error::Encode)?;
    let params = body.get(4 * C::IN_HANDLES..).unwrap_or_default();
    let in_digest = sha1(&[&C::ORDINAL.0.to_be_bytes(), params]);
    let trailers: Vec<_> = auths
        .iter()
        .map(|a| a.session.authorize(&in_digest, a.keep))
        .collect();
    let command = CommandFrame::encode(C::ORDINAL, &body, &trailers).map_err(Error::Encode)?;
    Ok((command, in_digest))
}

/// The outParamDigest of a response to `C`: SHA1(returnCode || ordinal || parameters
/// after the output handles).
pub(crate) fn out_param_digest<C: Command>(frame: &ResponseFrame<'_>) -> Digest {
    let out_params = frame.body.get(4 * C::OUT_HANDLES..).unwrap_or_default();
    sha1(&[
        &frame.return_code.0.to_be_bytes(),
        &C::ORDINAL.0.to_be_bytes(),
        out_params,
    ])
}

/// Splits a response frame, naming what is wrong with it. A non-zero return code is
/// [`Error::Tpm`] whatever the tag: an error response carries no trailers, but some TPMs
/// (libtpms for an ordinal it lacks) still tag it TPM_TAG_RSP_AUTH1_COMMAND.
pub(crate) fn parse_response(response: &[u8]) -> Result<ResponseFrame<'_>> {
    let header = Header::peek(response)?;
    if header.code != ReturnCode::TPM_SUCCESS.0 {
        return Err(Error::tpm(ReturnCode(header.code)));
    }
    ResponseFrame::parse(response).map_err(|e| Error::Malformed(e.to_string()))
}

/// Checks a response to `C`: a non-zero return code is [`Error::Tpm`] (the TPM closed the
/// sessions); otherwise every trailer must verify before the parameters are decoded.
pub(crate) fn decode_response<C: Command>(
    response: &[u8],
    auths: &mut [Auth<'_>],
) -> Result<C::Out> {
    let frame = match parse_response(response) {
        Ok(frame) => frame,
        Err(e) => {
            if e.code().is_some() {
                // The TPM terminates the sessions of a failed command.
                for a in auths.iter_mut() {
                    a.session.close();
                }
            }
            return Err(e);
        }
    };
    if frame.auths.len() != auths.len() {
        return Err(Error::Malformed(format!(
            "{} auth trailers for {} sessions",
            frame.auths.len(),
            auths.len()
        )));
    }
    if !auths.is_empty() {
        let out_digest = out_param_digest::<C>(&frame);
        for (a, out) in auths.iter_mut().zip(&frame.auths) {
            a.session.verify(&out_digest, out)?;
        }
    }
    Ok(C::Out::from_bytes(frame.body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_response_tagged_auth1_is_a_tpm_error() {
        // libtpms answers an ordinal it lacks with TPM_TAG_RSP_AUTH1_COMMAND and no trailer.
        let response = [0x00, 0xc5, 0, 0, 0, 10, 0, 0, 0, 0x0a];
        let err = parse_response(&response).unwrap_err();
        assert_eq!(err.code(), Some(ReturnCode::TPM_BAD_ORDINAL), "{err}");
    }

    #[test]
    fn a_success_response_missing_its_trailer_is_malformed() {
        let response = [0x00, 0xc5, 0, 0, 0, 10, 0, 0, 0, 0];
        assert!(matches!(
            parse_response(&response),
            Err(Error::Malformed(_))
        ));
    }
}
