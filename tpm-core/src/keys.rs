//! Keys held by the TPM (Part 1, 5 and 9; Part 2, 10): the loaded-key slot table, the
//! wrapping of key blobs (TPM_STORE_ASYMKEY encrypted to the parent with OAEP and the
//! "TCPA" label), PCR binding checks, and the RSA operations the ordinals use.
//!
//! A wrapped key carries in its encrypted part the digest of its public part and, for a
//! non-migratable key, the TPM's tpmProof as migrationAuth: a blob only loads under the
//! parent it was wrapped to, in the TPM that made it.

use crate::platform::{Platform, PlatformRng};
use crate::secret::Secret;
use crate::sessions::sha1;
use crate::state::NUM_PCRS;
use num_bigint::BigUint;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BoxedUint, Oaep, Pkcs1v15Encrypt, Pkcs1v15Sign, PrivateKey, PublicKey};
use sha1::Sha1;
use tpm_marshal::{
    AlgorithmId, AuthDataUsage, Digest, EncScheme, KeyBlob, KeyFlags, KeyParms, KeyParmsDetail,
    KeyUsage, LocalitySelection, Marshal, MarshalError, PayloadType, PcrComposite, PcrInfo,
    PcrInfoLong, PcrSelection, Pubkey, Reader, ReturnCode, SigScheme, SizedBuffer, StoreAsymkey,
    StorePrivkey, StorePubkey, Unmarshal, Writer,
};
use zeroize::{Zeroize, Zeroizing};

/// How many keys may be loaded at once (TPM_CAP_PROP_MAX_KEYS; ordinals.md: 20 as peers).
pub const MAX_KEYS: usize = 20;
/// How many of them may be owner-evict keys (ordinals.md: 10).
pub const MAX_OWNER_EVICT: usize = 10;
/// The public exponent of every key this TPM makes (TPM_RSA_KEY_PARMS.exponentSize 0).
const DEFAULT_EXPONENT: [u8; 3] = [1, 0, 1];
/// The smallest modulus a TPM 1.2 key may have (Part 3, 10.4: 512 to 2048 bits). Such
/// small keys are weak; the TPM makes them because the spec and old software ask for them.
pub const MIN_KEY_BITS: u32 = 512;
/// Below this size the `rsa` crate generates keys only through its hazmat API.
const RSA_CRATE_MIN_BITS: usize = 1024;
/// The largest modulus this TPM supports (TPM_CAP_PROP_...: RSA up to 2048 bits).
pub const MAX_KEY_BITS: u32 = 2048;

/// A key the TPM can use: its public part as the blob carried it, the private key, and
/// the secrets from its TPM_STORE_ASYMKEY.
#[derive(Clone)]
pub struct TpmKey {
    /// The TPM_KEY or TPM_KEY12 (its encData as loaded).
    pub blob: KeyBlob,
    /// The private key.
    pub private: PrivateKey,
    /// usageAuth.
    pub usage_auth: Secret,
    /// migrationAuth (tpmProof for a non-migratable key).
    pub migration_auth: Secret,
    /// parentPCRStatus (Part 3, 10.5 actions 11-12): TRUE if the parent was bound to PCRs.
    pub parent_pcr_status: bool,
}

impl core::fmt::Debug for TpmKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TpmKey")
            .field("usage", &self.blob.key_usage())
            .field("flags", &self.blob.key_flags())
            .finish_non_exhaustive()
    }
}

/// Part 2, 8.3 TPM_PCR_INFO (1.1) as TPM_PCR_INFO_LONG: the same selection for creation
/// and release, releasable at any locality.
pub(crate) fn pcr_info_long(i: &PcrInfo) -> PcrInfoLong {
    PcrInfoLong {
        locality_at_creation: LocalitySelection(0x1f),
        locality_at_release: LocalitySelection(0x1f),
        creation_pcr_selection: i.pcr_selection.clone(),
        release_pcr_selection: i.pcr_selection.clone(),
        digest_at_creation: i.digest_at_creation,
        digest_at_release: i.digest_at_release,
    }
}

