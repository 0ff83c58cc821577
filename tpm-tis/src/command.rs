//! The command state machine and the FIFO (TIS 1.3 FIFO interface; tis.md §6–§7).
//!
//! One shared buffer holds the command being received or the response being read; only the
//! active locality can be outside Idle, so the state belongs to it.

use tpm_marshal::framing::{Header, ResponseFrame};
use tpm_marshal::ReturnCode;

use crate::regs::{int, sts};
use crate::{Answer, Tis, TisBackend};

/// TIS 1.3: the states of the FIFO interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing going on.
    Idle,
    /// commandReady: waiting for the first command byte.
    Ready,
    /// Receiving command bytes; `expect` until paramSize bytes have arrived.
    Reception { expect: bool },
    /// The backend runs the command; `abort` once commandReady asked to abandon it.
    Execution { abort: bool },
    /// The response is in the buffer; `read` bytes of it were handed out.
    Completion { read: usize },
}

/// The command/response buffer and its state.
#[derive(Debug, Clone)]
pub(crate) struct Command {
    state: State,
    buffer: Vec<u8>,
    capacity: usize,
}

/// Why [`Tis::complete`] or [`Tis::fail`] had nothing to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotExecuting;

impl core::fmt::Display for NotExecuting {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("no command is executing")
    }
}

impl std::error::Error for NotExecuting {}

/// TPM Main Part 2, return code TPM_FAIL: the TPM 1.2 fatal response (`00 C4 00 00 00 0A 00 00 00
/// 09`) the guest reads when the backend cannot answer.
pub fn fatal_response() -> Vec<u8> {
    ResponseFrame::error(ReturnCode::TPM_FAIL)
}

impl Command {
    /// An idle interface with a buffer of `capacity` bytes.
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            state: State::Idle,
            buffer: Vec::new(),
            capacity,
        }
    }

    /// Back to Idle with an empty buffer (reset, locality change, tis.md D1).
    pub(crate) fn reset(&mut self) {
        self.state = State::Idle;
        self.buffer.clear();
    }

    /// Whether a command is with the backend.
    pub(crate) fn is_executing(&self) -> bool {
        matches!(self.state, State::Execution { .. })
    }

    /// Response bytes not yet read.
    fn unread(&self) -> usize {
        match self.state {
            State::Completion { read } => self.buffer.len().saturating_sub(read),
            _ => 0,
        }
    }

    /// TIS 1.3: TPM_STS_x bits 7:0 of the active locality (tis.md §6.2).
    pub(crate) fn status(&self) -> u32 {
        match self.state {
            State::Idle => 0,
            State::Ready => sts::COMMAND_READY,
            State::Reception { expect: true } => sts::STS_VALID | sts::EXPECT,
            State::Reception { expect: false } | State::Execution { .. } => sts::STS_VALID,
            State::Completion { .. } if self.unread() > 0 => sts::STS_VALID | sts::DATA_AVAIL,
            State::Completion { .. } => sts::STS_VALID,
        }
    }

    /// TIS 1.3 burstCount before any cap: the unread response bytes while dataAvail,
    /// else the free room in the buffer (tis.md §7).
    pub(crate) fn burst_count(&self) -> usize {
        match self.unread() {
            0 => self.capacity.saturating_sub(self.buffer.len()),
            unread => unread,
        }
    }

    /// commandReady: enter Ready with an empty buffer.
    fn make_ready(&mut self) {
        self.state = State::Ready;
        self.buffer.clear();
    }

    /// TIS 1.3: stores one command byte (Ready or Reception with Expect set); Expect
    /// then follows paramSize. A byte beyond the buffer is dropped and clears Expect.
    fn receive(&mut self, byte: u8) {
        match self.state {
            State::Ready | State::Reception { expect: true } => {}
            _ => return,
        }
        if self.buffer.len() >= self.capacity {
            self.state = State::Reception { expect: false };
            return;
        }
        self.buffer.push(byte);
        let expect = Header::expected_size(&self.buffer)
            .is_none_or(|size| usize::try_from(size).map_or(true, |s| s > self.buffer.len()));
        self.state = State::Reception { expect };
    }

    /// TIS 1.3: the next response byte, or 0xFF when none is left (any state).
    /// Returns whether this read took the last byte.
    fn send(&mut self) -> (u8, bool) {
        let State::Completion { read } = self.state else {
            return (0xFF, false);
        };
        match self.buffer.get(read) {
            Some(&byte) => {
                let read = read.saturating_add(1);
                self.state = State::Completion { read };
                (byte, read == self.buffer.len())
            }
            None => (0xFF, false),
        }
    }

    /// Moves the response into the buffer: Completion, nothing read yet. An empty answer is
    /// replaced by the fatal response; a long one is cut to the buffer.
    fn load_response(&mut self, mut response: Vec<u8>) {
        if response.is_empty() {
            response = fatal_response();
        }
        response.truncate(self.capacity);
        self.buffer = response;
        self.state = State::Completion { read: 0 };
    }
}

