//! The structures of TPM Main Part 2 rev 116, one module per area.
//!
//! Plain sequences of fields are declared once with `tpm_struct!` (spec order, snake_case
//! field names, a `Part 2, x.y` doc line); the few whose layout depends on a selector are
//! written by hand beside them.

use crate::{Marshal, MarshalError, Reader, Unmarshal, Writer};

// One module per Part 2 area. Each `pub use` re-exports the area's types at the crate root.
pub mod attest;
pub mod audit;
pub mod capability;
pub mod context;
pub mod counter;
pub mod da;
pub mod daa;
pub mod delegation;
pub mod flags;
pub mod identity;
pub mod key;
pub mod migration;
pub mod nv;
pub mod pcr;
pub mod storage;
pub mod transport;
pub mod version;

pub use attest::*;
pub use audit::*;
pub use capability::*;
pub use context::*;
pub use counter::*;
pub use da::*;
pub use daa::*;
pub use delegation::*;
pub use flags::*;
pub use identity::*;
pub use key::*;
pub use migration::*;
pub use nv::*;
pub use pcr::*;
pub use storage::*;
pub use transport::*;
pub use version::*;

/// Part 2, 5.4 TPM_DIGEST (also TPM_COMPOSITE_HASH, TPM_PCRVALUE, TPM_AUDITDIGEST ...).
#[doc(alias = "TPM_DIGEST")]
pub type Digest = [u8; 20];
/// Part 2, 5.5 TPM_NONCE.
#[doc(alias = "TPM_NONCE")]
pub type Nonce = [u8; 20];
/// Part 2, 5.6 TPM_AUTHDATA (also TPM_SECRET, TPM_ENCAUTH).
#[doc(alias = "TPM_AUTHDATA")]
pub type AuthData = [u8; 20];
/// Part 2, 4.1 TPM_HANDLE (key, auth, transport, counter handles).
#[doc(alias = "TPM_HANDLE")]
pub type Handle = u32;

/// Part 2, 21.3 TPM_SIZED_BUFFER: a UINT32 size followed by that many bytes.
///
/// Decoding refuses a size beyond the remaining input or [`crate::MAX_BUFFER`].
#[doc(alias = "TPM_SIZED_BUFFER")]
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SizedBuffer(pub Vec<u8>);

impl Marshal for SizedBuffer {
    fn marshal(&self, w: &mut Writer) {
        w.with_u32_size("TPM_SIZED_BUFFER", |w| w.bytes(&self.0));
    }
}

impl Unmarshal for SizedBuffer {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let sub = r.sub_u32()?;
        Ok(Self(sub.rest().to_vec()))
    }
}

impl From<Vec<u8>> for SizedBuffer {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

impl From<&[u8]> for SizedBuffer {
    fn from(v: &[u8]) -> Self {
        Self(v.to_vec())
    }
}

/// A UINT16 size followed by that many bytes (TPM_PCR_SELECTION's cousins, NV data ...).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SizedBuffer16(pub Vec<u8>);

impl Marshal for SizedBuffer16 {
    fn marshal(&self, w: &mut Writer) {
        w.with_u16_size("UINT16-sized buffer", |w| w.bytes(&self.0));
    }
}

impl Unmarshal for SizedBuffer16 {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let sub = r.sub_u16()?;
        Ok(Self(sub.rest().to_vec()))
    }
}

/// A structure behind a UINT32 size where size 0 means "absent" (TPM_KEY12.PCRInfo,
/// TPM_STORED_DATA.sealInfo ...). The structure must fill its size exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sized32<T>(pub Option<T>);

impl<T> Default for Sized32<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<T: Marshal> Marshal for Sized32<T> {
    fn marshal(&self, w: &mut Writer) {
        w.with_u32_size("sized structure", |w| {
            if let Some(v) = &self.0 {
                v.marshal(w);
            }
        });
    }
}

impl<T: Unmarshal> Unmarshal for Sized32<T> {
    fn unmarshal(r: &mut Reader<'_>) -> Result<Self, MarshalError> {
        let mut sub = r.sub_u32()?;
        if sub.is_empty() {
            return Ok(Self(None));
        }
        let v = T::unmarshal(&mut sub)?;
        sub.finish()?;
        Ok(Self(Some(v)))
    }
}

#[cfg(test)]
mod arbitrary {
    use super::*;
    use proptest::prelude::*;

    /// Sized buffers in round-trip tests stay well inside the buffer limit.
    pub(crate) fn small_bytes() -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(any::<u8>(), 0..64)
    }

    impl Arbitrary for SizedBuffer {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            small_bytes().prop_map(Self).boxed()
        }
    }

    impl Arbitrary for SizedBuffer16 {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            small_bytes().prop_map(Self).boxed()
        }
    }

    impl<T: Arbitrary + 'static> Arbitrary for Sized32<T> {
        type Parameters = ();
        type Strategy = BoxedStrategy<Self>;
        fn arbitrary_with(_: ()) -> Self::Strategy {
            proptest::option::of(any::<T>()).prop_map(Self).boxed()
        }
    }
}

#[cfg(test)]
#[allow(unused_imports)]
pub(crate) use arbitrary::small_bytes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sized_buffer_rejects_size_beyond_input() {
        assert!(matches!(
            SizedBuffer::from_bytes(&[0xff, 0xff, 0xff, 0xff, 1, 2]),
            Err(MarshalError::TooLarge { .. })
        ));
    }

    #[test]
    fn sized32_empty_is_none_and_rejects_trailing_bytes() {
        assert_eq!(Sized32::<u16>::from_bytes(&[0, 0, 0, 0]), Ok(Sized32(None)));
        assert_eq!(
            Sized32::<u16>::from_bytes(&[0, 0, 0, 2, 0, 7]),
            Ok(Sized32(Some(7)))
        );
        assert!(matches!(
            Sized32::<u16>::from_bytes(&[0, 0, 0, 3, 0, 7, 0]),
            Err(MarshalError::TrailingBytes { .. })
        ));
    }
}
