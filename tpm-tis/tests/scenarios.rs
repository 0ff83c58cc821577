//! Scenario tests written as MMIO transcripts: what Linux's tpm_tis driver, SeaBIOS and a
//! DRTM launch do to the TIS, one access per line (tis.md §13).
//!
//! Transcript lines (numbers in hex; `#` starts a comment):
//! - `rN OFFSET VALUE`: an N-byte read at OFFSET must return VALUE (little-endian);
//! - `wN OFFSET VALUE`: an N-byte write;
//! - `wb OFFSET BYTES…` / `rb OFFSET BYTES…`: one 1-byte write / expected read per byte;
//! - `next now BYTES…` / `next later` / `next fail`: how the backend answers the next tpmGo;
//! - `complete BYTES…`: the backend delivers a deferred response;
//! - `executed L BYTES…`: the last command the backend ran came from locality L;
//! - `cancels N`, `irq 0|1`: backend cancel requests so far, interrupt line;
//! - `hash_start`, `hash_data BYTES…`, `hash_end`, `hash_log EVENT…`: the locality-4 path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::VecDeque;

use tpm_tis::{Answer, BackendFailure, Config, Tis, TisBackend};

/// A backend answering from a script.
#[derive(Debug, Default)]
struct Scripted {
    answers: VecDeque<Answer>,
    executed: Vec<(u8, Vec<u8>)>,
    cancels: usize,
    hash_log: Vec<String>,
}

impl TisBackend for Scripted {
    fn execute(&mut self, locality: u8, command: &[u8]) -> Answer {
        self.executed.push((locality, command.to_vec()));
        self.answers
            .pop_front()
            .expect("transcript did not script this answer")
    }

    fn cancel(&mut self) {
        self.cancels += 1;
    }

    fn hash_start(&mut self) -> Result<(), BackendFailure> {
        self.hash_log.push("start".into());
        Ok(())
    }

    fn hash_data(&mut self, data: &[u8]) -> Result<(), BackendFailure> {
        self.hash_log.push(hex(data));
        Ok(())
    }

