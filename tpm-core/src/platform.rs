//! The platform the TPM sits on: its random number generator, its tick clock and its
//! hardware physical-presence pin. The embedder supplies a [`Platform`]; the engine uses
//! nothing else for randomness or time.
//!
//! [`StdPlatform`] serves real use (OS randomness, `Instant`); [`TestPlatform`] makes
//! tests reproducible (seeded ChaCha20, a clock that moves only when told). [`PlatformRng`]
//! lends a platform's RNG to the `rsa` crate for key generation.

use std::convert::Infallible;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng, TryCryptoRng, TryRng};
use zeroize::Zeroizing;

/// What the TPM needs from the machine it runs on.
pub trait Platform: Send {
    /// Fills `buf` with cryptographically strong random bytes: the TPM's RNG
    /// (Part 3, 13.6 TPM_GetRandom; nonces, key generation, IVs).
    fn fill_random(&mut self, buf: &mut [u8]);

    /// Microseconds since the platform started, never decreasing: the source of
    /// Part 2, 15.1 TPM_CURRENT_TICKS.currentTicks.
    fn ticks_us(&mut self) -> u64;

    /// Whether the hardware physical-presence pin is asserted (honoured only while
    /// Part 2, 7.1 TPM_PERMANENT_FLAGS.physicalPresenceHWEnable is set). Default: never.
    fn physical_presence(&self) -> bool {
        false
    }
}

/// The platform of an ordinary process: randomness from the operating system, ticks from
/// a monotonic clock started at construction, no physical-presence pin unless set.
///
/// Every `fill_random` XORs fresh OS bytes into a ChaCha20 stream seeded from the OS at
/// construction, so the output stays strong even if a later OS read fails (the call has
/// no way to report failure) and two processes forked from one never repeat each other.
pub struct StdPlatform {
    start: Instant,
    reserve: ChaCha20Rng,
    physical_presence: bool,
}

impl StdPlatform {
    /// Seeds the platform from the operating system and starts its clock.
    ///
    /// # Errors
    /// The OS random source failed.
    pub fn new() -> std::io::Result<Self> {
        let mut seed = Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut_slice())?;
        Ok(Self {
            start: Instant::now(),
            reserve: ChaCha20Rng::from_seed(*seed),
            physical_presence: false,
        })
    }

    /// Asserts or releases the hardware physical-presence pin (a server option or a
    /// control-channel command).
    pub fn set_physical_presence(&mut self, asserted: bool) {
        self.physical_presence = asserted;
    }
}

impl Platform for StdPlatform {
    fn fill_random(&mut self, buf: &mut [u8]) {
        self.reserve.fill_bytes(buf);
        let mut fresh = Zeroizing::new(vec![0u8; buf.len()]);
        if getrandom::fill(&mut fresh).is_ok() {
            buf.iter_mut().zip(fresh.iter()).for_each(|(b, f)| *b ^= f);
        }
    }

    fn ticks_us(&mut self) -> u64 {
        u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    fn physical_presence(&self) -> bool {
        self.physical_presence
    }
}

impl fmt::Debug for StdPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StdPlatform")
            .field("start", &self.start)
            .field("physical_presence", &self.physical_presence)
            .finish_non_exhaustive()
    }
}

/// A reproducible platform for tests: the RNG is ChaCha20 keyed with the seed (as 8
/// little-endian bytes, then zeros), the clock starts at 0 and moves only when told, and
/// the physical-presence pin is a switch.
///
/// Tests that hand the platform to a `Tpm` keep a [`TestControls`] to move the clock
/// and the pin afterwards.
#[derive(Debug)]
pub struct TestPlatform {
    rng: ChaCha20Rng,
    controls: TestControls,
}

impl TestPlatform {
    /// A platform whose random bytes are fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut key = [0u8; 32];
        key.iter_mut()
            .zip(seed.to_le_bytes())
            .for_each(|(k, s)| *k = s);
        Self {
            rng: ChaCha20Rng::from_seed(key),
            controls: TestControls::default(),
        }
    }

    /// A handle on this platform's clock and pin that stays usable after the platform
    /// has been moved into the engine.
    pub fn controls(&self) -> TestControls {
        self.controls.clone()
    }
}

impl Platform for TestPlatform {
    fn fill_random(&mut self, buf: &mut [u8]) {
        self.rng.fill_bytes(buf);
    }

    fn ticks_us(&mut self) -> u64 {
        self.controls.ticks_us.load(Ordering::SeqCst)
    }

    fn physical_presence(&self) -> bool {
        self.controls.physical_presence.load(Ordering::SeqCst)
    }
}