impl TpmKey {
    /// A new key pair sized by `blob`'s parameters, its public key written into the blob.
    pub(crate) fn generate(
        platform: &mut dyn Platform,
        mut blob: KeyBlob,
        usage_auth: Secret,
        migration_auth: Secret,
    ) -> Result<Self, ReturnCode> {
        let private = generate(platform, key_bits(blob.algorithm_parms()))?;
        set_pub_key(&mut blob, private.as_public_key());
        Ok(TpmKey {
            blob,
            private,
            usage_auth,
            migration_auth,
            parent_pcr_status: false,
        })
    }

    /// keyUsage.
    pub fn usage(&self) -> KeyUsage {
        self.blob.key_usage()
    }

    /// True if the key is migratable.
    pub fn migratable(&self) -> bool {
        self.blob.key_flags().contains(KeyFlags::TPM_MIGRATABLE)
    }

    /// The RSA public key.
    pub fn public(&self) -> &PublicKey {
        self.private.as_public_key()
    }

    /// Part 2, 10.5 TPM_PUBKEY of the key.
    pub fn pubkey(&self) -> Pubkey {
        Pubkey {
            algorithm_parms: self.blob.algorithm_parms().clone(),
            pub_key: self.blob.pub_key().clone(),
        }
    }

    /// The PCR binding as TPM_PCR_INFO_LONG (a 1.1 TPM_PCR_INFO releases at any locality).
    pub fn pcr_info(&self) -> Option<PcrInfoLong> {
        match &self.blob {
            KeyBlob::Key12(k) => k.pcr_info.0.clone(),
            KeyBlob::Key(k) => k.pcr_info.0.as_ref().map(pcr_info_long),
        }
    }

    /// True if using the private key needs an authorization session.
    pub fn needs_usage_auth(&self) -> bool {
        self.blob.auth_data_usage() != AuthDataUsage::TPM_AUTH_NEVER
    }

    /// The signature scheme.
    pub fn sig_scheme(&self) -> SigScheme {
        self.blob.algorithm_parms().sig_scheme
    }

    /// The encryption scheme.
    pub fn enc_scheme(&self) -> EncScheme {
        self.blob.algorithm_parms().enc_scheme
    }
}

/// One slot of the table.
#[derive(Debug, Clone)]
pub struct Slot {
    /// The handle callers name the key by.
    pub handle: u32,
    /// The key.
    pub key: TpmKey,
    /// TPM_KEY_CONTROL_OWNER_EVICT: kept across TPM_Startup and power cycles.
    pub owner_evict: bool,
}

/// The loaded keys: at most [`MAX_KEYS`], never more.
#[derive(Debug, Clone, Default)]
pub struct KeySlots {
    slots: Vec<Slot>,
}

impl KeySlots {
    /// Adds a key; TPM_NOSPACE when every slot is taken.
    pub fn insert(
        &mut self,
        handle: u32,
        key: TpmKey,
        owner_evict: bool,
    ) -> Result<(), ReturnCode> {
        if self.slots.len() >= MAX_KEYS {
            return Err(ReturnCode::TPM_NOSPACE);
        }
        self.slots.push(Slot {
            handle,
            key,
            owner_evict,
        });
        Ok(())
    }

    /// The slot of `handle`.
    pub fn get(&self, handle: u32) -> Option<&Slot> {
        self.slots.iter().find(|s| s.handle == handle)
    }

    /// The slot of `handle`, mutably.
    pub fn get_mut(&mut self, handle: u32) -> Option<&mut Slot> {
        self.slots.iter_mut().find(|s| s.handle == handle)
    }

    /// True if `handle` names a loaded key.
    pub fn contains(&self, handle: u32) -> bool {
        self.get(handle).is_some()
    }

    /// Removes a key.
    pub fn remove(&mut self, handle: u32) -> Option<Slot> {
        let i = self.slots.iter().position(|s| s.handle == handle)?;
        Some(self.slots.remove(i))
    }

    /// Loaded keys, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter()
    }

    /// Keeps only the keys `f` accepts.
    pub fn retain(&mut self, f: impl FnMut(&Slot) -> bool) {
        self.slots.retain(f);
    }

    /// The number of owner-evict keys.
    pub fn owner_evict_count(&self) -> usize {
        self.slots.iter().filter(|s| s.owner_evict).count()
    }

    /// The number of loaded keys.
    pub fn len(&self) -> usize {
        self.slots.len()
    }
}

// ---- RSA ----

