//! Part 2, 10: the TPM_KEY complex (key parameters, public and private parts, key blobs),
//! with TPM_SYMMETRIC_KEY (9.4), TPM_KEY_HANDLE_LIST (5.7) and TPM_CHANGEAUTH_VALIDATE (5.11).

use crate::{
    AlgorithmId, AuthData, AuthDataUsage, Digest, EncScheme, Handle, KeyFlags, KeyUsage, Marshal,
    MarshalError, Nonce, PayloadType, PcrInfo, PcrInfoLong, Reader, SigScheme, Sized32,
    SizedBuffer, SizedBuffer16, StructVer, StructureTag, Unmarshal, Writer,
};

tpm_struct! {
    /// Part 2, 10.1.1 TPM_RSA_KEY_PARMS: the parms of an RSA key. An empty exponent means
    /// the default exponent 2^16+1.
    pub struct RsaKeyParms = "TPM_RSA_KEY_PARMS" {
        pub key_length: u32,
        pub num_primes: u32,
        pub exponent: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 10.1.2 TPM_SYMMETRIC_KEY_PARMS: the parms of an AES key.
    pub struct SymmetricKeyParms = "TPM_SYMMETRIC_KEY_PARMS" {
        pub key_length: u32,
        pub block_size: u32,
        pub iv: SizedBuffer,
    }
}

/// Part 2, 10.1 TPM_KEY_PARMS.parms: its content, chosen by `algorithmID`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyParmsDetail {
    /// TPM_ALG_RSA: a TPM_RSA_KEY_PARMS filling the whole `parms` area.
    Rsa(RsaKeyParms),
    /// TPM_ALG_AES128/192/256: a TPM_SYMMETRIC_KEY_PARMS filling the whole `parms` area.
    Symmetric(SymmetricKeyParms),
    /// Any other algorithm (the spec leaves its parms undefined): the raw bytes. Also an
    /// empty `parms` area (parmSize 0) for every algorithm; whether that is acceptable is
    /// the command's decision, not the decoder's.
    Other(Vec<u8>),
}

/// How `algorithmID` shapes TPM_KEY_PARMS.parms.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ParmsKind {
    Rsa,
    Symmetric,
    Raw,
}

fn parms_kind(algorithm_id: AlgorithmId) -> ParmsKind {
    match algorithm_id {
        AlgorithmId::TPM_ALG_RSA => ParmsKind::Rsa,
        AlgorithmId::TPM_ALG_AES | AlgorithmId::TPM_ALG_AES192 | AlgorithmId::TPM_ALG_AES256 => {
            ParmsKind::Symmetric
        }
        _ => ParmsKind::Raw,
    }
}

impl KeyParmsDetail {
    /// Decodes the `parms` area for `algorithm_id`; the caller checks that the area was
    /// consumed.
    fn read(algorithm_id: AlgorithmId, sub: &mut Reader<'_>) -> Result<Self, MarshalError> {
        if sub.is_empty() {
            return Ok(Self::Other(Vec::new()));
        }
        Ok(match parms_kind(algorithm_id) {
            ParmsKind::Rsa => Self::Rsa(sub.read()?),
            ParmsKind::Symmetric => Self::Symmetric(sub.read()?),
            ParmsKind::Raw => Self::Other(sub.bytes(sub.remaining())?.to_vec()),
        })
    }

    /// True if decoding the encoding of `self` under `algorithm_id` gives `self` back.
    fn fits(&self, algorithm_id: AlgorithmId) -> bool {
        match self {
            Self::Rsa(_) => parms_kind(algorithm_id) == ParmsKind::Rsa,
            Self::Symmetric(_) => parms_kind(algorithm_id) == ParmsKind::Symmetric,
            Self::Other(raw) => raw.is_empty() || parms_kind(algorithm_id) == ParmsKind::Raw,
        }
    }
}

/// Part 2, 10.1 TPM_KEY_PARMS: the algorithm, schemes and algorithm-specific parameters of
/// a key.
///
/// `parms` is a UINT32-sized area whose content depends on `algorithmID` (see
/// [`KeyParmsDetail`]); a structured area must be filled exactly, so decode-then-encode
/// is byte-exact. Encoding a `parms` that does not match `algorithm_id` fails with
/// `Inconsistent`.
#[doc(alias = "TPM_KEY_PARMS")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyParms {
    /// `algorithmID`.
    pub algorithm_id: AlgorithmId,
    /// `encScheme`.
    pub enc_scheme: EncScheme,
    /// `sigScheme`.
    pub sig_scheme: SigScheme,
    /// `parmSize` and `parms`.
    pub parms: KeyParmsDetail,
}

