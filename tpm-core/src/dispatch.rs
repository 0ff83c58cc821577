//! The command pipeline, written once. Every ordinal goes through [`Tpm::execute`]:
//!
//! 1. Header: at least 10 bytes, paramSize equal to the bytes received, at most 4096 bytes,
//!    a request tag (TPM_BAD_PARAM_SIZE, TPM_BADTAG).
//! 2. Table lookup: ordinals not in [`TABLE`] answer TPM_BAD_ORDINAL.
//! 3. Gates: failure mode (TPM_FAILEDSELFTEST), postinit (TPM_INVALID_POSTINIT), limited
//!    self-test (an implicit TPM_ContinueSelfTest), disabled (TPM_DISABLED), deactivated
//!    (TPM_DEACTIVATED), physical presence (TPM_BAD_PRESENCE); a pending TPM_SaveState image
//!    is discarded by any ordinal but TPM_Startup.
//! 4. Tag: one the ordinal accepts (TPM_BADTAG); the auth trailers are split off the end.
//! 5. `In::unmarshal` and a trailing-byte check (the one [`MarshalError`] mapping).
//! 6. inParamDigest = SHA1(ordinal || parameters after the handles).
//! 7. One [`Tpm::verify_auth`] per trailer (TPM_AUTHFAIL / TPM_AUTH2FAIL).
//! 8. The handler, then `Out` marshalled.
//! 9. outParamDigest, response trailers with fresh nonceEven and continueAuthSession;
//!    sessions close on continueAuthSession = FALSE or on an error after a valid HMAC.
//! 10. Audit hook, then paramSize (written by the framing).
//!
//! [`MarshalError`]: tpm_marshal::MarshalError
//! [`TABLE`]: crate::table::TABLE

use crate::secret::Secret;
use crate::sessions::{self, SessionKind};
use crate::table::{self, Entry};
use crate::Tpm;
use tpm_marshal::framing::{self, AuthIn, AuthOut, ResponseFrame};
use tpm_marshal::{
    Command, Digest, EntityType, Marshal, Nonce, Ordinal, Reader, ReturnCode, Unmarshal, Writer,
};

/// An entity whose auth a session proves: its type, its handle (or TPM_KH_*), its secret.
#[derive(Debug, Clone)]
pub(crate) struct Entity {
    pub kind: EntityType,
    pub value: u32,
    pub auth: Secret,
    /// The session types the ordinal accepts for this entity (TPM_BAD_MODE otherwise).
    pub sessions: SessionTypes,
}

/// Which session types may authorize an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionTypes {
    /// OIAP or OSAP.
    Any,
    /// OIAP only (TPM_SetTempDeactivated, ...).
    Oiap,
}

/// What a handler sees of the command besides its parameters.
#[derive(Debug)]
pub(crate) struct Ctx {
    /// The locality the command arrived at (0..=4).
    pub locality: u8,
    /// The request's auth trailers.
    pub auths: Vec<AuthIn>,
    /// Per verified session: the HMAC key (entity auth or shared secret).
    keys: Vec<Secret>,
    /// Per verified session: the nonceEven the request was computed with.
    nonces_even: Vec<Nonce>,
    /// Per verified session: the OSAP shared secret, if it is an OSAP session.
    shared_secrets: Vec<Option<Secret>>,
    /// The parameters decoded (sessions are not touched by a command that failed to parse).
    parsed: bool,
}

impl Ctx {
    /// Number of auth sessions the command carries.
    pub fn auth_count(&self) -> usize {
        self.auths.len()
    }

    /// Part 1, 13.8: decrypts a new auth value sent under ADIP in session `i`
    /// (`second` selects the nonceOdd pad used for a second encrypted value).
    #[allow(dead_code)] // for the ordinals that take encAuth (ChangeAuth, CreateWrapKey ...)
    pub fn adip_decrypt(
        &self,
        i: usize,
        enc: &[u8; 20],
        second: bool,
    ) -> Result<Secret, ReturnCode> {
        let secret = self
            .shared_secrets
            .get(i)
            .and_then(Option::as_ref)
            .ok_or(ReturnCode::TPM_BAD_MODE)?;
        let nonce = if second {
            self.auths.get(i).map(|a| a.nonce_odd)
        } else {
            self.nonces_even.get(i).copied()
        }
        .ok_or(ReturnCode::TPM_FAIL)?;
        Ok(sessions::adip_xor(secret, &nonce, enc))
    }
}

