//! skillmeat-lsp: SkillMeat's Language Server (DESIGN §9) over `skillmeat_core::check`.
//!
//! It checks `collection.toml`, `collection.lock`, Claude Code's `settings.json`,
//! `settings.local.json`, `.mcp.json` and the front matter of skills, commands and agents, and
//! offers quick fixes, completion, hover, an outline and go-to-definition. The rules live in the
//! core; this crate only gathers the surroundings (through `skillmeat_core::check_context`),
//! converts between LSP positions and byte offsets, and speaks the protocol.
//!
//! Layout: `server` holds the handlers (thin shims: convert in, call the core, convert out),
//! `from_proto` / `to_proto` the only other code that sees LSP types, `document` the open
//! documents, `ide` the protocol-free editor features.

mod document;
mod from_proto;
pub mod ide;
mod server;
mod to_proto;

/// Serves the Language Server Protocol on stdin/stdout until the client says `exit` or closes
/// stdin. Nothing but protocol messages is written to stdout; logs go through `tracing`
/// (stderr).
pub fn run_stdio() -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let (service, socket) = tower_lsp_server::LspService::new(server::Server::new);
        let (eof_tx, eof_rx) = tokio::sync::oneshot::channel();
        let stdin = EofSignal {
            inner: tokio::io::stdin(),
            tx: Some(eof_tx),
        };
        let serve =
            tower_lsp_server::Server::new(stdin, tokio::io::stdout(), socket).serve(service);
        // An editor that dies closes our stdin without `exit`. The serve loop would then wait
        // forever for answers to requests the server sent the client (watcher registration,
        // diagnostic refresh), so EOF ends the server after a short grace period.
        tokio::select! {
            () = serve => {}
            () = async {
                let _ = eof_rx.await;
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            } => tracing::info!("stdin closed without `exit`; stopping"),
        }
    });
    // Reading stdin blocks a thread that cannot be cancelled; do not wait for it.
    rt.shutdown_background();
    Ok(())
}

/// stdin that reports reaching its end.
struct EofSignal<R> {
    inner: R,
    tx: Option<tokio::sync::oneshot::Sender<()>>,
}

impl<R: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for EofSignal<R> {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let res = std::pin::Pin::new(&mut self.inner).poll_read(cx, buf);
        let at_end = match &res {
            std::task::Poll::Ready(Ok(())) => buf.filled().len() == before && buf.remaining() > 0,
            std::task::Poll::Ready(Err(_)) => true,
            std::task::Poll::Pending => false,
        };
        if at_end && let Some(tx) = self.tx.take() {
            let _ = tx.send(());
        }
        res
    }
}