impl KeyParms {
    /// RSA parameters of `key_length` bits with two primes and the default exponent
    /// (exponentSize 0), under the given schemes: every key template a TPM makes.
    pub fn new_rsa(enc_scheme: EncScheme, sig_scheme: SigScheme, key_length: u32) -> Self {
        Self {
            algorithm_id: AlgorithmId::TPM_ALG_RSA,
            enc_scheme,
            sig_scheme,
            parms: KeyParmsDetail::Rsa(RsaKeyParms {
                key_length,
                num_primes: 2,
                exponent: SizedBuffer::default(),
            }),
        }
    }

    /// The RSA parameters, if `parms` holds them.
    pub fn rsa(&self) -> Option<&RsaKeyParms> {
        match &self.parms {
            KeyParmsDetail::Rsa(p) => Some(p),
            _ => None,
        }
    }
}

impl Marshal for KeyParms {
    fn marshal(&self, w: &mut Writer) {
        if !self.parms.fits(self.algorithm_id) {
            w.fail(MarshalError::Inconsistent {
                what: "TPM_KEY_PARMS.parms",
            });
        }
        self.algorithm_id.marshal(w);
        self.enc_scheme.marshal(w);
        self.sig_scheme.marshal(w);
        w.with_u32_size("TPM_KEY_PARMS.parmSize", |w| match &self.parms {
            KeyParmsDetail::Rsa(p) => p.marshal(w),
            KeyParmsDetail::Symmetric(p) => p.marshal(w),
            KeyParmsDetail::Other(raw) => w.bytes(raw),
        });
    }
}

impl Unmarshal for KeyParms {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let algorithm_id = r.field("TPM_KEY_PARMS.algorithmID")?;
        let enc_scheme = r.field("TPM_KEY_PARMS.encScheme")?;
        let sig_scheme = r.field("TPM_KEY_PARMS.sigScheme")?;
        let mut sub = r.sub_u32().map_err(|e| e.at("TPM_KEY_PARMS.parmSize"))?;
        let parms = KeyParmsDetail::read(algorithm_id, &mut sub)
            .and_then(|p| sub.finish().map(|()| p))
            .map_err(|e| e.at("TPM_KEY_PARMS.parms"))?;
        Ok(Self {
            algorithm_id,
            enc_scheme,
            sig_scheme,
            parms,
        })
    }
}

tpm_struct! {
    /// Part 2, 10.4 TPM_STORE_PUBKEY: the public key (for RSA, the modulus), interpreted
    /// with the TPM_KEY_PARMS beside it.
    pub struct StorePubkey = "TPM_STORE_PUBKEY" {
        pub key: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 10.5 TPM_PUBKEY: a public key with everything needed to use it.
    pub struct Pubkey = "TPM_PUBKEY" {
        pub algorithm_parms: KeyParms,
        pub pub_key: StorePubkey,
    }
}

tpm_struct! {
    /// Part 2, 10.2 TPM_KEY: the 1.1 key blob (`ver` must be 1.1.0.0; checking it is the
    /// command's business). `encData` is an encrypted TPM_STORE_ASYMKEY or
    /// TPM_MIGRATE_ASYMKEY.
    pub struct Key = "TPM_KEY" {
        pub ver: StructVer,
        pub key_usage: KeyUsage,
        pub key_flags: KeyFlags,
        pub auth_data_usage: AuthDataUsage,
        pub algorithm_parms: KeyParms,
        pub pcr_info: Sized32<PcrInfo>,
        pub pub_key: StorePubkey,
        pub enc_data: SizedBuffer,
    }
}

/// Part 2, 10.3 TPM_KEY12: the 1.2 key blob, with a structure tag, a `fill` that must be
/// zero (not stored) and PCR info in the TPM_PCR_INFO_LONG form.
#[doc(alias = "TPM_KEY12")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Key12 {
    /// `keyUsage`.
    pub key_usage: KeyUsage,
    /// `keyFlags`.
    pub key_flags: KeyFlags,
    /// `authDataUsage`.
    pub auth_data_usage: AuthDataUsage,
    /// `algorithmParms`.
    pub algorithm_parms: KeyParms,
    /// `PCRInfoSize` and `PCRInfo` (absent when the key is not bound to PCRs).
    pub pcr_info: Sized32<PcrInfoLong>,
    /// `pubKey`.
    pub pub_key: StorePubkey,
    /// `encSize` and `encData`.
    pub enc_data: SizedBuffer,
}