    fn hash_end(&mut self) -> Result<(), BackendFailure> {
        self.hash_log.push("end".into());
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn number(word: &str) -> u64 {
    u64::from_str_radix(word.trim_start_matches("0x"), 16).unwrap()
}

fn bytes(words: &[&str]) -> Vec<u8> {
    let digits: String = words.concat();
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
        .collect()
}

/// Plays `transcript` against `tis`, panicking at the first line that does not hold.
fn play(tis: &mut Tis<Scripted>, transcript: &str) {
    for (n, line) in transcript.lines().enumerate() {
        let line = line.split('#').next().unwrap().trim();
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some((&op, args)) = words.split_first() else {
            continue;
        };
        let at = format!("transcript line {}: {line}", n + 1);
        step(tis, op, args, &at);
    }
}

fn step(tis: &mut Tis<Scripted>, op: &str, args: &[&str], at: &str) {
    match op {
        "r1" | "r2" | "r4" | "r8" => {
            let size = usize::from(op.as_bytes()[1] - b'0');
            let mut data = vec![0xA5; size];
            tis.read(number(args[0]), &mut data);
            let value = data.iter().rev().fold(0, |v, &b| v << 8 | u64::from(b));
            assert_eq!(value, number(args[1]), "{at}: read {value:#x}");
        }
        "w1" | "w2" | "w4" | "w8" => {
            let size = usize::from(op.as_bytes()[1] - b'0');
            tis.write(number(args[0]), &number(args[1]).to_le_bytes()[..size]);
        }
        "wb" => {
            for b in bytes(&args[1..]) {
                tis.write(number(args[0]), &[b]);
            }
        }
        "rb" => {
            let want = bytes(&args[1..]);
            let got: Vec<u8> = (0..want.len())
                .map(|_| {
                    let mut b = [0];
                    tis.read(number(args[0]), &mut b);
                    b[0]
                })
                .collect();
            assert_eq!(hex(&got), hex(&want), "{at}");
        }
        "next" => {
            let answer = match args[0] {
                "now" => Answer::Response(bytes(&args[1..])),
                "later" => Answer::Later,
                "fail" => Answer::Failed,
                other => panic!("{at}: unknown answer {other}"),
            };
            tis.backend_mut().answers.push_back(answer);
        }
        "complete" => tis.complete(bytes(args)).expect(at),
        "executed" => {
            let last = tis.backend().executed.last().cloned().expect(at);
            let want = (u8::try_from(number(args[0])).unwrap(), bytes(&args[1..]));
            assert_eq!((last.0, hex(&last.1)), (want.0, hex(&want.1)), "{at}");
        }
        "cancels" => assert_eq!(tis.backend().cancels as u64, number(args[0]), "{at}"),
        "irq" => assert_eq!(tis.irq_pending(), args[0] == "1", "{at}"),
        "hash_start" => tis.hardware_write(0x4028, &[0]),
        "hash_data" => {
            for chunk in bytes(args).chunks(4) {
                tis.hardware_write(0x4024, chunk);
            }
        }
        "hash_end" => tis.hardware_write(0x4020, &[0]),
        "hash_log" => assert_eq!(tis.backend().hash_log.join(" "), args.join(" "), "{at}"),
        other => panic!("{at}: unknown operation {other}"),
    }
}

fn tis() -> Tis<Scripted> {
    Tis::new(Scripted::default(), Config::default())
}

fn tis_with_burst_cap(cap: u16) -> Tis<Scripted> {
    let config = Config {
        burst_cap: Some(cap),
        ..Config::default()
    };
    Tis::new(Scripted::default(), config)
}

#[test]
fn linux_probe_send_and_receive() {
    play(
        &mut tis(),
        "
        # tpm_tis_core_init
        r4 f00 00011014                 # DID_VID
        r1 000 81                       # wait_startup: tpmRegValidSts
        r4 008 00000008                 # INT_ENABLE, read without a locality
        w1 000 02                       # request_locality(0)
        r1 000 a1                       # check_locality: (ACCESS & 0xA2) == 0xA0
        w4 008 0000008f                 # enables, global off
        w1 000 20                       # release_locality
        r1 000 81
        r1 f04 01                       # RID
        r2 f00 1014                     # vendor id: not the Intel iTPM
        r4 014 20000697                 # INTF_CAPABILITY
        # tpm2_probe: TPM2_GetCapability; a TPM 1.2 answers with tag 00C4
        next now 00c4 0000000a 0000001e
        w1 000 02
        r1 000 a1
        r1 018 00                       # status(): not commandReady
        w1 018 40
        r1 018 40
        r4 018 00100040                 # get_burstcount: 4096
        wb 024 8001 00000016 0000017a 00000006 00000100 000000
        r1 018 88                       # stsValid, Expect: one byte to go
        wb 024 01
        r1 018 80                       # Expect clear
        w1 018 20                       # tpmGo
        executed 0 8001000000160000017a000000060000010000000001
        r1 018 90                       # dataAvail | stsValid
        r4 018 00000a90                 # burstCount 10
        rb 024 00c4 0000000a 0000001e   # header, min(burst, 10) bytes
        r1 018 80                       # no left-over data
        w1 018 40                       # commandReady
        w1 000 20
        # TPM_GetCapability(TPM_CAP_PROPERTY, TPM_CAP_PROP_TIS_TIMEOUT)
        next now 00c4 0000001e 00000000 00000010 000b71b0 001e8480 000b71b0 000b71b0
        w1 000 02
        r1 000 a1
        r1 018 00
        w1 018 40
        r1 018 40
        r4 018 00100040
        wb 024 00c1 00000016 00000065 00000005 00000004 000001
        r1 018 88
        wb 024 15
        r1 018 80
        w1 018 20
        r1 018 90
        r4 018 00001e90                 # 30 response bytes
        rb 024 00c4 0000001e 00000000
        r4 018 00001490                 # 20 left
        rb 024 00000010 000b71b0 001e8480 000b71b0 000b71b0
        r1 018 80
        w1 018 40
        r1 018 40
        w1 000 20
        r1 000 81
        ",
    );
}

#[test]
fn seabios_startup() {
    play(
        &mut tis(),
        "
        r4 f00 00011014                 # tis_probe: DID_VID not 0 or ~0
        w1 008 00                       # tis_init: INT_ENABLE without a locality, ignored
        r4 008 00000008
        r1 000 81                       # tis_activate(0): not active
        w1 4000 20                      # release 4..0 (locality 4 ignored)
        w1 3000 20
        w1 2000 20
        w1 1000 20
        w1 0000 20
        w1 000 02                       # request
        r1 000 a1
        w1 018 40                       # tis_ready
        r1 018 40
        next now 00c4 0000000a 00000000
        r4 018 00100040                 # burst = readl(STS) >> 8
        wb 024 00c1 0000000c 00000099 0001   # TPM_Startup(TPM_ST_CLEAR)
        r1 018 80                       # tis_waitdatavalid
        w1 018 20                       # tpmGo
        r1 018 90                       # tis_waitrespready
        rb 024 00                       # tis_readresp: a byte, then STS, until dataAvail drops
        r1 018 90
        rb 024 c4
        r1 018 90
        rb 024 00 00 00 0a 00 00 00
        r1 018 90
        rb 024 00
        r1 018 80
        w1 018 40                       # tis_ready
        r1 018 40
        executed 0 00c10000000c000000990001
        ",
    );
}

#[test]
fn seize_by_locality_3_while_locality_0_holds_the_tpm() {
    play(
        &mut tis(),
        "
        w1 000 02
        r1 000 a1
        w1 018 40
        wb 024 00c1 0000000a                # locality 0 is in Reception
        r1 018 88
        w1 3000 08                          # locality 3 seizes
        r1 3000 a1
        r1 000 91                           # beenSeized, not active
        r1 018 ff                           # STS of a non-active locality
        r4 018 ffffffff
        r1 3018 00                          # locality 3 starts Idle with an empty FIFO
        r4 3018 00100000
        w1 1000 08                          # a lower seize is refused
        r1 1000 81
        w1 000 10                           # locality 0 clears beenSeized
        r1 000 81
        w1 3000 20                          # locality 3 relinquishes
        r1 3000 81
        w1 000 02
        r1 000 a1
        r1 018 00                           # nothing left of the old command (D1)
        ",
    );
}

#[test]
fn relinquish_with_a_pending_request() {
    play(
        &mut tis(),
        "
        w1 000 02
        w1 2000 02                          # locality 2 waits
        r1 000 a5                           # active, someone waiting
        r1 2000 83
        w1 1000 02                          # locality 1 waits too
        r1 1000 87
        w1 000 20                           # locality 0 relinquishes: the highest wins
        r1 000 85
        r1 2000 a5
        r1 1000 83
        w1 2000 20
        r1 1000 a1
        r1 2000 81
        ",
    );
}

#[test]
fn abort_in_reception() {
    play(
        &mut tis(),
        "
        w1 000 02
        w1 018 40
        wb 024 00c1 00000016 000000
        r4 018 000ff788                     # 4096 - 9 free, stsValid | Expect
        w1 018 40                           # abort
        r4 018 00100040                     # Ready, buffer empty
        next now 00c4 0000000a 00000000
        wb 024 00c1 0000000c 00000099 0001
        w1 018 20
        executed 0 00c10000000c000000990001
        rb 024 00c4 0000000a 00000000
        ",
    );
}

#[test]
fn abort_in_completion() {
    play(
        &mut tis(),
        "
        w1 000 02
        w1 018 40
        next now 00c4 0000000e 00000000 01020304
        wb 024 00c1 0000000c 00000099 0001
        w1 018 20
        rb 024 00c4 0000
        w1 018 40                           # abort with response bytes unread
        r1 018 40
        r1 024 ff
        w1 018 02                           # responseRetry outside Completion: ignored
        r1 024 ff
        r1 018 40
        ",
    );
}

#[test]
fn response_longer_than_the_burst_cap() {
    play(
        &mut tis_with_burst_cap(8),
        "
        w1 000 02
        w1 018 40
        r4 018 00000840                     # burstCount capped at 8
        next now 00c4 00000014 00000000 0000000a 01020304 0506
        wb 024 00c1 0000000e 00000046 0000000a   # TPM_GetRandom(10)
        r1 018 80
        w1 018 20
        r4 018 00000890
        rb 024 00c4 00000014 0000
        r4 018 00000890
        rb 024 0000 0000000a 0102
        r4 018 00000490                     # 4 left, below the cap
        rb 024 0304 0506
        r4 018 00000880                     # drained: stsValid only
        r1 024 ff
        ",
    );
}

#[test]
fn reading_the_fifo_with_no_data() {
    play(
        &mut tis(),
        "
        r4 024 ffffffff                     # nobody active
        w1 000 02
        r4 024 ffffffff                     # Idle
        r1 024 ff
        w1 018 40
        r2 026 ffff                         # Ready
        r8 080 ffffffffffffffff             # XDATA_FIFO
        r1 018 40                           # no state change
        ",
    );
}

#[test]
fn access_from_a_non_active_locality() {
    play(
        &mut tis(),
        "
        w1 000 02
        w4 1008 80000087                    # INT_ENABLE of locality 1: ignored
        r4 1008 00000008
        w1 1018 40                          # STS: ignored
        r4 1018 ffffffff
        r2 1019 ffff
        wb 1024 00c1                        # FIFO: ignored
        r1 018 00                           # locality 0 still Idle
        r4 1000 00000081                    # readable everywhere
        r4 1014 20000697
        r4 1f00 00011014
        r4 1030 ffffffff
        r4 4018 ffffffff
        w1 4000 02                          # locality 4 from the guest: ignored
        r1 4000 81
        ",
    );
}

#[test]
fn interrupts_enabled_raised_and_cleared() {
    play(
        &mut tis(),
        "
        w1 000 02
        w4 008 80000087                     # all four events, global on
        r4 008 80000087
        irq 0
        w1 018 40                           # Idle -> Ready
        r4 010 00000080
        irq 1
        w4 010 00000080                     # write 1 to clear
        irq 0
        next now 00c4 0000000a 00000000
        wb 024 00c1 0000000c 00000099 0001
        r4 010 00000000                     # nothing during reception (D5)
        w1 018 20
        r4 010 00000003                     # dataAvail | stsValid
        irq 1
        w1 010 03
        irq 0
        rb 024 00c4 0000000a 000000
        r4 010 00000000
        rb 024 00                           # the last byte
        r4 010 00000002                     # stsValid
        w4 010 ffffffff
        r4 010 00000000
        w4 1008 80000004                    # not active: ignored
        w1 1000 02
        w1 000 20                           # locality 1 becomes active
        r4 1010 00000000                    # its INT_ENABLE was never set
        w4 1008 80000004
        w1 000 02
        w1 1000 20
        r4 010 00000004                     # localityChange at locality 0
        irq 1
        w1 00b 00                           # global off: the line drops, status kept
        irq 0
        r4 010 00000004
        ",
    );
}

#[test]
fn response_retry() {
    play(
        &mut tis(),
        "
        w1 000 02
        w1 018 40
        next now 00c4 0000000a 00000000
        wb 024 00c1 0000000c 00000099 0001
        w1 018 20
        rb 024 00c4 0000000a 0000
        w1 018 02                           # responseRetry
        r4 018 00000a90
        rb 024 00c4 0000000a 00000000
        r1 018 80
        w1 018 02
        r1 018 90
        rb 024 00c4 0000000a 00000000
        ",
    );
}

#[test]
fn deferred_backend_with_cancel() {
    play(
        &mut tis(),
        "
        w1 000 02
        w1 018 40
        next later
        wb 024 00c1 0000000c 00000099 0001
        w1 018 20
        r1 018 80                           # Execution
        r1 024 ff
        w1 018 20                           # tpmGo again: nothing
        w1 01b 01                           # commandCancel (TIS 1.3)
        cancels 1
        complete 00c4 0000000a 00000000     # the answer is delivered as usual (D4)
        r1 018 90
        rb 024 00c4 0000000a 00000000
        w1 018 40
        next later
        wb 024 00c1 0000000c 00000099 0001
        w1 018 20
        w1 018 40                           # abort during Execution
        cancels 2
        r1 018 80                           # still executing until the answer
        complete 00c4 0000000a 00000000
        r1 018 40                           # discarded, Ready (D3)
        r1 024 ff
        ",
    );
}

#[test]
fn hash_interface() {
    play(
        &mut tis(),
        "
        w1 000 02
        hash_start                          # ignored: locality 0 is active
        hash_log
        w1 000 20
        w1 4028 00                          # the guest cannot start it
        hash_log
        hash_start
        r1 4000 a1
        w1 000 02                           # locality 0 asks meanwhile
        r1 4000 a5
        hash_data 0102030405
        hash_end
        hash_log start 01020304 05 end
        r1 4000 81
        r1 000 a1                           # granted at HASH_END
        ",
    );
}

#[test]
fn backend_failure_reads_as_tpm_fail() {
    play(
        &mut tis(),
        "
        w1 000 02
        w1 018 40
        next fail
        wb 024 00c1 0000000c 00000099 0001
        w1 018 20
        rb 024 00c4 0000000a 00000009
        r1 018 80
        ",
    );
}
