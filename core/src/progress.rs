//! Progress of long operations, reported to whoever runs them (the CLI draws a bar; the MCP
//! server sends notifications). Base tier.

/// Receives progress of long operations. Every method has a no-op default.
pub trait Progress: Sync {
    /// Work of `total` steps begins.
    fn start(&self, _total: u64, _message: &str) {}
    /// `n` more steps are done.
    fn inc(&self, _n: u64) {}
    /// The work is over.
    fn finish(&self) {}
    /// Whether the caller asked to stop: long loops check it between artifacts, before they
    /// change anything, and stop with a `cancelled` error.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress that reports nothing.
pub struct NoProgress;
impl Progress for NoProgress {}