/// An ordinal's handler: its [`Command`] types plus what to authorize and what to do.
pub(crate) trait Handler: Command {
    /// The entity auth session `i` must prove. Only called for ordinals whose table entry
    /// accepts auth tags.
    fn authorize(_tpm: &Tpm, _input: &Self::In, _i: usize) -> Result<Entity, ReturnCode> {
        Err(ReturnCode::TPM_FAIL)
    }

    /// The ordinal's actions (its Part 3 section), on decoded and authorized input.
    fn execute(tpm: &mut Tpm, cx: &mut Ctx, input: Self::In) -> Result<Self::Out, ReturnCode>;
}

/// Steps 5-8 for one handler type: decode, digest, authorize, run, encode. Returns the
/// output bytes (handles and parameters).
pub(crate) fn run<H: Handler>(
    tpm: &mut Tpm,
    cx: &mut Ctx,
    body: &[u8],
) -> Result<Vec<u8>, ReturnCode> {
    let mut r = Reader::new(body);
    let input = H::In::unmarshal(&mut r)
        .and_then(|v| r.finish().map(|()| v))
        .map_err(|e| e.return_code())?;
    cx.parsed = true;
    let digest = in_param_digest(H::ORDINAL, body, H::IN_HANDLES);
    for i in 0..cx.auths.len() {
        let entity = H::authorize(tpm, &input, i)?;
        tpm.verify_auth(cx, i, &entity, &digest)?;
    }
    let out = H::execute(tpm, cx, input)?;
    out.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)
}

/// Part 1, 13.6: SHA1(ordinal || parameters after the input handles).
fn in_param_digest(ordinal: Ordinal, body: &[u8], handles: usize) -> Digest {
    let params = body.get(handles * 4..).unwrap_or_default();
    sessions::sha1(&[&ordinal.0.to_be_bytes(), params])
}

/// SHA1(returnCode || ordinal || output parameters after the output handles).
fn out_param_digest(ordinal: Ordinal, out: &[u8], handles: usize) -> Digest {
    let params = out.get(handles * 4..).unwrap_or_default();
    sessions::sha1(&[&0u32.to_be_bytes(), &ordinal.0.to_be_bytes(), params])
}

impl Tpm {
    /// Runs one command and returns its response (Part 1, 13; Part 3).
    ///
    /// Never panics: every failure, including a malformed frame, is a well-formed
    /// 10-byte error response. `locality` is the locality the command arrived at (0..=4;
    /// anything else answers TPM_BAD_LOCALITY).
    pub fn execute(&mut self, locality: u8, command: &[u8]) -> Vec<u8> {
        let response = self.execute_inner(locality, command);
        if self.persist_if_dirty().is_err() {
            self.enter_failure_mode();
            return ResponseFrame::error(ReturnCode::TPM_FAIL);
        }
        response
    }

    fn execute_inner(&mut self, locality: u8, command: &[u8]) -> Vec<u8> {
        // 1. Header.
        let frame = match framing::CommandFrame::parse(command) {
            Ok(f) => f,
            Err(e) => return ResponseFrame::error(e.return_code()),
        };
        // 2. Table.
        let Some(entry) = table::lookup(frame.ordinal) else {
            return ResponseFrame::error(ReturnCode::TPM_BAD_ORDINAL);
        };
        // A locality beyond 4 does not exist; it must not borrow locality 4's rights.
        if locality > 4 {
            return ResponseFrame::error(ReturnCode::TPM_BAD_LOCALITY);
        }
        self.state.stany_flags.locality_modifier = u32::from(locality);
        self.clear_cancel();
        if !crate::ordinals::crypto::continues_sha1_session(entry.ordinal) {
            self.sha1_thread = None;
        }
        // 3. Gates.
        if let Err(rc) = self.gates(entry) {
            return ResponseFrame::error(rc);
        }
        // 4. Tag.
        if !entry.tags.accepts(frame.auths.len()) {
            return ResponseFrame::error(ReturnCode::TPM_BADTAG);
        }
        let mut cx = Ctx {
            locality,
            auths: frame.auths,
            keys: Vec::new(),
            nonces_even: Vec::new(),
            shared_secrets: Vec::new(),
            parsed: false,
        };
        // 5-8.
        let result = (entry.run)(self, &mut cx, frame.body);
        // 9-10.
        match result {
            Ok(out) => self.respond(entry, &cx, frame.body, &out),
            Err(rc) => {
                self.close_sessions_after_error(&cx);
                if cx.parsed {
                    self.audit(entry, frame.body, None, rc);
                }
                ResponseFrame::error(rc)
            }
        }
    }

