//! Locality arbitration (TIS 1.3 TPM_ACCESS_x; tis.md §5).
//!
//! At most one locality is active: `Arbiter::active` is an `Option`. A switch empties the
//! shared FIFO and returns the losing locality's command state to Idle (tis.md D1); a switch
//! requested while a command executes waits for the backend's answer (D2).

use crate::regs::access;
use crate::{Tis, TisBackend};

/// TIS 1.3: the five localities, in priority order (4 is the highest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Locality {
    Zero,
    One,
    Two,
    Three,
    Four,
}

impl Locality {
    /// All localities, lowest first.
    pub(crate) const ALL: [Self; 5] = [Self::Zero, Self::One, Self::Two, Self::Three, Self::Four];

    /// The locality with this number, if any.
    pub(crate) fn from_number(n: u64) -> Option<Self> {
        match n {
            0 => Some(Self::Zero),
            1 => Some(Self::One),
            2 => Some(Self::Two),
            3 => Some(Self::Three),
            4 => Some(Self::Four),
            _ => None,
        }
    }

    /// The locality's number, 0–4.
    pub(crate) fn number(self) -> u8 {
        match self {
            Self::Zero => 0,
            Self::One => 1,
            Self::Two => 2,
            Self::Three => 3,
            Self::Four => 4,
        }
    }
}

/// One value per locality (the `_x` registers of TIS 1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct PerLocality<T>([T; 5]);

impl<T: Copy> PerLocality<T> {
    /// The same value at every locality.
    pub(crate) fn splat(value: T) -> Self {
        Self([value; 5])
    }

    /// The value of locality `l`.
    pub(crate) fn get(&self, l: Locality) -> T {
        let [a, b, c, d, e] = &self.0;
        *match l {
            Locality::Zero => a,
            Locality::One => b,
            Locality::Two => c,
            Locality::Three => d,
            Locality::Four => e,
        }
    }

    /// The value of locality `l`, to change.
    pub(crate) fn get_mut(&mut self, l: Locality) -> &mut T {
        let [a, b, c, d, e] = &mut self.0;
        match l {
            Locality::Zero => a,
            Locality::One => b,
            Locality::Two => c,
            Locality::Three => d,
            Locality::Four => e,
        }
    }

    /// Sets the value of locality `l`.
    pub(crate) fn set(&mut self, l: Locality, value: T) {
        *self.get_mut(l) = value;
    }

    /// (locality, value) pairs, lowest locality first.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = (Locality, T)> + '_ {
        Locality::ALL.into_iter().map(|l| (l, self.get(l)))
    }
}

impl PerLocality<bool> {
    /// The highest locality whose flag is set.
    fn highest(&self) -> Option<Locality> {
        self.iter().rev().find(|&(_, set)| set).map(|(l, _)| l)
    }
}

/// Who owns the interface and who is waiting for it (TIS 1.3).
#[derive(Debug, Clone, Default)]
pub(crate) struct Arbiter {
    /// The locality that owns the interface.
    pub(crate) active: Option<Locality>,
    /// requestUse, per locality.
    request_use: PerLocality<bool>,
    /// beenSeized, per locality.
    been_seized: PerLocality<bool>,
    /// A seize waiting for the executing command to end (never visible).
    seize_pending: PerLocality<bool>,
    /// The active locality relinquished while a command executes.
    relinquish_pending: bool,
}

/// A change of the active locality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Switch {
    /// The new owner, or none.
    pub(crate) to: Option<Locality>,
    /// Whether a higher locality takes the interface by force (sets beenSeized).
    pub(crate) seize: bool,
}

impl Arbiter {
    /// TIS 1.3: the TPM_ACCESS_x value of locality `l`.
    pub(crate) fn access(&self, l: Locality, established: bool) -> u8 {
        let bit = |set: bool, mask: u8| if set { mask } else { 0 };
        let others_waiting = self.request_use.iter().any(|(o, set)| o != l && set);
        access::TPM_REG_VALID_STS
            | bit(self.active == Some(l), access::ACTIVE_LOCALITY)
            | bit(self.been_seized.get(l), access::BEEN_SEIZED)
            | bit(others_waiting, access::PENDING_REQUEST)
            | bit(self.request_use.get(l), access::REQUEST_USE)
            | bit(!established, access::TPM_ESTABLISHMENT)
    }

