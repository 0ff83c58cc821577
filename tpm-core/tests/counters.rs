//! Part 3, 25 (monotonic counters) through `execute()`: creation by the owner, one counter
//! per boot cycle, release, capacity, and values that never go back across restarts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
mod owned;
mod owner_common;
use commands::capability::{GetCapability, GetCapabilityIn};
use commands::counters::{
    CreateCounter, CreateCounterIn, CreateCounterOut, IncrementCounter, IncrementCounterIn,
    ReadCounter, ReadCounterIn, ReleaseCounter, ReleaseCounterIn, ReleaseCounterOwner,
    ReleaseCounterOwnerIn,
};
use commands::startup::SaveState;
use common::*;
use owned::*;
use tpm_core::{TestPlatform, Tpm};
use tpm_marshal::{
    CapProperty, CapabilityArea, EntityType, ResourceType, ReturnCode as Rc, SizedBuffer,
    StartupType,
};

const COUNTER_AUTH: [u8; 20] = [0xc0; 20];

fn owned() -> Bench {
    owned_tpm()
}

fn create(b: &mut Bench, label: &[u8; 4]) -> Result<CreateCounterOut, Rc> {
    let mut s = owner_osap(&mut b.tpm);
    let input = CreateCounterIn {
        enc_auth: adip(&s, COUNTER_AUTH),
        label: *label,
    };
    run_auth1::<CreateCounter>(&mut b.tpm, &mut s, &input, false)
}

fn increment(b: &mut Bench, id: u32) -> Result<u32, Rc> {
    let mut s = oiap(&mut b.tpm, COUNTER_AUTH);
    let input = IncrementCounterIn { count_id: id };
    run_auth1::<IncrementCounter>(&mut b.tpm, &mut s, &input, false).map(|o| o.count.counter)
}

fn read(b: &mut Bench, id: u32) -> Result<u32, Rc> {
    run::<ReadCounter>(&mut b.tpm, &ReadCounterIn { count_id: id }).map(|o| o.count.counter)
}

fn restart(b: Bench, t: StartupType) -> Bench {
    let platform = TestPlatform::new(9);
    let controls = platform.controls();
    let store = b.store.clone();
    drop(b);
    let mut tpm = Tpm::new(ACTIVE, Box::new(platform), Box::new(store.clone())).unwrap();
    startup(&mut tpm, t).unwrap();
    Bench {
        tpm,
        controls,
        store,
    }
}

fn property(b: &mut Bench, p: CapProperty) -> u32 {
    let out = run::<GetCapability>(
        &mut b.tpm,
        &GetCapabilityIn {
            cap_area: CapabilityArea::TPM_CAP_PROPERTY,
            sub_cap: SizedBuffer(p.0.to_be_bytes().to_vec()),
        },
    )
    .unwrap();
    u32::from_be_bytes(out.resp.0.try_into().unwrap())
}

#[test]
fn create_counter_returns_its_id_label_and_first_value() {
    let mut b = owned();
    let out = create(&mut b, b"boot").unwrap();
    assert_eq!(out.counter_value.label, *b"boot");
    assert_eq!(out.counter_value.counter, 1);
    assert_eq!(read(&mut b, out.count_id).unwrap(), 1);
    let handles = run::<GetCapability>(
        &mut b.tpm,
        &GetCapabilityIn {
            cap_area: CapabilityArea::TPM_CAP_HANDLE,
            sub_cap: SizedBuffer(ResourceType::TPM_RT_COUNTER.0.to_be_bytes().to_vec()),
        },
    )
    .unwrap();
    let mut want = vec![0, 1];
    want.extend_from_slice(&out.count_id.to_be_bytes());
    assert_eq!(handles.resp.0, want);
}

#[test]
fn create_counter_needs_the_owner_over_osap() {
    let mut b = owned();
    let mut s = oiap(&mut b.tpm, OWNER);
    let input = CreateCounterIn {
        enc_auth: [0; 20],
        label: *b"oiap",
    };
    assert_eq!(
        run_auth1::<CreateCounter>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_BAD_MODE)
    );
    let mut s = osap(&mut b.tpm, EntityType::TPM_ET_OWNER, TPM_KH_OWNER, [9; 20]);
    assert_eq!(
        run_auth1::<CreateCounter>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_AUTHFAIL)
    );
}

#[test]
fn at_least_eight_counters_then_resources() {
    let mut b = owned();
    assert_eq!(property(&mut b, CapProperty::TPM_CAP_PROP_COUNTERS), 8);
    for _ in 0..8 {
        create(&mut b, b"many").unwrap();
    }
    assert_eq!(property(&mut b, CapProperty::TPM_CAP_PROP_COUNTERS), 0);
    assert_eq!(create(&mut b, b"full").unwrap_err(), Rc::TPM_RESOURCES);
}

#[test]
fn increment_needs_the_counter_auth() {
    let mut b = owned();
    let id = create(&mut b, b"auth").unwrap().count_id;
    let mut s = oiap(&mut b.tpm, [1; 20]);
    let input = IncrementCounterIn { count_id: id };
    assert_eq!(
        run_auth1::<IncrementCounter>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_AUTHFAIL)
    );
    assert_eq!(increment(&mut b, id).unwrap(), 2);
    // An OSAP session for the counter works too.
    let mut s = osap(&mut b.tpm, EntityType::TPM_ET_COUNTER, id, COUNTER_AUTH);
    let out = run_auth1::<IncrementCounter>(&mut b.tpm, &mut s, &input, true).unwrap();
    assert_eq!(out.count.counter, 3);
}