    /// Step 3: the state gates that apply before the ordinal's own checks.
    fn gates(&mut self, entry: &Entry) -> Result<(), ReturnCode> {
        if self.failure_mode && !entry.in_failure_mode {
            return Err(ReturnCode::TPM_FAILEDSELFTEST);
        }
        if self.state.stany_flags.post_initialise && !entry.before_startup {
            return Err(ReturnCode::TPM_INVALID_POSTINIT);
        }
        if !entry.before_startup {
            self.discard_savestate();
        }
        if self.self_test == crate::state::SelfTest::Limited && !entry.limited_self_test {
            self.continue_self_test();
        }
        if self.state.permanent_flags.disable && !entry.when_disabled {
            return Err(ReturnCode::TPM_DISABLED);
        }
        if self.state.deactivated() && !entry.when_deactivated {
            return Err(ReturnCode::TPM_DEACTIVATED);
        }
        if entry.physical_presence && !self.physical_presence() {
            return Err(ReturnCode::TPM_BAD_PRESENCE);
        }
        Ok(())
    }

    /// Step 7: checks session `i`'s HMAC for `entity` over `digest`.
    ///
    /// OIAP sessions are keyed by the entity's auth; OSAP sessions must have been opened for
    /// this entity and are keyed by their shared secret. A mismatch answers TPM_AUTHFAIL for
    /// the first session and TPM_AUTH2FAIL for the second, and counts toward the
    /// dictionary-attack lockout; during a lockout no HMAC is checked at all.
    pub(crate) fn verify_auth(
        &mut self,
        cx: &mut Ctx,
        i: usize,
        entity: &Entity,
        digest: &Digest,
    ) -> Result<(), ReturnCode> {
        let auth = cx.auths.get(i).ok_or(ReturnCode::TPM_FAIL)?.clone();
        let fail = if i == 0 {
            ReturnCode::TPM_AUTHFAIL
        } else {
            ReturnCode::TPM_AUTH2FAIL
        };
        let session = self
            .sessions
            .get(auth.handle)
            .ok_or(ReturnCode::TPM_INVALID_AUTHHANDLE)?;
        let (key, shared) = match &session.kind {
            SessionKind::Oiap => (entity.auth.clone(), None),
            SessionKind::Osap { .. } if entity.sessions == SessionTypes::Oiap => {
                return Err(ReturnCode::TPM_BAD_MODE)
            }
            SessionKind::Osap {
                entity_type,
                entity_value,
                shared_secret,
            } => {
                if *entity_type != entity.kind || *entity_value != entity.value {
                    return Err(fail);
                }
                (shared_secret.clone(), Some(shared_secret.clone()))
            }
        };
        let nonce_even = session.nonce_even;
        self.check_lockout()?;
        let ok = sessions::verify_hmac(
            key.bytes(),
            digest,
            &nonce_even,
            &auth.nonce_odd,
            auth.continue_auth_session,
            &auth.auth,
        );
        if !ok {
            self.record_auth_failure();
            return Err(fail);
        }
        cx.keys.push(key);
        cx.nonces_even.push(nonce_even);
        cx.shared_secrets.push(shared);
        Ok(())
    }

