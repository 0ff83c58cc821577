//! The control channel: swtpm's CMD_* requests (swtpm-protocol.md, "Control channel").
//!
//! A request is a u32 command code and that command's fields; every response starts with
//! a u32 result. Like swtpm, a request must arrive within 500 ms of its first byte, and the
//! bytes that arrive with it are its message (so QEMU's padded SET_LOCALITY is accepted
//! and a write-only command with extra bytes is TPM_BAD_PARAMETER). State blobs and hash
//! data may be longer than one message: their declared length is read in full, so the
//! stream never falls out of step.

use std::os::fd::OwnedFd;
use std::sync::Arc;
use std::time::Duration;

use tpm_core::store::BlobName;
use tpm_marshal::ReturnCode;

use crate::blob;
use crate::caps;
use crate::log::{LEVEL_COMMANDS, LEVEL_EVENTS};
use crate::server::{ExitReason, Shared};
use crate::transport::{fill_to, Stream};
use crate::wire::{be32, be64};

/// CMD_GET_CAPABILITY.
pub const CMD_GET_CAPABILITY: u32 = 0x01;
/// CMD_INIT.
pub const CMD_INIT: u32 = 0x02;
/// CMD_SHUTDOWN.
pub const CMD_SHUTDOWN: u32 = 0x03;
/// CMD_GET_TPMESTABLISHED.
pub const CMD_GET_TPMESTABLISHED: u32 = 0x04;
/// CMD_SET_LOCALITY.
pub const CMD_SET_LOCALITY: u32 = 0x05;
/// CMD_HASH_START.
pub const CMD_HASH_START: u32 = 0x06;
/// CMD_HASH_DATA.
pub const CMD_HASH_DATA: u32 = 0x07;
/// CMD_HASH_END.
pub const CMD_HASH_END: u32 = 0x08;
/// CMD_CANCEL_TPM_CMD.
pub const CMD_CANCEL_TPM_CMD: u32 = 0x09;
/// CMD_STORE_VOLATILE.
pub const CMD_STORE_VOLATILE: u32 = 0x0A;
/// CMD_RESET_TPMESTABLISHED.
pub const CMD_RESET_TPMESTABLISHED: u32 = 0x0B;
/// CMD_GET_STATEBLOB.
pub const CMD_GET_STATEBLOB: u32 = 0x0C;
/// CMD_SET_STATEBLOB.
pub const CMD_SET_STATEBLOB: u32 = 0x0D;
/// CMD_STOP.
pub const CMD_STOP: u32 = 0x0E;
/// CMD_GET_CONFIG.
pub const CMD_GET_CONFIG: u32 = 0x0F;
/// CMD_SET_DATAFD.
pub const CMD_SET_DATAFD: u32 = 0x10;
/// CMD_SET_BUFFERSIZE.
pub const CMD_SET_BUFFERSIZE: u32 = 0x11;
/// CMD_GET_INFO.
pub const CMD_GET_INFO: u32 = 0x12;
/// CMD_LOCK_STORAGE.
pub const CMD_LOCK_STORAGE: u32 = 0x13;

/// The capability bits we answer to GET_CAPABILITY: every command but the TPM 2-only
/// SEND_COMMAND_HEADER (bit 15), as swtpm does for TPM 1.2.
pub const CAPABILITIES: u32 = 0x17FFF;

/// PTM_STATE_FLAG_DECRYPTED: return the blob without the state key's encryption.
pub const STATE_FLAG_DECRYPTED: u32 = 1;
/// PTM_STATE_FLAG_ENCRYPTED: the blob is encrypted with the state key.
pub const STATE_FLAG_ENCRYPTED: u32 = 2;
/// PTM_CONFIG_FLAG_FILE_KEY.
pub const CONFIG_FLAG_FILE_KEY: u32 = 1;
/// PTM_CONFIG_FLAG_MIGRATION_KEY.
pub const CONFIG_FLAG_MIGRATION_KEY: u32 = 2;
/// The largest state blob accepted (swtpm's cap).
pub const MAX_STATE_BLOB: u32 = 512 * 1024;
/// The TPM 1.2 buffer sizes SET_BUFFERSIZE allows.
pub const BUFFER_MIN: u32 = 3072;
/// See [`BUFFER_MIN`].
pub const BUFFER_MAX: u32 = 4096;
/// GET_INFO returns at most this many bytes per request.
const INFO_CHUNK: usize = 3 * 1024;

