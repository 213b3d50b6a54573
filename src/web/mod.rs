//! `briefing run --listen ADDR`: a small HTTP endpoint beside the scheduler, on the same
//! runtime, for what an operator or a mail client does by hand: send now, look at
//! today's briefing, read the ledger, check the daemon is alive, the one-click
//! unsubscribe (RFC 8058) the `List-Unsubscribe` links point to, and the archive of
//! delivered briefings each mail links as "웹에서 보기".
//!
//! It shares the daemon's run mutex and stop flag, so a send from here and a scheduled
//! one never overlap, and a shutdown ends both the same way. Every request sees the
//! config in force, the one the scheduler follows: an invalid edit leaves the last
//! valid one in place for both (see `schedule::reload`). Plain HTTP on loopback:
//! TLS is the reverse proxy's job (see the README).
//!
//! Nothing a client does may cost the morning's run: connections are capped below the
//! open-file limit (`descriptors`), every request is bounded in time and a shutdown
//! does not wait for clients (`conn`, `guard`); what reads the ledger or the
//! recipients needs a token, and `/preview` builds each day's briefing once (`preview`).

mod archive;
mod conn;
mod descriptors;
mod guard;
mod preview;
mod unsubscribe;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::clock;
use crate::config::Config;
use crate::job::{self, Options};
use crate::report::one_line;
use crate::schedule::{next_run, schedules, Beside, Daemon};
use crate::status;

/// A bound listener, its tokens and how many connections it may hold, all checked
/// before the scheduler starts so that a daemon which cannot serve what was asked does
/// not start half-way.
pub struct Listener {
    listener: tokio::net::TcpListener,
    send_token: String,
    read_token: Option<String>,
    max_connections: usize,
}

impl Listener {
    pub async fn bind(config: &Config, addr: SocketAddr) -> Result<Listener> {
        let web = config.web.as_ref().with_context(|| {
            format!(
                "--listen needs [web] token_env in {} (the name of the environment variable holding the bearer token of POST /send)",
                config.path.display()
            )
        })?;
        let Some(token_env) = &web.token_env else {
            bail!(
                "--listen: web.token_env is not set in {} (the name of the environment variable holding the bearer token of POST /send)",
                config.path.display()
            );
        };
        let send_token = token(token_env, "web.token_env", "the bearer token of POST /send")?;
        let read_token = match &web.read_token_env {
            Some(env) => Some(token(
                env,
                "web.read_token_env",
                "the bearer token of GET /status and /preview",
            )?),
            None => None,
        };
        if !addr.ip().is_loopback() && !web.allow_remote {
            bail!("--listen {addr}: not a loopback address; put a reverse proxy in front, or set web.allow_remote = true");
        }
        let max_connections = descriptors::fit(web.max_connections).map_err(anyhow::Error::msg)?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("--listen {addr}: cannot listen"))?;
        Ok(Listener {
            listener,
            send_token,
            read_token,
            max_connections,
        })
    }

    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }
}

/// The token in the variable `env` names. Trimmed as the header's token is: a newline
/// from `echo > env-file` is no part of it.
fn token(env: &str, key: &str, what: &str) -> Result<String> {
    std::env::var(env)
        .ok()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .with_context(|| {
            format!("{key}: the environment variable {env} is not set (it must hold {what})")
        })
}

/// An answer that ends a handler early, boxed because a response is large.
type Refusal = Box<Response>;

struct App {
    daemon: Daemon,
    send_token: String,
    read_token: Option<String>,
    previews: preview::Previews,
}

impl App {
    /// `/status` and `/preview` show every recipient's address: the send token or the
    /// read-only one.
    fn may_read(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let mut tokens = vec![self.send_token.as_str()];
        tokens.extend(self.read_token.as_deref());
        guard::authorize(headers, &tokens, "web.token_env or web.read_token_env")
    }
}

/// Binds `addr` and serves the endpoint beside the scheduler, on a task of its own,
/// until told to end.
pub async fn start(config: &Config, addr: SocketAddr, daemon: Daemon) -> Result<Beside> {
    let listener = Listener::bind(config, addr).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    let (end, ended) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(serve(listener, daemon, async {
        let _ = ended.await;
    }));
    Ok(Beside { end, serving })
}

