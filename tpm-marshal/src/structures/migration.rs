//! (Filled by the structures work: see structures/mod.rs.)
