//! A toy VMM that puts the TPM behind an emulated TIS (TCG PC Client TPM Interface
//! Specification 1.3) and drives it the way Linux's `tpm_tis` driver does.
//!
//! - `Bus` maps the 0x5000-byte TIS window at 0xFED4_0000, like a VMM's MMIO bus;
//! - `TpmBackend` is the adapter that puts the TPM engine behind [`TisBackend`];
//! - `Guest` is the driver: probe (DID_VID, locality 0, TPM_GetCapability of the TIS
//!   timeouts written byte by byte with Expect checked), then TPM_Startup, TPM_GetRandom,
//!   TPM_Extend and TPM_PCRRead, each sent and received over MMIO only.
//!
//! Run it with `cargo run -p examples --example tis_vmm`.

use std::error::Error;
use std::fmt::Write as _;

use examples::TpmBackend;
use sha1::{Digest as _, Sha1};
use tpm_marshal::commands::integrity::{ExtendIn, ExtendOut, PcrReadIn, PcrReadOut};
use tpm_marshal::framing::{CommandFrame, ResponseFrame, HEADER_SIZE};
use tpm_marshal::{
    CapProperty, CapabilityArea, Marshal, Ordinal, Reader, ReturnCode, StartupType, Unmarshal,
    Writer,
};
use tpm_tis::{Config, Tis, TisBackend};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// Where the PC platform puts the TIS (TIS 1.3, 5.4).
const TPM_BASE: u64 = 0xFED4_0000;

/// TIS registers used by the driver (offsets in a locality page).
const ACCESS: u64 = 0x000;
const INT_ENABLE: u64 = 0x008;
const INTF_CAPABILITY: u64 = 0x014;
const STS: u64 = 0x018;
const DATA_FIFO: u64 = 0x024;
const DID_VID: u64 = 0xF00;
const RID: u64 = 0xF04;

/// TPM_STS_x bits.
const STS_VALID: u8 = 0x80;
const COMMAND_READY: u8 = 0x40;
const TPM_GO: u8 = 0x20;
const DATA_AVAIL: u8 = 0x10;
const EXPECT: u8 = 0x08;

/// How many times the driver polls before it gives up (Linux waits for timeouts A–D).
const POLLS: usize = 100;

// ---------------------------------------------------------------------------------------
// The VMM side: a bus and the TIS on it.
// ---------------------------------------------------------------------------------------

/// What a VMM bus needs from a device (the shape of rust-vmm's `MutDeviceMmio`,
/// cloud-hypervisor's and crosvm's `BusDevice`).
trait MmioDevice {
    fn read(&mut self, offset: u64, data: &mut [u8]);
    fn write(&mut self, offset: u64, data: &[u8]);
}

impl<B: TisBackend> MmioDevice for Tis<B> {
    fn read(&mut self, offset: u64, data: &mut [u8]) {
        Tis::read(self, offset, data);
    }

    fn write(&mut self, offset: u64, data: &[u8]) {
        Tis::write(self, offset, data);
    }
}

/// A one-device MMIO bus that counts the accesses it routes.
struct Bus {
    base: u64,
    size: u64,
    device: Box<dyn MmioDevice>,
    reads: usize,
    writes: usize,
}

impl Bus {
    /// The device's offset for a guest-physical address, if the device claims it.
    fn route(&self, address: u64) -> Option<u64> {
        address.checked_sub(self.base).filter(|&o| o < self.size)
    }

    fn read(&mut self, address: u64, data: &mut [u8]) {
        self.reads += 1;
        match self.route(address) {
            Some(offset) => self.device.read(offset, data),
            None => data.fill(0xFF),
        }
    }