impl Marshal for Key12 {
    fn marshal(&self, w: &mut Writer) {
        StructureTag::TPM_TAG_KEY12.marshal(w);
        w.u16(0); // fill
        self.key_usage.marshal(w);
        self.key_flags.marshal(w);
        self.auth_data_usage.marshal(w);
        self.algorithm_parms.marshal(w);
        self.pcr_info.marshal(w);
        self.pub_key.marshal(w);
        self.enc_data.marshal(w);
    }
}

impl Unmarshal for Key12 {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        crate::codec::expect_tag(r, StructureTag::TPM_TAG_KEY12, "TPM_KEY12")?;
        let fill = r.u16().map_err(|e| e.at("TPM_KEY12.fill"))?;
        if fill != 0 {
            return Err(MarshalError::BadValue {
                what: "TPM_KEY12.fill",
                found: u32::from(fill),
            });
        }
        Ok(Self {
            key_usage: r.field("TPM_KEY12.keyUsage")?,
            key_flags: r.field("TPM_KEY12.keyFlags")?,
            auth_data_usage: r.field("TPM_KEY12.authDataUsage")?,
            algorithm_parms: r.field("TPM_KEY12.algorithmParms")?,
            pcr_info: r.field("TPM_KEY12.PCRInfo")?,
            pub_key: r.field("TPM_KEY12.pubKey")?,
            enc_data: r.field("TPM_KEY12.encData")?,
        })
    }
}

/// A key blob as TPM_LoadKey2, TPM_CreateWrapKey and friends accept it: a TPM_KEY or a
/// TPM_KEY12, told apart by the first two bytes (the 1.1 `ver` 0x01 0x01, or the tag
/// TPM_TAG_KEY12). Anything else is `BadTag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyBlob {
    /// Part 2, 10.2 TPM_KEY.
    Key(Key),
    /// Part 2, 10.3 TPM_KEY12.
    Key12(Key12),
}

impl KeyBlob {
    /// `keyUsage`.
    pub fn key_usage(&self) -> KeyUsage {
        match self {
            Self::Key(k) => k.key_usage,
            Self::Key12(k) => k.key_usage,
        }
    }

    /// `keyFlags`.
    pub fn key_flags(&self) -> KeyFlags {
        match self {
            Self::Key(k) => k.key_flags,
            Self::Key12(k) => k.key_flags,
        }
    }

    /// `authDataUsage`.
    pub fn auth_data_usage(&self) -> AuthDataUsage {
        match self {
            Self::Key(k) => k.auth_data_usage,
            Self::Key12(k) => k.auth_data_usage,
        }
    }

    /// `algorithmParms`.
    pub fn algorithm_parms(&self) -> &KeyParms {
        match self {
            Self::Key(k) => &k.algorithm_parms,
            Self::Key12(k) => &k.algorithm_parms,
        }
    }

    /// `pubKey`.
    pub fn pub_key(&self) -> &StorePubkey {
        match self {
            Self::Key(k) => &k.pub_key,
            Self::Key12(k) => &k.pub_key,
        }
    }

    /// `encData`.
    pub fn enc_data(&self) -> &SizedBuffer {
        match self {
            Self::Key(k) => &k.enc_data,
            Self::Key12(k) => &k.enc_data,
        }
    }
}

impl Marshal for KeyBlob {
    fn marshal(&self, w: &mut Writer) {
        match self {
            Self::Key(k) => k.marshal(w),
            Self::Key12(k) => k.marshal(w),
        }
    }
}

impl Unmarshal for KeyBlob {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let first = r
            .rest()
            .get(..2)
            .ok_or(MarshalError::Truncated { what: "TPM_KEY" })?;
        match first {
            [0x01, 0x01] => r.read().map(Self::Key),
            [0x00, 0x28] => r.read().map(Self::Key12),
            [hi, lo] => Err(MarshalError::BadTag {
                what: "TPM_KEY",
                found: u16::from_be_bytes([*hi, *lo]),
            }),
            _ => Err(MarshalError::Truncated { what: "TPM_KEY" }),
        }
    }
}