    /// The highest locality asking for use: the next owner after a relinquish.
    pub(crate) fn highest_requester(&self) -> Option<Locality> {
        self.request_use.highest()
    }

    /// A switch that waited for the executing command, to carry out now: a pending seize
    /// (the highest) wins over a pending relinquish.
    pub(crate) fn take_deferred(&mut self) -> Option<Switch> {
        if let Some(to) = self.seize_pending.highest() {
            return Some(Switch {
                to: Some(to),
                seize: true,
            });
        }
        self.relinquish_pending.then(|| Switch {
            to: self.highest_requester(),
            seize: false,
        })
    }

    /// TIS 1.3: whether a seize by `l` is allowed: only over a lower active
    /// locality (or none), and not below or beside another pending seize.
    fn may_seize(&self, l: Locality) -> bool {
        let over_active = self.active.is_none_or(|a| l > a);
        let outranked = self.seize_pending.iter().any(|(o, set)| set && o >= l);
        over_active && !outranked
    }

    /// Records a seize by `l` to be carried out later; lower pending seizes are dropped.
    fn defer_seize(&mut self, l: Locality) {
        for o in Locality::ALL.into_iter().filter(|&o| o < l) {
            self.seize_pending.set(o, false);
        }
        self.seize_pending.set(l, true);
    }

    /// Carries out `switch`; returns whether the active locality changed.
    pub(crate) fn apply(&mut self, switch: Switch) -> bool {
        let old = self.active;
        if let Some(o) = old.filter(|&o| Some(o) != switch.to) {
            if switch.seize {
                self.been_seized.set(o, true);
            } else {
                self.request_use.set(o, false);
            }
        }
        if let Some(n) = switch.to {
            self.request_use.set(n, false);
        }
        self.seize_pending = PerLocality::default();
        self.relinquish_pending = false;
        self.active = switch.to;
        old != switch.to
    }
}

impl<B: TisBackend> Tis<B> {
    /// TIS 1.3: a guest write of `value` to TPM_ACCESS_x of locality `l` (0–3; the
    /// caller drops locality-4 writes). Several bits in one write are processed in QEMU's
    /// order: Seize masks activeLocality and requestUse, then activeLocality, beenSeized,
    /// Seize, requestUse.
    pub(crate) fn write_access(&mut self, l: Locality, value: u8) {
        let value = if value & access::SEIZE != 0 {
            value & !(access::ACTIVE_LOCALITY | access::REQUEST_USE)
        } else {
            value
        };
        if value & access::ACTIVE_LOCALITY != 0 {
            self.relinquish(l);
        }
        if value & access::BEEN_SEIZED != 0 {
            self.arbiter.been_seized.set(l, false);
        }
        if value & access::SEIZE != 0 {
            self.seize(l);
        }
        if value & access::REQUEST_USE != 0 {
            self.request_use(l);
        }
    }

    /// activeLocality written 1: the owner gives the interface to the highest requester (or
    /// to nobody); any other locality withdraws its request.
    pub(crate) fn relinquish(&mut self, l: Locality) {
        if self.arbiter.active != Some(l) {
            self.arbiter.request_use.set(l, false);
        } else if self.command.is_executing() {
            self.arbiter.relinquish_pending = true;
            self.backend.cancel();
        } else {
            let to = self.arbiter.highest_requester();
            self.switch_locality(Switch { to, seize: false });
        }
    }

    /// Seize written 1: a higher locality takes the interface at once, or when the
    /// executing command ends. A refused seize leaves no trace.
    fn seize(&mut self, l: Locality) {
        if !self.arbiter.may_seize(l) {
            return;
        }
        if self.command.is_executing() {
            self.arbiter.defer_seize(l);
            self.backend.cancel();
        } else {
            self.switch_locality(Switch {
                to: Some(l),
                seize: true,
            });
        }
    }

    /// requestUse written 1: granted at once when nobody owns the interface, else queued.
    fn request_use(&mut self, l: Locality) {
        match self.arbiter.active {
            Some(a) if a == l => {}
            Some(_) => self.arbiter.request_use.set(l, true),
            None => self.switch_locality(Switch {
                to: Some(l),
                seize: false,
            }),
        }
    }

