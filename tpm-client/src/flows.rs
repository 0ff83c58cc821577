//! The common flows, composed from the per-ordinal methods, and the checks a verifier
//! makes outside the TPM with the `rsa` crate: take ownership (PUBEK read, secrets
//! OAEP-encrypted to it), create and load a key, seal and unseal, quote and verify,
//! verify a signature, export a TPM public key as PEM.

use crate::client::{Auth, Client};
use crate::error::{Error, Result};
use crate::session::{random_nonce, sha1};
use crate::transport::Transport;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::{BoxedUint, Oaep, Pkcs1v15Sign, PublicKey};
use tpm_marshal::commands::integrity::{Quote2Out, QuoteOut};
use tpm_marshal::commands::storage::{SealPcrInfo, StoredDataBlob};
use tpm_marshal::{
    AlgorithmId, AuthData, AuthDataUsage, BoundData, Digest, EncScheme, EntityType, Handle, Key,
    Key12, KeyBlob, KeyFlags, KeyParms, KeyUsage, LocalitySelection, Marshal, Nonce, NvAttributes,
    NvDataPublic, NvIndex, NvPermission, PayloadType, PcrComposite, PcrInfo, PcrInfoShort,
    PcrSelection, Pubkey, QuoteInfo, QuoteInfo2, SigScheme, Sized32, SizedBuffer, StorePubkey,
    StructVer,
};

/// The label TPM_TakeOwnership, TPM_ActivateIdentity and bound data use with OAEP
/// (Part 1, 31.1.1: the four bytes "TCPA").
pub const OAEP_LABEL: &[u8] = b"TCPA";

/// The smallest RSA modulus this module accepts from a TPM (Part 2, 10.1.1: 512 bits).
const MIN_MODULUS_BITS: usize = 512;

/// Part 2, 10.1.1 TPM_RSA_KEY_PARMS for a 2048-bit, two-prime key with the default
/// exponent, inside a TPM_KEY_PARMS with the given schemes.
fn rsa_2048(enc_scheme: EncScheme, sig_scheme: SigScheme) -> KeyParms {
    KeyParms::new_rsa(enc_scheme, sig_scheme, 2048)
}

/// Part 3, 14.1: the EK parameters every TPM 1.2 supports (RSA 2048, OAEP, no signing).
pub fn ek_parms() -> KeyParms {
    rsa_2048(
        EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
        SigScheme::TPM_SS_NONE,
    )
}

/// Part 3, 6.1: the SRK template for TPM_TakeOwnership, as a 1.1 TPM_KEY (the form
/// every TPM 1.2 accepts): non-migratable storage key, RSA 2048, OAEP, usage auth always.
pub fn srk_template() -> KeyBlob {
    KeyBlob::Key(Key {
        ver: StructVer::V1_1,
        key_usage: KeyUsage::TPM_KEY_STORAGE,
        key_flags: KeyFlags(0),
        auth_data_usage: AuthDataUsage::TPM_AUTH_ALWAYS,
        algorithm_parms: ek_parms(),
        pcr_info: Sized32(None),
        pub_key: StorePubkey {
            key: SizedBuffer::default(),
        },
        enc_data: SizedBuffer::default(),
    })
}

/// Part 2, 10.3: a TPM_KEY12 template for TPM_CreateWrapKey: non-migratable, RSA 2048,
/// usage auth always, with the schemes `usage` calls for (signing keys sign
/// PKCS#1 v1.5 SHA-1 and do not encrypt; storage and bind keys use OAEP; legacy keys
/// both).
pub fn key_template(usage: KeyUsage) -> KeyBlob {
    let (enc, sig) = match usage {
        KeyUsage::TPM_KEY_SIGNING | KeyUsage::TPM_KEY_IDENTITY => (
            EncScheme::TPM_ES_NONE,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
        ),
        KeyUsage::TPM_KEY_LEGACY => (
            EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
            SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1,
        ),
        _ => (
            EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
            SigScheme::TPM_SS_NONE,
        ),
    };
    KeyBlob::Key12(Key12 {
        key_usage: usage,
        key_flags: KeyFlags(0),
        auth_data_usage: AuthDataUsage::TPM_AUTH_ALWAYS,
        algorithm_parms: rsa_2048(enc, sig),
        pcr_info: Sized32(None),
        pub_key: StorePubkey {
            key: SizedBuffer::default(),
        },
        enc_data: SizedBuffer::default(),
    })
}

