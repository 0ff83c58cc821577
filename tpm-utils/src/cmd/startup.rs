//! Part 3, chapters 3 and 4: admin startup and state, admin testing.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::output::Report;
use clap::Subcommand;
use tpm_marshal::StartupType;

/// Chapters 3 and 4.
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Part 3, 3.1 TPM_Init: the platform reset, as the test-only ordinal (TPMs without
    /// it answer TPM_BAD_ORDINAL; swtpm's control channel resets instead).
    Init,
    /// Part 3, 3.2 TPM_Startup (ST_CLEAR unless told otherwise).
    Startup {
        /// Resume the state saved by TPM_SaveState (TPM_ST_STATE).
        #[arg(long, conflicts_with = "deactivated")]
        state: bool,
        /// Start deactivated (TPM_ST_DEACTIVATED).
        #[arg(long)]
        deactivated: bool,
    },
    /// Part 3, 3.3 TPM_SaveState: saves the state TPM_Startup(ST_STATE) resumes.
    SaveState,
    /// Part 3, 4.1 TPM_SelfTestFull.
    SelfTestFull,
    /// Part 3, 4.2 TPM_ContinueSelfTest.
    ContinueSelfTest,
    /// Part 3, 4.3 TPM_GetTestResult: the vendor's outcome of the last self-test.
    GetTestResult,
}

impl Cmd {
    /// Runs the subcommand.
    pub fn run(self, ctx: &mut Ctx) -> Result<Report> {
        let tpm = &mut ctx.tpm;
        match self {
            Self::Init => tpm.init()?,
            Self::Startup { state, deactivated } => {
                let ty = match (state, deactivated) {
                    (true, _) => StartupType::TPM_ST_STATE,
                    (_, true) => StartupType::TPM_ST_DEACTIVATED,
                    _ => StartupType::TPM_ST_CLEAR,
                };
                tpm.startup(ty)?;
            }
            Self::SaveState => tpm.save_state()?,
            Self::SelfTestFull => tpm.self_test_full()?,
            Self::ContinueSelfTest => tpm.continue_self_test()?,
            Self::GetTestResult => return Ok(Report::new().hex("result", &tpm.get_test_result()?)),
        }
        Ok(Report::new())
    }
}