    /// Step 9 and 10 for a successful command.
    fn respond(&mut self, entry: &Entry, cx: &Ctx, body: &[u8], out: &[u8]) -> Vec<u8> {
        let digest = out_param_digest(entry.ordinal, out, entry.out_handles);
        let mut trailers = Vec::with_capacity(cx.auths.len());
        for (auth, key) in cx.auths.iter().zip(&cx.keys) {
            let nonce_even = self.random_nonce();
            let cont = auth.continue_auth_session;
            if cont {
                if let Some(s) = self.sessions.get_mut(auth.handle) {
                    s.nonce_even = nonce_even;
                }
            } else {
                self.sessions.close(auth.handle);
            }
            trailers.push(AuthOut {
                nonce_even,
                continue_auth_session: cont,
                auth: sessions::auth_hmac(key.bytes(), &digest, &nonce_even, &auth.nonce_odd, cont),
            });
        }
        self.audit(entry, body, Some(&digest), ReturnCode::TPM_SUCCESS);
        match ResponseFrame::encode(ReturnCode::TPM_SUCCESS, out, &trailers) {
            Ok(bytes) => bytes,
            Err(_) => ResponseFrame::error(ReturnCode::TPM_SIZE),
        }
    }

    /// Sessions after a failed command: a command that did not parse leaves them alone;
    /// otherwise a session closes if the caller asked, or if its HMAC was valid (Part 1,
    /// 13.2: an error terminates the sessions that authorized it).
    fn close_sessions_after_error(&mut self, cx: &Ctx) {
        if !cx.parsed {
            return;
        }
        for (i, auth) in cx.auths.iter().enumerate() {
            if !auth.continue_auth_session || i < cx.keys.len() {
                self.sessions.close(auth.handle);
            }
        }
    }

    /// Step 10: Part 1, 11 auditing. For an audited ordinal the audit digest is extended
    /// with TPM_AUDIT_EVENT_IN and TPM_AUDIT_EVENT_OUT; the first event after the digest was
    /// cleared starts a new audit session (the audit counter increments).
    fn audit(&mut self, entry: &Entry, body: &[u8], out_digest: Option<&Digest>, rc: ReturnCode) {
        if !self.is_audited(entry) {
            return;
        }
        if self.state.stany.audit_digest == [0; 20] {
            self.state.permanent.audit_counter = self.state.permanent.audit_counter.wrapping_add(1);
            self.permanent_dirty = true;
        }
        let counter = self.state.permanent.audit_counter;
        let in_digest = in_param_digest(entry.ordinal, body, entry.in_handles);
        let event_in = audit_event(|w| {
            w.u16(0x0012);
            w.bytes(&in_digest);
            counter_value(w, counter);
        });
        let out_digest = out_digest.copied().unwrap_or_default();
        let event_out = audit_event(|w| {
            w.u16(0x0013);
            w.u32(entry.ordinal.0);
            w.bytes(&out_digest);
            counter_value(w, counter);
            w.u32(rc.0);
        });
        let d = &mut self.state.stany.audit_digest;
        *d = sessions::sha1(&[d.as_slice(), &event_in]);
        *d = sessions::sha1(&[d.as_slice(), &event_out]);
    }

    /// True if `entry`'s ordinal is audited (ordinalAuditStatus).
    fn is_audited(&self, entry: &Entry) -> bool {
        self.state
            .permanent
            .audited_ordinals
            .contains(&entry.ordinal.0)
    }
}

fn audit_event(f: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::new();
    f(&mut w);
    w.as_bytes().to_vec()
}