/// Part 2, 10.5: the TPM_PUBKEY of a key blob (its parameters and public key).
pub fn blob_pubkey(blob: &KeyBlob) -> Pubkey {
    Pubkey {
        algorithm_parms: blob.algorithm_parms().clone(),
        pub_key: blob.pub_key().clone(),
    }
}

/// A big-endian unsigned integer as a `BoxedUint` as wide as its bytes.
fn uint(bytes: &[u8]) -> Result<BoxedUint> {
    let bits = u32::try_from(bytes.len().max(8) * 8)
        .map_err(|_| Error::Verification("RSA number too large"))?;
    BoxedUint::from_be_slice(bytes, bits).map_err(|_| Error::Verification("RSA number"))
}

/// Part 2, 10.5 TPM_PUBKEY to an `rsa` public key: the modulus from `pubKey`, the
/// exponent from TPM_RSA_KEY_PARMS (empty means 2^16+1).
///
/// # Errors
/// [`Error::Verification`] for a key that is not RSA or not a valid RSA key.
///
/// # Example
/// ```no_run
/// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
/// let ek = tpm_client::flows::pubkey_to_rsa(&tpm.read_pubek()?)?;
/// # Ok::<(), tpm_client::Error>(())
/// ```
pub fn pubkey_to_rsa(pubkey: &Pubkey) -> Result<PublicKey> {
    let parms = pubkey
        .algorithm_parms
        .rsa()
        .filter(|_| pubkey.algorithm_parms.algorithm_id == AlgorithmId::TPM_ALG_RSA)
        .ok_or(Error::Verification("not an RSA key"))?;
    let exponent = match parms.exponent.0.as_slice() {
        [] => &[0x01, 0x00, 0x01][..],
        e => e,
    };
    PublicKey::new_with_size_limits(
        uint(&pubkey.pub_key.key.0)?,
        uint(exponent)?,
        MIN_MODULUS_BITS..=PublicKey::MAX_SIZE,
    )
    .map_err(|_| Error::Verification("not a valid RSA public key"))
}

/// A TPM public key as PEM SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"), for
/// OpenSSL and friends.
///
/// # Errors
/// As [`pubkey_to_rsa`].
///
/// # Example
/// ```no_run
/// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
/// println!("{}", tpm_client::flows::pubkey_to_pem(&tpm.read_pubek()?)?);
/// # Ok::<(), tpm_client::Error>(())
/// ```
pub fn pubkey_to_pem(pubkey: &Pubkey) -> Result<String> {
    pubkey_to_rsa(pubkey)?
        .to_public_key_pem(LineEnding::LF)
        .map_err(|_| Error::Verification("cannot encode the public key"))
}

/// RSAES-OAEP with SHA-1, MGF1-SHA-1 and the label "TCPA" (Part 1, 31.1.1): how secrets
/// travel to the EK (TPM_TakeOwnership) or to an OAEP key.
///
/// # Errors
/// As [`pubkey_to_rsa`]; [`Error::Usage`] for a secret too long for the key.
///
/// # Example
/// ```no_run
/// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
/// let enc = tpm_client::flows::oaep_encrypt(&tpm.read_pubek()?, &[1; 20])?;
/// # Ok::<(), tpm_client::Error>(())
/// ```
pub fn oaep_encrypt(pubkey: &Pubkey, secret: &[u8]) -> Result<Vec<u8>> {
    pubkey_to_rsa(pubkey)?
        .encrypt(
            &mut getrandom::SysRng,
            Oaep::<sha1::Sha1>::new_with_label(OAEP_LABEL),
            secret,
        )
        .map_err(|e| Error::Usage(format!("OAEP encryption: {e}")))
}

