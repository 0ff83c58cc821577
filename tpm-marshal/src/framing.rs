//! Command and response framing (Part 1, 13 and Part 3, 1: tag, paramSize, ordinal or
//! return code, the body, then 0, 1 or 2 authorization trailers chosen by the tag).
//!
//! [`Header::peek`] works on a partial buffer so a TIS FIFO or a socket reader knows how
//! many bytes to expect; [`CommandFrame`] and [`ResponseFrame`] split or build whole frames.

use crate::{
    AuthData, Handle, Marshal, MarshalError, Nonce, Ordinal, Reader, ReturnCode, Tag, Unmarshal,
    Writer,
};

/// Bytes in a command or response header: tag (2), paramSize (4), ordinal/returnCode (4).
pub const HEADER_SIZE: usize = 10;
/// The largest command or response this crate frames (TPM_CAP_PROP_INPUT_BUFFER).
pub const MAX_COMMAND_SIZE: usize = crate::MAX_BUFFER;
/// Bytes of one request auth trailer: authHandle, nonceOdd, continueAuthSession, authValue.
pub const AUTH_IN_SIZE: usize = 4 + 20 + 1 + 20;
/// Bytes of one response auth trailer: nonceEven, continueAuthSession, resAuth.
pub const AUTH_OUT_SIZE: usize = 20 + 1 + 20;

/// The first ten bytes of a command or response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// TPM_TAG_RQU_* or TPM_TAG_RSP_*.
    pub tag: Tag,
    /// Total size of the frame in bytes, header included.
    pub param_size: u32,
    /// The ordinal (commands) or the return code (responses).
    pub code: u32,
}

impl Header {
    /// How many bytes the whole frame has, once the first 6 bytes are known.
    ///
    /// Returns `None` while fewer than 6 bytes have arrived. The value is whatever the
    /// sender announced; check it against [`HEADER_SIZE`] and your buffer before waiting.
    pub fn expected_size(partial: &[u8]) -> Option<u32> {
        let mut r = Reader::new(partial);
        r.u16().ok()?;
        r.u32().ok()
    }

    /// Reads the header from the start of `bytes` (which may be longer or a partial frame).
    pub fn peek(bytes: &[u8]) -> Result<Self, MarshalError> {
        let mut r = Reader::new(bytes);
        let read = |r: &mut Reader<'_>| -> Result<Self, MarshalError> {
            Ok(Self {
                tag: Tag(r.u16()?),
                param_size: r.u32()?,
                code: r.u32()?,
            })
        };
        read(&mut r).map_err(|e| e.at("header"))
    }

    /// Appends the header.
    pub fn marshal(&self, w: &mut Writer) {
        w.u16(self.tag.0);
        w.u32(self.param_size);
        w.u32(self.code);
    }
}

/// How many auth trailers a command tag carries, or `None` if it is not a command tag.
pub fn command_auths(tag: Tag) -> Option<usize> {
    match tag {
        Tag::TPM_TAG_RQU_COMMAND => Some(0),
        Tag::TPM_TAG_RQU_AUTH1_COMMAND => Some(1),
        Tag::TPM_TAG_RQU_AUTH2_COMMAND => Some(2),
        _ => None,
    }
}

/// How many auth trailers a response tag carries, or `None` if it is not a response tag.
pub fn response_auths(tag: Tag) -> Option<usize> {
    match tag {
        Tag::TPM_TAG_RSP_COMMAND => Some(0),
        Tag::TPM_TAG_RSP_AUTH1_COMMAND => Some(1),
        Tag::TPM_TAG_RSP_AUTH2_COMMAND => Some(2),
        _ => None,
    }
}

/// The request tag for `n` auth trailers.
pub fn command_tag(n: usize) -> Option<Tag> {
    [
        Tag::TPM_TAG_RQU_COMMAND,
        Tag::TPM_TAG_RQU_AUTH1_COMMAND,
        Tag::TPM_TAG_RQU_AUTH2_COMMAND,
    ]
    .get(n)
    .copied()
}