/// How long a request may take to arrive after its first byte.
const MESSAGE_DEADLINE: Duration = Duration::from_millis(500);
/// How long each further read of a long state blob or hash stream may wait.
const STREAM_TIMEOUT: Duration = Duration::from_secs(5);
/// The first read takes at most this much.
const MESSAGE_BUFFER: usize = 4096 + 16;

/// What to do after a response.
#[derive(Debug, Default)]
struct Reply {
    bytes: Vec<u8>,
    exit: Option<ExitReason>,
    close: bool,
}

impl Reply {
    fn code(code: ReturnCode) -> Self {
        Self {
            bytes: code.0.to_be_bytes().to_vec(),
            ..Self::default()
        }
    }

    fn ok_with(fields: &[u32]) -> Self {
        let mut bytes = ReturnCode::TPM_SUCCESS.0.to_be_bytes().to_vec();
        fields
            .iter()
            .for_each(|f| bytes.extend_from_slice(&f.to_be_bytes()));
        Self {
            bytes,
            ..Self::default()
        }
    }

    fn result(r: Result<(), ReturnCode>) -> Self {
        Self::code(r.err().unwrap_or(ReturnCode::TPM_SUCCESS))
    }
}

fn bad_parameter() -> Reply {
    Reply::code(ReturnCode::TPM_BAD_PARAMETER)
}

fn bad_ordinal() -> Reply {
    Reply::code(ReturnCode::TPM_BAD_ORDINAL)
}

/// The bytes (command code included) a command needs before it can be looked at.
fn fixed_len(cmd: u32) -> usize {
    match cmd {
        CMD_SET_LOCALITY | CMD_RESET_TPMESTABLISHED => 5,
        CMD_INIT | CMD_HASH_DATA | CMD_SET_BUFFERSIZE | CMD_LOCK_STORAGE => 8,
        CMD_GET_STATEBLOB | CMD_SET_STATEBLOB => 16,
        CMD_GET_INFO => 20,
        _ => 4,
    }
}

/// The name of a command, for logs.
pub fn command_name(cmd: u32) -> &'static str {
    match cmd {
        CMD_GET_CAPABILITY => "GET_CAPABILITY",
        CMD_INIT => "INIT",
        CMD_SHUTDOWN => "SHUTDOWN",
        CMD_GET_TPMESTABLISHED => "GET_TPMESTABLISHED",
        CMD_SET_LOCALITY => "SET_LOCALITY",
        CMD_HASH_START => "HASH_START",
        CMD_HASH_DATA => "HASH_DATA",
        CMD_HASH_END => "HASH_END",
        CMD_CANCEL_TPM_CMD => "CANCEL_TPM_CMD",
        CMD_STORE_VOLATILE => "STORE_VOLATILE",
        CMD_RESET_TPMESTABLISHED => "RESET_TPMESTABLISHED",
        CMD_GET_STATEBLOB => "GET_STATEBLOB",
        CMD_SET_STATEBLOB => "SET_STATEBLOB",
        CMD_STOP => "STOP",
        CMD_GET_CONFIG => "GET_CONFIG",
        CMD_SET_DATAFD => "SET_DATAFD",
        CMD_SET_BUFFERSIZE => "SET_BUFFERSIZE",
        CMD_GET_INFO => "GET_INFO",
        CMD_LOCK_STORAGE => "LOCK_STORAGE",
        _ => "unknown",
    }
}