/// Part 2, 9.5: binds `data` to a bind or legacy key: a TPM_BOUND_DATA (1.1.0.0,
/// TPM_PT_BIND, `data`) OAEP-encrypted to `pubkey`, ready for [`Client::unbind`].
///
/// # Errors
/// As [`oaep_encrypt`].
///
/// # Example
/// ```no_run
/// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
/// # let key = 0x0100_0000;
/// let bound = tpm_client::flows::bind_data(&tpm.get_pub_key(key, None)?, b"secret")?;
/// assert_eq!(tpm.unbind(key, &bound, None)?, b"secret");
/// # Ok::<(), tpm_client::Error>(())
/// ```
pub fn bind_data(pubkey: &Pubkey, data: &[u8]) -> Result<Vec<u8>> {
    let bound = BoundData {
        ver: StructVer::V1_1,
        payload: PayloadType::TPM_PT_BIND,
        payload_data: data.to_vec(),
    };
    oaep_encrypt(pubkey, &bound.to_bytes().map_err(Error::Encode)?)
}

/// Checks a TPM_Sign signature (Part 3, 13.5) by the key `pubkey` over `area_to_sign`,
/// the bytes given to TPM_Sign: for TPM_SS_RSASSAPKCS1v15_SHA1 keys a SHA-1 digest,
/// for TPM_SS_RSASSAPKCS1v15_DER keys a DER DigestInfo.
///
/// # Errors
/// [`Error::Verification`] when the signature does not verify, or for a scheme this
/// check does not cover (TPM_SS_RSASSAPKCS1v15_INFO signs a TPM_SIGN_INFO).
///
/// # Example
/// ```no_run
/// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
/// # let key = 0x0100_0000;
/// let pubkey = tpm.get_pub_key(key, None)?;
/// let digest = tpm_client::session::sha1(&[b"message"]);
/// let sig = tpm.sign(key, &digest, None)?;
/// tpm_client::flows::verify_signature(&pubkey, &digest, &sig)?;
/// # Ok::<(), tpm_client::Error>(())
/// ```
pub fn verify_signature(pubkey: &Pubkey, area_to_sign: &[u8], sig: &[u8]) -> Result<()> {
    let scheme = match pubkey.algorithm_parms.sig_scheme {
        SigScheme::TPM_SS_RSASSAPKCS1v15_SHA1 => Pkcs1v15Sign::new::<sha1::Sha1>(),
        SigScheme::TPM_SS_RSASSAPKCS1v15_DER => Pkcs1v15Sign::new_unprefixed(),
        _ => return Err(Error::Verification("signature scheme not covered")),
    };
    pubkey_to_rsa(pubkey)?
        .verify(scheme, area_to_sign, sig)
        .map_err(|_| Error::Verification("signature does not verify"))
}

/// Part 2, 5.4.1 TPM_COMPOSITE_HASH: SHA-1 of the TPM_PCR_COMPOSITE.
///
/// # Errors
/// [`Error::Encode`] for a composite too large to encode.
///
/// # Example
/// ```no_run
/// # let composite = tpm_marshal::PcrComposite::default();
/// let digest = tpm_client::flows::composite_hash(&composite)?;
/// # Ok::<(), tpm_client::Error>(())
/// ```
pub fn composite_hash(composite: &PcrComposite) -> Result<Digest> {
    Ok(sha1(&[&composite.to_bytes().map_err(Error::Encode)?]))
}

/// Checks a TPM_Quote answer (Part 3, 16.3): one value per selected PCR, and a
/// PKCS#1 v1.5 SHA-1 signature by `pubkey` over the TPM_QUOTE_INFO made of the
/// recomputed composite hash and `external_data`.
///
/// # Errors
/// [`Error::Verification`] when the values do not match the selection or the signature
/// does not verify.
///
/// # Example
/// ```no_run
/// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
/// # let key = 0x0100_0000;
/// let pubkey = tpm.get_pub_key(key, None)?;
/// let sel = tpm_marshal::PcrSelection::new(3, &[0]).unwrap_or_default();
/// let quote = tpm.quote(key, &[7; 20], &sel, None)?;
/// tpm_client::flows::verify_quote(&pubkey, &quote, &[7; 20])?;
/// # Ok::<(), tpm_client::Error>(())
/// ```
pub fn verify_quote(pubkey: &Pubkey, quote: &QuoteOut, external_data: &Nonce) -> Result<()> {
    let composite = &quote.pcr_data;
    if composite.select.indices().count() != composite.pcr_values.len() {
        return Err(Error::Verification(
            "quoted PCR values do not match the selection",
        ));
    }
    let info = QuoteInfo {
        version: StructVer::V1_1,
        digest_value: composite_hash(composite)?,
        external_data: *external_data,
    };
    let digest = sha1(&[&info.to_bytes().map_err(Error::Encode)?]);
    pubkey_to_rsa(pubkey)?
        .verify(Pkcs1v15Sign::new::<sha1::Sha1>(), &digest, &quote.sig.0)
        .map_err(|_| Error::Verification("quote signature does not verify"))
}

