//! `tpm-tis`: the TIS 1.3 register state machine a VMM embeds. (Filled by the TIS issue.)
#![forbid(unsafe_code)]
