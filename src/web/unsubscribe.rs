//! `/unsubscribe`: the links of `List-Unsubscribe`. A GET (a browser, a link scanner)
//! only asks; a POST unsubscribes when it carries the body RFC 8058 defines, the one
//! a mail client's one-click sends and the confirmation page's button sends too.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use handlebars::html_escape;
use serde::Deserialize;

use super::guard::same;
use super::{App, Refusal};
use crate::clock;
use crate::config::Config;
use crate::deliver::unsubscribe_token;
use crate::suppress::{self, Request};

/// The one-click body is 26 bytes; a multipart one a few hundred. More is not one.
const BODY_LIMIT: usize = 4096;
/// The body of a POST must come within this (its head has its own deadline).
const BODY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
pub struct UnsubscribeQuery {
    group: Option<String>,
    address: Option<String>,
    token: Option<String>,
}

/// A short page in Korean, the readers' language, dressed as the briefing is: a
/// reader who taps the email's link should land on the same paper, in the same light
/// or dark, with Korean words kept whole.
pub(super) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"color-scheme\" content=\"light dark\"><title>{title}</title><style>{PAGE_CSS}</style></head>\n<body><main><h1>{title}</h1>\n{body}\n</main></body></html>\n"
    );
    (status, Html(html)).into_response()
}

/// The email's type, colours and widths (templates/briefing.html.hbs).
const PAGE_CSS: &str = "body{margin:0;background:#f4f5f7;color:#1f2328;font-family:'Apple SD Gothic Neo','Malgun Gothic','Noto Sans KR',sans-serif;font-size:16px;line-height:1.65;word-break:keep-all;overflow-wrap:anywhere}main{max-width:600px;margin:0 auto;padding:24px 16px;background:#fff;border-bottom:3px solid #1f2328}h1{font-size:22px;line-height:1.35;margin:0 0 12px 0}a{color:#0969da}button{font:inherit;font-size:16px;padding:10px 20px;border:0;border-radius:6px;background:#0969da;color:#fff;cursor:pointer}@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}main{background:#161b22;border-bottom-color:#e6edf3}a{color:#58a6ff}button{background:#1f6feb}}";

/// What readers call the briefing of `group`: its title, not the config's id.
pub(super) fn briefing_name<'a>(config: &'a Config, group: &'a str) -> &'a str {
    config
        .groups
        .iter()
        .find(|g| g.name == group)
        .map_or(group, |g| g.masthead())
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
        .unsubscribe_links()
        .and_then(|links| std::env::var(&links.secret_env).ok())
        .filter(|s| !s.is_empty());
    let Some(secret) = secret else {
        tracing::error!("/unsubscribe: [web] base_url and secret_env (set in the daemon's environment) are needed to check a link");
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
pub async fn get(State(app): State<Arc<App>>, Query(q): Query<UnsubscribeQuery>) -> Response {
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
            html_escape(briefing_name(&config, &group))
        ),
    )
}

/// RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the link itself, so
/// the group, address and token are in the query. A POST without that body (a link
/// scanner, a prefetch) unsubscribes nobody.
pub async fn post(
    State(app): State<Arc<App>>,
    Query(q): Query<UnsubscribeQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let config = app.daemon.live.borrow().clone();
    let (group, address) = match verified(&config, &q) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let body = tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, BODY_LIMIT)).await;
    let one_click = match body {
        Ok(Ok(bytes)) => is_one_click(content_type(&headers), &bytes),
        Ok(Err(_)) | Err(_) => false,
    };
    if !one_click {
        return page(
            StatusCode::BAD_REQUEST,
            "구독 취소 요청이 올바르지 않습니다",
            "<p>받으신 메일의 링크를 열어 ‘구독 취소’ 단추를 눌러 주세요.</p>",
        );
    }
    record(&config, &group, &address)
}

fn record(config: &Config, group: &str, address: &str) -> Response {
    match suppress::record(
        &config.state_dir,
        Request::Unsubscribe,
        address,
        Some(group),
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
                    html_escape(address),
                    html_escape(briefing_name(config, group))
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

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// Whether `body` is the one-click form: the field `List-Unsubscribe` with the value
/// `One-Click`, as `multipart/form-data` (what RFC 8058 asks mail clients for) or
/// URL-encoded (what it allows, and what a browser's form sends; also taken without a
/// content type).
fn is_one_click(content_type: &str, body: &[u8]) -> bool {
    let (kind, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return boundary(params).is_some_and(|b| multipart_one_click(body, b.as_bytes()));
    }
    form_urlencoded::parse(body).any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click")
}

/// The `boundary` parameter of a multipart content type, unquoted.
fn boundary(params: &str) -> Option<&str> {
    params.split(';').find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"'))
            .filter(|b| !b.is_empty())
    })
}

/// A part named `List-Unsubscribe` whose content is `One-Click` (RFC 7578).
fn multipart_one_click(body: &[u8], boundary: &[u8]) -> bool {
    let delimiter = [b"--", boundary].concat();
    let text = String::from_utf8_lossy(body);
    let delimiter = String::from_utf8_lossy(&delimiter);
    text.split(delimiter.as_ref()).any(|part| {
        let Some((head, content)) = part.split_once("\r\n\r\n") else {
            return false;
        };
        let named = head.lines().any(|line| {
            line.split_once(':').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("content-disposition")
                    && value
                        .split(';')
                        .any(|p| p.trim() == "name=\"List-Unsubscribe\"")
            })
        });
        named && content.strip_suffix("\r\n").unwrap_or(content) == "One-Click"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_rfc_8058_body_is_a_one_click() {
        let form = "application/x-www-form-urlencoded";
        assert!(is_one_click(form, b"List-Unsubscribe=One-Click"));
        assert!(is_one_click("", b"List-Unsubscribe=One-Click"));
        assert!(is_one_click(form, b"x=1&List-Unsubscribe=One%2DClick"));
        for body in [
            &b""[..],
            b"List-Unsubscribe=",
            b"List-Unsubscribe=Yes",
            b"One-Click",
        ] {
            assert!(!is_one_click(form, body), "{body:?}");
        }
        let multipart = "multipart/form-data; boundary=\"----x1\"";
        let part = |name: &str, value: &str| {
            format!("------x1\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n------x1--\r\n")
        };
        assert!(is_one_click(
            multipart,
            part("List-Unsubscribe", "One-Click").as_bytes()
        ));
        assert!(!is_one_click(
            multipart,
            part("List-Unsubscribe", "Two-Clicks").as_bytes()
        ));
        assert!(!is_one_click(
            multipart,
            part("Other", "One-Click").as_bytes()
        ));
        assert!(!is_one_click(
            "multipart/form-data",
            part("List-Unsubscribe", "One-Click").as_bytes()
        ));
        assert!(!is_one_click(multipart, b""));
    }
}
