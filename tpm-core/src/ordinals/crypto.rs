//! Part 3, 13.1-13.4 (the SHA-1 session) and 13.6-13.7 (TPM_GetRandom, TPM_StirRandom).

use crate::dispatch::{Ctx, Handler};
use crate::Tpm;
use sha1::{Digest as _, Sha1};
use tpm_marshal::commands::crypto::{
    GetRandom, GetRandomIn, GetRandomOut, Sha1Complete, Sha1CompleteExtend, Sha1CompleteExtendIn,
    Sha1CompleteExtendOut, Sha1CompleteIn, Sha1CompleteOut, Sha1Start, Sha1StartOut, Sha1Update,
    Sha1UpdateIn, StirRandom, StirRandomIn,
};
use tpm_marshal::{Digest, Ordinal, ReturnCode, SizedBuffer, MAX_BUFFER};

/// The most bytes one TPM_SHA1Update may carry (a multiple of 64 that fits the buffer).
pub const SHA1_MAX_NUM_BYTES: u32 = 4032;
/// The most bytes TPM_GetRandom returns: what fits a response (header and size field).
const RANDOM_MAX: usize = MAX_BUFFER - 14;

/// The ordinals that continue a SHA-1 session; any other ordinal ends it.
pub(crate) fn continues_sha1_session(ordinal: Ordinal) -> bool {
    matches!(
        ordinal,
        Ordinal::TPM_ORD_SHA1Update
            | Ordinal::TPM_ORD_SHA1Complete
            | Ordinal::TPM_ORD_SHA1CompleteExtend
    )
}

impl Tpm {
    /// Part 3, 13.3 steps 1-3: completes the SHA-1 session with at most 64 final bytes.
    /// The session ends whatever the outcome.
    fn sha1_complete(&mut self, data: &[u8]) -> Result<Digest, ReturnCode> {
        let thread = self.sha1_thread.take();
        if data.len() > 64 {
            return Err(ReturnCode::TPM_SHA_ERROR);
        }
        let mut h = thread.ok_or(ReturnCode::TPM_SHA_THREAD)?;
        h.update(data);
        Ok(h.finalize().into())
    }
}

/// Part 3, 13.1 TPM_SHA1Start: a new session replaces any other.
impl Handler for Sha1Start {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, (): ()) -> Result<Sha1StartOut, ReturnCode> {
        tpm.sha1_thread = Some(Sha1::new());
        Ok(Sha1StartOut {
            max_num_bytes: SHA1_MAX_NUM_BYTES,
        })
    }
}

/// Part 3, 13.2 TPM_SHA1Update.
impl Handler for Sha1Update {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: Sha1UpdateIn) -> Result<(), ReturnCode> {
        let data = &input.hash_data.0;
        // 1.
        if tpm.sha1_thread.is_none() {
            return Err(ReturnCode::TPM_SHA_THREAD);
        }
        // 2-3. Whole blocks only, within maxNumBytes; a bad update ends the session.
        let too_big = u32::try_from(data.len()).map_or(true, |n| n > SHA1_MAX_NUM_BYTES);
        if !data.len().is_multiple_of(64) || too_big {
            tpm.sha1_thread = None;
            return Err(ReturnCode::TPM_SHA_ERROR);
        }
        // 4.
        if let Some(h) = tpm.sha1_thread.as_mut() {
            h.update(data);
        }
        Ok(())
    }
}

/// Part 3, 13.3 TPM_SHA1Complete.
impl Handler for Sha1Complete {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: Sha1CompleteIn,
    ) -> Result<Sha1CompleteOut, ReturnCode> {
        Ok(Sha1CompleteOut {
            hash_value: tpm.sha1_complete(&input.hash_data.0)?,
        })
    }
}

/// Part 3, 13.4 TPM_SHA1CompleteExtend.
impl Handler for Sha1CompleteExtend {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: Sha1CompleteExtendIn,
    ) -> Result<Sha1CompleteExtendOut, ReturnCode> {
        // 1-4. The PCR and the locality are checked before the session completes.
        tpm.check_extend(input.pcr_num)?;
        // 5.
        let hash_value = tpm.sha1_complete(&input.hash_data.0)?;
        // 6.
        let value = tpm.extend_pcr(input.pcr_num, &hash_value)?;
        Ok(Sha1CompleteExtendOut {
            hash_value,
            out_digest: tpm.reported_pcr(value),
        })
    }
}

/// Part 3, 13.6 TPM_GetRandom: at most what fits one response.
impl Handler for GetRandom {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: GetRandomIn,
    ) -> Result<GetRandomOut, ReturnCode> {
        let n = usize::try_from(input.bytes_requested)
            .unwrap_or(RANDOM_MAX)
            .min(RANDOM_MAX);
        let mut bytes = vec![0u8; n];
        tpm.platform.fill_random(&mut bytes);
        Ok(GetRandomOut {
            random_bytes: SizedBuffer(bytes),
        })
    }
}

/// Part 3, 13.7 TPM_StirRandom: at most 255 bytes. The platform RNG is a CSPRNG seeded by
/// the platform, so the data is checked and then dropped.
impl Handler for StirRandom {
    fn execute(_tpm: &mut Tpm, _cx: &mut Ctx, input: StirRandomIn) -> Result<(), ReturnCode> {
        if input.in_data.0.len() >= 256 {
            return Err(ReturnCode::TPM_BAD_PARAMETER);
        }
        Ok(())
    }
}
