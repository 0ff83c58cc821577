//! Arbitrary sequences of guest reads and writes (any offset, any width), backend
//! completions and hardware hash writes against a mock backend.
//!
//! Invariants checked after every operation:
//! - nothing panics;
//! - at most one locality reads activeLocality, and it is `active_locality()`;
//! - TPM_ACCESS_x and TPM_STS_x hold only values the state machine can produce;
//! - the interrupt line is the level the INT registers imply;
//! - every response byte read from the FIFO is the byte the backend gave at that position.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tpm_tis::{fatal_response, Answer, BackendFailure, Config, Tis, TisBackend};

/// Registers worth aiming at (a lane is added separately; other offsets come raw).
const REGISTERS: [u64; 8] = [0x000, 0x008, 0x00C, 0x010, 0x018, 0x024, 0x080, 0xF00];
const WIDTHS: [usize; 6] = [1, 2, 4, 8, 1, 3];

/// A backend whose answers are chosen by the input.
#[derive(Debug, Default)]
struct Mock {
    /// How the next `execute` answers: 0 now, 1 later, 2 failed, 3 now and empty.
    mode: u8,
    /// The response the backend last handed over (before the TIS normalises it).
    given: Option<Vec<u8>>,
    hash_ok: bool,
}

impl TisBackend for Mock {
    fn execute(&mut self, locality: u8, command: &[u8]) -> Answer {
        let answer = match self.mode % 4 {
            0 => {
                let mut r = vec![0x00, 0xC4, 0, 0, 0, 0, 0, 0, 0, locality];
                r.extend(command.iter().rev().take(40));
                Answer::Response(r)
            }
            1 => return Answer::Later,
            2 => Answer::Failed,
            _ => Answer::Response(Vec::new()),
        };
        self.given = Some(match &answer {
            Answer::Response(r) => r.clone(),
            _ => fatal_response(),
        });
        answer
    }

    fn established(&self) -> bool {
        self.mode & 0x80 != 0
    }

    fn hash_start(&mut self) -> Result<(), BackendFailure> {
        self.hash_ok.then_some(()).ok_or(BackendFailure)
    }

    fn hash_data(&mut self, _: &[u8]) -> Result<(), BackendFailure> {
        self.hash_ok.then_some(()).ok_or(BackendFailure)
    }

    fn hash_end(&mut self) -> Result<(), BackendFailure> {
        Ok(())
    }
}

/// The input, consumed byte by byte (zeros once exhausted).
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }

    /// Bits 2:0 of the first byte pick the page (5–7 lie outside the window), bits 5:3 a
    /// register, bit 6 an offset near `u64::MAX`, bit 7 a raw offset in the page.
    fn offset(&mut self) -> u64 {
        let how = self.byte();
        let locality = u64::from(how & 7);
        let register = if how & 0x80 != 0 {
            u64::from(u16::from_le_bytes([self.byte(), self.byte()]) & 0xFFF)
        } else {
            let lane = match self.byte() {
                b if b >= 0xC0 => b % 4,
                _ => 0,
            };
            REGISTERS[usize::from(how >> 3 & 7)] + u64::from(lane)
        };
        match how & 0x40 {
            0 => locality * 0x1000 + register,
            _ => u64::MAX - u64::from(self.byte()),
        }
    }

    fn width(&mut self) -> usize {
        WIDTHS[usize::from(self.byte()) % WIDTHS.len()]
    }
}

struct Harness {
    tis: Tis<Mock>,
    config: Config,
}

impl Harness {
    fn new(input: &mut Input<'_>) -> Self {
        let setup = input.byte();
        let config = Config {
            burst_cap: [None, Some(1), Some(8), Some(64)][usize::from(setup % 4)],
            buffer_size: [4096, 10, 24, 64][usize::from(setup / 4 % 4)],
            int_vector_writable: setup & 0x10 != 0,
            ..Config::default()
        };
        let mock = Mock {
            hash_ok: setup & 0x20 == 0,
            ..Mock::default()
        };
        Self {
            tis: Tis::new(mock, config.clone()),
            config,
        }
    }

    fn read(&mut self, offset: u64, width: usize) -> u64 {
        let mut data = vec![0xA5; width];
        self.tis.read(offset, &mut data);
        data.iter().rev().fold(0, |v, &b| v << 8 | u64::from(b))
    }

    /// The response as the guest must see it: TPM_FAIL for an empty one, cut to the buffer.
    fn expected_response(&self) -> Option<Vec<u8>> {
        let mut r = self.tis.backend().given.clone()?;
        if r.is_empty() {
            r = fatal_response();
        }
        r.truncate(self.config.buffer_size);
        Some(r)
    }

    /// A read that must return response bytes when it hits the FIFO of the active
    /// locality while dataAvail is set and burstCount is exact (below any cap).
    fn checked_read(&mut self, offset: u64, width: usize) {
        let position = self.fifo_position(offset, width);
        let mut data = vec![0xA5; width];
        self.tis.read(offset, &mut data);
        if let Some(position) = position {
            let response = self
                .expected_response()
                .expect("dataAvail without a response");
            for (i, &byte) in data.iter().enumerate() {
                let want = response.get(position + i).copied().unwrap_or(0xFF);
                assert_eq!(byte, want, "FIFO byte {} of {response:02x?}", position + i);
            }
        }
    }

