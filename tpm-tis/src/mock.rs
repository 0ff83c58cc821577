//! A scriptable backend and access helpers for the unit tests.

use crate::{Answer, BackendFailure, Config, Tis, TisBackend};

/// How the mock answers `execute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// At once, with [`response_to`] of the command.
    Now,
    /// Later: the test calls `complete`.
    Later,
    /// With a failure.
    Fail,
}

/// Records every call.
#[derive(Debug)]
pub(crate) struct Mock {
    pub(crate) mode: Mode,
    pub(crate) executed: Vec<(u8, Vec<u8>)>,
    pub(crate) cancels: usize,
    pub(crate) established: bool,
    pub(crate) hash_log: Vec<String>,
    pub(crate) hash_fails: bool,
}

/// A well-formed TPM 1.2 response (tag 0x00C4, rc 0) carrying the command's ordinal bytes.
pub(crate) fn response_to(command: &[u8]) -> Vec<u8> {
    let mut r = vec![0x00, 0xC4, 0, 0, 0, 14, 0, 0, 0, 0];
    r.extend(command.iter().skip(6).take(4));
    r.resize(14, 0);
    r
}

impl TisBackend for Mock {
    fn execute(&mut self, locality: u8, command: &[u8]) -> Answer {
        self.executed.push((locality, command.to_vec()));
        match self.mode {
            Mode::Now => Answer::Response(response_to(command)),
            Mode::Later => Answer::Later,
            Mode::Fail => Answer::Failed,
        }
    }

    fn cancel(&mut self) {
        self.cancels += 1;
    }

    fn established(&self) -> bool {
        self.established
    }

    fn hash_start(&mut self) -> Result<(), BackendFailure> {
        self.hash_log.push("start".into());
        self.hash_result()
    }

    fn hash_data(&mut self, data: &[u8]) -> Result<(), BackendFailure> {
        self.hash_log.push(format!("data {data:02x?}"));
        self.hash_result()
    }

    fn hash_end(&mut self) -> Result<(), BackendFailure> {
        self.hash_log.push("end".into());
        self.hash_result()
    }
}

impl Mock {
    fn hash_result(&self) -> Result<(), BackendFailure> {
        if self.hash_fails {
            Err(BackendFailure)
        } else {
            Ok(())
        }
    }
}

/// A TIS in the reference configuration over a mock answering in `mode`.
pub(crate) fn tis(mode: Mode) -> Tis<Mock> {
    tis_with(mode, Config::default())
}

/// A TIS with `config` over a mock answering in `mode`.
pub(crate) fn tis_with(mode: Mode, config: Config) -> Tis<Mock> {
    let mock = Mock {
        mode,
        executed: Vec::new(),
        cancels: 0,
        established: false,
        hash_log: Vec::new(),
        hash_fails: false,
    };
    Tis::new(mock, config)
}

/// A `size`-byte little-endian read at `offset`.
pub(crate) fn rd(tis: &mut Tis<Mock>, offset: u64, size: usize) -> u64 {
    let mut data = vec![0xA5; size];
    tis.read(offset, &mut data);
    data.iter().rev().fold(0, |v, &b| v << 8 | u64::from(b))
}

/// A `size`-byte little-endian write of `value` at `offset`.
pub(crate) fn wr(tis: &mut Tis<Mock>, offset: u64, size: usize, value: u64) {
    let bytes = value.to_le_bytes();
    tis.write(offset, &bytes[..size]);
}

/// Offset of `register` in locality `l`'s page.
pub(crate) fn at(l: u64, register: u16) -> u64 {
    l * 0x1000 + u64::from(register)
}

/// The TPM_GetCapability command Linux sends while probing (TPM_CAP_PROP_TIS_TIMEOUT).
pub(crate) const GET_CAP: [u8; 22] = [
    0x00, 0xC1, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x65, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00,
    0x00, 0x04, 0x00, 0x00, 0x01, 0x15,
];

/// Locality `l` requests the interface (granted when nobody holds it).
pub(crate) fn request(tis: &mut Tis<Mock>, l: u64) {
    wr(tis, at(l, crate::regs::ACCESS), 1, 0x02);
}

/// Locality `l` gets the interface, enters Ready and writes `command`.
pub(crate) fn send(tis: &mut Tis<Mock>, l: u64, command: &[u8]) {
    request(tis, l);
    wr(tis, at(l, crate::regs::STS), 1, 0x40);
    for &b in command {
        wr(tis, at(l, crate::regs::DATA_FIFO), 1, u64::from(b));
    }
}

/// `send`, then tpmGo.
pub(crate) fn run(tis: &mut Tis<Mock>, l: u64, command: &[u8]) {
    send(tis, l, command);
    wr(tis, at(l, crate::regs::STS), 1, 0x20);
}

/// Reads `n` FIFO bytes one at a time at locality `l`.
pub(crate) fn drain(tis: &mut Tis<Mock>, l: u64, n: usize) -> Vec<u8> {
    (0..n)
        .map(|_| {
            let mut b = [0];
            tis.read(at(l, crate::regs::DATA_FIFO), &mut b);
            b[0]
        })
        .collect()
}
