//! Streamable HTTP transport: rmcp's `StreamableHttpService` at `/mcp`, behind a bearer-token
//! check against `<home>/tokens.toml` (tokens made with `skillmeat token create`). A request
//! without a valid `Authorization: Bearer <token>` gets 401 and never reaches the MCP layer.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode, header};
use hyper_util::rt::TokioIo;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use skillmeat_core::{Home, tokens};
use tower_service::Service as _;

use crate::{ServeError, ServeOptions, SkillmeatServer};

/// The path the MCP endpoint is served at.
pub const MCP_PATH: &str = "/mcp";

type Body = BoxBody<Bytes, Infallible>;

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(format!("{text}\n"))).boxed());
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn unauthorized(text: &str) -> Response<Body> {
    let mut r = plain(StatusCode::UNAUTHORIZED, text);
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer realm=\"skillmeat\""),
    );
    r
}

/// Checks the bearer token; `Err` is the 401 response to send.
async fn authorize(home: &Arc<Home>, req: &Request<Incoming>) -> Result<(), Response<Body>> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Err(unauthorized(
            "missing `Authorization: Bearer <token>`; create a token with `skillmeat token create --name NAME`",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    if token.is_empty() {
        return Err(unauthorized(
            "the Authorization header must be `Bearer <token>`",
        ));
    }
    let home = home.clone();
    match tokio::task::spawn_blocking(move || tokens::verify(&home, &token)).await {
        Ok(Ok(Some(record))) => {
            tracing::debug!("request authorised by token `{}`", record.name);
            Ok(())
        }
        Ok(Ok(None)) => Err(unauthorized(
            "unknown or revoked token; see `skillmeat token list`",
        )),
        Ok(Err(e)) => {
            tracing::error!("{e}");
            Err(plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()))
        }
        Err(e) => Err(plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())),
    }
}

/// Serves MCP over streamable HTTP at `http://<addr>/mcp` until Ctrl-C. `on_bound` is told the
/// address actually bound (useful with port 0) before the first request is accepted.
pub async fn serve_http(
    home: Home,
    opts: ServeOptions,
    addr: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let server = SkillmeatServer::new(home.clone(), opts)?;
    let home = Arc::new(home);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    let bound = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: addr.to_string(),
        source,
    })?;
    let mut config = StreamableHttpServerConfig::default();
    if !bound.ip().is_loopback() {
        tracing::warn!(
            "{bound} is reachable from other machines; every request still needs a token"
        );
        // The Host check guards loopback servers against DNS rebinding; a server bound to a
        // public address is reached under names we cannot know.
        config = config.disable_allowed_hosts();
    }
    let mcp = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    on_bound(bound);

    let shutdown = tokio::signal::ctrl_c();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // Too many open files and the like pass; keep serving.
                    tracing::warn!("accepting a connection failed: {e}");
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let mcp = mcp.clone();
        let home = home.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let mut mcp = mcp.clone();
                let home = home.clone();
                async move {
                    if req.uri().path() != MCP_PATH {
                        return Ok::<_, Infallible>(plain(
                            StatusCode::NOT_FOUND,
                            "not found; the MCP endpoint is /mcp",
                        ));
                    }
                    if let Err(resp) = authorize(&home, &req).await {
                        return Ok(resp);
                    }
                    mcp.call(req).await
                }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("connection from {peer} ended: {e}");
            }
        });
    }
    Ok(())
}