tpm_struct! {
    /// Part 2, 10.7 TPM_STORE_PRIVKEY: the private key (for RSA, one prime factor).
    pub struct StorePrivkey = "TPM_STORE_PRIVKEY" {
        pub key: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 10.6 TPM_STORE_ASYMKEY: the secret part of a key, encrypted into
    /// TPM_KEY.encData.
    pub struct StoreAsymkey = "TPM_STORE_ASYMKEY" {
        pub payload: PayloadType,
        pub usage_auth: AuthData,
        pub migration_auth: AuthData,
        pub pub_data_digest: Digest,
        pub priv_key: StorePrivkey,
    }
}

tpm_struct! {
    /// Part 2, 10.8 TPM_MIGRATE_ASYMKEY: the secret part of a migrating key (the k2 part of
    /// the private key; k1 travels as the OAEP seed).
    pub struct MigrateAsymkey = "TPM_MIGRATE_ASYMKEY" {
        pub payload: PayloadType,
        pub usage_auth: AuthData,
        pub pub_data_digest: Digest,
        pub part_priv_key: SizedBuffer,
    }
}

tpm_struct! {
    /// Part 2, 9.4 TPM_SYMMETRIC_KEY: a symmetric key with its algorithm and scheme
    /// (UINT16 size).
    pub struct SymmetricKey = "TPM_SYMMETRIC_KEY" {
        pub alg_id: AlgorithmId,
        pub enc_scheme: EncScheme,
        pub data: SizedBuffer16,
    }
}

tpm_struct! {
    /// Part 2, 5.11 TPM_CHANGEAUTH_VALIDATE: the new secret and a nonce, as TPM_ChangeAuthAsym
    /// carries them.
    pub struct ChangeauthValidate = "TPM_CHANGEAUTH_VALIDATE" {
        pub new_auth_secret: AuthData,
        pub n1: Nonce,
    }
}

/// Part 2, 5.7 TPM_KEY_HANDLE_LIST: a UINT16 count of handles, then the handles.
#[doc(alias = "TPM_KEY_HANDLE_LIST")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct KeyHandleList {
    /// `handle`, `loaded` of them.
    pub handles: Vec<Handle>,
}

impl Marshal for KeyHandleList {
    fn marshal(&self, w: &mut Writer) {
        match u16::try_from(self.handles.len()) {
            Ok(loaded) => w.u16(loaded),
            Err(_) => w.fail(MarshalError::TooLarge {
                what: "TPM_KEY_HANDLE_LIST.loaded",
                size: self.handles.len() as u64,
            }),
        }
        for h in &self.handles {
            w.u32(*h);
        }
    }
}

impl Unmarshal for KeyHandleList {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let loaded = usize::from(r.u16().map_err(|e| e.at("TPM_KEY_HANDLE_LIST.loaded"))?);
        if loaded.saturating_mul(4) > r.remaining() {
            return Err(MarshalError::TooLarge {
                what: "TPM_KEY_HANDLE_LIST.loaded",
                size: loaded as u64,
            });
        }
        let handles = (0..loaded)
            .map(|_| r.u32().map_err(|e| e.at("TPM_KEY_HANDLE_LIST.handle")))
            .collect::<Result<_, _>>()?;
        Ok(Self { handles })
    }
}

#[cfg(test)]
mod arbitrary {
    use super::*;
    use crate::structures::small_bytes;
    use proptest::prelude::*;

    /// Algorithms whose parms are kept raw.
    fn raw_algorithm() -> impl Strategy<Value = AlgorithmId> {
        any::<AlgorithmId>().prop_filter("raw parms", |a| parms_kind(*a) == ParmsKind::Raw)
    }

    fn symmetric_algorithm() -> impl Strategy<Value = AlgorithmId> {
        prop_oneof![
            Just(AlgorithmId::TPM_ALG_AES),
            Just(AlgorithmId::TPM_ALG_AES192),
            Just(AlgorithmId::TPM_ALG_AES256),
        ]
    }