/// The response tag for `n` auth trailers.
pub fn response_tag(n: usize) -> Option<Tag> {
    [
        Tag::TPM_TAG_RSP_COMMAND,
        Tag::TPM_TAG_RSP_AUTH1_COMMAND,
        Tag::TPM_TAG_RSP_AUTH2_COMMAND,
    ]
    .get(n)
    .copied()
}

/// Why a byte string is not a well-formed frame; each maps to one return code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Fewer than ten bytes, or paramSize disagrees with the bytes received, or the body
    /// is too short for the auth trailers its tag announces.
    #[error("paramSize {announced} does not match the {received} bytes received")]
    BadSize {
        /// paramSize from the header (0 if there was no header).
        announced: u32,
        /// Bytes actually present.
        received: usize,
    },
    /// The tag announces auth trailers the frame is too short to hold.
    #[error("tag {tag:?} announces {needed} bytes of auth trailers but only {available} follow the header")]
    MissingTrailers {
        /// The tag.
        tag: Tag,
        /// Bytes the trailers need.
        needed: usize,
        /// Bytes after the header.
        available: usize,
    },
    /// The frame is larger than the TPM's buffer.
    #[error("frame of {0} bytes exceeds the TPM buffer")]
    TooLarge(usize),
    /// The tag is not a command (or response) tag.
    #[error("unknown tag {0:?}")]
    BadTag(Tag),
    /// A trailer field is malformed (a continueAuthSession other than 0 or 1).
    #[error("auth trailer: {0}")]
    Trailer(MarshalError),
}

impl FrameError {
    /// The return code a TPM answers a malformed frame with.
    pub fn return_code(&self) -> ReturnCode {
        match self {
            Self::BadSize { .. } | Self::MissingTrailers { .. } | Self::TooLarge(_) => {
                ReturnCode::TPM_BAD_PARAM_SIZE
            }
            Self::BadTag(_) => ReturnCode::TPM_BADTAG,
            Self::Trailer(e) => e.return_code(),
        }
    }
}

tpm_struct! {
    /// One request authorization trailer (Part 1, 13.2): the session handle, the caller's
    /// nonce, whether to keep the session, and the HMAC.
    pub struct AuthIn = "auth trailer (in)" {
        pub handle: Handle,
        pub nonce_odd: Nonce,
        pub continue_auth_session: bool,
        pub auth: AuthData,
    }
}

tpm_struct! {
    /// One response authorization trailer: the TPM's new nonce, whether the session stays
    /// open, and the response HMAC.
    pub struct AuthOut = "auth trailer (out)" {
        pub nonce_even: Nonce,
        pub continue_auth_session: bool,
        pub auth: AuthData,
    }
}

/// A command split into header fields, body (handles and parameters) and auth trailers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandFrame<'a> {
    /// The request tag.
    pub tag: Tag,
    /// The ordinal.
    pub ordinal: Ordinal,
    /// Handles and parameters, without the trailers.
    pub body: &'a [u8],
    /// 0, 1 or 2 trailers, as the tag says.
    pub auths: Vec<AuthIn>,
}

impl<'a> CommandFrame<'a> {
    /// Splits a complete command. The header's paramSize must equal `bytes.len()`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, FrameError> {
        let (tag, code, body, trailers) = split(bytes, command_auths, AUTH_IN_SIZE)?;
        Ok(Self {
            tag,
            ordinal: Ordinal(code),
            body,
            auths: read_trailers(trailers)?,
        })
    }

    /// Builds a command frame; the tag follows from the number of trailers (0..=2).
    pub fn encode(
        ordinal: Ordinal,
        body: &[u8],
        auths: &[AuthIn],
    ) -> Result<Vec<u8>, MarshalError> {
        let tag = command_tag(auths.len()).ok_or(MarshalError::Inconsistent {
            what: "command auth trailers",
        })?;
        encode(tag, ordinal.0, body, auths)
    }
}

/// A response split into header fields, body and auth trailers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFrame<'a> {
    /// The response tag.
    pub tag: Tag,
    /// The return code.
    pub return_code: ReturnCode,
    /// Output handles and parameters, without the trailers.
    pub body: &'a [u8],
    /// 0, 1 or 2 trailers, as the tag says.
    pub auths: Vec<AuthOut>,
}