/// Checks a TPM_Quote2 answer (Part 3, 16.5): a PKCS#1 v1.5 SHA-1 signature by `pubkey`
/// over the TPM_QUOTE_INFO2 made of `external_data` and the returned PCR info, followed
/// by the TPM_CAP_VERSION_INFO when one was asked for.
///
/// The digest in the PCR info is the TPM's; compare it with [`composite_hash`] of values
/// you trust (e.g. read with [`Client::pcr_read`]).
///
/// # Errors
/// [`Error::Verification`] when the signature does not verify.
///
/// # Example
/// ```no_run
/// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
/// # let key = 0x0100_0000;
/// let pubkey = tpm.get_pub_key(key, None)?;
/// let sel = tpm_marshal::PcrSelection::new(3, &[16]).unwrap_or_default();
/// let quote = tpm.quote2(key, &[7; 20], &sel, true, None)?;
/// tpm_client::flows::verify_quote2(&pubkey, &quote, &[7; 20])?;
/// # Ok::<(), tpm_client::Error>(())
/// ```
pub fn verify_quote2(pubkey: &Pubkey, quote: &Quote2Out, external_data: &Nonce) -> Result<()> {
    let info = QuoteInfo2 {
        external_data: *external_data,
        info_short: quote.pcr_data.clone(),
    };
    let mut signed = info.to_bytes().map_err(Error::Encode)?;
    if let Some(version) = &quote.version_info.0 {
        signed.extend(version.to_bytes().map_err(Error::Encode)?);
    }
    pubkey_to_rsa(pubkey)?
        .verify(
            Pkcs1v15Sign::new::<sha1::Sha1>(),
            &sha1(&[&signed]),
            &quote.sig.0,
        )
        .map_err(|_| Error::Verification("quote2 signature does not verify"))
}

/// Part 2, 19.3: a TPM_NV_DATA_PUBLIC for an area of `data_size` bytes at `nv_index` with
/// `attributes`, bound to no PCR and usable from every locality.
pub fn nv_public(nv_index: NvIndex, data_size: u32, attributes: NvAttributes) -> NvDataPublic {
    let unbound = PcrInfoShort {
        pcr_selection: PcrSelection {
            pcr_select: vec![0; 3],
        },
        locality_at_release: LocalitySelection(0x1f),
        digest_at_release: [0; 20],
    };
    NvDataPublic {
        nv_index,
        pcr_info_read: unbound.clone(),
        pcr_info_write: unbound,
        permission: NvPermission { attributes },
        b_read_st_clear: false,
        b_write_st_clear: false,
        b_write_define: false,
        data_size,
    }
}

/// A selection of `pcrs`, at least 3 bytes wide (24 PCRs, the PC Client size).
fn selection(pcrs: &[u32]) -> Result<PcrSelection> {
    let max = pcrs.iter().max().copied().unwrap_or(0);
    let size = usize::try_from(max / 8 + 1).map_err(|_| Error::Usage("PCR index".into()))?;
    PcrSelection::new(size.max(3), pcrs).ok_or_else(|| Error::Usage("PCR selection".into()))
}