#[test]
fn only_one_counter_increments_per_boot_cycle() {
    let mut b = owned();
    let a = create(&mut b, b"aaaa").unwrap().count_id;
    let c = create(&mut b, b"cccc").unwrap().count_id;
    assert_eq!(
        property(&mut b, CapProperty::TPM_CAP_PROP_ACTIVE_COUNTER),
        u32::MAX
    );
    increment(&mut b, a).unwrap();
    assert_eq!(
        property(&mut b, CapProperty::TPM_CAP_PROP_ACTIVE_COUNTER),
        a
    );
    assert_eq!(increment(&mut b, c), Err(Rc::TPM_BAD_COUNTER));
    // TPM_SaveState / TPM_Startup(ST_STATE) keeps the boot cycle.
    run::<SaveState>(&mut b.tpm, &()).unwrap();
    let mut b = restart(b, StartupType::TPM_ST_STATE);
    assert_eq!(increment(&mut b, c), Err(Rc::TPM_BAD_COUNTER));
    // TPM_Startup(ST_CLEAR) starts a new one.
    let mut b = restart(b, StartupType::TPM_ST_CLEAR);
    increment(&mut b, c).unwrap();
    assert_eq!(increment(&mut b, a), Err(Rc::TPM_BAD_COUNTER));
}

#[test]
fn counter_values_never_decrease_or_repeat_over_1000_increments_and_10_restarts() {
    let mut b = owned();
    let id = create(&mut b, b"mono").unwrap().count_id;
    let mut seen = vec![read(&mut b, id).unwrap()];
    for _ in 0..10 {
        for _ in 0..100 {
            let v = increment(&mut b, id).unwrap();
            assert!(v > *seen.last().unwrap(), "{v} after {seen:?}");
            seen.push(v);
        }
        b = restart(b, StartupType::TPM_ST_CLEAR);
        assert_eq!(read(&mut b, id).unwrap(), *seen.last().unwrap());
    }
    let mut sorted = seen.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 1001);
}

#[test]
fn a_released_counter_is_gone_and_the_next_starts_above_it() {
    let mut b = owned();
    let id = create(&mut b, b"gone").unwrap().count_id;
    for _ in 0..4 {
        increment(&mut b, id).unwrap();
    }
    let mut s = oiap(&mut b.tpm, COUNTER_AUTH);
    run_auth1::<ReleaseCounter>(
        &mut b.tpm,
        &mut s,
        &ReleaseCounterIn { count_id: id },
        false,
    )
    .unwrap();
    assert_eq!(read(&mut b, id), Err(Rc::TPM_BAD_COUNTER));
    // The released counter was the active one: no counter increments until ST_CLEAR.
    let next = create(&mut b, b"next").unwrap();
    assert_eq!(next.counter_value.counter, 6);
    assert_eq!(increment(&mut b, next.count_id), Err(Rc::TPM_BAD_COUNTER));
    assert_eq!(
        property(&mut b, CapProperty::TPM_CAP_PROP_ACTIVE_COUNTER),
        u32::MAX
    );
    let mut b = restart(b, StartupType::TPM_ST_CLEAR);
    assert_eq!(increment(&mut b, next.count_id).unwrap(), 7);
}

#[test]
fn release_counter_owner_releases_with_the_owner_auth() {
    let mut b = owned();
    let id = create(&mut b, b"ownr").unwrap().count_id;
    let mut s = oiap(&mut b.tpm, OWNER);
    let input = ReleaseCounterOwnerIn { count_id: id };
    run_auth1::<ReleaseCounterOwner>(&mut b.tpm, &mut s, &input, false).unwrap();
    assert_eq!(read(&mut b, id), Err(Rc::TPM_BAD_COUNTER));
    let mut s = oiap(&mut b.tpm, OWNER);
    assert_eq!(
        run_auth1::<ReleaseCounterOwner>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_BAD_COUNTER)
    );
}

#[test]
fn unknown_counters_are_bad_counter() {
    let mut b = owned();
    assert_eq!(read(&mut b, 1), Err(Rc::TPM_BAD_COUNTER));
    let mut s = oiap(&mut b.tpm, COUNTER_AUTH);
    let input = IncrementCounterIn { count_id: 99 };
    assert_eq!(
        run_auth1::<IncrementCounter>(&mut b.tpm, &mut s, &input, false),
        Err(Rc::TPM_BAD_COUNTER)
    );
}

#[test]
fn counter_values_never_go_back_across_owner_clear() {
    use commands::opt_in::{PhysicalEnable, PhysicalSetDeactivated, PhysicalSetDeactivatedIn};
    use commands::ownership::OwnerClear;
    let mut b = owned();
    let id = create(&mut b, b"old!").unwrap().count_id;
    for _ in 0..5 {
        increment(&mut b, id).unwrap();
    }
    let mut s = oiap(&mut b.tpm, OWNER);
    run_auth1::<OwnerClear>(&mut b.tpm, &mut s, &(), false).unwrap();
    // The counter is released; a new owner comes on the re-enabled TPM.
    assert_presence(&mut b.tpm);
    run::<PhysicalEnable>(&mut b.tpm, &()).unwrap();
    assert_eq!(read(&mut b, id), Err(Rc::TPM_BAD_COUNTER));
    let active = PhysicalSetDeactivatedIn { state: false };
    run::<PhysicalSetDeactivated>(&mut b.tpm, &active).unwrap();
    let mut b = restart(b, StartupType::TPM_ST_CLEAR);
    owner_common::take_ownership(&mut b.tpm).unwrap();
    let next = create(&mut b, b"new!").unwrap();
    assert_eq!(next.counter_value.counter, 7);
}
