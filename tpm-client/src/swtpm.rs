//! swtpm's control channel (the PTM_* protocol QEMU, libvirt and swtpm_ioctl speak):
//! a request is a big-endian u32 command code and its fields; every response starts with
//! a u32 TPM return code.

use crate::error::{Error, Result};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use tpm_marshal::ReturnCode;

/// A control command code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
#[allow(missing_docs)]
pub enum CtrlCmd {
    GetCapability = 0x01,
    Init = 0x02,
    Shutdown = 0x03,
    GetTpmEstablished = 0x04,
    SetLocality = 0x05,
    HashStart = 0x06,
    HashData = 0x07,
    HashEnd = 0x08,
    CancelTpmCmd = 0x09,
    StoreVolatile = 0x0A,
    ResetTpmEstablished = 0x0B,
    GetStateBlob = 0x0C,
    SetStateBlob = 0x0D,
    Stop = 0x0E,
    GetConfig = 0x0F,
    SetDataFd = 0x10,
    SetBufferSize = 0x11,
    GetInfo = 0x12,
    LockStorage = 0x13,
}

/// A state blob type of GET/SET_STATEBLOB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum BlobType {
    /// Permanent state.
    Permanent = 1,
    /// Volatile state.
    Volatile = 2,
    /// TPM_SaveState image.
    SaveState = 3,
}

/// A stream to the control socket.
pub trait CtrlStream: Read + Write + Send {}
impl<S: Read + Write + Send> CtrlStream for S {}

/// A connection to a control channel (swtpm's or tpmd's).
pub struct SwtpmCtrl {
    stream: Box<dyn CtrlStream>,
}

impl core::fmt::Debug for SwtpmCtrl {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SwtpmCtrl")
    }
}

impl SwtpmCtrl {
    /// Connects to a TCP control port.
    pub fn connect_tcp(addr: &str) -> Result<Self> {
        Ok(Self {
            stream: Box::new(TcpStream::connect(addr)?),
        })
    }

    /// Connects to a unix control socket.
    pub fn connect_unix(path: &str) -> Result<Self> {
        Ok(Self {
            stream: Box::new(UnixStream::connect(path)?),
        })
    }

    /// Sends `cmd` with `payload` in one write; reads and checks the result code.
    fn request(&mut self, cmd: CtrlCmd, payload: &[u8]) -> Result<()> {
        let mut msg = (cmd as u32).to_be_bytes().to_vec();
        msg.extend_from_slice(payload);
        self.stream.write_all(&msg)?;
        let rc = ReturnCode(self.u32()?);
        if rc == ReturnCode::TPM_SUCCESS {
            Ok(())
        } else {
            Err(Error::tpm(rc))
        }
    }

    fn u32(&mut self) -> Result<u32> {
        let mut b = [0u8; 4];
        self.stream.read_exact(&mut b)?;
        Ok(u32::from_be_bytes(b))
    }

    fn bytes(&mut self, n: u32) -> Result<Vec<u8>> {
        let n = usize::try_from(n).map_err(|_| Error::Malformed("length".into()))?;
        if n > 16 * 1024 * 1024 {
            return Err(Error::Malformed(format!("control reply of {n} bytes")));
        }
        let mut v = vec![0u8; n];
        self.stream.read_exact(&mut v)?;
        Ok(v)
    }

    /// GET_CAPABILITY: the bit set of supported control commands.
    pub fn get_capability(&mut self) -> Result<u32> {
        self.request(CtrlCmd::GetCapability, &[])?;
        self.u32()
    }

    /// INIT: (re)starts the TPM; `delete_volatile` drops the saved volatile state.
    pub fn init(&mut self, delete_volatile: bool) -> Result<()> {
        self.request(CtrlCmd::Init, &u32::from(delete_volatile).to_be_bytes())
    }

    /// SHUTDOWN: stops the TPM and ends the server process.
    pub fn shutdown(&mut self) -> Result<()> {
        self.request(CtrlCmd::Shutdown, &[])
    }

    /// STOP: stops the TPM but keeps the server running.
    pub fn stop(&mut self) -> Result<()> {
        self.request(CtrlCmd::Stop, &[])
    }

