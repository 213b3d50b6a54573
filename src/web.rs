//! `briefing run --listen ADDR`: a small HTTP endpoint beside the scheduler, on the same
//! runtime, for what an operator or a mail client does by hand: send now, look at
//! today's briefing, read the ledger, check the daemon is alive, and the one-click
//! unsubscribe (RFC 8058) the `List-Unsubscribe` links point to.
//!
//! It shares the daemon's run mutex and stop flag, so a send from here and a scheduled
//! one never overlap, and a shutdown ends both the same way. Every request sees the
//! config in force, the one the scheduler follows: an invalid edit leaves the last
//! valid one in place for both (see `schedule::reload`). Plain HTTP on loopback:
//! TLS is the reverse proxy's job (see the README).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use handlebars::html_escape;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::Mutex;

use crate::clock;
use crate::cmd::{one_line, status};
use crate::config::Config;
use crate::deliver::unsubscribe_token;
use crate::job::{self, Options};
use crate::schedule::{next_run, schedules};
use crate::suppress::{self, Request};

/// What the handlers share with the scheduler.
pub struct Daemon {
    /// The config in force (the last valid one read): its schedules are the ones the
    /// scheduler follows.
    pub live: tokio::sync::watch::Receiver<Arc<Config>>,
    /// Held for the whole of a run, scheduled or manual.
    pub busy: Arc<Mutex<()>>,
    /// Set by a shutdown: a send in progress finishes its messages in flight only.
    pub stop: Arc<AtomicBool>,
}

/// A bound listener and the `POST /send` token, checked before the scheduler starts so
/// that a daemon which cannot serve what was asked does not start half-way.
pub struct Listener {
    listener: tokio::net::TcpListener,
    token: String,
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
        // Trimmed as the header's token is: a newline from `echo > env-file` is no part of it.
        let token = std::env::var(token_env)
            .ok()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .with_context(|| {
                format!("web.token_env: the environment variable {token_env} is not set (it must hold the bearer token of POST /send)")
            })?;
        if !addr.ip().is_loopback() && !web.allow_remote {
            bail!("--listen {addr}: not a loopback address; put a reverse proxy in front, or set web.allow_remote = true");
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("--listen {addr}: cannot listen"))?;
        Ok(Listener { listener, token })
    }

    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }
}

/// An answer that ends a handler early, boxed because a response is large.
type Refusal = Box<Response>;

struct App {
    daemon: Daemon,
    token: String,
}

/// Serves until `shutdown` completes, then lets the requests in progress finish.
pub async fn serve(
    listener: Listener,
    daemon: Daemon,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let app = Arc::new(App {
        daemon,
        token: listener.token,
    });
    let router = Router::new()
        .route("/send", axum::routing::post(send))
        .route("/preview", get(preview))
        .route("/status", get(status))
        .route("/health", get(health))
        .route("/unsubscribe", get(unsubscribe_get).post(unsubscribe_post))
        .with_state(app);
    axum::serve(listener.listener, router)
        .with_graceful_shutdown(shutdown)
        .await
        .context("the web endpoint stopped")
}

/// Compares in time that depends on the length only, so that the answer's timing does
/// not tell an attacker how much of a guessed token was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
    // As bytes: a token may be any text the variable holds, not only visible ASCII.
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
        .unwrap_or_default();
    if !same(given.trim_ascii(), app.token.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            Json(json!({ "error": "a bearer token (web.token_env) is required" })),
        )
            .into_response();
    }
    let Ok(_running) = app.daemon.busy.try_lock() else {
        return error(
            StatusCode::CONFLICT,
            "a send is running; try again when it is done",
        );
    };
    let config = app.daemon.live.borrow().clone();
    if let Err(r) = group_index(&config, q.group.as_deref()) {
        return *r;
    }
    let opts = Options {
        group: q.group.as_deref(),
        stop: Some(&app.daemon.stop),
        ..Options::default()
    };
    match job::send(&config, &opts).await {
        Ok(report) => {
            tracing::info!("sent from POST /send: {}", report.summary());
            (StatusCode::OK, Json(report.to_json())).into_response()
        }
        // `briefing send` on the command line holds the state dir's lock.
        Err(e) if e.is_busy() => error(StatusCode::CONFLICT, one_line(&e)),
        Err(e) if e.is_shutdown() => error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, one_line(&e)),
    }
}

async fn preview(State(app): State<Arc<App>>, Query(q): Query<GroupQuery>) -> Response {
    let config = app.daemon.live.borrow().clone();
    let index = match group_index(&config, q.group.as_deref()) {
        Ok(i) => i,
        Err(r) => return *r,
    };
    let date = clock::today(config.schedule.timezone);
    match job::prepare(&config, None, date, false, Some(&app.daemon.stop)).await {
        Ok(day) => match day.rendered.into_iter().nth(index) {
            Some(rendered) => Html(rendered.html).into_response(),
            None => error(StatusCode::NOT_FOUND, "no such group"),
        },
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, one_line(&e)),
    }
}

