//! The two declaration macros: `open_enum!` for wire numbers, `tpm_struct!` for structures
//! that are plain sequences of fields.

/// Declares an open enum: a newtype over a wire integer with named constants.
///
/// Unknown values are kept (the wire decides, not the type); `Debug` prints the spec name
/// or the type and the hex value. The constants carry the spec's names verbatim, so
/// `Ordinal::TPM_ORD_TakeOwnership` greps like the spec.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub struct $name:ident($ty:ty) {
            $( $(#[$cmeta:meta])* $konst:ident = $val:expr ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        #[cfg_attr(test, derive(proptest_derive::Arbitrary))]
        pub struct $name(pub $ty);

        #[allow(non_upper_case_globals)]
        impl $name {
            $( $(#[$cmeta])* pub const $konst: Self = Self($val); )*

            /// Every named value with its spec name, in declaration order.
            pub const NAMED: &'static [(&'static str, Self)] =
                &[ $( (stringify!($konst), Self($val)) ),* ];

            /// The spec name of this value, if it has one.
            pub fn name(self) -> Option<&'static str> {
                Self::NAMED.iter().find(|(_, v)| *v == self).map(|(n, _)| *n)
            }

            /// The value with this spec name.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::NAMED.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}({:#x})", stringify!($name), self.0),
                }
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::Debug::fmt(self, f)
            }
        }

        impl From<$ty> for $name {
            fn from(v: $ty) -> Self {
                Self(v)
            }
        }

        impl From<$name> for $ty {
            fn from(v: $name) -> Self {
                v.0
            }
        }

        impl $crate::Marshal for $name {
            fn marshal(&self, w: &mut $crate::Writer) {
                $crate::Marshal::marshal(&self.0, w);
            }
        }

        impl $crate::Unmarshal for $name {
            fn unmarshal(r: &mut $crate::Reader<'_>) -> Result<Self, $crate::MarshalError> {
                <$ty as $crate::Unmarshal>::unmarshal(r)
                    .map(Self)
                    .map_err(|e| e.at(stringify!($name)))
            }
        }
    };
}

/// Declares a structure that is a plain sequence of fields, in spec order.
///
/// `pub struct Name = "TPM_SPEC_NAME" [tag = StructureTag::TPM_TAG_X] { fields }`:
/// the optional tag is a leading TPM_STRUCTURE_TAG that is written on encode and checked
/// on decode (TPM_INVALID_STRUCTURE when wrong) but not stored. A field that fails names
/// itself as `TPM_SPEC_NAME.field` in the error.
macro_rules! tpm_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = $spec:literal $([tag = $tag:expr])? {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[doc(alias = $spec)]
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[cfg_attr(test, derive(proptest_derive::Arbitrary))]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::Marshal for $name {
            #[allow(unused_variables)]
            fn marshal(&self, w: &mut $crate::Writer) {
                $( $crate::Marshal::marshal(&$tag, w); )?
                $( $crate::Marshal::marshal(&self.$field, w); )*
            }
        }

        impl $crate::Unmarshal for $name {
            #[allow(unused_variables)]
            fn unmarshal(r: &mut $crate::Reader<'_>) -> Result<Self, $crate::MarshalError> {
                $( $crate::codec::expect_tag(r, $tag, $spec)?; )?
                Ok(Self {
                    $( $field: r.field::<$ty>(concat!($spec, ".", stringify!($field)))?, )*
                })
            }
        }
    };
}

/// Test helper: one proptest round trip (`from_bytes(to_bytes(v)) == v`) per listed type.
#[cfg(test)]
macro_rules! round_trip_tests {
    ($($test:ident: $ty:ty),* $(,)?) => {
        proptest::proptest! {
            $(
                #[test]
                fn $test(v in proptest::prelude::any::<$ty>()) {
                    let bytes = $crate::Marshal::to_bytes(&v).unwrap();
                    let back = <$ty as $crate::Unmarshal>::from_bytes(&bytes).unwrap();
                    proptest::prop_assert_eq!(back, v);
                }
            )*
        }
    };
}

/// Test helper: a byte picture. Decodes `$bytes` as `$ty`, checks it equals `$value`, and
/// checks that encoding `$value` gives exactly `$bytes` back.
#[cfg(test)]
macro_rules! byte_picture {
    ($ty:ty, $bytes:expr, $value:expr) => {{
        let bytes: &[u8] = &$bytes;
        let value: $ty = $value;
        assert_eq!(
            <$ty as $crate::Unmarshal>::from_bytes(bytes).unwrap(),
            value
        );
        assert_eq!($crate::Marshal::to_bytes(&value).unwrap(), bytes);
    }};
}