    /// Changes the active locality: the FIFO is emptied and the command state returns to
    /// Idle; the new owner (if any) gets a localityChange interrupt.
    pub(crate) fn switch_locality(&mut self, switch: Switch) {
        self.command.reset();
        if self.arbiter.apply(switch) {
            if let Some(n) = switch.to {
                self.interrupts.raise(n, crate::regs::int::LOCALITY_CHANGE);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::mock::{at, rd, request, run, send, tis, wr, Mode, GET_CAP};

    fn access(t: &mut crate::Tis<crate::mock::Mock>, l: u64) -> u64 {
        rd(t, at(l, 0x000), 1)
    }

    #[test]
    fn request_use_with_nobody_active_is_granted_at_once() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        assert_eq!(access(&mut t, 0), 0xA1);
        assert_eq!(t.active_locality(), Some(0));
    }

    #[test]
    fn pending_request_shows_at_every_other_locality() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        request(&mut t, 2);
        assert_eq!(access(&mut t, 0), 0xA5);
        assert_eq!(access(&mut t, 2), 0x83);
        assert_eq!(access(&mut t, 1), 0x85);
        request(&mut t, 1);
        assert_eq!(access(&mut t, 1), 0x87);
        assert_eq!(access(&mut t, 4), 0x85);
    }

    #[test]
    fn relinquish_grants_the_highest_requester() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        request(&mut t, 1);
        request(&mut t, 3);
        wr(&mut t, 0x000, 1, 0x20);
        assert_eq!(t.active_locality(), Some(3));
        assert_eq!(access(&mut t, 0), 0x85);
        assert_eq!(access(&mut t, 1), 0x83);
        assert_eq!(access(&mut t, 3), 0xA5);
    }

    #[test]
    fn relinquish_without_requester_leaves_nobody_active() {
        let mut t = tis(Mode::Now);
        request(&mut t, 2);
        wr(&mut t, at(2, 0x000), 1, 0x20);
        assert_eq!(t.active_locality(), None);
        assert_eq!(access(&mut t, 2), 0x81);
    }