#[derive(Deserialize)]
struct StatusQuery {
    days: Option<usize>,
}

async fn status(State(app): State<Arc<App>>, Query(q): Query<StatusQuery>) -> Response {
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

#[derive(Deserialize)]
struct UnsubscribeQuery {
    group: Option<String>,
    address: Option<String>,
    token: Option<String>,
}

/// A short page in Korean, the readers' language.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\n<body style=\"font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em\"><h1 style=\"font-size:1.3em\">{title}</h1>\n{body}\n</body></html>\n"
    );
    (status, Html(html)).into_response()
}

/// The link's group and address, if its token is the one `deliver` made for them with
/// the key in `web.secret_env`.
fn verified(config: &Config, q: &UnsubscribeQuery) -> Result<(String, String), Refusal> {
    let (Some(group), Some(address), Some(token)) = (&q.group, &q.address, &q.token) else {
        return Err(Box::new(page(
            StatusCode::FORBIDDEN,
            "구독 취소 링크가 완전하지 않습니다",
            "<p>받으신 메일의 링크를 그대로 열어 주세요.</p>",
        )));
    };
    let secret = config
        .web
        .as_ref()
        .and_then(|w| std::env::var(&w.secret_env).ok())
        .filter(|s| !s.is_empty());
    let Some(secret) = secret else {
        tracing::error!("GET /unsubscribe: web.secret_env is not set in the daemon's environment: no link can be checked");
        return Err(Box::new(page(
            StatusCode::SERVICE_UNAVAILABLE,
            "지금은 구독을 취소할 수 없습니다",
            "<p>잠시 후 다시 시도해 주세요.</p>",
        )));
    };
    let want = unsubscribe_token(secret.as_bytes(), group, address);
    if !same(token.as_bytes(), want.as_bytes()) {
        return Err(Box::new(page(
            StatusCode::FORBIDDEN,
            "구독 취소 링크가 올바르지 않습니다",
            "<p>링크가 잘렸거나 바뀐 것 같습니다. 받으신 메일의 링크를 그대로 열어 주세요.</p>",
        )));
    }
    Ok((group.clone(), address.clone()))
}

/// A link opened in a browser (or fetched by a mail scanner) only asks: unsubscribing
/// takes the POST that the button, or the mail client's one-click, sends. The footer's
/// link, the same for every reader, has no token: it says how to unsubscribe instead.
async fn unsubscribe_get(
    State(app): State<Arc<App>>,
    Query(q): Query<UnsubscribeQuery>,
) -> Response {
    let config = app.daemon.live.borrow().clone();
    if q.token.is_none() {
        let write = match &config.mail.unsubscribe {
            Some(to) => format!(
                ", 또는 <a href=\"mailto:{0}\">{0}</a> 주소로 구독 취소를 요청해 주세요",
                html_escape(to.email.as_ref())
            ),
            None => ", 또는 받으신 메일에 답장으로 구독 취소를 요청해 주세요".to_owned(),
        };
        return page(
            StatusCode::OK,
            "구독 취소 안내",
            &format!("<p>메일 앱의 ‘구독 취소’ 단추를 누르시거나{write}.</p>"),
        );
    }
    let (group, address) = match verified(&config, &q) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    // The form posts to this same address, query and all: the link is the request.
    page(
        StatusCode::OK,
        "구독 취소",
        &format!(
            "<p>{} 주소로 가는 ‘{}’ 브리핑을 그만 받으시겠습니까?</p>\n<form method=\"post\" action=\"\"><button type=\"submit\" name=\"List-Unsubscribe\" value=\"One-Click\">구독 취소</button></form>",
            html_escape(&address),
            html_escape(&group)
        ),
    )
}

/// RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the link itself, so
/// the group, address and token are in the query.
async fn unsubscribe_post(
    State(app): State<Arc<App>>,
    Query(q): Query<UnsubscribeQuery>,
) -> Response {
    let config = app.daemon.live.borrow().clone();
    let (group, address) = match verified(&config, &q) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    match suppress::record(
        &config.state_dir,
        Request::Unsubscribe,
        &address,
        Some(&group),
        clock::now(),
    ) {
        Ok(entry) => {
            tracing::info!(
                "{}: unsubscribed from group {group} (one-click)",
                entry.address
            );
            page(
                StatusCode::OK,
                "구독이 취소되었습니다",
                &format!(
                    "<p>{} 주소로는 이제 ‘{}’ 브리핑을 보내지 않습니다.</p>",
                    html_escape(&address),
                    html_escape(&group)
                ),
            )
        }
        Err(e) => {
            tracing::error!("one-click unsubscribe of {address} from {group} not recorded: {e}");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "구독 취소를 기록하지 못했습니다",
                "<p>잠시 후 다시 시도해 주세요.</p>",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_compare_whole_and_exact() {
        assert!(same("아침토큰".as_bytes(), "아침토큰".as_bytes()));
        assert!(!same("아침토큰".as_bytes(), "아침토큼".as_bytes()));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"a"));
    }
}
