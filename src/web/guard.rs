//! What every request passes before its handler: a `Host` the endpoint answers to, a
//! bound on how long it may take, and for the routes that need one, a bearer token.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{error, App, Refusal};

/// The whole of a request after its head (the body, and the handler's answer) for every
/// route but `POST /send`, whose run is bounded by its own timeouts and goes on if the
/// client leaves. A preview still building when it runs out goes on building for the
/// next request.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A page on another site, whose name an attacker points at 127.0.0.1 (DNS
/// rebinding), sends its own name as `Host`: only loopback names and the host of
/// `[web] base_url`, on any port, are answered (421 otherwise).
pub fn allowed_host(host: &str, base_host: Option<&str>) -> bool {
    let name = host_name(host).trim_end_matches('.');
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()) {
        return true;
    }
    base_host.is_some_and(|b| host_name(b).eq_ignore_ascii_case(name))
}

/// `host[:port]` without the port; an IPv6 literal keeps its brackets.
fn host_name(host: &str) -> &str {
    match host.strip_prefix('[') {
        Some(rest) => rest.find(']').map_or(host, |end| &host[..end + 2]),
        None => host.split(':').next().unwrap_or(host),
    }
}

/// The host of an `https://HOST[:PORT][/PATH]` URL.
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split('/').next()?;
    Some(host_name(authority)).filter(|h| !h.is_empty())
}

/// Every name the request gives for the host it wants, the `Host` header and the
/// authority of an absolute-form target alike, must be one the endpoint answers to.
pub async fn hosts(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let header = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or(""));
    let target = request.uri().authority().map(|a| a.as_str());
    let named: Vec<&str> = header.into_iter().chain(target).collect();
    // The config in force: a reload may change base_url.
    let config = app.daemon.live.borrow().clone();
    let base = config
        .unsubscribe_links()
        .and_then(|l| url_host(&l.base_url));
    if named.is_empty() || !named.iter().all(|h| allowed_host(h, base)) {
        return error(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this endpoint answers to localhost, 127.0.0.1 and [::1]{}, not {:?}",
                base.map(|b| format!(" and {b}")).unwrap_or_default(),
                named.first().copied().unwrap_or("(no Host)")
            ),
        );
    }
    next.run(request).await
}

/// Every request but `POST /send` is answered within [`REQUEST_TIMEOUT`].
pub async fn in_time(request: Request, next: Next) -> Response {
    if request.uri().path() == "/send" {
        return next.run(request).await;
    }
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("no answer within {}s; try again", REQUEST_TIMEOUT.as_secs()),
        ),
    }
}

/// The token of an `Authorization: Bearer TOKEN` header. The scheme is case-insensitive
/// (RFC 7235); the token is taken as bytes, since the variable may hold any text.
fn bearer(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes().trim_ascii();
    let space = value.iter().position(|&b| b == b' ')?;
    let (scheme, token) = value.split_at(space);
    scheme
        .eq_ignore_ascii_case(b"bearer")
        .then(|| token.trim_ascii())
}

/// Whether the request carries one of `tokens`, each compared whole and in constant
/// time, or the 401 to answer.
pub fn authorize(headers: &HeaderMap, tokens: &[&str], which: &str) -> Result<(), Refusal> {
    let given = bearer(headers).unwrap_or_default();
    // Every token is compared: which one matched takes no time to tell.
    let matched = tokens
        .iter()
        .fold(false, |any, t| same(given, t.as_bytes()) | any);
    if matched {
        return Ok(());
    }
    Err(Box::new(
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            Json(json!({ "error": format!("a bearer token ({which}) is required") })),
        )
            .into_response(),
    ))
}

/// Compares in time that depends on the length only, so that the answer's timing does
/// not tell an attacker how much of a guessed token was right.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn tokens_compare_whole_and_exact() {
        assert!(same("아침토큰".as_bytes(), "아침토큰".as_bytes()));
        assert!(!same("아침토큰".as_bytes(), "아침토큼".as_bytes()));
        assert!(!same(b"abc", b"abcd"));
        assert!(!same(b"", b"a"));
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_the_token_is_not() {
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
            h
        };
        for value in ["Bearer t0k", "bearer t0k", "BEARER   t0k ", "beaRer t0k"] {
            assert!(authorize(&with(value), &["t0k"], "x").is_ok(), "{value}");
        }
        for value in ["Bearer T0K", "Basic t0k", "Bearert0k", "t0k", "Bearer"] {
            assert!(authorize(&with(value), &["t0k"], "x").is_err(), "{value}");
        }
        assert!(authorize(&with("Bearer r"), &["t0k", "r"], "x").is_ok());
        assert!(authorize(&HeaderMap::new(), &["t0k"], "x").is_err());
    }

    #[test]
    fn only_loopback_names_and_the_base_url_host_are_answered() {
        let base = url_host("https://News.Example.com:8443/briefing");
        assert_eq!(base, Some("News.Example.com"));
        for host in [
            "localhost",
            "LOCALHOST:8025",
            "localhost.",
            "127.0.0.1",
            "127.0.0.1:8025",
            "127.1.2.3:1",
            "[::1]",
            "[::1]:8025",
            "news.example.com",
            "news.example.com:443",
        ] {
            assert!(allowed_host(host, base), "{host}");
        }
        for host in [
            "attacker.example",
            "attacker.example:8025",
            "localhost.attacker.example",
            "127.0.0.1.nip.io",
            "10.0.0.1",
            "[::2]:8025",
            "news.example.com.attacker.example",
            "",
        ] {
            assert!(!allowed_host(host, base), "{host}");
        }
        assert!(!allowed_host("news.example.com", None));
    }
}
