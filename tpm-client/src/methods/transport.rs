//! Part 3, 24 Transport sessions: a session that wraps other commands, authorizing
//! (and, on TPMs that support it, logging) each of them.
//!
//! Only unencrypted transport sessions are supported here: `TPM_TRANSPORT_ENCRYPT` needs
//! the wrapped parameters encrypted with MGF1 or AES, which this client does not do.

use super::present;
use crate::client::{
    decode_response, encode_command, out_param_digest, parse_response, Auth, Client,
};
use crate::error::{Error, Result};
use crate::session::{sha1, AuthSession, SessionKind};
use crate::transport::Transport;
use tpm_marshal::commands::transport::{
    EstablishTransport, EstablishTransportIn, EstablishTransportOut, ExecuteTransportIn,
    ExecuteTransportOut, ReleaseTransportSigned, ReleaseTransportSignedIn,
    ReleaseTransportSignedOut,
};
use tpm_marshal::framing::{CommandFrame, Header, ResponseFrame};
use tpm_marshal::{
    AuthData, Command, Digest, Handle, Marshal, Nonce, Ordinal, ReturnCode, TransportPublic,
    Unmarshal,
};

/// What TPM_ExecuteTransport reports besides the wrapped response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportReport {
    /// `currentTicks`: the tick counter when the wrapped command ran.
    pub current_ticks: u64,
    /// `locality`: the locality of the command.
    pub locality: u32,
}

/// Part 3, 24.2: the transport session's inParamDigest, SHA1(ordinal || wrappedCmdSize ||
/// H1) with H1 the wrapped command's own inParamDigest.
fn execute_in_digest(wrapped_size: u32, h1: &Digest) -> Digest {
    sha1(&[
        &Ordinal::TPM_ORD_ExecuteTransport.0.to_be_bytes(),
        &wrapped_size.to_be_bytes(),
        h1,
    ])
}

/// Part 3, 24.2: the transport session's outParamDigest, SHA1(returnCode || ordinal ||
/// currentTicks || locality || wrappedRspSize || H2) with H2 the wrapped response's own
/// outParamDigest.
fn execute_out_digest(out: &ExecuteTransportOut, h2: &Digest) -> Result<Digest> {
    let size = u32::try_from(out.wrapped_rsp.0.len())
        .map_err(|_| Error::Malformed("wrapped response too large".into()))?;
    Ok(sha1(&[
        &ReturnCode::TPM_SUCCESS.0.to_be_bytes(),
        &Ordinal::TPM_ORD_ExecuteTransport.0.to_be_bytes(),
        &out.current_ticks.to_be_bytes(),
        &out.locality.to_be_bytes(),
        &size.to_be_bytes(),
        h2,
    ]))
}

/// H2, the wrapped response's outParamDigest; for a failed wrapped command (no output
/// parameters) SHA1(returnCode || ordinal).
fn wrapped_out_digest<W: Command>(wrapped_rsp: &[u8]) -> Result<Digest> {
    let header = Header::peek(wrapped_rsp)?;
    if header.code != ReturnCode::TPM_SUCCESS.0 {
        return Ok(sha1(&[
            &header.code.to_be_bytes(),
            &W::ORDINAL.0.to_be_bytes(),
        ]));
    }
    let frame = ResponseFrame::parse(wrapped_rsp).map_err(|e| Error::Malformed(e.to_string()))?;
    Ok(out_param_digest::<W>(&frame))
}