/// The clock and physical-presence pin of a [`TestPlatform`], shared with it.
#[derive(Debug, Clone, Default)]
pub struct TestControls {
    ticks_us: Arc<AtomicU64>,
    physical_presence: Arc<AtomicBool>,
}

impl TestControls {
    /// Moves the clock forward by `us` microseconds (saturating).
    pub fn advance_us(&self, us: u64) {
        let now = self.ticks_us.load(Ordering::SeqCst);
        self.ticks_us
            .store(now.saturating_add(us), Ordering::SeqCst);
    }

    /// Asserts or releases the hardware physical-presence pin.
    pub fn set_physical_presence(&self, asserted: bool) {
        self.physical_presence.store(asserted, Ordering::SeqCst);
    }
}

/// A platform's RNG as a `rand_core` 0.10 generator, for `rsa` key generation and
/// padding (Part 3, 10.7 TPM_CreateWrapKey; Part 3, 14.1 TPM_CreateEndorsementKeyPair).
pub struct PlatformRng<'a>(pub &'a mut dyn Platform);

impl TryRng for PlatformRng<'_> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.0.fill_random(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.0.fill_random(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.fill_random(dst);
        Ok(())
    }
}

/// The platform's RNG is cryptographically strong by the [`Platform`] contract.
impl TryCryptoRng for PlatformRng<'_> {}

impl fmt::Debug for PlatformRng<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlatformRng")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::traits::PublicKeyParts;
    use std::time::Duration;

    #[test]
    fn test_platform_rng_is_chacha20_keyed_by_seed() {
        // ChaCha20 block 0 under the all-zero key and nonce (RFC 8439 A.1, test vector 1).
        let mut p = TestPlatform::new(0);
        let mut out = [0u8; 16];
        p.fill_random(&mut out);
        assert_eq!(
            out,
            [
                0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90, 0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86,
                0xbd, 0x28
            ]
        );
    }

    #[test]
    fn test_platform_repeats_for_a_seed_and_differs_across_seeds() {
        let draw = |seed| {
            let mut out = [0u8; 32];
            TestPlatform::new(seed).fill_random(&mut out);
            out
        };
        assert_eq!(draw(7), draw(7));
        assert_ne!(draw(7), draw(8));
    }

    #[test]
    fn test_platform_clock_moves_only_when_told() {
        let mut p = TestPlatform::new(1);
        let controls = p.controls();
        assert_eq!(p.ticks_us(), 0);
        assert_eq!(p.ticks_us(), 0);
        controls.advance_us(1_500);
        assert_eq!(p.ticks_us(), 1_500);
        controls.advance_us(u64::MAX);
        assert_eq!(p.ticks_us(), u64::MAX);
    }

    #[test]
    fn test_platform_presence_pin_follows_controls() {
        let p = TestPlatform::new(1);
        assert!(!p.physical_presence());
        p.controls().set_physical_presence(true);
        assert!(p.physical_presence());
    }

    #[test]
    fn std_platform_gives_distinct_random_bytes() {
        let mut p = StdPlatform::new().unwrap();
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        p.fill_random(&mut a);
        p.fill_random(&mut b);
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
        let mut other = StdPlatform::new().unwrap();
        let mut c = [0u8; 32];
        other.fill_random(&mut c);
        assert_ne!(a, c);
    }

    #[test]
    fn std_platform_ticks_are_monotonic() {
        let mut p = StdPlatform::new().unwrap();
        let t0 = p.ticks_us();
        std::thread::sleep(Duration::from_millis(2));
        let t1 = p.ticks_us();
        assert!(t1 >= t0 + 2_000, "{t0} -> {t1}");
        assert!(!p.physical_presence());
        p.set_physical_presence(true);
        assert!(p.physical_presence());
    }

    #[test]
    fn platform_rng_generates_rsa_2048_key() {
        let mut platform = TestPlatform::new(42);
        let start = Instant::now();
        let key = rsa::PrivateKey::new(&mut PlatformRng(&mut platform), 2048).unwrap();
        eprintln!("RSA-2048 keygen through PlatformRng: {:?}", start.elapsed());
        key.validate().unwrap();
        assert_eq!(key.size(), 256);
    }

    #[test]
    fn platform_rng_keygen_is_reproducible_from_seed() {
        let keygen = |seed| {
            let mut platform = TestPlatform::new(seed);
            rsa::PrivateKey::new(&mut PlatformRng(&mut platform), 1024).unwrap()
        };
        assert_eq!(keygen(5).n(), keygen(5).n());
        assert_ne!(keygen(5).n(), keygen(6).n());
    }
}