    /// Where in the response a FIFO read at `offset` starts, if it can be known.
    fn fifo_position(&mut self, offset: u64, width: usize) -> Option<usize> {
        let register = offset & 0xFFF;
        let in_fifo = matches!(register & !3, 0x024 | 0x080..=0x0BC);
        let in_dword = matches!(width, 1 | 2 | 4) && (register & 3) as usize + width <= 4;
        let locality = u8::try_from(offset / 0x1000).ok()?;
        if !in_fifo || !in_dword || self.tis.active_locality() != Some(locality) {
            return None;
        }
        let sts = self.read(offset & !0xFFF | 0x018, 4);
        let burst = usize::try_from((sts >> 8) & 0xFFFF).ok()?;
        let exact = self
            .config
            .burst_cap
            .is_none_or(|cap| burst < usize::from(cap));
        if sts & 0x10 == 0 || !exact {
            return None;
        }
        let len = self.expected_response()?.len();
        assert!(burst <= len, "burstCount {burst} beyond the response");
        Some(len - burst)
    }

    fn check_invariants(&mut self) {
        let active = self.tis.active_locality();
        let mut requesting = [false; 5];
        let mut actives = 0;
        for l in 0..5u8 {
            let base = u64::from(l) * 0x1000;
            let access = self.read(base, 1);
            assert_eq!(access & 0xC8, 0x80, "ACCESS {access:#x}");
            let is_active = access & 0x20 != 0;
            actives += usize::from(is_active);
            assert_eq!(is_active, active == Some(l), "activeLocality of {l}");
            assert!(!(is_active && access & 0x02 != 0), "active and requesting");
            requesting[usize::from(l)] = access & 0x02 != 0;
            let sts = self.read(base + 0x018, 4);
            if is_active {
                self.check_sts(sts);
            } else {
                assert_eq!(sts, 0xFFFF_FFFF, "STS of non-active {l}");
            }
        }
        assert!(actives <= 1);
        let mut irq = false;
        for l in 0..5u8 {
            let base = u64::from(l) * 0x1000;
            let others = (0..5).any(|o| o != usize::from(l) && requesting[o]);
            assert_eq!(
                self.read(base, 1) & 0x04 != 0,
                others,
                "pendingRequest of {l}"
            );
            let enable = self.read(base + 0x008, 4);
            let status = self.read(base + 0x010, 4);
            assert_eq!(enable & !0x8000_009F, 0, "INT_ENABLE {enable:#x}");
            assert_eq!(status & !0x87, 0, "INT_STATUS {status:#x}");
            irq |= status != 0 && enable & 0x8000_0000 != 0;
        }
        assert_eq!(self.tis.irq_pending(), irq);
    }

    fn check_sts(&mut self, sts: u64) {
        let flags = sts & 0xFF;
        let burst = (sts >> 8) & 0xFFFF;
        assert_eq!(sts >> 24, 0, "STS {sts:#x}");
        assert!(
            matches!(flags, 0x00 | 0x40 | 0x88 | 0x80 | 0x90),
            "STS {sts:#x}"
        );
        let cap = self.config.burst_cap.map_or(0xFFFF, u64::from);
        if flags == 0x90 {
            assert!(burst > 0, "dataAvail with burstCount 0");
        }
        if matches!(flags, 0x00 | 0x40) {
            assert_eq!(
                burst,
                (self.config.buffer_size as u64).min(cap),
                "STS {sts:#x}"
            );
        }
    }

    fn step(&mut self, input: &mut Input<'_>) {
        match input.byte() % 8 {
            0 | 1 => {
                let (offset, width) = (input.offset(), input.width());
                self.checked_read(offset, width);
            }
            2 | 3 => {
                let (offset, width) = (input.offset(), input.width());
                let data = input.bytes(width);
                self.tis.write(offset, &data);
            }
            4 => {
                // A burst of FIFO bytes at one locality, as drivers send commands.
                let base = u64::from(input.byte() % 5) * 0x1000;
                let len = usize::from(input.byte() % 32);
                for byte in input.bytes(len) {
                    self.tis.write(base + 0x024, &[byte]);
                }
            }
            5 => {
                let len = match input.byte() {
                    0xFF => 5000,
                    n => usize::from(n % 48),
                };
                let response = input.bytes(len);
                if self.tis.complete(response.clone()).is_ok() {
                    self.tis.backend_mut().given = Some(response);
                }
            }
            6 => {
                let mode = input.byte();
                self.tis.backend_mut().mode = mode;
                if mode == 0x7F && self.tis.fail().is_ok() {
                    self.tis.backend_mut().given = Some(fatal_response());
                }
            }
            _ => {
                let offset = 0x4020 + u64::from(input.byte() % 12);
                let len = usize::from(input.byte() % 5);
                let data = input.bytes(len);
                self.tis.hardware_write(offset, &data);
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let mut harness = Harness::new(&mut input);
    while !input.0.is_empty() {
        harness.step(&mut input);
        harness.check_invariants();
    }
});