/// Serves one control connection until it closes. With `terminate`, losing it ends the
/// server (`--ctrl ...,terminate`).
pub fn serve_connection(shared: &Arc<Shared>, mut stream: Stream, terminate: bool) {
    loop {
        let mut buf = vec![0u8; MESSAGE_BUFFER];
        let (n, fd) = match stream.recv_with_fd(&mut buf) {
            Ok((0, _)) | Err(_) => break,
            Ok(got) => got,
        };
        buf.truncate(n);
        let reply = match read_rest(&mut stream, &mut buf) {
            Err(_) => break,
            Ok(false) => bad_parameter(),
            Ok(true) => handle(shared, &mut stream, &buf, fd),
        };
        let cmd = be32(&buf, 0).unwrap_or(0);
        let result = be32(&reply.bytes, 0).map(ReturnCode).unwrap_or_default();
        shared.log.log(
            LEVEL_COMMANDS,
            &format!("ctrl: {} -> {result}", command_name(cmd)),
        );
        shared.log.dump(" Ctrl Cmd:", &buf);
        shared.log.dump(" Ctrl Rsp:", &reply.bytes);
        if std::io::Write::write_all(&mut stream, &reply.bytes).is_err() {
            break;
        }
        if let Some(reason) = reply.exit {
            shared.exit(reason);
        }
        if reply.close {
            break;
        }
    }
    if terminate {
        shared.exit(ExitReason::CtrlClosed);
    }
}

/// Completes the command code and the command's fixed fields within the deadline.
/// False if they did not all arrive (the request is malformed).
fn read_rest(stream: &mut Stream, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    if !fill_to(stream, buf, 4, MESSAGE_DEADLINE)? {
        return Ok(false);
    }
    let cmd = be32(buf, 0).unwrap_or(0);
    fill_to(stream, buf, fixed_len(cmd), MESSAGE_DEADLINE)
}

fn handle(shared: &Arc<Shared>, stream: &mut Stream, msg: &[u8], fd: Option<OwnedFd>) -> Reply {
    let cmd = be32(msg, 0).unwrap_or(0);
    let body = msg.get(4..).unwrap_or_default();
    match cmd {
        CMD_GET_CAPABILITY => Reply::ok_with(&[CAPABILITIES]),
        CMD_INIT => match body {
            [a, b, c, d] => {
                Reply::result(shared.init_tpm(u32::from_be_bytes([*a, *b, *c, *d]) & 1 != 0))
            }
            _ => bad_parameter(),
        },
        CMD_STOP if body.is_empty() => Reply::result(shared.stop_tpm()),
        CMD_SHUTDOWN if body.is_empty() => {
            let mut reply = Reply::result(shared.stop_tpm());
            reply.exit = Some(ExitReason::Shutdown);
            reply.close = true;
            reply
        }
        CMD_GET_TPMESTABLISHED => running(shared, body, |core| {
            let mut r = Reply::ok_with(&[]);
            r.bytes
                .extend_from_slice(&[u8::from(core.instance.tpm_established()), 0, 0, 0]);
            r
        }),
        CMD_SET_LOCALITY => match body.first() {
            Some(&loc) => Reply::result(shared.set_locality(loc)),
            None => bad_parameter(),
        },
        CMD_RESET_TPMESTABLISHED => {
            let mut core = shared.core();
            match (core.running, body.first()) {
                (false, _) => bad_ordinal(),
                (true, None) => bad_parameter(),
                (true, Some(&loc)) if loc > 4 => Reply::code(ReturnCode::TPM_BAD_LOCALITY),
                (true, Some(&loc)) => Reply::result(core.instance.reset_established(loc)),
            }
        }
        CMD_HASH_START => running(shared, body, |core| {
            Reply::result(core.instance.hash_start())
        }),
        CMD_HASH_END => running(shared, body, |core| Reply::result(core.instance.hash_end())),
        CMD_HASH_DATA => hash_data(shared, stream, body),
        CMD_CANCEL_TPM_CMD => running(shared, body, |core| {
            core.instance.cancel();
            Reply::ok_with(&[])
        }),
        CMD_STORE_VOLATILE => running(shared, body, |core| {
            Reply::result(core.instance.store_volatile().map_err(|e| {
                shared
                    .log
                    .log(LEVEL_EVENTS, &format!("STORE_VOLATILE: {e}"));
                e.return_code()
            }))
        }),
        CMD_GET_STATEBLOB => get_stateblob(shared, body),
        CMD_SET_STATEBLOB => set_stateblob(shared, stream, body),
        CMD_GET_CONFIG if body.is_empty() => Reply::ok_with(&[shared.config_flags()]),
        CMD_SET_DATAFD => set_datafd(shared, fd),
        CMD_SET_BUFFERSIZE => match be32(body, 0) {
            None => bad_parameter(),
            Some(size) => set_buffersize(shared, size),
        },
        CMD_GET_INFO => get_info(body),
        CMD_LOCK_STORAGE if body.len() >= 4 => Reply::ok_with(&[]),
        CMD_STOP | CMD_SHUTDOWN | CMD_GET_CONFIG | CMD_LOCK_STORAGE => bad_parameter(),
        other => {
            shared.log.log(
                LEVEL_EVENTS,
                &format!("ctrl: unknown command {other:#010x}"),
            );
            bad_ordinal()
        }
    }
}

