//! Part 3, 23 (timing ticks) through `execute()`: a new tick session, with a new tick
//! nonce, after every TPM_Init, whatever the TPM_Startup type.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use commands::startup::SaveState;
use commands::timing::GetTicks;
use common::*;
use tpm_marshal::StartupType;

#[test]
fn tick_nonce_changes_on_each_tpm_init() {
    let mut b = started();
    let mut nonces = vec![
        run::<GetTicks>(&mut b.tpm, &())
            .unwrap()
            .current_time
            .tick_nonce,
    ];
    for t in [StartupType::TPM_ST_CLEAR, StartupType::TPM_ST_STATE] {
        run::<SaveState>(&mut b.tpm, &()).unwrap();
        b.tpm.init();
        startup(&mut b.tpm, t).unwrap();
        let now = run::<GetTicks>(&mut b.tpm, &()).unwrap().current_time;
        assert!(!nonces.contains(&now.tick_nonce), "{t:?}");
        nonces.push(now.tick_nonce);
    }
}
