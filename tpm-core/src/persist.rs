//! The state blobs: what the engine hands its [`Store`](crate::store::Store).
//!
//! Every blob is `magic (4) || version (u16) || kind (u16) || length (u32) || body`, big
//! endian, with `length` the body's size. The store adds integrity (and optionally
//! encryption); this layer makes a blob self-describing, so a blob of another kind, a
//! future version or a truncated copy is refused with a reason instead of being misread.
//!
//! - permanent (kind 1): TPM_PERMANENT_FLAGS then the kept TPM_PERMANENT_DATA; from
//!   version 2 also the SRK and the owner-evict keys with their handles;
//! - volatile (kind 2): ST_CLEAR and ST_ANY flags and data, self-test state, sessions, the
//!   SHA-1 threads, as swtpm keeps its volatile state; from version 2 also the loaded keys
//!   that are not owner-evict and contextList;
//!
//! A key is kept as its public TPM_KEY/TPM_KEY12, both primes (UINT16-sized), usageAuth,
//! migrationAuth and parentPCRStatus. The blobs hold secrets in the clear: the store's
//! envelope is what encrypts them at rest.
//! - savestate (kind 3): what TPM_SaveState preserves, TPM_STCLEAR_FLAGS and
//!   TPM_STCLEAR_DATA.

use crate::keys;
use crate::nv::NvArea;
use crate::secret::Secret;
use crate::sessions::{Session, SessionKind, Sessions};
use crate::state::{
    Counter, PermanentData, PermanentFlags, SelfTest, StAnyData, StAnyFlags, StClearData,
    StClearFlags, State, NUM_PCRS,
};
use crate::store::BlobName;
use crate::tpm::Error;
use crate::Tpm;
use sha1::Sha1;
use std::collections::BTreeSet;
use tpm_marshal::{EntityType, MarshalError, NvDataPublic, Reader, Writer};

/// "TPMS": the first four bytes of every state blob.
pub const MAGIC: [u8; 4] = *b"TPMS";
/// The format version this engine writes and reads (2: the SRK and owner-evict keys;
/// 3: NV areas, counters and DIR in the permanent blob, NV locks in the ST_CLEAR part).
pub const VERSION: u16 = 3;
/// Bytes before the body.
pub const HEADER_LEN: usize = 12;

/// Which blob a body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
enum Kind {
    Permanent = 1,
    Volatile = 2,
    SaveState = 3,
}

fn seal(kind: Kind, body: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer::new();
    w.bytes(&MAGIC);
    w.u16(VERSION);
    w.u16(kind as u16);
    w.with_u32_size("state body", body);
    w.as_bytes().to_vec()
}

/// Checks the header and returns a reader over exactly the body.
fn open<'a>(blob: &'a [u8], kind: Kind, file: &'static str) -> Result<Reader<'a>, Error> {
    let corrupt = |reason: String| Error::Corrupt { file, reason };
    let mut r = Reader::new(blob);
    let magic: [u8; 4] = r.array().map_err(|_| corrupt("truncated header".into()))?;
    if magic != MAGIC {
        return Err(corrupt("not a TPM state file (bad magic)".into()));
    }
    let version = r.u16().map_err(|_| corrupt("truncated header".into()))?;
    if version != VERSION {
        return Err(corrupt(format!(
            "state version {version}, this engine reads version {VERSION}"
        )));
    }
    let found = r.u16().map_err(|_| corrupt("truncated header".into()))?;
    if found != kind as u16 {
        return Err(corrupt(format!(
            "blob of kind {found}, expected {}",
            kind as u16
        )));
    }
    let len = r.u32().map_err(|_| corrupt("truncated header".into()))?;
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    if len != r.remaining() {
        return Err(corrupt(format!(
            "length field says {len} bytes, file holds {}",
            r.remaining()
        )));
    }
    Ok(r)
}

