//! Part 3, 13: the SHA-1 session (FIPS 180 known answers), GetRandom and StirRandom.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation
)]

mod common;
use commands::crypto::*;
use commands::integrity::{PcrRead, PcrReadIn};
use common::*;
use tpm_marshal::{ReturnCode as Rc, SizedBuffer};

fn hex(s: &str) -> [u8; 20] {
    let v: Vec<u8> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect();
    v.try_into().unwrap()
}

/// TPM_SHA1Update with `data`.
fn sha1_update(b: &mut Bench, data: Vec<u8>) -> Result<(), Rc> {
    run::<Sha1Update>(
        &mut b.tpm,
        &Sha1UpdateIn {
            hash_data: SizedBuffer(data),
        },
    )
}

/// TPM_SHA1Complete with `data`: the digest.
fn sha1_complete(b: &mut Bench, data: Vec<u8>) -> Result<[u8; 20], Rc> {
    run::<Sha1Complete>(
        &mut b.tpm,
        &Sha1CompleteIn {
            hash_data: SizedBuffer(data),
        },
    )
    .map(|o| o.hash_value)
}

/// Hashes `data` through the TPM's SHA-1 session: whole 4032-byte updates, then 64-byte
/// updates, then the final bytes (at most 64) to SHA1Complete.
fn tpm_sha1(b: &mut Bench, data: &[u8]) -> Result<[u8; 20], Rc> {
    let start = run::<Sha1Start>(&mut b.tpm, &())?;
    assert_eq!(start.max_num_bytes % 64, 0);
    let max = start.max_num_bytes as usize;
    let mut rest = data;
    while rest.len() > 64 {
        let n = if rest.len() > max {
            max
        } else {
            (rest.len() - 1) / 64 * 64
        };
        let (chunk, tail) = rest.split_at(n);
        sha1_update(b, chunk.to_vec())?;
        rest = tail;
    }
    sha1_complete(b, rest.to_vec())
}

#[test]
fn sha1_session_fips_180_known_answers() {
    let mut b = started();
    assert_eq!(
        tpm_sha1(&mut b, b"abc"),
        Ok(hex("a9993e364706816aba3e25717850c26c9cd0d89d"))
    );
    assert_eq!(
        tpm_sha1(&mut b, b""),
        Ok(hex("da39a3ee5e6b4b0d3255bfef95601890afd80709"))
    );
    assert_eq!(
        tpm_sha1(
            &mut b,
            b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        ),
        Ok(hex("84983e441c3bd26ebaae4aa1f95129e5e54670f1"))
    );
    assert_eq!(
        tpm_sha1(&mut b, &vec![b'a'; 1_000_000]),
        Ok(hex("34aa973cd4c4daa4f61eeb2bdbad27316534016f"))
    );
}

#[test]
fn sha1_update_without_start_is_sha_thread() {
    let mut b = started();
    assert_eq!(sha1_update(&mut b, vec![0; 64]), Err(Rc::TPM_SHA_THREAD));
    assert_eq!(sha1_complete(&mut b, vec![]), Err(Rc::TPM_SHA_THREAD));
}

#[test]
fn sha1_update_of_a_partial_block_is_sha_error_and_ends_the_session() {
    let mut b = started();
    run::<Sha1Start>(&mut b.tpm, &()).unwrap();
    assert_eq!(sha1_update(&mut b, vec![0; 65]), Err(Rc::TPM_SHA_ERROR));
    assert_eq!(sha1_complete(&mut b, vec![]), Err(Rc::TPM_SHA_THREAD));
}

#[test]
fn sha1_complete_with_more_than_64_bytes_is_sha_error() {
    let mut b = started();
    run::<Sha1Start>(&mut b.tpm, &()).unwrap();
    assert_eq!(sha1_complete(&mut b, vec![0; 65]), Err(Rc::TPM_SHA_ERROR));
}

#[test]
fn another_ordinal_ends_the_sha1_session() {
    let mut b = started();
    run::<Sha1Start>(&mut b.tpm, &()).unwrap();
    run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 0 }).unwrap();
    assert_eq!(sha1_complete(&mut b, vec![]), Err(Rc::TPM_SHA_THREAD));
}

#[test]
fn sha1_complete_extend_hashes_and_extends() {
    let mut b = started();
    run::<Sha1Start>(&mut b.tpm, &()).unwrap();
    let out = run::<Sha1CompleteExtend>(
        &mut b.tpm,
        &Sha1CompleteExtendIn {
            pcr_num: 8,
            hash_data: SizedBuffer(b"abc".to_vec()),
        },
    )
    .unwrap();
    let h = hex("a9993e364706816aba3e25717850c26c9cd0d89d");
    assert_eq!(out.hash_value, h);
    assert_eq!(out.out_digest, sha1(&[&[0; 20], &h]));
    assert_eq!(
        run::<PcrRead>(&mut b.tpm, &PcrReadIn { pcr_index: 8 })
            .unwrap()
            .out_digest,
        out.out_digest
    );
}

#[test]
fn sha1_complete_extend_checks_the_pcr_and_locality() {
    let mut b = started();
    run::<Sha1Start>(&mut b.tpm, &()).unwrap();
    let input = |pcr_num| Sha1CompleteExtendIn {
        pcr_num,
        hash_data: SizedBuffer(vec![]),
    };
    assert_eq!(
        run::<Sha1CompleteExtend>(&mut b.tpm, &input(24)),
        Err(Rc::TPM_BADINDEX)
    );
    assert_eq!(
        run::<Sha1CompleteExtend>(&mut b.tpm, &input(21)),
        Err(Rc::TPM_BAD_LOCALITY)
    );
    assert!(run_at::<Sha1CompleteExtend>(&mut b.tpm, 2, &input(21)).is_ok());
}

#[test]
fn get_random_returns_what_was_asked_up_to_the_buffer() {
    let mut b = started();
    let r = run::<GetRandom>(
        &mut b.tpm,
        &GetRandomIn {
            bytes_requested: 32,
        },
    )
    .unwrap();
    assert_eq!(r.random_bytes.0.len(), 32);
    let r2 = run::<GetRandom>(
        &mut b.tpm,
        &GetRandomIn {
            bytes_requested: 32,
        },
    )
    .unwrap();
    assert_ne!(r.random_bytes, r2.random_bytes);
    let zero = run::<GetRandom>(&mut b.tpm, &GetRandomIn { bytes_requested: 0 }).unwrap();
    assert!(zero.random_bytes.0.is_empty());
    let big = run::<GetRandom>(
        &mut b.tpm,
        &GetRandomIn {
            bytes_requested: u32::MAX,
        },
    )
    .unwrap();
    assert!(big.random_bytes.0.len() <= 4096 - 14);
}

#[test]
fn stir_random_takes_less_than_256_bytes() {
    let mut b = started();
    run::<StirRandom>(
        &mut b.tpm,
        &StirRandomIn {
            in_data: SizedBuffer(vec![1; 255]),
        },
    )
    .unwrap();
    assert_eq!(
        run::<StirRandom>(
            &mut b.tpm,
            &StirRandomIn {
                in_data: SizedBuffer(vec![1; 256])
            }
        ),
        Err(Rc::TPM_BAD_PARAMETER)
    );
}
