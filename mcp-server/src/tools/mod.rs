//! Tool implementations, one module per toolset, plus the one way every tool runs a core
//! operation: on a blocking thread, its error turned into a tool result with `isError: true`
//! whose text is the core error's sentence (never a JSON-RPC error: the model must see it).

pub mod check;
pub mod collection;
pub mod deploy;
pub mod pack;

use rmcp::Json;

/// Runs a blocking core operation off the async runtime. Tools return its value as is:
/// `Result<Json<Report>, String>`, spelled out in each signature because the `#[tool]` macro
/// reads the output schema from it.
pub(crate) async fn blocking<T, E, F>(f: F) -> Result<Json<T>, String>
where
    F: FnOnce() -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(v)) => Ok(Json(v)),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!(
            "the operation stopped unexpectedly ({e}); nothing more is known, run the same command with the skillmeat CLI to see more"
        )),
    }
}
