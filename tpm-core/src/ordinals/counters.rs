//! Part 3, 25 Monotonic counters: TPM_CreateCounter, TPM_IncrementCounter,
//! TPM_ReadCounter, TPM_ReleaseCounter, TPM_ReleaseCounterOwner.
//!
//! A new counter starts one above the highest value any counter ever had
//! (TPM_PERMANENT_DATA keeps it), so no value repeats or goes back, across releases,
//! restarts and TPM_OwnerClear. Only one counter may be incremented between two
//! TPM_Startup(ST_CLEAR): TPM_STCLEAR_DATA.countID remembers it.

use crate::dispatch::{Ctx, Entity, Handler, SessionTypes};
use crate::secret::Secret;
use crate::sessions::SessionKind;
use crate::state::{Counter, TPM_COUNT_ID_ILLEGAL};
use crate::Tpm;
use tpm_marshal::commands::counters::{
    CreateCounter, CreateCounterIn, CreateCounterOut, IncrementCounter, IncrementCounterIn,
    IncrementCounterOut, ReadCounter, ReadCounterIn, ReadCounterOut, ReleaseCounter,
    ReleaseCounterIn, ReleaseCounterOwner, ReleaseCounterOwnerIn,
};
use tpm_marshal::{CounterValue, EntityType, ReturnCode};

/// How many counters may exist at once (ordinals.md "Capacities": 8).
pub const MAX_COUNTERS: u32 = 8;

impl Tpm {
    /// The counter `id` (TPM_BAD_COUNTER if none).
    fn counter(&self, id: u32) -> Result<&Counter, ReturnCode> {
        self.state
            .permanent
            .counters
            .get(&id)
            .ok_or(ReturnCode::TPM_BAD_COUNTER)
    }

    /// The auth value of counter `id`, for TPM_OSAP with TPM_ET_COUNTER.
    pub(crate) fn counter_auth(&self, id: u32) -> Result<Secret, ReturnCode> {
        self.counter(id).map(|c| c.auth.clone())
    }

    /// Counter `id` as the entity a session proves.
    fn counter_entity(&self, id: u32) -> Result<Entity, ReturnCode> {
        Ok(Entity {
            kind: EntityType::TPM_ET_COUNTER,
            value: id,
            auth: self.counter_auth(id)?,
            sessions: SessionTypes::Any,
        })
    }

    /// Part 3, 25.4 steps 2-4 / 25.5 steps 3-5: forgets counter `id` and its OSAP
    /// sessions; if it was the boot's active counter no other may be incremented until the
    /// next TPM_Startup(ST_CLEAR).
    fn release_counter(&mut self, id: u32) {
        self.state.permanent.counters.remove(&id);
        self.permanent_dirty = true;
        let stale: Vec<u32> = self
            .sessions
            .iter()
            .filter(|s| {
                matches!(&s.kind, SessionKind::Osap { entity_type, entity_value, .. }
                    if *entity_type == EntityType::TPM_ET_COUNTER && *entity_value == id)
            })
            .map(|s| s.handle)
            .collect();
        for handle in stale {
            self.sessions.close(handle);
        }
        if self.state.stclear.count_id == id {
            self.state.stclear.count_id = TPM_COUNT_ID_ILLEGAL;
        }
    }

    /// Part 3, 6.1 step 11: TPM_OwnerClear releases every counter; the highest count stays,
    /// so counter values keep increasing.
    pub(crate) fn release_all_counters(&mut self) {
        let ids: Vec<u32> = self.state.permanent.counters.keys().copied().collect();
        for id in ids {
            self.release_counter(id);
        }
    }

    /// TPM_CAP_HANDLE for TPM_RT_COUNTER: the created counters' IDs.
    pub(crate) fn counter_ids(&self) -> Vec<u32> {
        self.state.permanent.counters.keys().copied().collect()
    }

    /// TPM_CAP_PROP_COUNTERS: how many more counters may be created.
    pub(crate) fn free_counters(&self) -> u32 {
        let used = u32::try_from(self.state.permanent.counters.len()).unwrap_or(u32::MAX);
        MAX_COUNTERS.saturating_sub(used)
    }
}

