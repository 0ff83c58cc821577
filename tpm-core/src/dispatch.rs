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
    AuditEventIn, AuditEventOut, Command, CounterValue, Digest, EntityType, Marshal, Nonce,
    Ordinal, Reader, ReturnCode, Unmarshal,
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
    /// Bit i set: session i ended whatever continueAuthSession asked (an OSAP session that
    /// carried a new auth value under ADIP).
    ended: core::cell::Cell<u32>,
    /// The handler ended the sessions: continueAuthSession is FALSE on output whatever the
    /// caller asked (TPM_NV_DefineSpace, TPM_CreateCounter ...).
    end_sessions: bool,
    /// The ordinal was audited when the command arrived.
    audited: bool,
}

impl Ctx {
    /// Number of auth sessions the command carries.
    pub fn auth_count(&self) -> usize {
        self.auths.len()
    }

    /// "Ignore continueAuthSession on input and set it to FALSE on output": the sessions
    /// close when the command succeeds.
    pub fn end_sessions(&mut self) {
        self.end_sessions = true;
    }

    /// Part 1, 13.8: decrypts a new auth value sent under ADIP in session `i`
    /// (`second` selects the nonceOdd pad used for a second encrypted value). The session
    /// ends with this command, as the ADIP ordinals' actions say (continueAuthSession
    /// FALSE), so its shared secret never pads two values with the same nonce.
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
        let value = sessions::adip_xor(secret, &nonce, enc);
        self.end_session(i);
        Ok(value)
    }

    /// Session `i` ends with this command (continueAuthSession FALSE on output).
    fn end_session(&self, i: usize) {
        let bit = u32::try_from(i).ok().and_then(|i| 1u32.checked_shl(i));
        self.ended.set(self.ended.get() | bit.unwrap_or(0));
    }

    /// True if the handler ended session `i`.
    fn session_ended(&self, i: usize) -> bool {
        let bit = u32::try_from(i).ok().and_then(|i| 1u32.checked_shl(i));
        bit.is_some_and(|b| self.ended.get() & b != 0)
    }

    /// Part 3, 10.7 (TPM_Sealx) and 10.2 step 9 (TPM_Unseal): the XOR pad of `len` bytes,
    /// MGF1-SHA1 seeded with nonceEven || nonceOdd || "XOR" || sharedSecret of OSAP session
    /// `i`, which then ends with the command.
    pub fn xor_pad(&self, i: usize, len: usize) -> Result<Vec<u8>, ReturnCode> {
        let secret = self
            .shared_secrets
            .get(i)
            .and_then(Option::as_ref)
            .ok_or(ReturnCode::TPM_BAD_MODE)?;
        let even = self.nonces_even.get(i).ok_or(ReturnCode::TPM_FAIL)?;
        let odd = self.auths.get(i).ok_or(ReturnCode::TPM_FAIL)?.nonce_odd;
        let seed = [even.as_slice(), &odd, b"XOR", secret.bytes()].concat();
        let pad = sessions::mgf1_sha1(&seed, len);
        self.end_session(i);
        Ok(pad)
    }
}

/// An ordinal's handler: its [`Command`] types plus what to authorize and what to do.
pub(crate) trait Handler: Command {
    /// The entity auth session `i` must prove. Only called for ordinals whose table entry
    /// accepts auth tags.
    fn authorize(_tpm: &Tpm, _input: &Self::In, _i: usize) -> Result<Entity, ReturnCode> {
        Err(ReturnCode::TPM_FAIL)
    }

    /// The entity session `i` of `n` must prove, for ordinals where which entity a session
    /// names depends on how many sessions the command carries (TPM_Unseal, TPM_CertifyKey).
    fn authorize_of(
        tpm: &Tpm,
        input: &Self::In,
        i: usize,
        _n: usize,
    ) -> Result<Entity, ReturnCode> {
        Self::authorize(tpm, input, i)
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
    let n = cx.auths.len();
    for i in 0..n {
        let entity = H::authorize_of(tpm, &input, i, n)?;
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
            ended: core::cell::Cell::new(0),
            end_sessions: false,
            audited: false,
        };
        // 5-8.
        // Audit follows the ordinal's status before it runs (Part 3, 8.1: so
        // TPM_SetOrdinalAuditStatus is audited by its initial state).
        cx.audited = self.is_audited(entry);
        let result = (entry.run)(self, &mut cx, frame.body);
        // 9-10.
        match result {
            Ok(out) => self.respond(entry, &cx, frame.body, &out),
            Err(rc) => {
                self.close_sessions_after_error(&cx);
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
        // Part 3, 20.1 step 2: while NV is unlocked, TPM_NV_DefineSpace ignores disabled and
        // deactivated.
        let nv_open = entry.nv_unlocked_any_state && !self.state.permanent_flags.nv_locked;
        if self.state.permanent_flags.disable && !entry.when_disabled && !nv_open {
            return Err(ReturnCode::TPM_DISABLED);
        }
        if self.state.deactivated() && !entry.when_deactivated && !nv_open {
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
        for (i, (auth, key)) in cx.auths.iter().zip(&cx.keys).enumerate() {
            let nonce_even = self.random_nonce();
            let cont = auth.continue_auth_session && !cx.end_sessions && !cx.session_ended(i);
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
        if cx.audited {
            self.audit(entry, body, &digest);
        }
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

    /// Step 10: Part 3, 8.1 audit generation. A successful audited command extends the
    /// audit digest with TPM_AUDIT_EVENT_IN (its inParamDigest) and then TPM_AUDIT_EVENT_OUT
    /// (its outParamDigest), both carrying the audit monotonic counter; the first event after
    /// the digest was cleared starts a new audit session (the counter increments first).
    /// A failed command is not audited ("command result failure, no audit").
    fn audit(&mut self, entry: &Entry, body: &[u8], out_digest: &Digest) {
        if self.state.stany.audit_digest == [0; 20] {
            self.state.permanent.audit_counter = self.state.permanent.audit_counter.wrapping_add(1);
            self.permanent_dirty = true;
        }
        let audit_count = self.audit_counter_value();
        let event_in = AuditEventIn {
            input_parms: in_param_digest(entry.ordinal, body, entry.in_handles),
            audit_count: audit_count.clone(),
        };
        let event_out = AuditEventOut {
            output_parms: *out_digest,
            audit_count,
        };
        // Corner case: TPM_SaveState audits only its input.
        let events = if entry.ordinal == Ordinal::TPM_ORD_SaveState {
            vec![event_in.to_bytes()]
        } else {
            vec![event_in.to_bytes(), event_out.to_bytes()]
        };
        for event in events {
            let Ok(event) = event else {
                self.enter_failure_mode();
                return;
            };
            let d = &mut self.state.stany.audit_digest;
            *d = sessions::sha1(&[d.as_slice(), &event]);
        }
    }

    /// TPM_PERMANENT_DATA -> auditMonotonicCounter as a TPM_COUNTER_VALUE.
    pub(crate) fn audit_counter_value(&self) -> CounterValue {
        CounterValue {
            label: [0; 4],
            counter: self.state.permanent.audit_counter,
        }
    }

    /// True if `entry`'s ordinal is audited (ordinalAuditStatus).
    fn is_audited(&self, entry: &Entry) -> bool {
        self.state
            .permanent
            .audited_ordinals
            .contains(&entry.ordinal.0)
    }
}