/// Part 2, 5.13 TPM_COUNTER_VALUE of the audit counter.
fn counter_value(w: &mut Writer, counter: u32) {
    w.u16(0x000E);
    w.bytes(&[0; 4]);
    w.u32(counter);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::started_tpm;
    use tpm_marshal::framing::CommandFrame;

    fn open_oiap(tpm: &mut Tpm) -> (u32, Nonce) {
        let resp = tpm.execute(
            0,
            &CommandFrame::encode(Ordinal::TPM_ORD_OIAP, &[], &[]).unwrap(),
        );
        let f = ResponseFrame::parse(&resp).unwrap();
        let mut r = Reader::new(f.body);
        (r.u32().unwrap(), r.array().unwrap())
    }

    #[test]
    fn a_bad_second_hmac_is_auth2fail() {
        let mut tpm = started_tpm();
        let (h1, n1) = open_oiap(&mut tpm);
        let (h2, n2) = open_oiap(&mut tpm);
        let digest = [7; 20];
        let entity = Entity {
            kind: EntityType::TPM_ET_OWNER,
            value: 0,
            auth: Secret::new([1; 20]),
            sessions: SessionTypes::Any,
        };
        let good = |h, n: Nonce| AuthIn {
            handle: h,
            nonce_odd: [2; 20],
            continue_auth_session: true,
            auth: sessions::auth_hmac(&[1; 20], &digest, &n, &[2; 20], true),
        };
        let mut bad = good(h2, n2);
        bad.auth[0] ^= 1;
        let mut cx = Ctx {
            locality: 0,
            auths: vec![good(h1, n1), bad],
            keys: Vec::new(),
            nonces_even: Vec::new(),
            shared_secrets: Vec::new(),
            parsed: true,
        };
        assert_eq!(tpm.verify_auth(&mut cx, 0, &entity, &digest), Ok(()));
        assert_eq!(
            tpm.verify_auth(&mut cx, 1, &entity, &digest),
            Err(ReturnCode::TPM_AUTH2FAIL)
        );
        // The first session authorized; the error closes it, the second stays open.
        tpm.close_sessions_after_error(&cx);
        assert!(!tpm.sessions.contains(h1));
        assert!(tpm.sessions.contains(h2));
    }

    #[test]
    fn an_audited_ordinal_extends_the_audit_digest_and_starts_an_audit_session() {
        let mut tpm = started_tpm();
        tpm.state
            .permanent
            .audited_ordinals
            .insert(Ordinal::TPM_ORD_PcrRead.0);
        let read = CommandFrame::encode(Ordinal::TPM_ORD_PcrRead, &[0, 0, 0, 1], &[]).unwrap();
        tpm.execute(0, &read);
        let first = tpm.state.stany.audit_digest;
        assert_ne!(first, [0; 20]);
        assert_eq!(tpm.state.permanent.audit_counter, 1);
        // Independent computation of the two events.
        let in_digest = sessions::sha1(&[&[0, 0, 0, 0x15], &[0, 0, 0, 1]]);
        let out = tpm.state.stclear.pcrs[1];
        let out_digest = sessions::sha1(&[&[0; 4], &[0, 0, 0, 0x15], &out]);
        let counter = [0, 0x0e, 0, 0, 0, 0, 0, 0, 0, 1];
        let event_in = [&[0, 0x12][..], &in_digest, &counter].concat();
        let event_out = [
            &[0, 0x13][..],
            &[0, 0, 0, 0x15],
            &out_digest,
            &counter,
            &[0; 4],
        ]
        .concat();
        let d = sessions::sha1(&[&[0; 20], &event_in]);
        assert_eq!(first, sessions::sha1(&[&d, &event_out]));
        // A second audited command continues the same audit session.
        tpm.execute(0, &read);
        assert_eq!(tpm.state.permanent.audit_counter, 1);
        // Unaudited ordinals leave the digest alone.
        let digest = tpm.state.stany.audit_digest;
        tpm.execute(
            0,
            &CommandFrame::encode(Ordinal::TPM_ORD_OIAP, &[], &[]).unwrap(),
        );
        assert_eq!(tpm.state.stany.audit_digest, digest);
    }

    #[test]
    fn parameter_digest_skips_the_handles() {
        let body = [0, 0, 0, 9, 0xaa, 0xbb];
        assert_eq!(
            in_param_digest(Ordinal(0x20), &body, 1),
            sessions::sha1(&[&[0, 0, 0, 0x20], &[0xaa, 0xbb]])
        );
        assert_eq!(
            out_param_digest(Ordinal(0x20), &body, 1),
            sessions::sha1(&[&[0; 4], &[0, 0, 0, 0x20], &[0xaa, 0xbb]])
        );
    }
}
