//! `Reader`, `Writer` and the `Marshal`/`Unmarshal` traits.
//!
//! # No-panic contract
//! Every read is bounds-checked and returns [`MarshalError`]; nothing is allocated for a
//! size-prefixed item until the reader has checked that its bytes are present and within
//! [`MAX_BUFFER`]. Writing never panics: a body that outgrows its size field is recorded in
//! the writer and reported by [`Writer::finish`].

use crate::MarshalError;

/// The largest size-prefixed buffer accepted inside a command or structure: the TPM's I/O
/// buffer (TPM_CAP_PROP_INPUT_BUFFER), so no field can ask for more.
pub const MAX_BUFFER: usize = 4096;

/// A cursor over a borrowed byte slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// True when every byte was read.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The unread bytes, without consuming them.
    pub fn rest(&self) -> &'a [u8] {
        self.buf
    }

    /// Takes the next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], MarshalError> {
        if n > self.buf.len() {
            return Err(MarshalError::Truncated { what: "" });
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    /// Takes the next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], MarshalError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, MarshalError> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian UINT16.
    pub fn u16(&mut self) -> Result<u16, MarshalError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian UINT32.
    pub fn u32(&mut self) -> Result<u32, MarshalError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian UINT64.
    pub fn u64(&mut self) -> Result<u64, MarshalError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// Reads a TPM_BOOL, rejecting anything but 0 and 1.
    pub fn bool(&mut self) -> Result<bool, MarshalError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(MarshalError::BadValue {
                what: "",
                found: u32::from(v),
            }),
        }
    }

    /// Cuts a sub-reader over the next `n` bytes, which the caller must consume exactly.
    pub fn sub(&mut self, n: usize) -> Result<Reader<'a>, MarshalError> {
        if n > self.buf.len() {
            return Err(MarshalError::TooLarge {
                what: "",
                size: n as u64,
            });
        }
        self.bytes(n).map(Reader::new)
    }

    /// Reads a UINT32 size, checks it against the input and [`MAX_BUFFER`], and cuts a
    /// sub-reader of that size.
    pub fn sub_u32(&mut self) -> Result<Reader<'a>, MarshalError> {
        let n = self.u32()?;
        self.sub(checked_size(u64::from(n), self.remaining())?)
    }

    /// Reads a UINT16 size and cuts a sub-reader of that size.
    pub fn sub_u16(&mut self) -> Result<Reader<'a>, MarshalError> {
        let n = self.u16()?;
        self.sub(checked_size(u64::from(n), self.remaining())?)
    }

    /// Decodes one `T`.
    pub fn read<T: Unmarshal>(&mut self) -> Result<T, MarshalError> {
        T::unmarshal(self)
    }

    /// Decodes one `T` as the field `what` (`"TPM_KEY12.encData"`): an error inside it
    /// names the field unless an inner field already did.
    pub fn field<T: Unmarshal>(&mut self, what: &'static str) -> Result<T, MarshalError> {
        T::unmarshal(self).map_err(|e| e.at(what))
    }

    /// Fails with `TrailingBytes` if anything is left unread.
    pub fn finish(self) -> Result<(), MarshalError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(MarshalError::TrailingBytes {
                what: "",
                count: self.buf.len(),
            })
        }
    }
}

/// Checks an announced size against what is left and against [`MAX_BUFFER`].
fn checked_size(n: u64, remaining: usize) -> Result<usize, MarshalError> {
    match usize::try_from(n) {
        Ok(size) if size <= remaining && size <= MAX_BUFFER => Ok(size),
        _ => Err(MarshalError::TooLarge { what: "", size: n }),
    }
}

/// Appends big-endian fields to a byte vector.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    buf: Vec<u8>,
    overflow: Option<MarshalError>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The bytes written so far (even if a size field overflowed).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Appends raw bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// Appends one byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// Appends a big-endian UINT16.
    pub fn u16(&mut self, v: u16) {
        self.bytes(&v.to_be_bytes());
    }

    /// Appends a big-endian UINT32.
    pub fn u32(&mut self, v: u32) {
        self.bytes(&v.to_be_bytes());
    }

    /// Appends a big-endian UINT64.
    pub fn u64(&mut self, v: u64) {
        self.bytes(&v.to_be_bytes());
    }

    /// Appends a TPM_BOOL.
    pub fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    /// Encodes one `T`.
    pub fn write<T: Marshal + ?Sized>(&mut self, v: &T) {
        v.marshal(self);
    }

    /// Records that a field could not be encoded; the first such error wins.
    pub fn fail(&mut self, err: MarshalError) {
        if self.overflow.is_none() {
            self.overflow = Some(err);
        }
    }

    /// Writes a UINT32 size, then the body, then patches the size with the body's length.
    pub fn with_u32_size(&mut self, what: &'static str, body: impl FnOnce(&mut Self)) {
        let start = self.buf.len();
        // 0xa5 placeholder: a size that is never patched shows up in byte-picture tests.
        self.u32(0xa5a5_a5a5);
        body(self);
        let len = self.buf.len().saturating_sub(start + 4);
        match u32::try_from(len) {
            Ok(n) => self.patch(start, &n.to_be_bytes()),
            Err(_) => self.fail(MarshalError::TooLarge {
                what,
                size: len as u64,
            }),
        }
    }

    /// Writes a UINT16 size, then the body, then patches the size with the body's length.
    pub fn with_u16_size(&mut self, what: &'static str, body: impl FnOnce(&mut Self)) {
        let start = self.buf.len();
        self.u16(0xa5a5);
        body(self);
        let len = self.buf.len().saturating_sub(start + 2);
        match u16::try_from(len) {
            Ok(n) => self.patch(start, &n.to_be_bytes()),
            Err(_) => self.fail(MarshalError::TooLarge {
                what,
                size: len as u64,
            }),
        }
    }

    /// Overwrites bytes already written at `at` (used for size fields).
    pub fn patch(&mut self, at: usize, bytes: &[u8]) {
        let end = at.saturating_add(bytes.len());
        match self.buf.get_mut(at..end) {
            Some(dst) => dst.copy_from_slice(bytes),
            None => self.fail(MarshalError::Inconsistent {
                what: "Writer::patch",
            }),
        }
    }

    /// The bytes, or the first field that could not be encoded.
    pub fn finish(self) -> Result<Vec<u8>, MarshalError> {
        match self.overflow {
            None => Ok(self.buf),
            Some(e) => Err(e),
        }
    }
}