impl<B: TisBackend> Tis<B> {
    /// TIS 1.3: a write to TPM_STS_x from the active locality. Only a write that
    /// sets exactly one bit acts (tis.md D8): commandReady, tpmGo, responseRetry or
    /// commandCancel; everything else is a no-op.
    pub(crate) fn write_sts(&mut self, value: u32) {
        if value.count_ones() != 1 {
            return;
        }
        match value {
            sts::COMMAND_READY => self.command_ready(),
            sts::TPM_GO => self.tpm_go(),
            sts::RESPONSE_RETRY => self.response_retry(),
            sts::COMMAND_CANCEL => self.command_cancel(),
            _ => {}
        }
    }

    /// commandReady: enter Ready, aborting whatever was going on (tis.md §6.3). During
    /// Execution the abort completes when the backend answers.
    fn command_ready(&mut self) {
        match self.command.state {
            State::Ready => self.command.make_ready(),
            State::Execution { abort: true } => {}
            State::Execution { abort: false } => {
                self.command.state = State::Execution { abort: true };
                self.backend.cancel();
            }
            State::Idle | State::Reception { .. } | State::Completion { .. } => {
                self.command.make_ready();
                self.raise_at_active(int::COMMAND_READY);
            }
        }
    }

    /// tpmGo: hand a complete command (Expect clear) to the backend.
    fn tpm_go(&mut self) {
        let (State::Reception { expect: false }, Some(l)) = (self.command.state, self.active())
        else {
            return;
        };
        self.command.state = State::Execution { abort: false };
        match self.backend.execute(l.number(), &self.command.buffer) {
            Answer::Response(response) => self.finish_execution(response),
            Answer::Failed => self.finish_execution(fatal_response()),
            Answer::Later => {}
        }
    }

    /// responseRetry: read the response again from its first byte.
    fn response_retry(&mut self) {
        if let State::Completion { .. } = self.command.state {
            self.command.state = State::Completion { read: 0 };
        }
    }

    /// commandCancel (TIS 1.3 byte 3, tis.md D4): ask the backend to stop; its (error)
    /// response is delivered as usual.
    fn command_cancel(&mut self) {
        if self.command.is_executing() {
            self.backend.cancel();
        }
    }

    /// TIS 1.3: bytes written to TPM_DATA_FIFO_x by the active locality.
    pub(crate) fn write_fifo(&mut self, data: &[u8]) {
        for &byte in data {
            self.command.receive(byte);
        }
    }

    /// TIS 1.3: fills `data` from TPM_DATA_FIFO_x of the active locality; the read
    /// that takes the last byte clears dataAvail and raises stsValid.
    pub(crate) fn read_fifo(&mut self, data: &mut [u8]) {
        for slot in data.iter_mut() {
            let (byte, last) = self.command.send();
            *slot = byte;
            if last {
                self.raise_at_active(int::STS_VALID);
            }
        }
    }

    /// The command ended with `response`: a pending locality switch or abort discards it
    /// (tis.md D2, D3), otherwise it becomes readable and dataAvail/stsValid are raised.
    pub(crate) fn finish_execution(&mut self, response: Vec<u8>) {
        let State::Execution { abort } = self.command.state else {
            return;
        };
        if let Some(switch) = self.arbiter.take_deferred() {
            self.switch_locality(switch);
        } else if abort {
            self.command.make_ready();
            self.raise_at_active(int::COMMAND_READY);
        } else {
            self.command.load_response(response);
            self.raise_at_active(int::DATA_AVAIL | int::STS_VALID);
        }
    }

