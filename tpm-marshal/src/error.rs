//! The one error type of the wire layer and its mapping to TPM return codes.

/// Why a structure failed to decode or encode, and which field it was.
///
/// `what` names the innermost field that failed, as `TPM_STRUCT.field`; it is empty only
/// for a bare primitive read outside any structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MarshalError {
    /// The input ended before the field was complete.
    #[error("{what}: input truncated")]
    Truncated {
        /// The field being read.
        what: &'static str,
    },
    /// A TPM_STRUCTURE_TAG did not carry the value the structure requires.
    #[error("{what}: unexpected structure tag {found:#06x}")]
    BadTag {
        /// The structure whose tag was wrong.
        what: &'static str,
        /// The tag found on the wire.
        found: u16,
    },
    /// A field held a value its type does not allow (a TPM_BOOL of 2, reserved bits ...).
    #[error("{what}: value {found:#x} not allowed")]
    BadValue {
        /// The field.
        what: &'static str,
        /// The value found.
        found: u32,
    },
    /// A size field announced more than the input holds or the TPM's buffer allows.
    #[error("{what}: size {size} exceeds the input or the buffer limit")]
    TooLarge {
        /// The field.
        what: &'static str,
        /// The announced size.
        size: u64,
    },
    /// Bytes were left over after a structure or size-bounded item was decoded.
    #[error("{what}: {count} trailing bytes")]
    TrailingBytes {
        /// The structure or field that did not consume its input.
        what: &'static str,
        /// How many bytes were left.
        count: usize,
    },
    /// A size or selector field disagrees with the data it describes.
    #[error("{what}: size or selector does not match the data")]
    Inconsistent {
        /// The field.
        what: &'static str,
    },
}

impl MarshalError {
    /// The field the error is about.
    pub fn what(&self) -> &'static str {
        match *self {
            Self::Truncated { what }
            | Self::BadTag { what, .. }
            | Self::BadValue { what, .. }
            | Self::TooLarge { what, .. }
            | Self::TrailingBytes { what, .. }
            | Self::Inconsistent { what } => what,
        }
    }

    /// Names the field, unless an inner field already did (the innermost name wins).
    #[must_use]
    pub fn at(mut self, field: &'static str) -> Self {
        let slot = match &mut self {
            Self::Truncated { what }
            | Self::BadTag { what, .. }
            | Self::BadValue { what, .. }
            | Self::TooLarge { what, .. }
            | Self::TrailingBytes { what, .. }
            | Self::Inconsistent { what } => what,
        };
        if slot.is_empty() {
            *slot = field;
        }
        self
    }

    /// The TPM return code a command that failed to decode answers with.
    ///
    /// This is the single place where wire errors become return codes: a truncated or
    /// oversized parameter area is TPM_BAD_PARAM_SIZE, a wrong structure tag is
    /// TPM_INVALID_STRUCTURE, a value outside its type is TPM_BAD_PARAMETER.
    pub fn return_code(&self) -> crate::ReturnCode {
        use crate::ReturnCode as Rc;
        match self {
            Self::Truncated { .. } | Self::TooLarge { .. } | Self::TrailingBytes { .. } => {
                Rc::TPM_BAD_PARAM_SIZE
            }
            Self::BadTag { .. } => Rc::TPM_INVALID_STRUCTURE,
            Self::BadValue { .. } | Self::Inconsistent { .. } => Rc::TPM_BAD_PARAMETER,
        }
    }
}