fn value(c: &Counter) -> CounterValue {
    CounterValue {
        label: c.label,
        counter: c.count,
    }
}

/// Part 3, 25.1 TPM_CreateCounter: owner-authorized (OSAP, the counter's auth sent under
/// ADIP); the new counter starts one above the highest count ever.
impl Handler for CreateCounter {
    fn authorize(tpm: &Tpm, _input: &CreateCounterIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(
        tpm: &mut Tpm,
        cx: &mut Ctx,
        input: CreateCounterIn,
    ) -> Result<CreateCounterOut, ReturnCode> {
        // 3. The counter's auth value.
        let auth = cx.adip_decrypt(0, &input.enc_auth, false)?;
        // 4. Room for one more.
        let count_id = (1..=MAX_COUNTERS)
            .find(|id| !tpm.state.permanent.counters.contains_key(id))
            .ok_or(ReturnCode::TPM_RESOURCES)?;
        // 5-6. One above the highest value.
        let p = &mut tpm.state.permanent;
        let count = p
            .max_count
            .checked_add(1)
            .ok_or(ReturnCode::TPM_BAD_COUNTER)?;
        p.max_count = count;
        // 7-8.
        let counter = Counter {
            label: input.label,
            count,
            auth,
        };
        let counter_value = value(&counter);
        p.counters.insert(count_id, counter);
        tpm.permanent_dirty = true;
        // 2. The session ends.
        cx.end_sessions();
        Ok(CreateCounterOut {
            count_id,
            counter_value,
        })
    }
}

/// Part 3, 25.2 TPM_IncrementCounter: the first counter incremented after
/// TPM_Startup(ST_CLEAR) becomes the only one that may be until the next.
impl Handler for IncrementCounter {
    fn authorize(tpm: &Tpm, input: &IncrementCounterIn, _i: usize) -> Result<Entity, ReturnCode> {
        // 1-2. A valid counter, and the boot's active one if there is one.
        let active = tpm.state.stclear.count_id;
        if active != 0 && active != input.count_id {
            return Err(ReturnCode::TPM_BAD_COUNTER);
        }
        tpm.counter_entity(input.count_id)
    }

    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: IncrementCounterIn,
    ) -> Result<IncrementCounterOut, ReturnCode> {
        let id = input.count_id;
        let p = &mut tpm.state.permanent;
        let counter = p.counters.get_mut(&id).ok_or(ReturnCode::TPM_BAD_COUNTER)?;
        // 3. Increment.
        let count = counter
            .count
            .checked_add(1)
            .ok_or(ReturnCode::TPM_BAD_COUNTER)?;
        counter.count = count;
        let out = value(counter);
        p.max_count = p.max_count.max(count);
        // 1.c This counter is the boot's active one.
        tpm.state.stclear.count_id = id;
        tpm.permanent_dirty = true;
        Ok(IncrementCounterOut { count: out })
    }
}

/// Part 3, 25.3 TPM_ReadCounter.
impl Handler for ReadCounter {
    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: ReadCounterIn,
    ) -> Result<ReadCounterOut, ReturnCode> {
        Ok(ReadCounterOut {
            count: value(tpm.counter(input.count_id)?),
        })
    }
}

/// Part 3, 25.4 TPM_ReleaseCounter: authorized by the counter's own auth.
impl Handler for ReleaseCounter {
    fn authorize(tpm: &Tpm, input: &ReleaseCounterIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.counter_entity(input.count_id)
    }

    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: ReleaseCounterIn) -> Result<(), ReturnCode> {
        tpm.counter(input.count_id)?;
        tpm.release_counter(input.count_id);
        Ok(())
    }
}

/// Part 3, 25.5 TPM_ReleaseCounterOwner: authorized by the owner.
impl Handler for ReleaseCounterOwner {
    fn authorize(
        tpm: &Tpm,
        _input: &ReleaseCounterOwnerIn,
        _i: usize,
    ) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(
        tpm: &mut Tpm,
        _cx: &mut Ctx,
        input: ReleaseCounterOwnerIn,
    ) -> Result<(), ReturnCode> {
        // 2. A valid counter.
        tpm.counter(input.count_id)?;
        // 3-5.
        tpm.release_counter(input.count_id);
        Ok(())
    }
}