impl<'a> ResponseFrame<'a> {
    /// Splits a complete response.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, FrameError> {
        let (tag, code, body, trailers) = split(bytes, response_auths, AUTH_OUT_SIZE)?;
        Ok(Self {
            tag,
            return_code: ReturnCode(code),
            body,
            auths: read_trailers(trailers)?,
        })
    }

    /// Builds a response; the tag follows from the number of trailers (0..=2).
    pub fn encode(rc: ReturnCode, body: &[u8], auths: &[AuthOut]) -> Result<Vec<u8>, MarshalError> {
        let tag = response_tag(auths.len()).ok_or(MarshalError::Inconsistent {
            what: "response auth trailers",
        })?;
        encode(tag, rc.0, body, auths)
    }

    /// The 10-byte error response (TPM_TAG_RSP_COMMAND, no body) for `rc`.
    pub fn error(rc: ReturnCode) -> Vec<u8> {
        let mut w = Writer::new();
        Header {
            tag: Tag::TPM_TAG_RSP_COMMAND,
            param_size: 10,
            code: rc.0,
        }
        .marshal(&mut w);
        w.as_bytes().to_vec()
    }
}

/// A frame cut into its parts: tag, ordinal or return code, body, trailer bytes.
type Parts<'a> = (Tag, u32, &'a [u8], &'a [u8]);

/// Checks the header and sizes and cuts `bytes` into (tag, code, body, trailers).
fn split(
    bytes: &[u8],
    auths_for: fn(Tag) -> Option<usize>,
    trailer_size: usize,
) -> Result<Parts<'_>, FrameError> {
    let bad_size = |announced| FrameError::BadSize {
        announced,
        received: bytes.len(),
    };
    let header = Header::peek(bytes).map_err(|_| bad_size(0))?;
    if bytes.len() > MAX_COMMAND_SIZE {
        return Err(FrameError::TooLarge(bytes.len()));
    }
    if usize::try_from(header.param_size).ok() != Some(bytes.len()) {
        return Err(bad_size(header.param_size));
    }
    let n = auths_for(header.tag).ok_or(FrameError::BadTag(header.tag))?;
    let rest = bytes
        .get(HEADER_SIZE..)
        .ok_or(bad_size(header.param_size))?;
    let body_len = rest
        .len()
        .checked_sub(n * trailer_size)
        .ok_or(FrameError::MissingTrailers {
            tag: header.tag,
            needed: n * trailer_size,
            available: rest.len(),
        })?;
    let (body, trailers) = rest.split_at(body_len);
    Ok((header.tag, header.code, body, trailers))
}

fn read_trailers<T: Unmarshal>(bytes: &[u8]) -> Result<Vec<T>, FrameError> {
    let mut r = Reader::new(bytes);
    let mut out = Vec::with_capacity(2);
    while !r.is_empty() {
        out.push(T::unmarshal(&mut r).map_err(FrameError::Trailer)?);
    }
    Ok(out)
}

