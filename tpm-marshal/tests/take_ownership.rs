//! A whole TPM_TakeOwnership request (Part 3, 6.1), written byte by byte from the Part 3
//! tables and compared both ways with what the crate builds and parses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use tpm_marshal::commands::ownership::{TakeOwnership, TakeOwnershipIn};
use tpm_marshal::framing::{AuthIn, CommandFrame, AUTH_IN_SIZE, HEADER_SIZE};
use tpm_marshal::{
    AlgorithmId, AuthDataUsage, Command, EncScheme, Key, KeyBlob, KeyFlags, KeyParms,
    KeyParmsDetail, KeyUsage, Marshal, ProtocolId, RsaKeyParms, SigScheme, Sized32, SizedBuffer,
    StorePubkey, StructVer, Tag, Unmarshal,
};

/// The request as typed values: RSA-2048 storage SRK, 256-byte encrypted secrets.
fn request() -> (TakeOwnershipIn, AuthIn) {
    let input = TakeOwnershipIn {
        protocol_id: ProtocolId::TPM_PID_OWNER,
        enc_owner_auth: SizedBuffer(vec![0xA1; 256]),
        enc_srk_auth: SizedBuffer(vec![0xB2; 256]),
        srk_params: KeyBlob::Key(Key {
            ver: StructVer::V1_1,
            key_usage: KeyUsage::TPM_KEY_STORAGE,
            key_flags: KeyFlags(0),
            auth_data_usage: AuthDataUsage::TPM_AUTH_ALWAYS,
            algorithm_parms: KeyParms {
                algorithm_id: AlgorithmId::TPM_ALG_RSA,
                enc_scheme: EncScheme::TPM_ES_RSAESOAEP_SHA1_MGF1,
                sig_scheme: SigScheme::TPM_SS_NONE,
                parms: KeyParmsDetail::Rsa(RsaKeyParms {
                    key_length: 2048,
                    num_primes: 2,
                    exponent: SizedBuffer(vec![]),
                }),
            },
            pcr_info: Sized32(None),
            pub_key: StorePubkey {
                key: SizedBuffer(vec![]),
            },
            enc_data: SizedBuffer(vec![]),
        }),
    };
    let auth = AuthIn {
        handle: 0x0200_0000,
        nonce_odd: [0xC3; 20],
        continue_auth_session: false,
        auth: [0xD4; 20],
    };
    (input, auth)
}

/// The same request written from Part 3, 6.1 (incoming operands) and Part 2, 10.2 (TPM_KEY).
fn handwritten() -> Vec<u8> {
    let mut b = Vec::new();
    // Header (Part 3, 6.1 rows 1-3)
    b.extend_from_slice(&[0x00, 0xC2]); // tag: TPM_TAG_RQU_AUTH1_COMMAND
    b.extend_from_slice(&[0x00, 0x00, 0x02, 0x70]); // paramSize: 624 bytes in all
    b.extend_from_slice(&[0x00, 0x00, 0x00, 0x0D]); // ordinal: TPM_ORD_TakeOwnership
                                                    // Parameters
    b.extend_from_slice(&[0x00, 0x05]); // protocolID: TPM_PID_OWNER
    b.extend_from_slice(&[0x00, 0x00, 0x01, 0x00]); // encOwnerAuthSize: 256
    b.extend_from_slice(&[0xA1; 256]); // encOwnerAuth
    b.extend_from_slice(&[0x00, 0x00, 0x01, 0x00]); // encSrkAuthSize: 256
    b.extend_from_slice(&[0xB2; 256]); // encSrkAuth
                                       // srkParams: TPM_KEY
    b.extend_from_slice(&[0x01, 0x01, 0x00, 0x00]); // ver: 1.1.0.0
    b.extend_from_slice(&[0x00, 0x11]); // keyUsage: TPM_KEY_STORAGE
    b.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]); // keyFlags: none
    b.push(0x01); // authDataUsage: TPM_AUTH_ALWAYS
    b.extend_from_slice(&[0x00, 0x00, 0x00, 0x01]); // algorithmParms.algorithmID: TPM_ALG_RSA
    b.extend_from_slice(&[0x00, 0x03]); // .encScheme: TPM_ES_RSAESOAEP_SHA1_MGF1
    b.extend_from_slice(&[0x00, 0x01]); // .sigScheme: TPM_SS_NONE
    b.extend_from_slice(&[0x00, 0x00, 0x00, 0x0C]); // .parmSize: 12
    b.extend_from_slice(&[0x00, 0x00, 0x08, 0x00]); // .parms.keyLength: 2048
    b.extend_from_slice(&[0x00, 0x00, 0x00, 0x02]); // .parms.numPrimes: 2
    b.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]); // .parms.exponentSize: 0 (default)
    b.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]); // PCRInfoSize: 0
    b.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]); // pubKey.keyLength: 0
    b.extend_from_slice(&[0x00, 0x00, 0x00, 0x00]); // encSize: 0
                                                    // Owner authorization trailer
    b.extend_from_slice(&[0x02, 0x00, 0x00, 0x00]); // authHandle
    b.extend_from_slice(&[0xC3; 20]); // nonceOdd
    b.push(0x00); // continueAuthSession: FALSE
    b.extend_from_slice(&[0xD4; 20]); // ownerAuth
    b
}

#[test]
fn take_ownership_frame_matches_part_3() {
    let (input, auth) = request();
    let body = input.to_bytes().unwrap();
    let frame =
        CommandFrame::encode(TakeOwnership::ORDINAL, &body, std::slice::from_ref(&auth)).unwrap();
    let expected = handwritten();
    assert_eq!(expected.len(), 624);
    assert_eq!(frame, expected);
}

#[test]
fn take_ownership_frame_parses_back() {
    let (input, auth) = request();
    let bytes = handwritten();
    let parsed = CommandFrame::parse(&bytes).unwrap();
    assert_eq!(parsed.tag, Tag::TPM_TAG_RQU_AUTH1_COMMAND);
    assert_eq!(parsed.ordinal, TakeOwnership::ORDINAL);
    assert_eq!(parsed.body.len(), bytes.len() - HEADER_SIZE - AUTH_IN_SIZE);
    assert_eq!(parsed.auths, vec![auth]);
    assert_eq!(TakeOwnershipIn::from_bytes(parsed.body).unwrap(), input);
}

#[test]
fn rejects_take_ownership_with_truncated_srk_params() {
    let (input, _) = request();
    let body = input.to_bytes().unwrap();
    let short = body.get(..body.len() - 1).unwrap();
    let err = TakeOwnershipIn::from_bytes(short).unwrap_err();
    assert_eq!(
        err.return_code(),
        tpm_marshal::ReturnCode::TPM_BAD_PARAM_SIZE
    );
}