    /// Delivers the response of a command the backend answered with [`Answer::Later`].
    ///
    /// TIS 1.3: Execution → Completion (dataAvail, stsValid). A response arriving
    /// after an abort or a locality switch is discarded. A response longer than the buffer
    /// is cut; an empty one is replaced by [`fatal_response`].
    ///
    /// # Errors
    /// [`NotExecuting`] when no command is executing (a stray or duplicate completion).
    pub fn complete(&mut self, response: Vec<u8>) -> Result<(), NotExecuting> {
        if !self.command.is_executing() {
            return Err(NotExecuting);
        }
        self.finish_execution(response);
        Ok(())
    }

    /// The backend failed on the executing command: the guest reads [`fatal_response`].
    ///
    /// # Errors
    /// [`NotExecuting`] when no command is executing.
    pub fn fail(&mut self) -> Result<(), NotExecuting> {
        self.complete(fatal_response())
    }

    /// TIS 1.3: TPM_STS_x of the active locality as a 32-bit value. `byte_read`
    /// applies QEMU's clamp: a 1-byte read without dataAvail sees burstCount ≤ 0xFF.
    pub(crate) fn sts_value(&self, byte_read: bool) -> u32 {
        let status = self.command.status();
        let mut burst = self.command.burst_count();
        if let Some(cap) = self.config.burst_cap {
            burst = burst.min(usize::from(cap));
        }
        burst = burst.min(usize::from(u16::MAX));
        if byte_read && status & sts::DATA_AVAIL == 0 {
            burst = burst.min(0xFF);
        }
        let burst = u32::try_from(burst).unwrap_or(u32::from(u16::MAX));
        status | burst << sts::BURST_COUNT_SHIFT
    }
}

#[cfg(test)]
mod tests {
    use super::fatal_response;
    use crate::mock::{
        drain, rd, request, response_to, run, send, tis, tis_with, wr, Mode, GET_CAP,
    };
    use crate::{Config, NotExecuting};

    fn sts(t: &mut crate::Tis<crate::mock::Mock>) -> u64 {
        rd(t, 0x018, 1)
    }

    #[test]
    fn sts_follows_the_state() {
        let mut t = tis(Mode::Later);
        request(&mut t, 0);
        assert_eq!(sts(&mut t), 0x00, "Idle");
        wr(&mut t, 0x018, 1, 0x40);
        assert_eq!(sts(&mut t), 0x40, "Ready");
        send(&mut t, 0, &GET_CAP[..21]);
        assert_eq!(sts(&mut t), 0x88, "Reception, Expect");
        wr(&mut t, 0x024, 1, u64::from(GET_CAP[21]));
        assert_eq!(sts(&mut t), 0x80, "Reception, complete");
        wr(&mut t, 0x018, 1, 0x20);
        assert_eq!(sts(&mut t), 0x80, "Execution");
        t.complete(response_to(&GET_CAP)).unwrap();
        assert_eq!(sts(&mut t), 0x90, "Completion");
        drain(&mut t, 0, 14);
        assert_eq!(sts(&mut t), 0x80, "Completion, drained");
        wr(&mut t, 0x018, 1, 0x40);
        assert_eq!(sts(&mut t), 0x40, "Ready again");
    }