    /// GET_TPMESTABLISHED: the tpmEstablished flag.
    pub fn get_tpm_established(&mut self) -> Result<bool> {
        self.request(CtrlCmd::GetTpmEstablished, &[])?;
        Ok(self.bytes(4)?.first().is_some_and(|b| *b != 0))
    }

    /// RESET_TPMESTABLISHED from `locality` (3 or 4).
    pub fn reset_tpm_established(&mut self, locality: u8) -> Result<()> {
        self.request(CtrlCmd::ResetTpmEstablished, &[locality, 0, 0, 0])
    }

    /// SET_LOCALITY for subsequent data-channel commands.
    pub fn set_locality(&mut self, locality: u8) -> Result<()> {
        self.request(CtrlCmd::SetLocality, &[locality, 0, 0, 0])
    }

    /// HASH_START, HASH_DATA for each chunk, HASH_END: the locality-4 DRTM sequence.
    pub fn hash(&mut self, data: &[u8]) -> Result<()> {
        self.request(CtrlCmd::HashStart, &[])?;
        for chunk in data.chunks(4096) {
            let len = u32::try_from(chunk.len()).map_err(|_| Error::Usage("chunk".into()))?;
            let mut p = len.to_be_bytes().to_vec();
            p.extend_from_slice(chunk);
            self.request(CtrlCmd::HashData, &p)?;
        }
        self.request(CtrlCmd::HashEnd, &[])
    }

    /// CANCEL_TPM_CMD.
    pub fn cancel(&mut self) -> Result<()> {
        self.request(CtrlCmd::CancelTpmCmd, &[])
    }

    /// STORE_VOLATILE.
    pub fn store_volatile(&mut self) -> Result<()> {
        self.request(CtrlCmd::StoreVolatile, &[])
    }

    /// GET_CONFIG: bit 0 a state key is in use, bit 1 a migration key.
    pub fn get_config(&mut self) -> Result<u32> {
        self.request(CtrlCmd::GetConfig, &[])?;
        self.u32()
    }

    /// SET_BUFFERSIZE (0 queries): returns (size, min, max).
    pub fn set_buffer_size(&mut self, size: u32) -> Result<(u32, u32, u32)> {
        self.request(CtrlCmd::SetBufferSize, &size.to_be_bytes())?;
        Ok((self.u32()?, self.u32()?, self.u32()?))
    }

    /// GET_STATEBLOB: the whole blob of `ty` (decrypted if `decrypted`).
    pub fn get_state_blob(&mut self, ty: BlobType, decrypted: bool) -> Result<Vec<u8>> {
        let mut p = u32::from(decrypted).to_be_bytes().to_vec();
        p.extend_from_slice(&(ty as u32).to_be_bytes());
        p.extend_from_slice(&0u32.to_be_bytes());
        self.request(CtrlCmd::GetStateBlob, &p)?;
        let _flags = self.u32()?;
        let _total = self.u32()?;
        let len = self.u32()?;
        self.bytes(len)
    }

    /// SET_STATEBLOB (the TPM must be stopped); an empty blob clears it.
    pub fn set_state_blob(&mut self, ty: BlobType, blob: &[u8]) -> Result<()> {
        let len = u32::try_from(blob.len()).map_err(|_| Error::Usage("blob too large".into()))?;
        let mut p = 0u32.to_be_bytes().to_vec();
        p.extend_from_slice(&(ty as u32).to_be_bytes());
        p.extend_from_slice(&len.to_be_bytes());
        p.extend_from_slice(blob);
        self.request(CtrlCmd::SetStateBlob, &p)
    }

    /// GET_INFO: JSON text for the `flags` asked.
    pub fn get_info(&mut self, flags: u64) -> Result<String> {
        let mut p = flags.to_be_bytes().to_vec();
        p.extend_from_slice(&[0; 8]);
        self.request(CtrlCmd::GetInfo, &p)?;
        let _total = self.u32()?;
        let len = self.u32()?;
        String::from_utf8(self.bytes(len)?).map_err(|e| Error::Malformed(e.to_string()))
    }
}