/// Runs `f` on a running TPM for a command without fields.
fn running(
    shared: &Shared,
    body: &[u8],
    f: impl FnOnce(&mut crate::server::Core) -> Reply,
) -> Reply {
    let mut core = shared.core();
    if !core.running {
        bad_ordinal()
    } else if !body.is_empty() {
        bad_parameter()
    } else {
        f(&mut core)
    }
}

/// HASH_DATA: u32 length, then that many bytes, possibly beyond this message.
fn hash_data(shared: &Shared, stream: &mut Stream, body: &[u8]) -> Reply {
    let Some(length) = be32(body, 0) else {
        return bad_parameter();
    };
    let first = body.get(4..).unwrap_or_default();
    let mut remain = usize::try_from(length).unwrap_or(usize::MAX);
    if first.len() > remain {
        return bad_parameter();
    }
    let mut result = if shared.core().running {
        Ok(())
    } else {
        Err(ReturnCode::TPM_BAD_ORDINAL)
    };
    let mut chunk = first.to_vec();
    loop {
        if result.is_ok() {
            result = shared.core().instance.hash_data(&chunk);
        }
        remain = remain.saturating_sub(chunk.len());
        if remain == 0 {
            break;
        }
        chunk.clear();
        match fill_to(stream, &mut chunk, remain.min(4096), STREAM_TIMEOUT) {
            Ok(true) => {}
            Ok(false) | Err(_) => {
                let mut reply = Reply::code(ReturnCode::TPM_IOERROR);
                reply.close = true;
                return reply;
            }
        }
    }
    Reply::result(result)
}

fn blob_name(blob_type: u32) -> Option<BlobName> {
    match blob_type {
        1 => Some(BlobName::Permanent),
        2 => Some(BlobName::Volatile),
        3 => Some(BlobName::SaveState),
        _ => None,
    }
}

/// GET_STATEBLOB: u32 flags, u32 type, u32 offset → result, flags, total, length, bytes.
fn get_stateblob(shared: &Shared, body: &[u8]) -> Reply {
    let mut core = shared.core();
    if !core.running {
        return bad_ordinal();
    }
    let (Some(flags), Some(blob_type), Some(offset)) =
        (be32(body, 0), be32(body, 4), be32(body, 8))
    else {
        return bad_parameter();
    };
    let header = |code: ReturnCode, flags: u32, len: u32| {
        let mut bytes = code.0.to_be_bytes().to_vec();
        [flags, len, len]
            .iter()
            .for_each(|f| bytes.extend_from_slice(&f.to_be_bytes()));
        bytes
    };
    let Some(name) = blob_name(blob_type) else {
        return Reply {
            bytes: header(ReturnCode::TPM_FAIL, 0, 0),
            ..Reply::default()
        };
    };
    let sealed = core.instance.get_blob(name).map_err(|e| {
        shared
            .log
            .log(LEVEL_EVENTS, &format!("GET_STATEBLOB {name:?}: {e}"));
        e.return_code()
    });
    drop(core);
    let encrypt = flags & STATE_FLAG_DECRYPTED == 0 && shared.state_key.is_some();
    let sealed = sealed.and_then(|data| {
        if data.is_empty() {
            return Ok(data);
        }
        let state_key = if encrypt {
            shared.state_key.as_ref()
        } else {
            None
        };
        blob::seal(&data, state_key, shared.migration_key.as_ref()).map_err(|e| e.code)
    });
    match sealed {
        Err(code) => Reply {
            bytes: header(code, 0, 0),
            ..Reply::default()
        },
        Ok(data) => {
            let rest = data
                .get(usize::try_from(offset).unwrap_or(usize::MAX)..)
                .unwrap_or_default();
            let len = u32::try_from(rest.len()).unwrap_or(0);
            let out_flags = if encrypt && !data.is_empty() {
                STATE_FLAG_ENCRYPTED
            } else {
                0
            };
            let mut bytes = header(ReturnCode::TPM_SUCCESS, out_flags, len);
            bytes.extend_from_slice(rest);
            Reply {
                bytes,
                ..Reply::default()
            }
        }
    }
}