    fn write(&mut self, address: u64, data: &[u8]) {
        self.writes += 1;
        if let Some(offset) = self.route(address) {
            self.device.write(offset, data);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The backend adapter.
// ---------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------
// The guest side: what Linux's tpm_tis driver does.
// ---------------------------------------------------------------------------------------

/// A driver talking to the TIS at one locality through the bus, as `tpm_tis_core.c` does.
struct Guest<'a> {
    bus: &'a mut Bus,
    locality: u64,
}

impl Guest<'_> {
    fn address(&self, register: u64) -> u64 {
        TPM_BASE + self.locality * 0x1000 + register
    }

    fn read8(&mut self, register: u64) -> u8 {
        let mut b = [0];
        self.bus.read(self.address(register), &mut b);
        b[0]
    }

    fn read16(&mut self, register: u64) -> u16 {
        let mut b = [0; 2];
        self.bus.read(self.address(register), &mut b);
        u16::from_le_bytes(b)
    }

    fn read32(&mut self, register: u64) -> u32 {
        let mut b = [0; 4];
        self.bus.read(self.address(register), &mut b);
        u32::from_le_bytes(b)
    }

    fn write8(&mut self, register: u64, value: u8) {
        self.bus.write(self.address(register), &[value]);
    }

    fn write32(&mut self, register: u64, value: u32) {
        self.bus.write(self.address(register), &value.to_le_bytes());
    }

    /// Polls TPM_STS until all of `mask` is set (`wait_for_tpm_stat`).
    fn wait_for_status(&mut self, mask: u8, what: &str) -> Result<u8> {
        for _ in 0..POLLS {
            let status = self.read8(STS);
            if status & mask == mask {
                return Ok(status);
            }
        }
        Err(format!("timed out waiting for {what}").into())
    }

    /// `get_burstcount`: a 32-bit STS read, bits 23:8, polled while 0.
    fn burst_count(&mut self) -> Result<usize> {
        for _ in 0..POLLS {
            let burst = (self.read32(STS) >> 8) & 0xFFFF;
            if burst != 0 {
                return Ok(usize::try_from(burst)?);
            }
        }
        Err("burstCount stayed 0".into())
    }

    /// `check_locality`: activeLocality and tpmRegValidSts set, requestUse clear.
    fn has_locality(&mut self) -> bool {
        self.read8(ACCESS) & 0xA2 == 0xA0
    }

    fn request_locality(&mut self) -> Result<()> {
        if self.has_locality() {
            return Ok(());
        }
        self.write8(ACCESS, 0x02);
        if (0..POLLS).any(|_| self.has_locality()) {
            Ok(())
        } else {
            Err("locality not granted".into())
        }
    }

    fn release_locality(&mut self) {
        self.write8(ACCESS, 0x20);
    }

    /// The first steps of `tpm_tis_core_init`.
    fn probe(&mut self, log: &mut String) -> Result<()> {
        let did_vid = self.read32(DID_VID);
        if did_vid == 0 || did_vid == u32::MAX {
            return Err("no TPM at 0xFED40000".into());
        }
        let access = self.read8(ACCESS);
        if access & 0x80 == 0 {
            return Err("tpmRegValidSts never set".into());
        }
        let int_enable = self.read32(INT_ENABLE);
        self.request_locality()?;
        // Enable the four events, global enable off: Linux polls unless told otherwise.
        self.write32(INT_ENABLE, (int_enable | 0x87) & !0x8000_0000);
        let int_enable = self.read32(INT_ENABLE);
        self.release_locality();
        let vendor = self.read16(DID_VID);
        let rid = self.read8(RID);
        let capability = self.read32(INTF_CAPABILITY);
        writeln!(
            log,
            "probe: DID_VID {did_vid:#010x} (vendor {vendor:#06x}, device {:#06x}), RID {rid:#04x}, \
             ACCESS {access:#04x}, INT_ENABLE {int_enable:#010x}, INTF_CAPABILITY {capability:#010x}",
            did_vid >> 16
        )?;
        Ok(())
    }

    /// `tpm_tis_send_data` + tpmGo: the command byte by byte, Expect checked after each
    /// burst and after the last byte.
    fn send(&mut self, command: &[u8], log: &mut String) -> Result<()> {
        if self.read8(STS) & COMMAND_READY == 0 {
            self.write8(STS, COMMAND_READY);
            self.wait_for_status(COMMAND_READY, "commandReady")?;
        }
        let (body, last) = match command.split_last() {
            Some((&last, body)) => (body, last),
            None => return Err("empty command".into()),
        };
        let mut sent = 0;
        let mut bursts = 0;
        while sent < body.len() {
            let burst = self.burst_count()?.min(body.len() - sent);
            for &byte in &body[sent..sent + burst] {
                self.write8(DATA_FIFO, byte);
            }
            sent += burst;
            bursts += 1;
            if self.wait_for_status(STS_VALID, "stsValid")? & EXPECT == 0 {
                return Err(
                    format!("Expect cleared after {sent} of {} bytes", command.len()).into(),
                );
            }
        }
        self.write8(DATA_FIFO, last);
        if self.wait_for_status(STS_VALID, "stsValid")? & EXPECT != 0 {
            return Err("Expect still set after the last byte".into());
        }
        self.write8(STS, TPM_GO);
        writeln!(
            log,
            "  sent {} bytes in {} burst(s) + the last byte, Expect=1 after each burst, Expect=0 after the last, tpmGo",
            command.len(),
            bursts
        )?;
        Ok(())
    }

    /// `recv_data`: reads `count` response bytes in bursts; returns the number of bursts.
    fn recv_data(&mut self, into: &mut Vec<u8>, count: usize) -> Result<usize> {
        let mut bursts = 0;
        let end = into.len() + count;
        while into.len() < end {
            self.wait_for_status(STS_VALID | DATA_AVAIL, "dataAvail")?;
            let burst = self.burst_count()?.min(end - into.len());
            for _ in 0..burst {
                let byte = self.read8(DATA_FIFO);
                into.push(byte);
            }
            bursts += 1;
        }
        Ok(bursts)
    }

    /// `tpm_tis_recv`: header first, then the size it announces, then no data left over.
    fn receive(&mut self, log: &mut String) -> Result<Vec<u8>> {
        let mut response = Vec::new();
        let mut bursts = self.recv_data(&mut response, HEADER_SIZE)?;
        let size = usize::try_from(u32::from_be_bytes([
            response[2],
            response[3],
            response[4],
            response[5],
        ]))?;
        if !(HEADER_SIZE..=4096).contains(&size) {
            return Err(format!("bad response size {size}").into());
        }
        bursts += self.recv_data(&mut response, size - HEADER_SIZE)?;
        if self.wait_for_status(STS_VALID, "stsValid")? & DATA_AVAIL != 0 {
            return Err("error left over data".into());
        }
        self.write8(STS, COMMAND_READY);
        writeln!(
            log,
            "  read {} response bytes in {bursts} burst(s), dataAvail=0 after, commandReady",
            response.len()
        )?;
        Ok(response)
    }

    /// One command, start to end, as `tpm_transmit` does it; returns the return code and
    /// the response body.
    fn transmit(
        &mut self,
        name: &str,
        command: &[u8],
        log: &mut String,
    ) -> Result<(ReturnCode, Vec<u8>)> {
        writeln!(log, "{name}:")?;
        self.request_locality()?;
        self.send(command, log)?;
        // Polling, as Linux does without interrupts: status() until dataAvail|stsValid.
        self.wait_for_status(STS_VALID | DATA_AVAIL, "the response")?;
        let response = self.receive(log)?;
        self.release_locality();
        let frame = ResponseFrame::parse(&response)?;
        let rc = frame.return_code;
        writeln!(log, "  -> {rc:?} ({:#x})", rc.0)?;
        Ok((rc, frame.body.to_vec()))
    }

    /// `transmit`, requiring TPM_SUCCESS.
    fn run(&mut self, name: &str, command: &[u8], log: &mut String) -> Result<Vec<u8>> {
        match self.transmit(name, command, log)? {
            (ReturnCode::TPM_SUCCESS, body) => Ok(body),
            (rc, _) => Err(format!("{name} failed with {rc:?}").into()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The commands.
// ---------------------------------------------------------------------------------------

fn command(ordinal: Ordinal, body: impl FnOnce(&mut Writer)) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    body(&mut w);
    Ok(CommandFrame::encode(ordinal, &w.finish()?, &[])?)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn main() -> Result<()> {
    // A burst cap of 8 bytes, like a small real FIFO, so replies take several bursts.
    let config = Config {
        burst_cap: Some(8),
        ..Config::default()
    };
    // A fresh engine kept in memory, enabled and activated like a TPM the firmware has
    // already turned on (no EK: this example does not need one).
    let engine = tpm_core::Tpm::new(
        tpm_core::Config {
            create_ek: false,
            enabled: true,
            activated: true,
        },
        Box::new(tpm_core::StdPlatform::new()?),
        Box::new(tpm_core::MemStore::new()),
    )?;
    let backend = TpmBackend::new(engine);
    let mut bus = Bus {
        base: TPM_BASE,
        size: tpm_tis::regs::WINDOW_SIZE,
        device: Box::new(Tis::new(backend, config)),
        reads: 0,
        writes: 0,
    };
    let mut log = String::new();
    writeln!(
        log,
        "TIS at {TPM_BASE:#x}, burst cap 8; engine: tpm_core::Tpm (in memory)"
    )?;
    let mut guest = Guest {
        bus: &mut bus,
        locality: 0,
    };

    guest.probe(&mut log)?;
    let get_timeouts = command(Ordinal::TPM_ORD_GetCapability, |w| {
        w.u32(CapabilityArea::TPM_CAP_PROPERTY.0);
        w.u32(4);
        w.u32(CapProperty::TPM_CAP_PROP_TIS_TIMEOUT.0);
    })?;
    // tpm1_get_timeouts: before TPM_Startup a TPM 1.2 answers TPM_INVALID_POSTINIT, and
    // Linux then sends TPM_Startup(TPM_ST_CLEAR) and asks again.
    let name = "TPM_GetCapability(TPM_CAP_PROP_TIS_TIMEOUT)";
    let (rc, _) = guest.transmit(name, &get_timeouts, &mut log)?;
    if rc == ReturnCode::TPM_INVALID_POSTINIT {
        let startup = command(Ordinal::TPM_ORD_Startup, |w| {
            w.u16(StartupType::TPM_ST_CLEAR.0);
        })?;
        guest.run("TPM_Startup(TPM_ST_CLEAR)", &startup, &mut log)?;
    }
    let timeouts = guest.run(name, &get_timeouts, &mut log)?;
    let mut r = Reader::new(&timeouts);
    let size = r.u32()?;
    let values: Vec<u32> = (0..size / 4)
        .map(|_| r.u32())
        .collect::<std::result::Result<_, _>>()?;
    writeln!(log, "  timeouts A-D (us): {values:?}")?;

    let random = guest.run(
        "TPM_GetRandom(16)",
        &command(Ordinal::TPM_ORD_GetRandom, |w| w.u32(16))?,
        &mut log,
    )?;
    writeln!(
        log,
        "  random bytes: {}",
        hex(random.get(4..).unwrap_or_default())
    )?;

    let measurement: [u8; 20] = Sha1::digest(b"tis_vmm example measurement").into();
    let extend = ExtendIn {
        pcr_num: 10,
        in_digest: measurement,
    };
    let extended = guest.run(
        "TPM_Extend(PCR 10)",
        &command(Ordinal::TPM_ORD_Extend, |w| extend.marshal(w))?,
        &mut log,
    )?;
    let extended = ExtendOut::from_bytes(&extended)?;
    writeln!(log, "  outDigest: {}", hex(&extended.out_digest))?;

    let read = PcrReadIn { pcr_index: 10 };
    let pcr = guest.run(
        "TPM_PCRRead(10)",
        &command(Ordinal::TPM_ORD_PcrRead, |w| read.marshal(w))?,
        &mut log,
    )?;
    let pcr = PcrReadOut::from_bytes(&pcr)?;
    let expected: [u8; 20] = Sha1::new()
        .chain_update([0; 20])
        .chain_update(measurement)
        .finalize()
        .into();
    writeln!(log, "  PCR 10 = {}", hex(&pcr.out_digest))?;
    if pcr.out_digest != expected {
        return Err("PCR 10 is not SHA-1(0^20 || measurement)".into());
    }
    writeln!(
        log,
        "  = SHA-1(20 zero bytes || measurement): the extend went through"
    )?;
    writeln!(log, "{} MMIO reads, {} MMIO writes", bus.reads, bus.writes)?;
    print!("{log}");
    Ok(())
}
