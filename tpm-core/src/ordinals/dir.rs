//! Part 3, 27.3 DIR commands (deprecated): TPM_DirWriteAuth and TPM_DirRead over the one
//! data integrity register, authDIR[0], which NV also reaches as TPM_NV_INDEX_DIR.

use crate::dispatch::{Ctx, Entity, Handler};
use crate::Tpm;
use tpm_marshal::commands::deprecated::{
    DirRead, DirReadIn, DirReadOut, DirWriteAuth, DirWriteAuthIn,
};
use tpm_marshal::ReturnCode;

/// Step 2 of both: only DIR 0 exists (TPM_BADINDEX).
fn check_dir_index(index: u32) -> Result<(), ReturnCode> {
    if index == 0 {
        Ok(())
    } else {
        Err(ReturnCode::TPM_BADINDEX)
    }
}

/// Part 3, 27.3.1 TPM_DirWriteAuth: the owner writes the DIR.
impl Handler for DirWriteAuth {
    fn authorize(tpm: &Tpm, _input: &DirWriteAuthIn, _i: usize) -> Result<Entity, ReturnCode> {
        tpm.owner_entity()
    }

    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: DirWriteAuthIn) -> Result<(), ReturnCode> {
        check_dir_index(input.dir_index)?;
        tpm.state.permanent.auth_dir = input.new_contents;
        tpm.permanent_dirty = true;
        Ok(())
    }
}

/// Part 3, 27.3.2 TPM_DirRead: anyone reads the DIR.
impl Handler for DirRead {
    fn execute(tpm: &mut Tpm, _cx: &mut Ctx, input: DirReadIn) -> Result<DirReadOut, ReturnCode> {
        check_dir_index(input.dir_index)?;
        Ok(DirReadOut {
            dir_contents: tpm.state.permanent.auth_dir,
        })
    }
}