/// Encoding to the TPM wire format (big-endian, spec field order).
pub trait Marshal {
    /// Appends `self` to `w`.
    fn marshal(&self, w: &mut Writer);

    /// Encodes `self` into a fresh vector.
    fn to_bytes(&self) -> Result<Vec<u8>, MarshalError> {
        let mut w = Writer::new();
        self.marshal(&mut w);
        w.finish()
    }
}

/// Decoding from the TPM wire format. Returns a fresh value; never fills one in place.
pub trait Unmarshal: Sized {
    /// Reads one value from `r`.
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError>;

    /// Decodes exactly one value from `bytes`; trailing bytes are an error.
    fn from_bytes(bytes: &[u8]) -> Result<Self, MarshalError> {
        let mut r = Reader::new(bytes);
        let v = Self::unmarshal(&mut r)?;
        r.finish()?;
        Ok(v)
    }
}

macro_rules! impl_int {
    ($($t:ty => $m:ident),*) => {$(
        impl Marshal for $t {
            fn marshal(&self, w: &mut Writer) {
                w.$m(*self);
            }
        }
        impl Unmarshal for $t {
            fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
                r.$m()
            }
        }
    )*};
}
impl_int!(u8 => u8, u16 => u16, u32 => u32, u64 => u64, bool => bool);

impl<const N: usize> Marshal for [u8; N] {
    fn marshal(&self, w: &mut Writer) {
        w.bytes(self);
    }
}

impl<const N: usize> Unmarshal for [u8; N] {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        r.array()
    }
}

impl<T: Marshal + ?Sized> Marshal for &T {
    fn marshal(&self, w: &mut Writer) {
        (**self).marshal(w);
    }
}

impl Marshal for () {
    fn marshal(&self, _: &mut Writer) {}
}

impl Unmarshal for () {
    fn unmarshal(_: &mut Reader<'_>) -> Result<Self, MarshalError> {
        Ok(())
    }
}

/// Reads a TPM_STRUCTURE_TAG and checks it is `want`.
pub fn expect_tag(
    r: &mut Reader<'_>,
    want: crate::StructureTag,
    what: &'static str,
) -> Result<(), MarshalError> {
    let found = r.u16().map_err(|e| e.at(what))?;
    if found == want.0 {
        Ok(())
    } else {
        Err(MarshalError::BadTag { what, found })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_read_beyond_input() {
        let mut r = Reader::new(&[1, 2, 3]);
        assert_eq!(r.u32(), Err(MarshalError::Truncated { what: "" }));
        // A failed read consumes nothing.
        assert_eq!(r.u16(), Ok(0x0102));
    }

    #[test]
    fn rejects_size_beyond_input() {
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 0]);
        assert!(matches!(
            r.sub_u32(),
            Err(MarshalError::TooLarge {
                size: 0xffff_ffff,
                ..
            })
        ));
    }

    #[test]
    fn rejects_size_beyond_buffer_limit_even_if_present() {
        let mut input = vec![0u8; 4 + MAX_BUFFER + 1];
        input[..4].copy_from_slice(&((MAX_BUFFER + 1) as u32).to_be_bytes());
        assert!(matches!(
            Reader::new(&input).sub_u32(),
            Err(MarshalError::TooLarge { .. })
        ));
    }

    #[test]
    fn rejects_bool_other_than_zero_or_one() {
        assert_eq!(bool::from_bytes(&[1]), Ok(true));
        assert_eq!(bool::from_bytes(&[0]), Ok(false));
        assert_eq!(
            bool::from_bytes(&[2]),
            Err(MarshalError::BadValue { what: "", found: 2 })
        );
    }

    #[test]
    fn rejects_trailing_bytes() {
        assert_eq!(
            u16::from_bytes(&[0, 1, 2]),
            Err(MarshalError::TrailingBytes { what: "", count: 1 })
        );
    }

    #[test]
    fn size_prefix_is_back_patched() {
        let mut w = Writer::new();
        w.with_u32_size("x", |w| w.bytes(&[9, 9, 9]));
        w.with_u16_size("y", |w| w.u8(7));
        assert_eq!(w.finish().unwrap(), [0, 0, 0, 3, 9, 9, 9, 0, 1, 7]);
    }

    #[test]
    fn u16_size_overflow_is_an_error_not_a_panic() {
        let mut w = Writer::new();
        w.with_u16_size("big", |w| w.bytes(&vec![0; 70_000]));
        assert!(matches!(
            w.finish(),
            Err(MarshalError::TooLarge { what: "big", .. })
        ));
    }

    #[test]
    fn innermost_field_name_wins() {
        let e = MarshalError::Truncated { what: "" }.at("A.b").at("C.d");
        assert_eq!(e.what(), "A.b");
    }
}
