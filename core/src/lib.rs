//! Skeleton.
pub mod check;
