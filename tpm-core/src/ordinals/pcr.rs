//! Part 3, 16 Integrity collection and reporting: TPM_Extend, TPM_PCRRead, TPM_PCR_Reset,
//! with the PC Client PCR attributes (24 PCRs; 16 and 23 resettable by any locality; 17-22
//! bound to localities).

use crate::dispatch::{Ctx, Handler};
use crate::sessions::sha1;
use crate::state::{locality_selected, pcr_attributes, pcr_reset_value, NUM_PCRS};
use crate::Tpm;
use tpm_marshal::commands::integrity::{
    Extend, ExtendIn, ExtendOut, PcrRead, PcrReadIn, PcrReadOut, PcrReset, PcrResetIn,
};
use tpm_marshal::{Digest, ReturnCode};

/// The PCR index as a table index, or TPM_BADINDEX.
fn pcr_index(n: u32) -> Result<usize, ReturnCode> {
    usize::try_from(n)
        .ok()
        .filter(|i| *i < NUM_PCRS)
        .ok_or(ReturnCode::TPM_BADINDEX)
}

impl Tpm {
    /// Part 3, 16.1 steps 1-7, shared with TPM_SHA1CompleteExtend: checks the locality and
    /// extends PCR `n` with `digest`, returning the new value.
    pub(crate) fn extend_pcr(&mut self, n: u32, digest: &Digest) -> Result<Digest, ReturnCode> {
        let i = self.check_extend(n)?;
        let pcr = self
            .state
            .stclear
            .pcrs
            .get_mut(i)
            .ok_or(ReturnCode::TPM_BADINDEX)?;
        *pcr = sha1(&[pcr.as_slice(), digest]);
        Ok(*pcr)
    }

    /// Part 3, 16.1 steps 1-4: PCR `n` exists and the current locality may extend it.
    pub(crate) fn check_extend(&self, n: u32) -> Result<usize, ReturnCode> {
        let i = pcr_index(n)?;
        let locality = self.state.stany_flags.locality_modifier;
        if !locality_selected(pcr_attributes(i).2, locality) {
            return Err(ReturnCode::TPM_BAD_LOCALITY);
        }
        // PC Client TIS: while PCR 17 holds its DRTM reset value of zero, only locality 4
        // may extend it.
        let at_drtm_reset = self.state.stclear.pcrs.get(i) == Some(&[0; 20]);
        if i == 17 && locality != 4 && at_drtm_reset {
            return Err(ReturnCode::TPM_BAD_LOCALITY);
        }
        Ok(i)
    }

    /// Part 3, 16.1 step 8: a disabled or deactivated TPM reports zeros, not the PCR.
    pub(crate) fn reported_pcr(&self, value: Digest) -> Digest {
        if self.state.permanent_flags.disable || self.state.deactivated() {
            [0; 20]
        } else {
            value
        }
    }
}

/// Part 3, 16.1 TPM_Extend.
impl Handler for Extend {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: ExtendIn) -> Result<ExtendOut, ReturnCode> {
        let value = tpm.extend_pcr(input.pcr_num, &input.in_digest)?;
        Ok(ExtendOut {
            out_digest: tpm.reported_pcr(value),
        })
    }
}

/// Part 3, 16.2 TPM_PCRRead.
impl Handler for PcrRead {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: PcrReadIn) -> Result<PcrReadOut, ReturnCode> {
        let i = pcr_index(input.pcr_index)?;
        let out_digest = *tpm
            .state
            .stclear
            .pcrs
            .get(i)
            .ok_or(ReturnCode::TPM_BADINDEX)?;
        Ok(PcrReadOut { out_digest })
    }
}

/// Part 3, 16.4 TPM_PCR_Reset.
impl Handler for PcrReset {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: PcrResetIn) -> Result<(), ReturnCode> {
        let sel = &input.pcr_selection;
        // 1. A selection of at most 24 PCRs that selects at least one.
        if sel.pcr_select.len() > NUM_PCRS / 8 || sel.is_empty() {
            return Err(ReturnCode::TPM_INVALID_PCR_INFO);
        }
        // 2-3. Every selected PCR must be resettable from this locality; check all first.
        let locality = tpm.state.stany_flags.locality_modifier;
        let mut selected = Vec::new();
        for n in sel.indices() {
            let i = pcr_index(n)?;
            let (resettable, reset_local, _) = pcr_attributes(i);
            if !resettable {
                return Err(ReturnCode::TPM_NOTRESETABLE);
            }
            if !locality_selected(reset_local, locality) {
                return Err(ReturnCode::TPM_NOTLOCAL);
            }
            selected.push(i);
        }
        let tos = tpm.state.stany_flags.tos_present;
        for i in selected {
            if let Some(pcr) = tpm.state.stclear.pcrs.get_mut(i) {
                *pcr = pcr_reset_value(i, tos);
            }
        }
        Ok(())
    }
}