/// The OAEP padding every TPM 1.2 wrapping uses: SHA-1, MGF1-SHA-1, label "TCPA".
pub fn oaep_tcpa() -> Oaep<Sha1> {
    Oaep::<Sha1>::new_with_label(*b"TCPA")
}

/// Encrypts with OAEP "TCPA" (TPM_ES_RSAESOAEP_SHA1_MGF1).
pub fn oaep_encrypt(
    key: &PublicKey,
    platform: &mut dyn Platform,
    data: &[u8],
) -> Result<Vec<u8>, ReturnCode> {
    key.encrypt(&mut PlatformRng(platform), oaep_tcpa(), data)
        .map_err(|_| ReturnCode::TPM_BAD_DATASIZE)
}

/// Decrypts OAEP "TCPA" (blinded with the platform RNG); TPM_DECRYPT_ERROR on any failure.
pub fn oaep_decrypt(
    key: &PrivateKey,
    platform: &mut dyn Platform,
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, ReturnCode> {
    key.decrypt_blinded(&mut PlatformRng(platform), oaep_tcpa(), data)
        .map(Zeroizing::new)
        .map_err(|_| ReturnCode::TPM_DECRYPT_ERROR)
}

/// Decrypts PKCS#1 v1.5 (TPM_ES_RSAESPKCSv15, legacy and bind keys).
///
/// PKCS#1 v1.5 decryption is exposed to the Marvin timing attack (RUSTSEC-2023-0071); TPM
/// 1.2 requires it for keys whose encScheme is TPM_ES_RSAESPKCSv15, so it is offered only
/// for those keys. The `rsa` crate answers bad padding with a synthetic message (implicit
/// rejection) rather than an error.
pub fn pkcs1_decrypt(
    key: &PrivateKey,
    platform: &mut dyn Platform,
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, ReturnCode> {
    key.decrypt_blinded(&mut PlatformRng(platform), Pkcs1v15Encrypt, data)
        .map(Zeroizing::new)
        .map_err(|_| ReturnCode::TPM_DECRYPT_ERROR)
}

/// An RSASSA-PKCS1-v1_5 signature over a SHA-1 digest (DigestInfo prefixed).
pub fn sign_sha1(
    key: &PrivateKey,
    platform: &mut dyn Platform,
    digest: &Digest,
) -> Result<Vec<u8>, ReturnCode> {
    key.sign_with_rng(
        &mut PlatformRng(platform),
        Pkcs1v15Sign::new::<Sha1>(),
        digest,
    )
    .map_err(|_| ReturnCode::TPM_FAIL)
}

/// An RSASSA-PKCS1-v1_5 signature over `data` as given (the caller's DER DigestInfo).
pub fn sign_raw(
    key: &PrivateKey,
    platform: &mut dyn Platform,
    data: &[u8],
) -> Result<Vec<u8>, ReturnCode> {
    key.sign_with_rng(
        &mut PlatformRng(platform),
        Pkcs1v15Sign::new_unprefixed(),
        data,
    )
    .map_err(|_| ReturnCode::TPM_BAD_DATASIZE)
}

/// A new RSA key of `bits` with the platform RNG.
pub fn generate(platform: &mut dyn Platform, bits: u32) -> Result<PrivateKey, ReturnCode> {
    let bits = usize::try_from(bits).map_err(|_| ReturnCode::TPM_BAD_KEY_PROPERTY)?;
    let rng = &mut PlatformRng(platform);
    let key = if bits < RSA_CRATE_MIN_BITS {
        PrivateKey::new_unchecked(rng, bits)
    } else {
        PrivateKey::new(rng, bits)
    };
    key.map_err(|_| ReturnCode::TPM_FAIL)
}

fn exponent(bytes: &[u8]) -> Result<BoxedUint, ReturnCode> {
    let bytes = if bytes.is_empty() {
        &DEFAULT_EXPONENT[..]
    } else {
        bytes
    };
    let bits = u32::try_from(bytes.len() * 8).map_err(|_| ReturnCode::TPM_BAD_KEY_PROPERTY)?;
    BoxedUint::from_be_slice(bytes, bits.max(64)).map_err(|_| ReturnCode::TPM_BAD_KEY_PROPERTY)
}

/// The private key from one prime and the public modulus: q = n / p.
fn private_from_prime(
    parms: &KeyParms,
    modulus: &[u8],
    p: &[u8],
) -> Result<PrivateKey, ReturnCode> {
    let rsa = parms.rsa().ok_or(ReturnCode::TPM_BAD_KEY_PROPERTY)?;
    let n = BigUint::from_bytes_be(modulus);
    let pb = BigUint::from_bytes_be(p);
    if pb < BigUint::from(3u8) || &n % &pb != BigUint::from(0u8) {
        return Err(ReturnCode::TPM_BAD_KEY_PROPERTY);
    }
    let q = Zeroizing::new((&n / &pb).to_bytes_be());
    private_from_primes(p, &q, rsa.exponent.0.as_slice())
}

/// The private key from its two primes.
pub fn private_from_primes(p: &[u8], q: &[u8], e: &[u8]) -> Result<PrivateKey, ReturnCode> {
    let big = |b: &[u8]| {
        let bits = u32::try_from(b.len() * 8).map_err(|_| ReturnCode::TPM_BAD_KEY_PROPERTY)?;
        BoxedUint::from_be_slice(b, bits).map_err(|_| ReturnCode::TPM_BAD_KEY_PROPERTY)
    };
    PrivateKey::from_p_q(big(p)?, big(q)?, exponent(e)?)
        .map_err(|_| ReturnCode::TPM_BAD_KEY_PROPERTY)
}

/// The first prime, big-endian (TPM_STORE_PRIVKEY.key).
fn prime_p(key: &PrivateKey) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(
        key.primes()
            .first()
            .map(|p| p.as_ref().to_be_bytes_trimmed_vartime().to_vec())
            .unwrap_or_default(),
    )
}

/// The modulus, big-endian, as TPM_STORE_PUBKEY holds it.
pub fn modulus(key: &PublicKey) -> Vec<u8> {
    key.n_bytes().to_vec()
}

// ---- wrapping ----

/// Constant-time comparison of two digests.
pub fn digest_eq(a: &Digest, b: &Digest) -> bool {
    use subtle::ConstantTimeEq;
    a.as_slice().ct_eq(b.as_slice()).into()
}

/// Part 2, 10.6 TPM_STORE_ASYMKEY.pubDataDigest: SHA-1 of the key structure without its
/// encSize and encData.
pub fn pub_data_digest(blob: &KeyBlob) -> Digest {
    let mut bare = blob.clone();
    match &mut bare {
        KeyBlob::Key(k) => k.enc_data = SizedBuffer::default(),
        KeyBlob::Key12(k) => k.enc_data = SizedBuffer::default(),
    }
    let bytes = bare.to_bytes().unwrap_or_default();
    sha1(&[bytes
        .get(..bytes.len().saturating_sub(4))
        .unwrap_or_default()])
}

/// Fills `blob`'s encData: TPM_STORE_ASYMKEY encrypted to `parent`.
pub fn wrap(
    parent: &PublicKey,
    platform: &mut dyn Platform,
    key: &TpmKey,
    blob: &mut KeyBlob,
) -> Result<(), ReturnCode> {
    let asym = StoreAsymkey {
        payload: PayloadType::TPM_PT_ASYM,
        usage_auth: *key.usage_auth.bytes(),
        migration_auth: *key.migration_auth.bytes(),
        pub_data_digest: pub_data_digest(blob),
        priv_key: StorePrivkey {
            key: SizedBuffer(prime_p(&key.private).to_vec()),
        },
    };
    let mut asym = asym;
    let plain = Zeroizing::new(asym.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?);
    wipe(&mut asym);
    let enc = oaep_encrypt(parent, platform, &plain)?;
    match blob {
        KeyBlob::Key(k) => k.enc_data = SizedBuffer(enc),
        KeyBlob::Key12(k) => k.enc_data = SizedBuffer(enc),
    }
    Ok(())
}

/// Part 3, 10.5 TPM_LoadKey2 actions 5-12: decrypts `blob` under `parent` and checks it.
pub fn unwrap(
    parent: &PrivateKey,
    platform: &mut dyn Platform,
    blob: &KeyBlob,
    tpm_proof: &Secret,
) -> Result<TpmKey, ReturnCode> {
    check_key_parms(blob)?;
    // The modulus is as long as keyLength says.
    let bits = u32::try_from(blob.pub_key().key.0.len().saturating_mul(8)).unwrap_or(0);
    if bits != key_bits(blob.algorithm_parms()) {
        return Err(ReturnCode::TPM_BAD_KEY_PROPERTY);
    }
    let plain = oaep_decrypt(parent, platform, &blob.enc_data().0)?;
    let mut asym = StoreAsymkey::from_bytes(&plain).map_err(|_| ReturnCode::TPM_DECRYPT_ERROR)?;
    let key = check_asym(blob, &asym, tpm_proof);
    wipe(&mut asym);
    key
}

/// Wipes the secrets of a decoded TPM_STORE_ASYMKEY (a plain wire struct).
fn wipe(asym: &mut StoreAsymkey) {
    asym.usage_auth.zeroize();
    asym.migration_auth.zeroize();
    asym.priv_key.key.0.zeroize();
}

fn check_asym(
    blob: &KeyBlob,
    asym: &StoreAsymkey,
    tpm_proof: &Secret,
) -> Result<TpmKey, ReturnCode> {
    if asym.payload != PayloadType::TPM_PT_ASYM {
        return Err(ReturnCode::TPM_BAD_PARAMETER);
    }
    if !digest_eq(&asym.pub_data_digest, &pub_data_digest(blob)) {
        return Err(ReturnCode::TPM_DECRYPT_ERROR);
    }
    // A non-migratable key carries tpmProof: it was made by this TPM (action 7.d).
    let migratable = blob.key_flags().contains(KeyFlags::TPM_MIGRATABLE);
    if !migratable && !tpm_proof.ct_eq(&asym.migration_auth) {
        return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
    }
    if migratable && blob.key_usage() == KeyUsage::TPM_KEY_IDENTITY {
        return Err(ReturnCode::TPM_INVALID_KEYUSAGE);
    }
    let private = private_from_prime(
        blob.algorithm_parms(),
        &blob.pub_key().key.0,
        &asym.priv_key.key.0,
    )?;
    Ok(TpmKey {
        blob: blob.clone(),
        private,
        usage_auth: Secret::new(asym.usage_auth),
        migration_auth: Secret::new(asym.migration_auth),
        parent_pcr_status: false,
    })
}

/// Part 3, 10.4 TPM_CreateWrapKey action 6 and TPM_LoadKey2 checks: the key parameters
/// this TPM supports for each key usage.
pub fn check_key_parms(blob: &KeyBlob) -> Result<(), ReturnCode> {
    let parms = blob.algorithm_parms();
    let bad = ReturnCode::TPM_BAD_KEY_PROPERTY;
    if parms.algorithm_id != AlgorithmId::TPM_ALG_RSA {
        return Err(bad);
    }
    let KeyParmsDetail::Rsa(rsa) = &parms.parms else {
        return Err(bad);
    };
    if rsa.num_primes != 2
        || !(MIN_KEY_BITS..=MAX_KEY_BITS).contains(&rsa.key_length)
        || rsa.key_length % 256 != 0
        || !(rsa.exponent.0.is_empty() || rsa.exponent.0 == DEFAULT_EXPONENT)
    {
        return Err(bad);
    }
    let (enc, sig) = (parms.enc_scheme, parms.sig_scheme);
    let oaep = enc == EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1;
    let any_enc = oaep || enc == EncScheme::TPM_ES_RSAESPKCSv15;
    let no_enc = enc == EncScheme::TPM_ES_NONE;
    let no_sig = sig == SigScheme::TPM_SS_NONE;
    let any_sig = matches!(
        sig,
        SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1
            | SigScheme::TPM_SS_RSASSAPKCS1v15_DER
            | SigScheme::TPM_SS_RSASSAPKCS1v15_INFO
    );
    let ok = match blob.key_usage() {
        KeyUsage::TPM_KEY_STORAGE | KeyUsage::TPM_KEY_MIGRATE => {
            oaep && no_sig && rsa.key_length == MAX_KEY_BITS
        }
        KeyUsage::TPM_KEY_SIGNING => no_enc && any_sig,
        KeyUsage::TPM_KEY_IDENTITY => {
            no_enc && sig == SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1 && rsa.key_length == MAX_KEY_BITS
        }
        KeyUsage::TPM_KEY_BIND => any_enc && no_sig,
        KeyUsage::TPM_KEY_LEGACY => any_enc && any_sig,
        _ => return Err(ReturnCode::TPM_INVALID_KEYUSAGE),
    };
    if !ok {
        return Err(bad);
    }
    match blob.auth_data_usage() {
        AuthDataUsage::TPM_AUTH_NEVER
        | AuthDataUsage::TPM_AUTH_ALWAYS
        | AuthDataUsage::TPM_NO_READ_PUBKEY_AUTH
        | AuthDataUsage::TPM_AUTH_PRIV_USE_ONLY => Ok(()),
        _ => Err(ReturnCode::TPM_INVALID_KEYUSAGE),
    }
}

/// The public modulus length in bits of a key's parameters.
pub fn key_bits(parms: &KeyParms) -> u32 {
    parms.rsa().map_or(0, |r| r.key_length)
}

/// Sets a blob's public key to `key`'s modulus.
pub fn set_pub_key(blob: &mut KeyBlob, key: &PublicKey) {
    let pk = StorePubkey {
        key: SizedBuffer(modulus(key)),
    };
    match blob {
        KeyBlob::Key(k) => k.pub_key = pk,
        KeyBlob::Key12(k) => k.pub_key = pk,
    }
}

// ---- PCRs ----

/// Checks a selection against the PCRs this TPM has (TPM_INVALID_PCR_INFO otherwise).
pub fn check_selection(sel: &PcrSelection) -> Result<(), ReturnCode> {
    if sel.pcr_select.len() > NUM_PCRS / 8 {
        return Err(ReturnCode::TPM_INVALID_PCR_INFO);
    }
    Ok(())
}

/// Part 2, 8.2 TPM_PCR_COMPOSITE of the selected PCRs.
pub fn composite(
    sel: &PcrSelection,
    pcrs: &[Digest; NUM_PCRS],
) -> Result<PcrComposite, ReturnCode> {
    check_selection(sel)?;
    let pcr_values = sel
        .indices()
        .map(|i| {
            usize::try_from(i)
                .ok()
                .and_then(|i| pcrs.get(i))
                .copied()
                .ok_or(ReturnCode::TPM_BADINDEX)
        })
        .collect::<Result<_, _>>()?;
    Ok(PcrComposite {
        select: sel.clone(),
        pcr_values,
    })
}

/// TPM_COMPOSITE_HASH: SHA-1 of the marshalled composite.
pub fn composite_hash(sel: &PcrSelection, pcrs: &[Digest; NUM_PCRS]) -> Result<Digest, ReturnCode> {
    let c = composite(sel, pcrs)?;
    let bytes = c.to_bytes().map_err(|_| ReturnCode::TPM_FAIL)?;
    Ok(sha1(&[&bytes]))
}

/// The PCR and locality release checks of TPM_PCR_INFO_LONG (Part 3, 10.2 action 7, and
/// every use of a PCR-bound key).
pub fn check_release(
    info: &PcrInfoLong,
    pcrs: &[Digest; NUM_PCRS],
    locality: u8,
) -> Result<(), ReturnCode> {
    if info.locality_at_release.0 & (1 << locality.min(4)) == 0 {
        return Err(ReturnCode::TPM_BAD_LOCALITY);
    }
    if !info.release_pcr_selection.is_empty()
        && composite_hash(&info.release_pcr_selection, pcrs)? != info.digest_at_release
    {
        return Err(ReturnCode::TPM_WRONGPCRVAL);
    }
    Ok(())
}

// ---- state blob form ----

/// Writes a key for the state blobs: its public blob, both primes, its secrets.
pub fn encode(w: &mut Writer, key: &TpmKey) {
    w.write(&key.blob);
    for p in key.private.primes().iter().take(2) {
        let bytes = Zeroizing::new(p.as_ref().to_be_bytes_trimmed_vartime().to_vec());
        w.with_u16_size("key prime", |w| w.bytes(&bytes));
    }
    w.bytes(key.usage_auth.bytes());
    w.bytes(key.migration_auth.bytes());
    w.bool(key.parent_pcr_status);
}

/// Reads a key written by [`encode`].
pub fn decode(r: &mut Reader<'_>) -> Result<TpmKey, MarshalError> {
    let blob = KeyBlob::unmarshal(r)?;
    let p = r.sub_u16()?.rest();
    let q = r.sub_u16()?.rest();
    let e = blob
        .algorithm_parms()
        .rsa()
        .map(|r| r.exponent.0.clone())
        .unwrap_or_default();
    let private = private_from_primes(p, q, &e)
        .map_err(|_| MarshalError::Inconsistent { what: "key primes" })?;
    Ok(TpmKey {
        blob,
        private,
        usage_auth: Secret::new(r.array()?),
        migration_auth: Secret::new(r.array()?),
        parent_pcr_status: r.bool()?,
    })
}

/// OAEP "TCPA" decryption where no mutable platform is at hand (an authorization check):
/// the blinding RNG is ChaCha20 seeded with SHA-256 of a TPM secret and the ciphertext,
/// unpredictable to a caller who does not know the secret.
pub fn oaep_decrypt_seeded(
    key: &PrivateKey,
    secret: &Secret,
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, ReturnCode> {
    use chacha20::ChaCha20Rng;
    use rand_core::SeedableRng;
    use sha2::{Digest as _, Sha256};
    let seed: [u8; 32] = Sha256::new()
        .chain_update(secret.bytes())
        .chain_update(data)
        .finalize()
        .into();
    let mut rng = ChaCha20Rng::from_seed(seed);
    key.decrypt_blinded(&mut rng, oaep_tcpa(), data)
        .map(Zeroizing::new)
        .map_err(|_| ReturnCode::TPM_DECRYPT_ERROR)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::TestPlatform;

    fn parms() -> KeyParms {
        KeyParms::new_rsa(
            EncScheme::TPM_ES_NONE,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
            1024,
        )
    }

    #[test]
    fn private_key_rebuilds_from_one_prime() {
        let key = generate(&mut TestPlatform::new(3), 1024).unwrap();
        let n = modulus(key.as_public_key());
        let p = prime_p(&key);
        let rebuilt = private_from_prime(&parms(), &n, &p).unwrap();
        assert_eq!(rebuilt.as_public_key(), key.as_public_key());
    }

    #[test]
    fn rejects_crafted_primes_without_panicking() {
        let key = generate(&mut TestPlatform::new(3), 1024).unwrap();
        let n = modulus(key.as_public_key());
        let three_n = (BigUint::from_bytes_be(&n) * 3u8).to_bytes_be();
        for (modulus, p) in [
            (n.clone(), vec![]),
            (n.clone(), vec![1]),
            (n.clone(), n.clone()),
            (three_n.clone(), vec![3]),
            (three_n, n.clone()),
            (vec![], vec![3]),
            (vec![0; 300], vec![7; 300]),
        ] {
            assert!(private_from_prime(&parms(), &modulus, &p).is_err());
        }
        assert!(private_from_primes(&[], &[], &[]).is_err());
        assert!(private_from_primes(&[3], &[5], &[1, 0, 1]).is_err());
    }

    #[test]
    fn slots_stop_at_the_limit() {
        let key = generate(&mut TestPlatform::new(3), 1024).unwrap();
        let tpm_key = TpmKey {
            blob: KeyBlob::Key12(tpm_marshal::Key12 {
                key_usage: KeyUsage::TPM_KEY_SIGNING,
                key_flags: KeyFlags(0),
                auth_data_usage: AuthDataUsage::TPM_AUTH_ALWAYS,
                algorithm_parms: parms(),
                pcr_info: tpm_marshal::Sized32(None),
                pub_key: StorePubkey {
                    key: SizedBuffer(modulus(key.as_public_key())),
                },
                enc_data: SizedBuffer::default(),
            }),
            private: key,
            usage_auth: Secret::default(),
            migration_auth: Secret::default(),
            parent_pcr_status: false,
        };
        let mut slots = KeySlots::default();
        for h in 0..MAX_KEYS {
            slots
                .insert(u32::try_from(h).unwrap(), tpm_key.clone(), false)
                .unwrap();
        }
        assert_eq!(
            slots.insert(99, tpm_key.clone(), false),
            Err(ReturnCode::TPM_NOSPACE)
        );
        assert!(slots.remove(3).is_some());
        slots.insert(99, tpm_key, false).unwrap();
        assert_eq!(slots.len(), MAX_KEYS);
        assert!(format!("{slots:?}").contains("TpmKey"));
        assert!(!format!("{slots:?}").contains("private"));
    }
}
