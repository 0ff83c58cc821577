//! `tpm-client`: a libtpm-style API for any TPM 1.2: transports, OIAP/OSAP sessions and one
//! typed call per ordinal. (Filled by the client issue.)
#![forbid(unsafe_code)]