impl<T: Transport> Client<T> {
    /// Part 3, 6.1 TPM_TakeOwnership, the whole flow: reads the PUBEK (TPM_ReadPubek,
    /// checksum checked), OAEP-encrypts both secrets to it, opens an OIAP session keyed
    /// with the new owner secret and sends [`srk_template`]. Returns the SRK.
    ///
    /// # Arguments
    /// - `owner_auth`: the new owner secret; `srk_auth`: the new SRK usage secret (20
    ///   zero bytes is the TCG "well-known secret").
    ///
    /// # Errors
    /// `TPM_NO_ENDORSEMENT` without an EK; `TPM_DISABLED_CMD` when the PUBEK cannot be
    /// read; `TPM_OWNER_SET`; `TPM_DISABLED` / `TPM_DEACTIVATED`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let srk = tpm.take_ownership_with(&[1; 20], &[0; 20])?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn take_ownership_with(
        &mut self,
        owner_auth: &AuthData,
        srk_auth: &AuthData,
    ) -> Result<KeyBlob> {
        let pubek = self.read_pubek()?;
        let enc_owner = oaep_encrypt(&pubek, owner_auth)?;
        let enc_srk = oaep_encrypt(&pubek, srk_auth)?;
        let mut session = self.oiap()?;
        session.set_secret(*owner_auth);
        self.take_ownership(
            &enc_owner,
            &enc_srk,
            &srk_template(),
            Auth::last(&mut session),
        )
    }

    /// Part 3, 10.4 and 10.5: TPM_CreateWrapKey under an OSAP session for the parent
    /// (ADIP for the new secret), then TPM_LoadKey2 under an OIAP session. Returns the
    /// loaded key's handle and its blob (keep the blob to load it again later).
    ///
    /// # Arguments
    /// - `parent_handle`, `parent_auth`: the storage key and its usage secret.
    /// - `template`: e.g. [`key_template`].
    /// - `usage_auth`: the new key's usage (and migration) secret.
    ///
    /// # Errors
    /// As [`Client::create_wrap_key`] and [`Client::load_key2`].
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// use tpm_marshal::{KeyHandle, KeyUsage};
    /// let template = tpm_client::flows::key_template(KeyUsage::TPM_KEY_SIGNING);
    /// let (handle, blob) = tpm.create_and_load_key(KeyHandle::TPM_KH_SRK.0, &[0; 20], &template, &[2; 20])?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn create_and_load_key(
        &mut self,
        parent_handle: Handle,
        parent_auth: &AuthData,
        template: &KeyBlob,
        usage_auth: &AuthData,
    ) -> Result<(Handle, KeyBlob)> {
        let mut osap = self.osap(EntityType::TPM_ET_KEYHANDLE, parent_handle, parent_auth)?;
        let blob = self.create_wrap_key(
            parent_handle,
            usage_auth,
            usage_auth,
            template,
            Auth::last(&mut osap),
        )?;
        let mut oiap = self.oiap()?;
        oiap.set_secret(*parent_auth);
        let handle = self.load_key2(parent_handle, &blob, Some(Auth::last(&mut oiap)))?;
        Ok((handle, blob))
    }

    /// Part 3, 10.1 TPM_Seal under an OSAP session for the storage key (ADIP for the data
    /// secret), not bound to PCRs.
    ///
    /// # Arguments
    /// - `key_handle`, `key_auth`: the storage key and its usage secret.
    /// - `data_auth`: the secret unsealing will need; `data`: what to seal.
    ///
    /// # Errors
    /// As [`Client::seal`].
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let srk = tpm_marshal::KeyHandle::TPM_KH_SRK.0;
    /// let blob = tpm.seal_with(srk, &[0; 20], &[3; 20], b"secret")?;
    /// assert_eq!(tpm.unseal_with(srk, &[0; 20], &[3; 20], &blob)?, b"secret");
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn seal_with(
        &mut self,
        key_handle: Handle,
        key_auth: &AuthData,
        data_auth: &AuthData,
        data: &[u8],
    ) -> Result<StoredDataBlob> {
        let mut osap = self.osap(EntityType::TPM_ET_KEYHANDLE, key_handle, key_auth)?;
        self.seal(key_handle, data_auth, None, data, Auth::last(&mut osap))
    }

    /// Part 3, 10.1 TPM_Seal bound to the current values of `pcrs`: reads them, and
    /// seals with a TPM_PCR_INFO whose digestAtRelease is their composite hash, so
    /// TPM_Unseal works only while they keep these values.
    ///
    /// # Arguments
    /// As [`Client::seal_with`], and `pcrs`, the PCR indices to bind to.
    ///
    /// # Errors
    /// As [`Client::pcr_read`] and [`Client::seal`].
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let srk = tpm_marshal::KeyHandle::TPM_KH_SRK.0;
    /// let blob = tpm.seal_to_pcrs_with(srk, &[0; 20], &[3; 20], &[0, 7], b"secret")?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn seal_to_pcrs_with(
        &mut self,
        key_handle: Handle,
        key_auth: &AuthData,
        data_auth: &AuthData,
        pcrs: &[u32],
        data: &[u8],
    ) -> Result<StoredDataBlob> {
        let select = selection(pcrs)?;
        let pcr_values = select
            .indices()
            .map(|i| self.pcr_read(i))
            .collect::<Result<Vec<_>>>()?;
        let digest = composite_hash(&PcrComposite {
            select: select.clone(),
            pcr_values,
        })?;
        let info = SealPcrInfo::Info(PcrInfo {
            pcr_selection: select,
            digest_at_release: digest,
            digest_at_creation: digest,
        });
        let mut osap = self.osap(EntityType::TPM_ET_KEYHANDLE, key_handle, key_auth)?;
        self.seal(
            key_handle,
            data_auth,
            Some(info),
            data,
            Auth::last(&mut osap),
        )
    }

    /// Part 3, 10.2 TPM_Unseal with two OIAP sessions, keyed with the storage key's and
    /// the data's secrets.
    ///
    /// # Errors
    /// As [`Client::unseal`].
    ///
    /// # Example
    /// See [`Client::seal_with`].
    pub fn unseal_with(
        &mut self,
        key_handle: Handle,
        key_auth: &AuthData,
        data_auth: &AuthData,
        blob: &StoredDataBlob,
    ) -> Result<Vec<u8>> {
        let mut key = self.oiap()?;
        key.set_secret(*key_auth);
        let mut data = match self.oiap() {
            Ok(s) => s,
            Err(e) => {
                let _ = self.flush_session(key);
                return Err(e);
            }
        };
        data.set_secret(*data_auth);
        self.unseal(
            key_handle,
            blob,
            Some(Auth::last(&mut key)),
            Auth::last(&mut data),
        )
    }

    /// Part 3, 16.3 TPM_Quote, checked: reads the key's public part (TPM_GetPubKey),
    /// quotes `pcrs` with a fresh nonce and verifies the answer with [`verify_quote`].
    /// Returns the verified quote; its `pcr_data` holds the PCR values.
    ///
    /// # Arguments
    /// - `key_handle`, `key_auth`: a loaded signing key and its usage secret.
    /// - `pcrs`: the PCR indices to quote.
    ///
    /// # Errors
    /// As [`Client::quote`]; [`Error::Verification`] when the quote does not verify.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key = 0x0100_0000;
    /// let quote = tpm.quote_and_verify(key, &[2; 20], &[0, 16])?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn quote_and_verify(
        &mut self,
        key_handle: Handle,
        key_auth: &AuthData,
        pcrs: &[u32],
    ) -> Result<QuoteOut> {
        let mut session = self.oiap()?;
        session.set_secret(*key_auth);
        let pubkey = self.get_pub_key(key_handle, Some(Auth::keep(&mut session)))?;
        let nonce = random_nonce()?;
        let quote = self.quote(
            key_handle,
            &nonce,
            &selection(pcrs)?,
            Some(Auth::last(&mut session)),
        )?;
        verify_quote(&pubkey, &quote, &nonce)?;
        Ok(quote)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srk_template_is_a_storage_key_without_key_material() {
        let t = srk_template();
        assert_eq!(t.key_usage(), KeyUsage::TPM_KEY_STORAGE);
        assert!(t.pub_key().key.0.is_empty() && t.enc_data().0.is_empty());
        assert_eq!(
            t.algorithm_parms().enc_scheme,
            EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1
        );
    }

    #[test]
    fn rejects_a_pubkey_that_is_not_rsa() {
        let mut p = blob_pubkey(&key_template(KeyUsage::TPM_KEY_SIGNING));
        p.algorithm_parms.algorithm_id = AlgorithmId::TPM_ALG_SHA;
        assert!(matches!(pubkey_to_rsa(&p), Err(Error::Verification(_))));
    }

    #[test]
    fn selection_covers_at_least_24_pcrs() {
        assert_eq!(selection(&[0]).unwrap().pcr_select, vec![1, 0, 0]);
        assert_eq!(selection(&[31]).unwrap().pcr_select, vec![0, 0, 0, 0x80]);
    }
}
