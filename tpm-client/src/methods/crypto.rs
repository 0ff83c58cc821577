//! Part 3, 13 Cryptographic functions: SHA-1 sessions, signing, randomness, certifying
//! keys.

use super::present;
use crate::client::{Auth, Client};
use crate::error::Result;
use crate::transport::Transport;
use tpm_marshal::commands::crypto::{
    CertifyKey, CertifyKey2, CertifyKey2In, CertifyKey2Out, CertifyKeyIn, CertifyKeyOut, GetRandom,
    GetRandomIn, Sha1Complete, Sha1CompleteExtend, Sha1CompleteExtendIn, Sha1CompleteExtendOut,
    Sha1CompleteIn, Sha1Start, Sha1Update, Sha1UpdateIn, Sign, SignIn, StirRandom, StirRandomIn,
};
use tpm_marshal::{Digest, Handle, Nonce};

impl<T: Transport> Client<T> {
    /// Part 3, 13.1 TPM_SHA1Start: starts a SHA-1 computation inside the TPM. Returns
    /// maxNumBytes, the most bytes one [`Client::sha1_update`] takes.
    ///
    /// # Errors
    /// Transport and framing errors only, in practice.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let max = tpm.sha1_start()?;
    /// let digest = tpm.sha1_complete(b"abc")?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn sha1_start(&mut self) -> Result<u32> {
        Ok(self.call::<Sha1Start>(&())?.max_num_bytes)
    }

    /// Part 3, 13.2 TPM_SHA1Update: feeds whole 64-byte blocks to the running SHA-1.
    ///
    /// # Errors
    /// `TPM_SHA_THREAD` without a running SHA-1; `TPM_SHA_ERROR` when `hash_data` is not
    /// a multiple of 64 bytes.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.sha1_start()?;
    /// tpm.sha1_update(&[0x61; 64])?;
    /// let digest = tpm.sha1_complete(&[])?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn sha1_update(&mut self, hash_data: &[u8]) -> Result<()> {
        self.call::<Sha1Update>(&Sha1UpdateIn {
            hash_data: hash_data.into(),
        })
    }

    /// Part 3, 13.3 TPM_SHA1Complete: hashes the last 0 to 64 bytes and returns the digest.
    ///
    /// # Errors
    /// `TPM_SHA_THREAD` without a running SHA-1; `TPM_SHA_ERROR` for more than 64 bytes.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.sha1_start()?;
    /// let digest = tpm.sha1_complete(b"abc")?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn sha1_complete(&mut self, hash_data: &[u8]) -> Result<Digest> {
        let input = Sha1CompleteIn {
            hash_data: hash_data.into(),
        };
        Ok(self.call::<Sha1Complete>(&input)?.hash_value)
    }

    /// Part 3, 13.4 TPM_SHA1CompleteExtend: completes the SHA-1 and extends PCR `pcr_num`
    /// with it. Returns the digest and the new PCR value.
    ///
    /// # Errors
    /// `TPM_SHA_THREAD` without a running SHA-1; `TPM_BADINDEX` for an unknown PCR;
    /// `TPM_BAD_LOCALITY` when the locality may not extend that PCR.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.sha1_start()?;
    /// let out = tpm.sha1_complete_extend(16, b"event")?;
    /// println!("PCR 16 is now {:02x?}", out.out_digest);
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn sha1_complete_extend(
        &mut self,
        pcr_num: u32,
        hash_data: &[u8],
    ) -> Result<Sha1CompleteExtendOut> {
        self.call::<Sha1CompleteExtend>(&Sha1CompleteExtendIn {
            pcr_num,
            hash_data: hash_data.into(),
        })
    }

    /// Part 3, 13.5 TPM_Sign: signs `area_to_sign` with a loaded signing or legacy key.
    /// For TPM_SS_RSASSAPKCS1v15_SHA1 keys `area_to_sign` is a 20-byte SHA-1 digest;
    /// check the result with [`crate::flows::verify_signature`].
    ///
    /// # Arguments
    /// - `key_handle`: the loaded key.
    /// - `area_to_sign`: the data (for SHA-1 schemes, its digest).
    /// - `key_auth`: a session keyed with the key's usage secret, or `None` for a key with
    ///   authDataUsage TPM_AUTH_NEVER.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE` for a key that does not sign; `TPM_BAD_PARAMETER` for a
    /// digest of the wrong size; `TPM_AUTHFAIL` for a wrong key secret.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let key_handle = 0x0100_0000;
    /// let mut s = tpm.oiap()?;
    /// s.set_secret([2; 20]);
    /// let digest = tpm_client::session::sha1(&[b"message"]);
    /// let sig = tpm.sign(key_handle, &digest, Some(tpm_client::Auth::keep(&mut s)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn sign(
        &mut self,
        key_handle: Handle,
        area_to_sign: &[u8],
        key_auth: Option<Auth<'_>>,
    ) -> Result<Vec<u8>> {
        let input = SignIn {
            key_handle,
            area_to_sign: area_to_sign.into(),
        };
        Ok(self
            .call_auth::<Sign>(&input, &mut present([key_auth]))?
            .sig
            .0)
    }

    /// Part 3, 13.6 TPM_GetRandom: random bytes from the TPM (possibly fewer than asked).
    ///
    /// # Errors
    /// Transport and framing errors only, in practice.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// let bytes = tpm.get_random(32)?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn get_random(&mut self, bytes_requested: u32) -> Result<Vec<u8>> {
        Ok(self
            .call::<GetRandom>(&GetRandomIn { bytes_requested })?
            .random_bytes
            .0)
    }

    /// Part 3, 13.7 TPM_StirRandom: adds entropy (under 256 bytes) to the TPM's random
    /// number generator.
    ///
    /// # Errors
    /// `TPM_BAD_PARAMETER` for 256 bytes or more.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// tpm.stir_random(b"some entropy")?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn stir_random(&mut self, in_data: &[u8]) -> Result<()> {
        self.call::<StirRandom>(&StirRandomIn {
            in_data: in_data.into(),
        })
    }

    /// Part 3, 13.8 TPM_CertifyKey: key `cert_handle` signs a description of key
    /// `key_handle` (a TPM_CERTIFY_INFO, or TPM_CERTIFY_INFO2 for a TPM_KEY12).
    ///
    /// # Arguments
    /// - `cert_handle`: the signing key; `key_handle`: the key to certify.
    /// - `anti_replay`: the caller's nonce, included in the signed structure.
    /// - `cert_auth`, `key_auth`: sessions for the two keys, in that order, each `None`
    ///   for a key with authDataUsage TPM_AUTH_NEVER.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE` when `cert_handle` cannot sign; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (signer, key) = (0x0100_0000, 0x0100_0001);
    /// let (mut a, mut b) = (tpm.oiap()?, tpm.oiap()?);
    /// a.set_secret([2; 20]);
    /// b.set_secret([3; 20]);
    /// let out = tpm.certify_key(signer, key, &[9; 20],
    ///     Some(tpm_client::Auth::keep(&mut a)), Some(tpm_client::Auth::keep(&mut b)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn certify_key(
        &mut self,
        cert_handle: Handle,
        key_handle: Handle,
        anti_replay: &Nonce,
        cert_auth: Option<Auth<'_>>,
        key_auth: Option<Auth<'_>>,
    ) -> Result<CertifyKeyOut> {
        let input = CertifyKeyIn {
            cert_handle,
            key_handle,
            anti_replay: *anti_replay,
        };
        self.call_auth::<CertifyKey>(&input, &mut present([cert_auth, key_auth]))
    }

    /// Part 3, 13.9 TPM_CertifyKey2: like [`Client::certify_key`], also for
    /// certified-migration keys. Note the order: the key to certify comes first.
    ///
    /// # Arguments
    /// - `key_handle`: the key to certify; `cert_handle`: the signing key.
    /// - `migration_pub_digest`: for a CMK, the digest of its migration authority.
    /// - `anti_replay`: the caller's nonce.
    /// - `key_auth`, `cert_auth`: sessions for the two keys, in that order.
    ///
    /// # Errors
    /// `TPM_INVALID_KEYUSAGE` when `cert_handle` cannot sign; `TPM_AUTHFAIL`.
    ///
    /// # Example
    /// ```no_run
    /// # let mut tpm = tpm_client::Client::new(tpm_client::TcpTransport::connect("127.0.0.1:6545")?);
    /// # let (key, signer) = (0x0100_0001, 0x0100_0000);
    /// let mut a = tpm.oiap()?;
    /// a.set_secret([2; 20]);
    /// let out = tpm.certify_key2(key, signer, &[0; 20], &[9; 20],
    ///     None, Some(tpm_client::Auth::keep(&mut a)))?;
    /// # Ok::<(), tpm_client::Error>(())
    /// ```
    pub fn certify_key2(
        &mut self,
        key_handle: Handle,
        cert_handle: Handle,
        migration_pub_digest: &Digest,
        anti_replay: &Nonce,
        key_auth: Option<Auth<'_>>,
        cert_auth: Option<Auth<'_>>,
    ) -> Result<CertifyKey2Out> {
        let input = CertifyKey2In {
            key_handle,
            cert_handle,
            migration_pub_digest: *migration_pub_digest,
            anti_replay: *anti_replay,
        };
        self.call_auth::<CertifyKey2>(&input, &mut present([key_auth, cert_auth]))
    }
}