    #[test]
    fn active_locality_written_by_a_waiter_withdraws_its_request() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        request(&mut t, 1);
        wr(&mut t, at(1, 0x000), 1, 0x20);
        assert_eq!(access(&mut t, 1), 0x81);
        assert_eq!(access(&mut t, 0), 0xA1);
        assert_eq!(t.active_locality(), Some(0));
    }

    #[test]
    fn seize_by_a_higher_locality_sets_been_seized() {
        let mut t = tis(Mode::Now);
        request(&mut t, 1);
        wr(&mut t, at(3, 0x000), 1, 0x08);
        assert_eq!(t.active_locality(), Some(3));
        assert_eq!(access(&mut t, 1), 0x91);
        assert_eq!(access(&mut t, 3), 0xA1);
        wr(&mut t, at(1, 0x000), 1, 0x10);
        assert_eq!(access(&mut t, 1), 0x81);
    }

    #[test]
    fn seize_by_a_lower_or_equal_locality_is_refused_without_trace() {
        let mut t = tis(Mode::Now);
        request(&mut t, 2);
        wr(&mut t, at(1, 0x000), 1, 0x08);
        wr(&mut t, at(2, 0x000), 1, 0x08);
        assert_eq!(t.active_locality(), Some(2));
        assert_eq!(access(&mut t, 1), 0x81);
        assert_eq!(access(&mut t, 2), 0xA1);
    }

    #[test]
    fn seize_with_nobody_active_takes_the_interface() {
        let mut t = tis(Mode::Now);
        wr(&mut t, at(1, 0x000), 1, 0x08);
        assert_eq!(t.active_locality(), Some(1));
        assert_eq!(access(&mut t, 1), 0xA1);
    }

    #[test]
    fn seize_masks_request_and_relinquish_of_the_same_write() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        wr(&mut t, at(2, 0x000), 1, 0x2A);
        assert_eq!(t.active_locality(), Some(2));
        assert_eq!(access(&mut t, 0), 0x91);
    }

    #[test]
    fn losing_the_interface_resets_the_command_state() {
        let mut t = tis(Mode::Now);
        run(&mut t, 0, &GET_CAP);
        assert_eq!(rd(&mut t, 0x018, 1), 0x90);
        wr(&mut t, at(3, 0x000), 1, 0x08);
        wr(&mut t, at(3, 0x000), 1, 0x20);
        request(&mut t, 0);
        assert_eq!(rd(&mut t, 0x018, 1), 0x00, "Idle, no stale response (D1)");
        assert_eq!(rd(&mut t, 0x024, 1), 0xFF);
    }

    #[test]
    fn seize_during_execution_waits_for_the_response() {
        let mut t = tis(Mode::Later);
        run(&mut t, 0, &GET_CAP);
        wr(&mut t, at(3, 0x000), 1, 0x08);
        assert_eq!(t.backend().cancels, 1);
        assert_eq!(t.active_locality(), Some(0));
        assert_eq!(access(&mut t, 3), 0x81, "a pending seize is not visible");
        t.complete(vec![0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 0]).unwrap();
        assert_eq!(t.active_locality(), Some(3));
        assert_eq!(access(&mut t, 0), 0x91);
        assert_eq!(rd(&mut t, at(3, 0x018), 1), 0x00, "response discarded");
    }

    #[test]
    fn a_higher_pending_seize_wins_and_lower_ones_are_refused() {
        let mut t = tis(Mode::Later);
        run(&mut t, 0, &GET_CAP);
        wr(&mut t, at(2, 0x000), 1, 0x08);
        wr(&mut t, at(3, 0x000), 1, 0x08);
        wr(&mut t, at(1, 0x000), 1, 0x08);
        t.complete(vec![0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 0]).unwrap();
        assert_eq!(t.active_locality(), Some(3));
        assert_eq!(access(&mut t, 2), 0x81);
    }

    #[test]
    fn relinquish_during_execution_is_deferred() {
        let mut t = tis(Mode::Later);
        run(&mut t, 0, &GET_CAP);
        wr(&mut t, 0x000, 1, 0x20);
        assert_eq!(access(&mut t, 0), 0xA1, "still active until the answer");
        assert_eq!(t.backend().cancels, 1);
        request(&mut t, 1);
        t.complete(vec![0, 0xC4, 0, 0, 0, 10, 0, 0, 0, 0]).unwrap();
        assert_eq!(t.active_locality(), Some(1));
        assert_eq!(access(&mut t, 0), 0x81);
    }

    #[test]
    fn established_flag_is_read_live_and_active_low() {
        let mut t = tis(Mode::Now);
        assert_eq!(access(&mut t, 0), 0x81);
        t.backend_mut().established = true;
        assert_eq!(access(&mut t, 0), 0x80);
        assert_eq!(access(&mut t, 4), 0x80);
    }

    #[test]
    fn access_reads_are_the_same_at_every_width() {
        let mut t = tis(Mode::Now);
        request(&mut t, 0);
        assert_eq!(rd(&mut t, 0x000, 4), 0xA1);
        assert_eq!(rd(&mut t, 0x000, 2), 0xA1);
        assert_eq!(rd(&mut t, 0x001, 1), 0x00);
        assert_eq!(rd(&mut t, 0x002, 2), 0x0000);
    }

    #[test]
    fn access_writes_act_only_in_lane_0() {
        let mut t = tis(Mode::Now);
        wr(&mut t, 0x001, 1, 0x02);
        wr(&mut t, 0x002, 2, 0x0202);
        assert_eq!(t.active_locality(), None);
        wr(&mut t, 0x000, 4, 0xFFFF_FF02);
        assert_eq!(t.active_locality(), Some(0));
    }

    #[test]
    fn localities_wait_in_priority_order_not_arrival_order() {
        let mut t = tis(Mode::Now);
        send(&mut t, 0, &GET_CAP[..4]);
        request(&mut t, 3);
        request(&mut t, 1);
        wr(&mut t, 0x000, 1, 0x20);
        assert_eq!(t.active_locality(), Some(3));
        wr(&mut t, 0x3000, 1, 0x20);
        assert_eq!(t.active_locality(), Some(1));
    }
}