impl<T: Transport> Client<T> {
    /// Part 3, 24.1 TPM_EstablishTransport: opens a transport session. Returns the session
    /// (keyed with `trans_auth`, for [`Client::execute_transport`]) and the TPM's report.
    ///
    /// # Arguments
    /// - `enc_handle`: `TPM_KH_TRANSPORT` to send the secret in the clear, or a loaded
    ///   key that decrypts it.
    /// - `trans_public`: the session's attributes (no `TPM_TRANSPORT_ENCRYPT`, see the
    ///   module docs), algorithm and scheme.
    /// - `secret`: what goes on the wire: `trans_auth` itself for `TPM_KH_TRANSPORT`, else
    ///   `trans_auth` encrypted to `enc_handle`.
    /// - `trans_auth`: the session's authorization value.
    /// - `key_auth`: a session for `enc_handle`, or `None`.
    ///
    /// # Errors
    /// `TPM_BAD_SCHEME` for an unsupported encryption; `TPM_RESOURCES`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{AlgorithmId, EncScheme, KeyHandle, TransportAttributes, TransportPublic};
    /// let public = TransportPublic {
    ///     trans_attributes: TransportAttributes(0),
    ///     alg_id: AlgorithmId::TPM_ALG_MGF1,
    ///     enc_scheme: EncScheme::TPM_ES_NONE,
    /// };
    /// let secret = [7u8; 20];
    /// let (session, report) = tpm.establish_transport(KeyHandle::TPM_KH_TRANSPORT.0, &public, &secret, &secret, None)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn establish_transport(
        &mut self,
        enc_handle: Handle,
        trans_public: &TransportPublic,
        secret: &[u8],
        trans_auth: &AuthData,
        key_auth: Option<Auth<'_>>,
    ) -> Result<(AuthSession, EstablishTransportOut)> {
        let input = EstablishTransportIn {
            enc_handle,
            trans_public: trans_public.clone(),
            secret: secret.into(),
        };
        let out = self.call_auth::<EstablishTransport>(&input, &mut present([key_auth]))?;
        let session = AuthSession::new(
            SessionKind::Transport,
            out.trans_handle,
            out.trans_nonce_even,
            *trans_auth,
        )?;
        Ok((session, out))
    }

    /// Part 3, 24.2 TPM_ExecuteTransport: runs command `W` inside a transport session.
    /// The wrapped command carries its own sessions (`wrapped_auths`, verified as usual);
    /// the transport session's HMAC covers the wrapped command's and response's parameter
    /// digests.
    ///
    /// # Arguments
    /// - `wrapped_in`: the wrapped command's parameters.
    /// - `wrapped_auths`: the wrapped command's sessions (may be empty).
    /// - `transport`: the transport session from [`Client::establish_transport`].
    ///
    /// Returns the wrapped command's result and the ticks and locality.
    ///
    /// # Errors
    /// The wrapped command's errors; `TPM_WRONGPCRVAL`, `TPM_BAD_PARAMETER` for a command
    /// that may not be wrapped; `TPM_AUTHFAIL` for the transport session.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (mut session, _) = tpm.establish_transport(0x4000_0003, &tpm_marshal::TransportPublic {
    /// #     trans_attributes: tpm_marshal::TransportAttributes(0), alg_id: tpm_marshal::AlgorithmId::TPM_ALG_MGF1,
    /// #     enc_scheme: tpm_marshal::EncScheme::TPM_ES_NONE }, &[7; 20], &[7; 20], None)?;
    /// use tpm_marshal::commands::crypto::{GetRandom, GetRandomIn};
    /// let (random, report) = tpm.execute_transport::<GetRandom>(
    ///     &GetRandomIn { bytes_requested: 16 }, &mut [], tpm_client::Auth::keep(&mut session))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn execute_transport<W: Command>(
        &mut self,
        wrapped_in: &W::In,
        wrapped_auths: &mut [Auth<'_>],
        mut transport: Auth<'_>,
    ) -> Result<(W::Out, TransportReport)> {
        let (wrapped_cmd, h1) = encode_command::<W>(wrapped_in, wrapped_auths)?;
        let size = u32::try_from(wrapped_cmd.len())
            .map_err(|_| Error::Usage("wrapped command too large".into()))?;
        let trailer = transport
            .session
            .authorize(&execute_in_digest(size, &h1), transport.keep);
        let body = ExecuteTransportIn {
            wrapped_cmd: wrapped_cmd.into(),
        }
        .to_bytes()
        .map_err(Error::Encode)?;
        let command = CommandFrame::encode(Ordinal::TPM_ORD_ExecuteTransport, &body, &[trailer])
            .map_err(Error::Encode)?;
        let response = self.transmit(&command)?;
        let out = self.check_execute_transport::<W>(&response, &mut transport)?;
        let wrapped = decode_response::<W>(&out.wrapped_rsp.0, wrapped_auths)?;
        let report = TransportReport {
            current_ticks: out.current_ticks,
            locality: out.locality,
        };
        Ok((wrapped, report))
    }

    /// Checks a TPM_ExecuteTransport response and its transport HMAC; returns its
    /// parameters (the wrapped response still to be checked).
    fn check_execute_transport<W: Command>(
        &mut self,
        response: &[u8],
        transport: &mut Auth<'_>,
    ) -> Result<ExecuteTransportOut> {
        let frame = parse_response(response).inspect_err(|e| {
            if e.code().is_some() {
                transport.session.close();
            }
        })?;
        let [trailer] = frame.auths.as_slice() else {
            return Err(Error::Malformed(
                "TPM_ExecuteTransport needs one trailer".into(),
            ));
        };
        let out = ExecuteTransportOut::from_bytes(frame.body)?;
        let h2 = wrapped_out_digest::<W>(&out.wrapped_rsp.0)?;
        transport
            .session
            .verify(&execute_out_digest(&out, &h2)?, trailer)?;
        Ok(out)
    }

    /// Part 3, 24.3 TPM_ReleaseTransportSigned: closes a transport session with a
    /// signature by `key_handle` over the session's log digest (a TPM_SIGN_INFO with
    /// fixed "TRAN").
    ///
    /// # Arguments
    /// - `key_handle`: a loaded signing key; `anti_replay`: the verifier's nonce.
    /// - `key_auth`: a session for the key (`None` for TPM_AUTH_NEVER).
    /// - `transport`: the transport session (closed afterwards).
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE`; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (mut session, _) = tpm.establish_transport(0x4000_0003, &tpm_marshal::TransportPublic {
    /// #     trans_attributes: tpm_marshal::TransportAttributes(0), alg_id: tpm_marshal::AlgorithmId::TPM_ALG_MGF1,
    /// #     enc_scheme: tpm_marshal::EncScheme::TPM_ES_NONE }, &[7; 20], &[7; 20], None)?;
    /// # let key = 0x0100_0000;
    /// let out = tpm.release_transport_signed(key, &[1; 20], None, tpm_client::Auth::last(&mut session))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn release_transport_signed(
        &mut self,
        key_handle: Handle,
        anti_replay: &Nonce,
        key_auth: Option<Auth<'_>>,
        transport: Auth<'_>,
    ) -> Result<ReleaseTransportSignedOut> {
        let input = ReleaseTransportSignedIn {
            key_handle,
            anti_replay: *anti_replay,
        };
        self.call_auth::<ReleaseTransportSigned>(&input, &mut present([key_auth, Some(transport)]))
    }
}