/// SET_STATEBLOB: u32 flags, u32 type, u32 length, then the blob (possibly in later
/// writes). The whole length is read before anything is judged, so the stream stays in
/// step; only a length beyond 512 KiB closes the connection.
fn set_stateblob(shared: &Shared, stream: &mut Stream, body: &[u8]) -> Reply {
    let (Some(_flags), Some(blob_type), Some(length)) =
        (be32(body, 0), be32(body, 4), be32(body, 8))
    else {
        return bad_parameter();
    };
    if length > MAX_STATE_BLOB {
        let mut reply = Reply::code(ReturnCode::TPM_FAIL);
        reply.close = true;
        return reply;
    }
    let want = usize::try_from(length).unwrap_or(0);
    let mut data = body.get(12..).unwrap_or_default().to_vec();
    if data.len() > want {
        return bad_parameter();
    }
    match fill_to(stream, &mut data, want, STREAM_TIMEOUT) {
        Ok(true) => {}
        Ok(false) => return bad_parameter(),
        Err(_) => {
            let mut reply = Reply::code(ReturnCode::TPM_IOERROR);
            reply.close = true;
            return reply;
        }
    }
    let mut core = shared.core();
    if core.running {
        return bad_ordinal();
    }
    let Some(name) = blob_name(blob_type) else {
        return bad_parameter();
    };
    let plain = if data.is_empty() {
        Ok(zeroize::Zeroizing::new(Vec::new()))
    } else {
        blob::open(
            &data,
            shared.state_key.as_ref(),
            shared.migration_key.as_ref(),
        )
    };
    let result = plain
        .map_err(|e| {
            shared
                .log
                .log(LEVEL_EVENTS, &format!("SET_STATEBLOB {name:?}: {e}"));
            e.code
        })
        .and_then(|plain| {
            core.instance.set_blob(name, &plain).map_err(|e| {
                shared
                    .log
                    .log(LEVEL_EVENTS, &format!("SET_STATEBLOB {name:?}: {e}"));
                e.return_code()
            })
        });
    Reply::result(result)
}

fn set_datafd(shared: &Arc<Shared>, fd: Option<OwnedFd>) -> Reply {
    if shared.datafd_busy() {
        return Reply::code(ReturnCode::TPM_IOERROR);
    }
    match fd {
        None => bad_parameter(),
        Some(fd) => {
            shared.serve_datafd(fd);
            Reply::ok_with(&[])
        }
    }
}

fn set_buffersize(shared: &Shared, wanted: u32) -> Reply {
    let mut core = shared.core();
    if wanted > 0 && core.running {
        return bad_ordinal();
    }
    if wanted > 0 {
        core.buffer_size = wanted.clamp(BUFFER_MIN, BUFFER_MAX);
    }
    Reply::ok_with(&[core.buffer_size, BUFFER_MIN, BUFFER_MAX])
}

/// GET_INFO: u64 flags, u32 offset, u32 pad → result, total, length, NUL-terminated JSON.
fn get_info(body: &[u8]) -> Reply {
    let (Some(flags), Some(offset)) = (be64(body, 0), be32(body, 8)) else {
        return bad_parameter();
    };
    let mut text = caps::info_json(flags).into_bytes();
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    if offset >= text.len() {
        return bad_parameter();
    }
    text.push(0);
    let part = text.get(offset..).unwrap_or_default();
    let part = part.get(..part.len().min(INFO_CHUNK)).unwrap_or_default();
    let total = u32::try_from(text.len()).unwrap_or(0);
    let len = u32::try_from(part.len()).unwrap_or(0);
    let mut reply = Reply::ok_with(&[total, len]);
    reply.bytes.extend_from_slice(part);
    reply
}
