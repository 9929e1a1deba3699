//! The skillmeat binary.
fn main() {}