/// Decodes a body with `f` and requires it to consume every byte.
fn body<T>(
    blob: &[u8],
    kind: Kind,
    file: &'static str,
    f: impl FnOnce(&mut Reader<'_>) -> Result<T, MarshalError>,
) -> Result<T, Error> {
    let mut r = open(blob, kind, file)?;
    let v = f(&mut r).and_then(|v| r.finish().map(|()| v));
    v.map_err(|e| Error::Corrupt {
        file,
        reason: format!("malformed body: {e}"),
    })
}

// ---- permanent ----

/// Encodes the permanent blob.
pub fn encode_permanent(flags: &PermanentFlags, data: &PermanentData) -> Vec<u8> {
    seal(Kind::Permanent, |w| {
        bools(w, &flags.to_bits());
        w.bytes(data.tpm_proof.bytes());
        w.bytes(data.ek_reset.bytes());
        opt_secret(w, data.owner_auth.as_ref());
        opt_secret(w, data.operator_auth.as_ref());
        match &data.endorsement_key {
            None => w.bool(false),
            Some(ek) => {
                w.bool(true);
                for p in crate::ek::primes(ek) {
                    w.with_u16_size("EK prime", |w| w.bytes(&p));
                }
            }
        }
        w.u32(u32::try_from(data.audited_ordinals.len()).unwrap_or(0));
        for o in &data.audited_ordinals {
            w.u32(*o);
        }
        w.u32(data.auth_fail_count);
        w.u32(data.audit_counter);
        w.u32(data.restrict_delegate);
        // Version 2: the SRK and the owner-evict keys.
        w.bool(data.srk.is_some());
        if let Some(srk) = &data.srk {
            keys::encode(w, srk);
        }
        w.u16(u16::try_from(data.owner_evict_keys.len()).unwrap_or(0));
        for (handle, key) in &data.owner_evict_keys {
            w.u32(*handle);
            keys::encode(w, key);
        }
        nv_and_counters(w, data);
    })
}

/// Decodes the permanent blob.
pub fn decode_permanent(blob: &[u8]) -> Result<(PermanentFlags, PermanentData), Error> {
    let file = BlobName::Permanent.file_name();
    let (flags, data, ek) = body(blob, Kind::Permanent, file, |r| {
        let flags = PermanentFlags::from_bits(read_bools(r)?);
        let mut data = PermanentData {
            tpm_proof: Secret::new(r.array()?),
            ek_reset: Secret::new(r.array()?),
            owner_auth: read_opt_secret(r)?,
            operator_auth: read_opt_secret(r)?,
            ..PermanentData::default()
        };
        let ek = if r.bool()? {
            let p = r.sub_u16()?.rest().to_vec();
            let q = r.sub_u16()?.rest().to_vec();
            Some((p, q))
        } else {
            None
        };
        let n = r.u32()?;
        for _ in 0..n {
            data.audited_ordinals.insert(r.u32()?);
        }
        data.auth_fail_count = r.u32()?;
        data.audit_counter = r.u32()?;
        data.restrict_delegate = r.u32()?;
        if r.bool()? {
            data.srk = Some(keys::decode(r)?);
        }
        for _ in 0..r.u16()? {
            if data.owner_evict_keys.len() >= keys::MAX_OWNER_EVICT {
                return Err(MarshalError::Inconsistent {
                    what: "owner-evict keys",
                });
            }
            let handle = r.u32()?;
            data.owner_evict_keys.push((handle, keys::decode(r)?));
        }
        read_nv_and_counters(r, &mut data)?;
        Ok((flags, data, ek))
    })?;
    let mut data = data;
    if let Some((p, q)) = ek {
        data.endorsement_key = Some(crate::ek::from_primes(&p, &q).ok_or(Error::Corrupt {
            file,
            reason: "endorsement key does not verify".into(),
        })?);
    }
    Ok((flags, data))
}

// ---- volatile ----

/// Encodes the volatile blob of `tpm`.
pub fn encode_volatile(tpm: &Tpm) -> Vec<u8> {
    seal(Kind::Volatile, |w| {
        stclear(w, &tpm.state.stclear_flags, &tpm.state.stclear);
        let f = &tpm.state.stany_flags;
        w.bool(f.post_initialise);
        w.u32(f.locality_modifier);
        w.u32(f.transport_exclusive);
        w.bool(f.tos_present);
        let d = &tpm.state.stany;
        w.bytes(&d.context_nonce_session);
        w.bytes(&d.audit_digest);
        w.bytes(&d.tick_nonce);
        w.u64(d.tick_base_us);
        w.u32(d.context_count);
        w.bool(tpm.self_test == SelfTest::Full);
        w.bool(tpm.failure_mode);
        w.u16(u16::try_from(tpm.sessions.len()).unwrap_or(0));
        for s in tpm.sessions.iter() {
            session(w, s);
        }
        sha1_state(w, tpm.sha1_thread.as_ref());
        // Version 2: the loaded keys that are not owner-evict.
        let loaded: Vec<_> = tpm.keys.iter().filter(|s| !s.owner_evict).collect();
        w.u16(u16::try_from(loaded.len()).unwrap_or(0));
        for slot in loaded {
            w.u32(slot.handle);
            keys::encode(w, &slot.key);
        }
        // Version 2: contextList, the counts of saved session contexts.
        w.u16(u16::try_from(d.context_list.len()).unwrap_or(0));
        for c in &d.context_list {
            w.u32(*c);
        }
    })
}

/// Decodes a volatile blob into `tpm` (all or nothing).
pub fn decode_volatile(tpm: &mut Tpm, blob: &[u8]) -> Result<(), Error> {
    let file = BlobName::Volatile.file_name();
    let parsed = body(blob, Kind::Volatile, file, |r| {
        let (sf, sd) = read_stclear(r)?;
        let flags = StAnyFlags {
            post_initialise: r.bool()?,
            locality_modifier: r.u32()?,
            transport_exclusive: r.u32()?,
            tos_present: r.bool()?,
        };
        let data = StAnyData {
            context_nonce_session: r.array()?,
            audit_digest: r.array()?,
            tick_nonce: r.array()?,
            tick_base_us: r.u64()?,
            context_count: r.u32()?,
            context_list: Vec::new(),
        };
        let self_test = if r.bool()? {
            SelfTest::Full
        } else {
            SelfTest::Limited
        };
        let failure = r.bool()?;
        let mut sessions = Sessions::default();
        for _ in 0..r.u16()? {
            sessions
                .open(read_session(r)?)
                .map_err(|_| MarshalError::Inconsistent { what: "sessions" })?;
        }
        let sha1 = read_sha1_state(r)?;
        let mut loaded = Vec::new();
        for _ in 0..r.u16()? {
            let handle = r.u32()?;
            loaded.push((handle, keys::decode(r)?));
        }
        let mut data = data;
        for _ in 0..r.u16()? {
            data.context_list.push(r.u32()?);
        }
        Ok((
            sf, sd, flags, data, self_test, failure, sessions, sha1, loaded,
        ))
    })?;
    let (sf, sd, flags, data, self_test, failure, sessions, sha1, loaded) = parsed;
    let mut slots = tpm.keys.clone();
    slots.retain(|s| s.owner_evict);
    for (handle, key) in loaded {
        slots
            .insert(handle, key, false)
            .map_err(|_| Error::Corrupt {
                file,
                reason: "more loaded keys than key slots".into(),
            })?;
    }
    tpm.keys = slots;
    tpm.state.stclear_flags = sf;
    tpm.state.stclear = sd;
    tpm.state.stany_flags = flags;
    tpm.state.stany = data;
    tpm.self_test = self_test;
    tpm.failure_mode = failure;
    tpm.sessions = sessions;
    tpm.sha1_thread = sha1;
    Ok(())
}

// ---- savestate ----

/// Encodes what TPM_SaveState preserves.
pub fn encode_savestate(state: &State) -> Vec<u8> {
    seal(Kind::SaveState, |w| {
        stclear(w, &state.stclear_flags, &state.stclear)
    })
}

/// Decodes a TPM_SaveState image.
pub fn decode_savestate(
    blob: &[u8],
    file: &'static str,
) -> Result<(StClearFlags, StClearData), Error> {
    body(blob, Kind::SaveState, file, read_stclear)
}

// ---- pieces ----

fn bools<const N: usize>(w: &mut Writer, bits: &[bool; N]) {
    for b in bits {
        w.bool(*b);
    }
}

fn read_bools<const N: usize>(r: &mut Reader<'_>) -> Result<[bool; N], MarshalError> {
    let mut out = [false; N];
    for b in &mut out {
        *b = r.bool()?;
    }
    Ok(out)
}

fn opt_secret(w: &mut Writer, s: Option<&Secret>) {
    w.bool(s.is_some());
    if let Some(s) = s {
        w.bytes(s.bytes());
    }
}

fn read_opt_secret(r: &mut Reader<'_>) -> Result<Option<Secret>, MarshalError> {
    Ok(if r.bool()? {
        Some(Secret::new(r.array()?))
    } else {
        None
    })
}

fn stclear(w: &mut Writer, f: &StClearFlags, d: &StClearData) {
    bools(w, &f.to_bits());
    w.bytes(&d.context_nonce_key);
    w.u32(d.count_id);
    w.u32(d.owner_reference);
    w.bool(d.disable_reset_lock);
    for pcr in &d.pcrs {
        w.bytes(pcr);
    }
    w.u32(d.deferred_physical_presence);
    index_set(w, &d.nv_locks.read);
    index_set(w, &d.nv_locks.write);
}

fn read_stclear(r: &mut Reader<'_>) -> Result<(StClearFlags, StClearData), MarshalError> {
    let flags = StClearFlags::from_bits(read_bools(r)?);
    let mut d = StClearData {
        context_nonce_key: r.array()?,
        count_id: r.u32()?,
        owner_reference: r.u32()?,
        disable_reset_lock: r.bool()?,
        ..StClearData::default()
    };
    for pcr in d.pcrs.iter_mut().take(NUM_PCRS) {
        *pcr = r.array()?;
    }
    d.deferred_physical_presence = r.u32()?;
    d.nv_locks.read = read_index_set(r)?;
    d.nv_locks.write = read_index_set(r)?;
    Ok((flags, d))
}

// ---- NV, counters, DIR (issue 4) ----

/// NV areas (TPM_NV_DATA_PUBLIC, authValue, data), noOwnerNVWrite, authDIR[0], the counters
/// (countID, label, count, auth) and the highest count.
fn nv_and_counters(w: &mut Writer, data: &PermanentData) {
    w.u32(u32::try_from(data.nv.len()).unwrap_or(0));
    for area in data.nv.iter() {
        w.write(&area.public);
        w.bytes(area.auth.bytes());
        w.bytes(&area.data);
    }
    w.u32(data.no_owner_nv_write);
    w.bytes(&data.auth_dir);
    w.u32(u32::try_from(data.counters.len()).unwrap_or(0));
    for (id, c) in &data.counters {
        w.u32(*id);
        w.bytes(&c.label);
        w.u32(c.count);
        w.bytes(c.auth.bytes());
    }
    w.u32(data.max_count);
}

fn read_nv_and_counters(r: &mut Reader<'_>, data: &mut PermanentData) -> Result<(), MarshalError> {
    for _ in 0..r.u32()? {
        let public: NvDataPublic = r.read()?;
        let auth = Secret::new(r.array()?);
        let size = usize::try_from(public.data_size).map_err(|_| MarshalError::TooLarge {
            what: "NV area",
            size: u64::from(public.data_size),
        })?;
        let area_data = r.bytes(size)?.to_vec();
        data.nv.insert(NvArea {
            public,
            auth,
            data: area_data,
        });
    }
    data.no_owner_nv_write = r.u32()?;
    data.auth_dir = r.array()?;
    for _ in 0..r.u32()? {
        let id = r.u32()?;
        let counter = Counter {
            label: r.array()?,
            count: r.u32()?,
            auth: Secret::new(r.array()?),
        };
        data.counters.insert(id, counter);
    }
    data.max_count = r.u32()?;
    Ok(())
}

fn index_set(w: &mut Writer, set: &BTreeSet<u32>) {
    w.u32(u32::try_from(set.len()).unwrap_or(0));
    for i in set {
        w.u32(*i);
    }
}

fn read_index_set(r: &mut Reader<'_>) -> Result<BTreeSet<u32>, MarshalError> {
    let mut set = BTreeSet::new();
    for _ in 0..r.u32()? {
        set.insert(r.u32()?);
    }
    Ok(set)
}

pub(crate) fn session(w: &mut Writer, s: &Session) {
    w.u32(s.handle);
    w.bytes(&s.nonce_even);
    match &s.kind {
        SessionKind::Oiap => w.u8(1),
        SessionKind::Osap {
            entity_type,
            entity_value,
            shared_secret,
        } => {
            w.u8(2);
            w.u16(entity_type.0);
            w.u32(*entity_value);
            w.bytes(shared_secret.bytes());
        }
    }
}

pub(crate) fn read_session(r: &mut Reader<'_>) -> Result<Session, MarshalError> {
    let handle = r.u32()?;
    let nonce_even = r.array()?;
    let kind = match r.u8()? {
        1 => SessionKind::Oiap,
        2 => SessionKind::Osap {
            entity_type: EntityType(r.u16()?),
            entity_value: r.u32()?,
            shared_secret: Secret::new(r.array()?),
        },
        v => {
            return Err(MarshalError::BadValue {
                what: "session kind",
                found: u32::from(v),
            })
        }
    };
    Ok(Session {
        handle,
        nonce_even,
        kind,
    })
}

fn sha1_state(w: &mut Writer, h: Option<&Sha1>) {
    use sha1::digest::common::hazmat::SerializableState;
    w.bool(h.is_some());
    if let Some(h) = h {
        w.with_u16_size("SHA-1 state", |w| w.bytes(&h.serialize()));
    }
}

fn read_sha1_state(r: &mut Reader<'_>) -> Result<Option<Sha1>, MarshalError> {
    use sha1::digest::common::hazmat::SerializableState;
    if !r.bool()? {
        return Ok(None);
    }
    let bytes = r.sub_u16()?.rest();
    let bad = MarshalError::Inconsistent {
        what: "SHA-1 state",
    };
    let arr = bytes.try_into().map_err(|_| bad)?;
    Sha1::deserialize(arr).map(Some).map_err(|_| bad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tpm_marshal::Marshal;

    /// An NV area of 2 bytes at TPM_NV_INDEX_EKCert | D, as swtpm defines it.
    fn ek_cert_area() -> NvArea {
        use tpm_marshal::{LocalitySelection, NvAttributes, NvIndex, NvPermission};
        use tpm_marshal::{PcrInfoShort, PcrSelection};
        let any = PcrInfoShort {
            pcr_selection: PcrSelection::new(3, &[]).unwrap(),
            locality_at_release: LocalitySelection(0x1f),
            digest_at_release: [0; 20],
        };
        NvArea {
            public: NvDataPublic {
                nv_index: NvIndex(0x1000_f000),
                pcr_info_read: any.clone(),
                pcr_info_write: any,
                permission: NvPermission {
                    attributes: NvAttributes(0x0002_0002),
                },
                b_read_st_clear: false,
                b_write_st_clear: false,
                b_write_define: false,
                data_size: 2,
            },
            auth: Secret::new([0x44; 20]),
            data: vec![0xab, 0xcd],
        }
    }

    #[test]
    fn permanent_blob_byte_picture() {
        let flags = PermanentFlags {
            disable: true,
            ownership: true,
            ..PermanentFlags::default()
        };
        let mut data = PermanentData {
            tpm_proof: Secret::new([0x11; 20]),
            ek_reset: Secret::new([0x22; 20]),
            operator_auth: Some(Secret::new([0x33; 20])),
            auth_fail_count: 2,
            audit_counter: 7,
            no_owner_nv_write: 3,
            auth_dir: [0x55; 20],
            max_count: 9,
            ..PermanentData::default()
        };
        data.nv.insert(ek_cert_area());
        data.counters.insert(
            1,
            Counter {
                label: *b"boot",
                count: 9,
                auth: Secret::new([0x66; 20]),
            },
        );
        let blob = encode_permanent(&flags, &data);
        let public = ek_cert_area().public.to_bytes().unwrap();
        let mut want = b"TPMS".to_vec();
        want.extend_from_slice(&[0, 3, 0, 1]); // version 3, kind permanent
        let nv_len = 4 + public.len() + 20 + 2 + 4 + 20;
        let counters_len = 4 + (4 + 4 + 4 + 20) + 4;
        let body_len = 20 + 20 + 20 + 1 + 21 + 1 + 4 + 4 + 4 + 4 + 1 + 2 + nv_len + counters_len;
        want.extend_from_slice(&u32::try_from(body_len).unwrap().to_be_bytes());
        want.extend_from_slice(&[1, 1]);
        want.extend_from_slice(&[0; 18]);
        want.extend_from_slice(&[0x11; 20]);
        want.extend_from_slice(&[0x22; 20]);
        want.push(0); // no owner
        want.push(1);
        want.extend_from_slice(&[0x33; 20]);
        want.push(0); // no EK
        want.extend_from_slice(&[0, 0, 0, 0]); // no audited ordinals
        want.extend_from_slice(&[0, 0, 0, 2]);
        want.extend_from_slice(&[0, 0, 0, 7]);
        want.extend_from_slice(&[0, 0, 0, 0]); // restrictDelegate
        want.push(0); // no SRK
        want.extend_from_slice(&[0, 0]); // no owner-evict keys
        want.extend_from_slice(&[0, 0, 0, 1]); // one NV area:
        want.extend_from_slice(&public); // its TPM_NV_DATA_PUBLIC
        want.extend_from_slice(&[0x44; 20]); // its authValue
        want.extend_from_slice(&[0xab, 0xcd]); // its dataSize bytes of data
        want.extend_from_slice(&[0, 0, 0, 3]); // noOwnerNVWrite
        want.extend_from_slice(&[0x55; 20]); // authDIR[0]
        want.extend_from_slice(&[0, 0, 0, 1]); // one counter:
        want.extend_from_slice(&[0, 0, 0, 1]); // countID
        want.extend_from_slice(b"boot"); // label
        want.extend_from_slice(&[0, 0, 0, 9]); // count
        want.extend_from_slice(&[0x66; 20]); // auth
        want.extend_from_slice(&[0, 0, 0, 9]); // the highest count
        assert_eq!(blob, want);
        let (f, d) = decode_permanent(&blob).unwrap();
        assert_eq!(f, flags);
        assert!(d.operator_auth.unwrap().ct_eq(&[0x33; 20]));
        assert_eq!((d.auth_fail_count, d.audit_counter), (2, 7));
        let area = d.nv.get(0x1000_f000).unwrap();
        assert_eq!(area.data, [0xab, 0xcd]);
        assert!(area.auth.ct_eq(&[0x44; 20]));
        assert_eq!(
            (d.no_owner_nv_write, d.auth_dir, d.max_count),
            (3, [0x55; 20], 9)
        );
        assert_eq!(d.counters[&1].count, 9);
    }

    fn reason(e: Error) -> String {
        e.to_string()
    }

    #[test]
    fn rejects_truncated_blob_naming_the_file() {
        let blob = encode_permanent(&PermanentFlags::default(), &PermanentData::default());
        let e = reason(decode_permanent(&blob[..blob.len() - 1]).unwrap_err());
        assert!(e.starts_with("tpm-permanent.state: length field"), "{e}");
        let e = reason(decode_permanent(&blob[..6]).unwrap_err());
        assert!(e.contains("truncated header"), "{e}");
    }

    #[test]
    fn rejects_bad_magic_version_and_kind() {
        let blob = encode_permanent(&PermanentFlags::default(), &PermanentData::default());
        let mut b = blob.clone();
        b[0] ^= 1;
        assert!(reason(decode_permanent(&b).unwrap_err()).contains("bad magic"));
        let mut b = blob.clone();
        b[5] = 9;
        assert!(reason(decode_permanent(&b).unwrap_err()).contains("version 9"));
        let mut b = blob;
        b[7] = 3;
        assert!(reason(decode_permanent(&b).unwrap_err()).contains("kind 3"));
    }

    #[test]
    fn rejects_non_boolean_flag_byte() {
        let mut blob = encode_permanent(&PermanentFlags::default(), &PermanentData::default());
        blob[HEADER_LEN] = 2;
        assert!(reason(decode_permanent(&blob).unwrap_err()).contains("malformed body"));
    }

    #[test]
    fn savestate_round_trips() {
        let mut state = State::after_init(PermanentFlags::default(), PermanentData::default());
        state.stclear.pcrs[3] = [3; 20];
        state.stclear_flags.physical_presence_lock = true;
        state.stclear.nv_locks.write.insert(0x1_1000);
        let blob = encode_savestate(&state);
        let (f, d) = decode_savestate(&blob, "x").unwrap();
        assert_eq!(f, state.stclear_flags);
        assert_eq!(d, state.stclear);
    }
}