/// Serves until `shutdown` completes; then requests in flight get a short grace, and
/// the connections are closed whatever the clients do.
pub async fn serve(
    listener: Listener,
    daemon: Daemon,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let app = Arc::new(App {
        daemon,
        send_token: listener.send_token,
        read_token: listener.read_token,
        previews: preview::Previews::default(),
    });
    let router = Router::new()
        .route("/send", axum::routing::post(send))
        .route("/preview", get(preview))
        .route("/status", get(status))
        .route("/health", get(health))
        .route("/archive", get(archive::index))
        .route("/archive/{date}/{file}", get(archive::briefing))
        .route(
            "/unsubscribe",
            get(unsubscribe::get).post(unsubscribe::post),
        )
        .layer(axum::middleware::from_fn(guard::in_time))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            guard::hosts,
        ))
        .with_state(app);
    conn::serve(
        listener.listener,
        router,
        listener.max_connections,
        shutdown,
    )
    .await;
    Ok(())
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

#[derive(Deserialize)]
struct GroupQuery {
    group: Option<String>,
}

/// Where `group` (default: the first) stands in the config; 404 for a group it lacks.
fn group_index(config: &Config, group: Option<&str>) -> Result<usize, Refusal> {
    let Some(name) = group else { return Ok(0) };
    config
        .groups
        .iter()
        .position(|g| g.name == name)
        .ok_or_else(|| {
            Box::new(error(
                StatusCode::NOT_FOUND,
                format!("no group {name:?} in {}", config.path.display()),
            ))
        })
}

async fn send(
    State(app): State<Arc<App>>,
    Query(q): Query<GroupQuery>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = guard::authorize(&headers, &[&app.send_token], "web.token_env") {
        return *r;
    }
    let Ok(running) = app.daemon.busy.clone().try_lock_owned() else {
        return error(
            StatusCode::CONFLICT,
            "a send is running; try again when it is done",
        );
    };
    let config = app.daemon.live.borrow().clone();
    if let Err(r) = group_index(&config, q.group.as_deref()) {
        return *r;
    }
    // On a task of its own, holding the run mutex: a client that leaves, or a shutdown
    // that drops its connection, does not cut the send short. It stops at its next safe
    // point when the stop flag is set, as a scheduled run does.
    let stop = app.daemon.stop.clone();
    let sending = tokio::spawn(async move {
        let _running = running;
        let opts = Options {
            group: q.group.as_deref(),
            stop: Some(&stop),
            ..Options::default()
        };
        job::send(&config, &opts).await
    });
    match sending.await {
        Ok(Ok(report)) => {
            tracing::info!("sent from POST /send: {}", report.summary());
            (StatusCode::OK, Json(report.to_json())).into_response()
        }
        // `briefing send` on the command line holds the state dir's lock.
        Ok(Err(e)) if e.is_busy() => error(StatusCode::CONFLICT, one_line(&e)),
        Ok(Err(e)) if e.is_shutdown() => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, one_line(&e)),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the send failed: {e}"),
        ),
    }
}

async fn preview(
    State(app): State<Arc<App>>,
    Query(q): Query<GroupQuery>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = app.may_read(&headers) {
        return *r;
    }
    let config = app.daemon.live.borrow().clone();
    let index = match group_index(&config, q.group.as_deref()) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    match app.previews.pages(config, app.daemon.stop.clone()).await {
        Ok(pages) => match pages.get(index) {
            Some(html) => Html(html.clone()).into_response(),
            None => error(StatusCode::NOT_FOUND, "no such group"),
        },
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, one_line(&e)),
    }
}

#[derive(Deserialize)]
struct StatusQuery {
    days: Option<usize>,
}

async fn status(
    State(app): State<Arc<App>>,
    Query(q): Query<StatusQuery>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = app.may_read(&headers) {
        return *r;
    }
    let config = app.daemon.live.borrow().clone();
    // The same default as `briefing status`.
    match status::collect(&config, q.days.unwrap_or(3)) {
        Ok(briefings) => Json(briefings).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
    }
}

async fn health(State(app): State<Arc<App>>) -> Response {
    let config = app.daemon.live.borrow().clone();
    let now = clock::now();
    let schedules: Vec<_> = schedules(&config)
        .into_iter()
        .map(|(schedule, groups)| {
            let next = groups
                .iter()
                .filter_map(|g| next_run(&g.schedule, now))
                .min_by_key(|t| t.to_utc());
            json!({
                "cron": schedule.cron_text,
                "timezone": schedule.timezone.name(),
                "groups": groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
                "next_run": next.map(|t| t.to_rfc3339()),
            })
        })
        .collect();
    // The earliest of them, in its own zone.
    let next = schedules
        .iter()
        .filter_map(|s| s["next_run"].as_str())
        .min_by_key(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(str::to_owned);
    Json(json!({ "status": "ok", "next_run": next, "schedules": schedules })).into_response()
}
