//! Bridges core's [`ops::Progress`] (called from blocking and rayon threads) to MCP
//! `notifications/progress`, sent only when the request carried a `progressToken`.
//!
//! The core side only pushes into a channel; one async task forwards to the client. Steps are
//! coalesced to at most one notification per percent, so 1,000 artifacts do not mean 1,000
//! messages.

use std::sync::atomic::{AtomicU64, Ordering};

use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::RequestContext;
use rmcp::{Peer, RoleServer};
use skillmeat_core::ops;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

struct Step {
    done: u64,
    total: u64,
    message: Option<String>,
}

/// The core-facing half: implements [`ops::Progress`].
pub(crate) struct McpProgress {
    tx: Option<UnboundedSender<Step>>,
    total: AtomicU64,
    done: AtomicU64,
}

impl ops::Progress for McpProgress {
    fn start(&self, total: u64, message: &str) {
        self.total.store(total, Ordering::Relaxed);
        self.done.store(0, Ordering::Relaxed);
        self.send(0, total, Some(message.to_string()));
    }

    fn inc(&self, n: u64) {
        let total = self.total.load(Ordering::Relaxed);
        let before = self.done.fetch_add(n, Ordering::Relaxed);
        let now = before + n;
        let pct = |x: u64| x.saturating_mul(100) / total.max(1);
        if pct(now) != pct(before) || now >= total {
            self.send(now, total, None);
        }
    }

    fn finish(&self) {
        let total = self.total.load(Ordering::Relaxed);
        self.send(total, total, Some("done".to_string()));
    }
}

impl McpProgress {
    fn send(&self, done: u64, total: u64, message: Option<String>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Step {
                done,
                total,
                message,
            });
        }
    }
}

/// The async half: forwards steps to the client until the core side is dropped.
pub(crate) struct Forwarder(Option<JoinHandle<()>>);

impl Forwarder {
    /// Waits until every step has been sent, so notifications arrive before the result.
    pub(crate) async fn flush(self) {
        if let Some(h) = self.0 {
            let _ = h.await;
        }
    }
}

/// A progress pair for one request: a no-op when the client asked for no progress.
pub(crate) fn for_request(ctx: &RequestContext<RoleServer>) -> (McpProgress, Forwarder) {
    let Some(token) = ctx.meta.get_progress_token() else {
        return (
            McpProgress {
                tx: None,
                total: AtomicU64::new(0),
                done: AtomicU64::new(0),
            },
            Forwarder(None),
        );
    };
    let (tx, rx) = unbounded_channel();
    let handle = tokio::spawn(forward(ctx.peer.clone(), token, rx));
    (
        McpProgress {
            tx: Some(tx),
            total: AtomicU64::new(0),
            done: AtomicU64::new(0),
        },
        Forwarder(Some(handle)),
    )
}

async fn forward(
    peer: Peer<RoleServer>,
    token: ProgressToken,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Step>,
) {
    let mut last = -1.0;
    while let Some(step) = rx.recv().await {
        let progress = step.done as f64;
        // MCP requires progress to increase with every notification.
        if progress <= last {
            continue;
        }
        last = progress;
        let mut p =
            ProgressNotificationParam::new(token.clone(), progress).with_total(step.total as f64);
        if let Some(m) = step.message {
            p = p.with_message(m);
        }
        if let Err(e) = peer.notify_progress(p).await {
            tracing::debug!("could not send a progress notification: {e}");
        }
    }
}