    /// An algorithm with a `parms` that decodes back to itself.
    fn algorithm_and_parms() -> impl Strategy<Value = (AlgorithmId, KeyParmsDetail)> {
        prop_oneof![
            any::<RsaKeyParms>().prop_map(|p| (AlgorithmId::TPM_ALG_RSA, KeyParmsDetail::Rsa(p))),
            (symmetric_algorithm(), any::<SymmetricKeyParms>())
                .prop_map(|(a, p)| (a, KeyParmsDetail::Symmetric(p))),
            (raw_algorithm(), small_bytes()).prop_map(|(a, b)| (a, KeyParmsDetail::Other(b))),
            any::<AlgorithmId>().prop_map(|a| (a, KeyParmsDetail::Other(Vec::new()))),
        ]
    }

    impl Arbitrary for KeyParms {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            (
                algorithm_and_parms(),
                any::<EncScheme>(),
                any::<SigScheme>(),
            )
                .prop_map(|((algorithm_id, parms), enc_scheme, sig_scheme)| Self {
                    algorithm_id,
                    enc_scheme,
                    sig_scheme,
                    parms,
                })
                .boxed()
        }
    }

    impl Arbitrary for KeyBlob {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            // A TPM_KEY is recognised by its 1.1 major.minor, so only those are canonical.
            let key =
                (any::<Key>(), any::<(u8, u8)>()).prop_map(|(mut k, (rev_major, rev_minor))| {
                    k.ver = StructVer {
                        rev_major,
                        rev_minor,
                        ..StructVer::V1_1
                    };
                    KeyBlob::Key(k)
                });
            prop_oneof![key, any::<Key12>().prop_map(KeyBlob::Key12)].boxed()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LocalitySelection, PcrSelection};

    round_trip_tests! {
        rsa_key_parms_round_trips: RsaKeyParms,
        symmetric_key_parms_round_trips: SymmetricKeyParms,
        key_parms_round_trips: KeyParms,
        store_pubkey_round_trips: StorePubkey,
        pubkey_round_trips: Pubkey,
        key_round_trips: Key,
        key12_round_trips: Key12,
        key_blob_round_trips: KeyBlob,
        store_privkey_round_trips: StorePrivkey,
        store_asymkey_round_trips: StoreAsymkey,
        migrate_asymkey_round_trips: MigrateAsymkey,
        symmetric_key_round_trips: SymmetricKey,
        changeauth_validate_round_trips: ChangeauthValidate,
        key_handle_list_round_trips: KeyHandleList,
    }

    /// RSA-2048 storage parms with the default exponent.
    fn rsa_2048() -> KeyParms {
        KeyParms::new_rsa(
            EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
            SigScheme::TPM_SS_NONE,
            2048,
        )
    }

    /// The byte picture of a TPM_KEY12, with `pcr_info_bytes` as PCRInfoSize + PCRInfo.
    fn key12_bytes(pcr_info_bytes: &[u8]) -> Vec<u8> {
        let mut b = vec![
            0x00, 0x28, // tag TPM_TAG_KEY12
            0x00, 0x00, // fill
            0x00, 0x11, // keyUsage TPM_KEY_STORAGE
            0x00, 0x00, 0x00, 0x02, // keyFlags TPM_MIGRATABLE
            0x01, // authDataUsage TPM_AUTH_ALWAYS
            // algorithmParms
            0x00, 0x00, 0x00, 0x01, // algorithmID TPM_ALG_RSA
            0x00, 0x03, // encScheme TPM_ES_RSAESOAEP_SHA1_MGF1
            0x00, 0x01, // sigScheme TPM_SS_NONE
            0x00, 0x00, 0x00, 0x0c, // parmSize 12
            0x00, 0x00, 0x08, 0x00, // parms.keyLength 2048
            0x00, 0x00, 0x00, 0x02, // parms.numPrimes 2
            0x00, 0x00, 0x00, 0x00, // parms.exponentSize 0 (default exponent)
        ];
        b.extend_from_slice(pcr_info_bytes);
        b.extend_from_slice(&[
            0x00, 0x00, 0x00, 0x04, // pubKey.keyLength
            0xde, 0xad, 0xbe, 0xef, // pubKey.key
            0x00, 0x00, 0x00, 0x03, // encSize
            0x01, 0x02, 0x03, // encData
        ]);
        b
    }

    fn key12_value(pcr_info: Sized32<PcrInfoLong>) -> Key12 {
        Key12 {
            key_usage: KeyUsage::TPM_KEY_STORAGE,
            key_flags: KeyFlags::TPM_MIGRATABLE,
            auth_data_usage: AuthDataUsage::TPM_AUTH_ALWAYS,
            algorithm_parms: rsa_2048(),
            pcr_info,
            pub_key: StorePubkey {
                key: SizedBuffer(vec![0xde, 0xad, 0xbe, 0xef]),
            },
            enc_data: SizedBuffer(vec![1, 2, 3]),
        }
    }

    #[test]
    fn key12_byte_picture_without_pcr_info() {
        let bytes = key12_bytes(&[0x00, 0x00, 0x00, 0x00]); // PCRInfoSize 0
        byte_picture!(Key12, bytes, key12_value(Sized32(None)));
    }

    #[test]
    fn key12_byte_picture_with_pcr_info_long() {
        let mut pcr = vec![
            0x00, 0x00, 0x00, 0x36, // PCRInfoSize 54
            0x00, 0x06, // tag TPM_TAG_PCR_INFO_LONG
            0x01, // localityAtCreation TPM_LOC_ZERO
            0x1f, // localityAtRelease: all
            0x00, 0x03, 0x00, 0x00, 0x00, // creationPCRSelection: none
            0x00, 0x03, 0x01, 0x00, 0x00, // releasePCRSelection: PCR 0
        ];
        pcr.extend_from_slice(&[0x11; 20]); // digestAtCreation
        pcr.extend_from_slice(&[0x22; 20]); // digestAtRelease
        let info = PcrInfoLong {
            locality_at_creation: LocalitySelection::TPM_LOC_ZERO,
            locality_at_release: LocalitySelection(0x1f),
            creation_pcr_selection: PcrSelection::new(3, &[]).unwrap(),
            release_pcr_selection: PcrSelection::new(3, &[0]).unwrap(),
            digest_at_creation: [0x11; 20],
            digest_at_release: [0x22; 20],
        };
        byte_picture!(Key12, key12_bytes(&pcr), key12_value(Sized32(Some(info))));
    }

    #[test]
    fn rejects_key12_with_nonzero_fill() {
        let mut bytes = key12_bytes(&[0, 0, 0, 0]);
        bytes[3] = 0x01;
        assert_eq!(
            Key12::from_bytes(&bytes),
            Err(MarshalError::BadValue {
                what: "TPM_KEY12.fill",
                found: 1
            })
        );
    }

    #[test]
    fn rejects_key12_with_wrong_tag() {
        let mut bytes = key12_bytes(&[0, 0, 0, 0]);
        bytes[1] = 0x15; // TPM_TAG_KEY, not a key blob tag
        assert_eq!(
            Key12::from_bytes(&bytes),
            Err(MarshalError::BadTag {
                what: "TPM_KEY12",
                found: 0x15
            })
        );
    }

    #[test]
    fn rejects_enc_data_size_beyond_input_without_allocating() {
        let mut bytes = key12_bytes(&[0, 0, 0, 0]);
        let enc_size_at = bytes.len() - 7;
        bytes[enc_size_at..enc_size_at + 4].copy_from_slice(&[0xff; 4]);
        assert_eq!(
            Key12::from_bytes(&bytes),
            Err(MarshalError::TooLarge {
                what: "TPM_KEY12.encData",
                size: 0xffff_ffff
            })
        );
    }

    #[test]
    fn rejects_rsa_parms_not_filling_parm_size() {
        let mut bytes = vec![0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 13];
        bytes.extend_from_slice(&[0, 0, 8, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0xee]);
        assert_eq!(
            KeyParms::from_bytes(&bytes),
            Err(MarshalError::TrailingBytes {
                what: "TPM_KEY_PARMS.parms",
                count: 1
            })
        );
    }

    #[test]
    fn rejects_truncated_rsa_parms() {
        let bytes = [0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 4, 0, 0, 8, 0];
        assert_eq!(
            KeyParms::from_bytes(&bytes),
            Err(MarshalError::Truncated {
                what: "TPM_RSA_KEY_PARMS.num_primes"
            })
        );
    }

    #[test]
    fn key_parms_keep_raw_bytes_of_other_algorithms_and_empty_parms() {
        let sha = [0, 0, 0, 4, 0, 1, 0, 1, 0, 0, 0, 2, 0xab, 0xcd];
        let parms = KeyParms::from_bytes(&sha).unwrap();
        assert_eq!(parms.parms, KeyParmsDetail::Other(vec![0xab, 0xcd]));
        assert_eq!(parms.to_bytes().unwrap(), sha);

        let empty_rsa = [0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 0];
        let parms = KeyParms::from_bytes(&empty_rsa).unwrap();
        assert_eq!(parms.parms, KeyParmsDetail::Other(Vec::new()));
        assert_eq!(parms.rsa(), None);
        assert_eq!(parms.to_bytes().unwrap(), empty_rsa);
    }

    #[test]
    fn symmetric_algorithms_carry_symmetric_key_parms() {
        let bytes = [
            0, 0, 0, 6, 0, 4, 0, 1, 0, 0, 0, 16, // AES128, CTR, no sig, parmSize 16
            0, 0, 0, 128, 0, 0, 0, 128, 0, 0, 0, 4, 9, 9, 9, 9, // 128-bit key, block, IV
        ];
        let parms = KeyParms::from_bytes(&bytes).unwrap();
        assert_eq!(
            parms.parms,
            KeyParmsDetail::Symmetric(SymmetricKeyParms {
                key_length: 128,
                block_size: 128,
                iv: SizedBuffer(vec![9; 4]),
            })
        );
        assert_eq!(parms.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn refuses_to_encode_parms_that_do_not_match_the_algorithm() {
        let mut parms = rsa_2048();
        parms.algorithm_id = AlgorithmId::TPM_ALG_SHA;
        assert_eq!(
            parms.to_bytes(),
            Err(MarshalError::Inconsistent {
                what: "TPM_KEY_PARMS.parms"
            })
        );
        parms.algorithm_id = AlgorithmId::TPM_ALG_RSA;
        parms.parms = KeyParmsDetail::Other(vec![1]);
        assert!(parms.to_bytes().is_err());
    }

    #[test]
    fn key_blob_is_told_apart_by_its_first_two_bytes() {
        let bytes = key12_bytes(&[0, 0, 0, 0]);
        assert_eq!(
            KeyBlob::from_bytes(&bytes),
            Ok(KeyBlob::Key12(key12_value(Sized32(None))))
        );

        let key = Key {
            ver: StructVer::V1_1,
            key_usage: KeyUsage::TPM_KEY_SIGNING,
            key_flags: KeyFlags(0),
            auth_data_usage: AuthDataUsage::TPM_AUTH_NEVER,
            algorithm_parms: rsa_2048(),
            pcr_info: Sized32(None),
            pub_key: StorePubkey {
                key: SizedBuffer(vec![0xaa; 4]),
            },
            enc_data: SizedBuffer(vec![7]),
        };
        let bytes = key.to_bytes().unwrap();
        assert_eq!(&bytes[..4], [1, 1, 0, 0]);
        let blob = KeyBlob::from_bytes(&bytes).unwrap();
        assert_eq!(blob.key_usage(), KeyUsage::TPM_KEY_SIGNING);
        assert_eq!(blob, KeyBlob::Key(key));

        assert_eq!(
            KeyBlob::from_bytes(&[0x00, 0x15, 0, 0]),
            Err(MarshalError::BadTag {
                what: "TPM_KEY",
                found: 0x15
            })
        );
        assert_eq!(
            KeyBlob::from_bytes(&[0x01]),
            Err(MarshalError::Truncated { what: "TPM_KEY" })
        );
    }

    #[test]
    fn rejects_handle_count_beyond_input_without_allocating() {
        assert_eq!(
            KeyHandleList::from_bytes(&[0xff, 0xff, 0, 0, 0, 1]),
            Err(MarshalError::TooLarge {
                what: "TPM_KEY_HANDLE_LIST.loaded",
                size: 0xffff
            })
        );
        assert_eq!(
            KeyHandleList::from_bytes(&[0, 2, 0, 0, 0, 1, 0x40, 0, 0, 0]),
            Ok(KeyHandleList {
                handles: vec![1, 0x4000_0000]
            })
        );
    }

    #[test]
    fn symmetric_key_has_a_uint16_size() {
        byte_picture!(
            SymmetricKey,
            [
                0x00, 0x00, 0x00, 0x06, // algId TPM_ALG_AES128
                0x00, 0xff, // encScheme TPM_ES_SYM_CBC_PKCS5PAD
                0x00, 0x02, // size
                0x5a, 0x5b, // data
            ],
            SymmetricKey {
                alg_id: AlgorithmId::TPM_ALG_AES,
                enc_scheme: EncScheme::TPM_ES_SYM_CBC_PKCS5PAD,
                data: SizedBuffer16(vec![0x5a, 0x5b]),
            }
        );
    }
}