    #[test]
    fn expect_stays_set_until_param_size_bytes_arrived() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x018, 1, 0x40);
        for (i, &b) in GET_CAP.iter().enumerate() {
            wr(&mut t, 0x024, 1, u64::from(b));
            let expect = rd(&mut t, 0x018, 1) & 0x08 != 0;
            assert_eq!(expect, i + 1 < GET_CAP.len(), "after byte {i}");
        }
    }

    #[test]
    fn a_header_announcing_six_bytes_or_fewer_completes_at_the_sixth() {
        let mut t = tis(Mode::Now);
        send(&mut t, 0, &[0, 0xC1, 0, 0, 0]);
        assert_eq!(sts(&mut t), 0x88);
        wr(&mut t, 0x024, 1, 0x00);
        assert_eq!(sts(&mut t), 0x80);
    }

    #[test]
    fn bytes_after_the_command_are_dropped() {
        let mut t = tis(Mode::Now);
        send(&mut t, 0, &GET_CAP);
        wr(&mut t, 0x024, 4, 0xDDCC_BBAA);
        wr(&mut t, 0x018, 1, 0x20);
        assert_eq!(t.backend().executed, [(0, GET_CAP.to_vec())]);
    }

    #[test]
    fn multi_byte_fifo_writes_store_lanes_in_order() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x018, 1, 0x40);
        for chunk in GET_CAP.chunks(4) {
            let mut bytes = [0; 8];
            bytes[..chunk.len()].copy_from_slice(chunk);
            wr(&mut t, 0x024, chunk.len().min(4), u64::from_le_bytes(bytes));
        }
        assert_eq!(sts(&mut t), 0x80);
        wr(&mut t, 0x018, 1, 0x20);
        assert_eq!(t.backend().executed, [(0, GET_CAP.to_vec())]);
    }

    #[test]
    fn unaligned_fifo_access_inside_the_dword_moves_its_bytes() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x018, 1, 0x40);
        wr(&mut t, 0x026, 2, 0xC100);
        wr(&mut t, 0x025, 1, 0x00);
        wr(&mut t, 0x027, 1, 0x00);
        assert_eq!(t.command.buffer, [0x00, 0xC1, 0x00, 0x00]);
    }

    #[test]
    fn xdata_fifo_is_the_fifo_and_moves_eight_bytes() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x018, 1, 0x40);
        let mut command = GET_CAP.to_vec();
        command.resize(24, 0);
        for (i, chunk) in command.chunks(8).enumerate() {
            let offset = 0x080 + 8 * (i as u64 % 8);
            wr(
                &mut t,
                offset,
                8,
                u64::from_le_bytes(chunk.try_into().unwrap()),
            );
        }
        wr(&mut t, 0x018, 1, 0x20);
        assert_eq!(t.backend().executed, [(0, GET_CAP.to_vec())]);
        assert_eq!(rd(&mut t, 0x0B8, 8), 0x0000_0E00_0000_C400);
    }

    #[test]
    fn tpm_go_needs_a_complete_command() {
        let mut t = tis(Mode::Now);
        send(&mut t, 0, &GET_CAP[..10]);
        wr(&mut t, 0x018, 1, 0x20);
        assert!(t.backend().executed.is_empty());
        request(&mut t, 0);
        wr(&mut t, 0x018, 1, 0x40);
        wr(&mut t, 0x018, 1, 0x20);
        assert!(t.backend().executed.is_empty(), "tpmGo in Ready");
    }

    #[test]
    fn tpm_go_runs_the_command_once() {
        let mut t = tis(Mode::Now);
        run(&mut t, 0, &GET_CAP);
        wr(&mut t, 0x018, 1, 0x20);
        assert_eq!(t.backend().executed.len(), 1);
        assert_eq!(drain(&mut t, 0, 14), response_to(&GET_CAP));
    }

    #[test]
    fn sts_writes_with_several_bits_are_ignored() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        for value in [0x60, 0xC0, 0x22, 0x42, 0x0100_0040, 0xFF] {
            wr(&mut t, 0x018, 4, value);
            assert_eq!(sts(&mut t), 0x00, "{value:#x}");
        }
        for value in [0x80, 0x10, 0x08, 0x04, 0x01] {
            wr(&mut t, 0x018, 1, value);
            assert_eq!(sts(&mut t), 0x00, "{value:#x}");
        }
    }

    #[test]
    fn sts_writes_act_in_every_lane_width() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, 0x018, 2, 0x0040);
        assert_eq!(sts(&mut t), 0x40);
        wr(&mut t, 0x019, 2, 0x1000);
        wr(&mut t, 0x01A, 1, 0x40);
        assert_eq!(sts(&mut t), 0x40, "burstCount lanes are read-only");
        wr(&mut t, 0x018, 4, 0x0000_0040);
        assert_eq!(sts(&mut t), 0x40);
    }

    #[test]
    fn burst_count_is_the_free_room_then_the_unread_response() {
        let mut t = tis(Mode::Now);
        send(&mut t, 0, &GET_CAP[..4]);
        assert_eq!(rd(&mut t, 0x019, 2), 4096 - 4);
        for &b in &GET_CAP[4..] {
            wr(&mut t, 0x024, 1, u64::from(b));
        }
        assert_eq!(rd(&mut t, 0x019, 2), 4096 - 22);
        wr(&mut t, 0x018, 1, 0x20);
        assert_eq!(rd(&mut t, 0x018, 4), 0x0000_0E90);
        drain(&mut t, 0, 4);
        assert_eq!(rd(&mut t, 0x019, 1), 10, "no clamp while dataAvail");
    }

    #[test]
    fn burst_count_respects_the_configured_cap() {
        let config = Config {
            burst_cap: Some(8),
            ..Config::default()
        };
        let mut t = tis_with(Mode::Now, config);
        request(&mut t, 0);
        assert_eq!(rd(&mut t, 0x018, 4), 0x0000_0800);
        run(&mut t, 0, &GET_CAP);
        assert_eq!(rd(&mut t, 0x018, 4), 0x0000_0890);
        drain(&mut t, 0, 8);
        assert_eq!(rd(&mut t, 0x018, 4), 0x0000_0690);
    }

    #[test]
    fn response_retry_rewinds_the_response() {
        let mut t = tis(Mode::Now);
        run(&mut t, 0, &GET_CAP);
        let first = drain(&mut t, 0, 14);
        wr(&mut t, 0x018, 1, 0x02);
        assert_eq!(sts(&mut t), 0x90);
        assert_eq!(drain(&mut t, 0, 14), first);
    }

    #[test]
    fn response_retry_outside_completion_is_ignored() {
        let mut t = tis(Mode::Now);
        send(&mut t, 0, &GET_CAP[..3]);
        wr(&mut t, 0x018, 1, 0x02);
        assert_eq!(sts(&mut t), 0x88);
    }

    #[test]
    fn fifo_reads_without_data_are_all_ones() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        assert_eq!(rd(&mut t, 0x024, 4), 0xFFFF_FFFF);
        run(&mut t, 0, &GET_CAP);
        drain(&mut t, 0, 12);
        assert_eq!(rd(&mut t, 0x024, 4), 0xFFFF_6500, "two bytes left");
        assert_eq!(rd(&mut t, 0x024, 1), 0xFF);
        assert_eq!(sts(&mut t), 0x80);
    }

    #[test]
    fn command_ready_aborts_reception_and_completion() {
        let mut t = tis(Mode::Now);
        send(&mut t, 0, &GET_CAP[..7]);
        wr(&mut t, 0x018, 1, 0x40);
        assert_eq!(sts(&mut t), 0x40);
        assert_eq!(rd(&mut t, 0x019, 2), 4096, "buffer emptied");
        send(&mut t, 0, &GET_CAP);
        wr(&mut t, 0x018, 1, 0x20);
        drain(&mut t, 0, 3);
        wr(&mut t, 0x018, 1, 0x40);
        assert_eq!(sts(&mut t), 0x40);
        assert_eq!(rd(&mut t, 0x024, 1), 0xFF);
    }

    #[test]
    fn command_ready_during_execution_waits_and_discards_the_response() {
        let mut t = tis(Mode::Later);
        run(&mut t, 0, &GET_CAP);
        wr(&mut t, 0x018, 1, 0x40);
        wr(&mut t, 0x018, 1, 0x40);
        assert_eq!(t.backend().cancels, 1);
        assert_eq!(sts(&mut t), 0x80, "still executing");
        t.complete(response_to(&GET_CAP)).unwrap();
        assert_eq!(sts(&mut t), 0x40);
        assert_eq!(rd(&mut t, 0x024, 1), 0xFF);
    }

    #[test]
    fn command_cancel_asks_the_backend_and_delivers_its_answer() {
        let mut t = tis(Mode::Later);
        wr(&mut t, 0x018, 4, 0x0100_0000);
        run(&mut t, 0, &GET_CAP);
        wr(&mut t, 0x01B, 1, 0x01);
        assert_eq!(t.backend().cancels, 1);
        t.complete(fatal_response()).unwrap();
        assert_eq!(drain(&mut t, 0, 10), fatal_response());
    }

    #[test]
    fn complete_without_a_command_is_refused() {
        let mut t = tis(Mode::Later);
        assert_eq!(t.complete(vec![1]), Err(NotExecuting));
        run(&mut t, 0, &GET_CAP);
        t.complete(response_to(&GET_CAP)).unwrap();
        assert_eq!(t.complete(vec![1]), Err(NotExecuting));
        assert_eq!(t.fail(), Err(NotExecuting));
    }

    #[test]
    fn backend_failure_yields_the_tpm12_fatal_response() {
        assert_eq!(fatal_response(), [0, 0xC4, 0, 0, 0, 0x0A, 0, 0, 0, 0x09]);
        let mut t = tis(Mode::Fail);
        run(&mut t, 0, &GET_CAP);
        assert_eq!(drain(&mut t, 0, 10), fatal_response());
        let mut t = tis(Mode::Later);
        run(&mut t, 0, &GET_CAP);
        t.fail().unwrap();
        assert_eq!(drain(&mut t, 0, 11)[..10], fatal_response());
    }

    #[test]
    fn an_empty_response_becomes_the_fatal_response() {
        let mut t = tis(Mode::Later);
        run(&mut t, 0, &GET_CAP);
        t.complete(Vec::new()).unwrap();
        assert_eq!(drain(&mut t, 0, 10), fatal_response());
    }

    #[test]
    fn a_response_longer_than_the_buffer_is_cut() {
        let config = Config {
            buffer_size: 32,
            ..Config::default()
        };
        let mut t = tis_with(Mode::Later, config);
        run(&mut t, 0, &GET_CAP);
        t.complete(vec![7; 40]).unwrap();
        assert_eq!(rd(&mut t, 0x019, 2), 32);
        assert_eq!(drain(&mut t, 0, 33), [vec![7; 32], vec![0xFF]].concat());
    }

    #[test]
    fn a_byte_beyond_the_buffer_is_dropped_and_clears_expect() {
        let config = Config {
            buffer_size: 16,
            ..Config::default()
        };
        let mut t = tis_with(Mode::Now, config);
        send(&mut t, 0, &GET_CAP[..16]);
        assert_eq!(rd(&mut t, 0x018, 4), 0x0000_0088);
        wr(&mut t, 0x024, 1, 0xEE);
        assert_eq!(rd(&mut t, 0x018, 4), 0x0000_0080);
        wr(&mut t, 0x018, 1, 0x20);
        assert_eq!(t.backend().executed, [(0, GET_CAP[..16].to_vec())]);
    }

    /// Found by the `tis_ops` fuzz target (its first invariant assumed Expect implies room):
    /// a command announcing more than the buffer fills it and keeps Expect with
    /// burstCount 0 until one more byte arrives (tis.md §6.4, QEMU).
    #[test]
    fn a_full_buffer_reads_expect_with_burst_count_zero() {
        let config = Config {
            buffer_size: 10,
            ..Config::default()
        };
        let mut t = tis_with(Mode::Now, config);
        send(&mut t, 0, &GET_CAP[..10]);
        assert_eq!(rd(&mut t, 0x018, 4), 0x0000_0088);
        wr(&mut t, 0x024, 1, 0x00);
        assert_eq!(rd(&mut t, 0x018, 4), 0x0000_0080);
    }

    #[test]
    fn fifo_writes_outside_ready_and_reception_are_dropped() {
        let mut t = tis(Mode::Later);
        request(&mut t, 0);
        wr(&mut t, 0x024, 1, 0x00);
        assert_eq!(sts(&mut t), 0x00, "Idle");
        run(&mut t, 0, &GET_CAP);
        wr(&mut t, 0x024, 1, 0x00);
        t.complete(response_to(&GET_CAP)).unwrap();
        wr(&mut t, 0x024, 1, 0x00);
        assert_eq!(drain(&mut t, 0, 14), response_to(&GET_CAP));
    }
}