fn encode<T: Marshal>(
    tag: Tag,
    code: u32,
    body: &[u8],
    auths: &[T],
) -> Result<Vec<u8>, MarshalError> {
    let mut w = Writer::new();
    Header {
        tag,
        param_size: 0,
        code,
    }
    .marshal(&mut w);
    w.bytes(body);
    for a in auths {
        a.marshal(&mut w);
    }
    let size = u32::try_from(w.len()).map_err(|_| MarshalError::TooLarge {
        what: "paramSize",
        size: w.len() as u64,
    })?;
    w.patch(2, &size.to_be_bytes());
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_size_needs_six_bytes() {
        assert_eq!(Header::expected_size(&[0, 0xc1, 0, 0, 0]), None);
        assert_eq!(Header::expected_size(&[0, 0xc1, 0, 0, 0, 0x16]), Some(0x16));
    }

    #[test]
    fn parses_command_without_auth() {
        // TPM_Startup(ST_CLEAR)
        let cmd = [0, 0xc1, 0, 0, 0, 0x0c, 0, 0, 0, 0x99, 0, 1];
        let f = CommandFrame::parse(&cmd).unwrap();
        assert_eq!(f.ordinal, Ordinal::TPM_ORD_Startup);
        assert_eq!(f.body, &[0, 1]);
        assert!(f.auths.is_empty());
        assert_eq!(CommandFrame::encode(f.ordinal, f.body, &[]).unwrap(), cmd);
    }

    #[test]
    fn splits_two_auth_trailers_off_the_end() {
        let a = AuthIn {
            handle: 1,
            nonce_odd: [2; 20],
            continue_auth_session: true,
            auth: [3; 20],
        };
        let b = AuthIn {
            handle: 4,
            continue_auth_session: false,
            ..a.clone()
        };
        let bytes = CommandFrame::encode(
            Ordinal::TPM_ORD_Unseal,
            &[9, 9, 9, 9],
            &[a.clone(), b.clone()],
        )
        .unwrap();
        assert_eq!(bytes.len(), HEADER_SIZE + 4 + 2 * AUTH_IN_SIZE);
        let f = CommandFrame::parse(&bytes).unwrap();
        assert_eq!(f.tag, Tag::TPM_TAG_RQU_AUTH2_COMMAND);
        assert_eq!(f.body, &[9, 9, 9, 9]);
        assert_eq!(f.auths, vec![a, b]);
    }

    #[test]
    fn rejects_param_size_mismatch() {
        let cmd = [0, 0xc1, 0, 0, 0, 0x0d, 0, 0, 0, 0x99, 0, 1];
        let e = CommandFrame::parse(&cmd).unwrap_err();
        assert_eq!(e.return_code(), ReturnCode::TPM_BAD_PARAM_SIZE);
    }

    #[test]
    fn rejects_short_header() {
        let e = CommandFrame::parse(&[0, 0xc1, 0, 0]).unwrap_err();
        assert_eq!(e.return_code(), ReturnCode::TPM_BAD_PARAM_SIZE);
    }

    #[test]
    fn rejects_response_tag_on_a_command() {
        let cmd = [0, 0xc4, 0, 0, 0, 0x0a, 0, 0, 0, 0x99];
        assert_eq!(
            CommandFrame::parse(&cmd).unwrap_err().return_code(),
            ReturnCode::TPM_BADTAG
        );
    }

    #[test]
    fn rejects_body_too_short_for_its_trailers() {
        let mut cmd = vec![0, 0xc2, 0, 0, 0, 0x0e, 0, 0, 0, 0x18, 0, 0, 0, 0];
        cmd[5] = cmd.len() as u8;
        assert_eq!(
            CommandFrame::parse(&cmd).unwrap_err().return_code(),
            ReturnCode::TPM_BAD_PARAM_SIZE
        );
    }

    #[test]
    fn rejects_continue_flag_other_than_bool() {
        let a = AuthIn {
            handle: 1,
            nonce_odd: [0; 20],
            continue_auth_session: true,
            auth: [0; 20],
        };
        let mut bytes = CommandFrame::encode(Ordinal::TPM_ORD_Unseal, &[], &[a]).unwrap();
        bytes[HEADER_SIZE + 24] = 2;
        assert_eq!(
            CommandFrame::parse(&bytes).unwrap_err().return_code(),
            ReturnCode::TPM_BAD_PARAMETER
        );
    }

    #[test]
    fn error_response_is_ten_bytes() {
        assert_eq!(
            ResponseFrame::error(ReturnCode::TPM_BAD_ORDINAL),
            [0, 0xc4, 0, 0, 0, 10, 0, 0, 0, 0x0a]
        );
    }

    #[test]
    fn response_round_trips_with_one_trailer() {
        let a = AuthOut {
            nonce_even: [7; 20],
            continue_auth_session: true,
            auth: [8; 20],
        };
        let bytes =
            ResponseFrame::encode(ReturnCode::TPM_SUCCESS, &[1, 2], std::slice::from_ref(&a))
                .unwrap();
        let f = ResponseFrame::parse(&bytes).unwrap();
        assert_eq!(f.tag, Tag::TPM_TAG_RSP_AUTH1_COMMAND);
        assert_eq!(f.body, &[1, 2]);
        assert_eq!(f.auths, vec![a]);
    }
}
