//! `/archive`: the briefings delivered so far ([`crate::archive`]), the page each mail
//! links as "웹에서 보기", and an index of them. Open like `/unsubscribe`: a reader
//! follows the link from the mail, and a page holds what every recipient of the group
//! got, no address and no token (the footer's link is the group's, not the reader's).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use handlebars::html_escape;

use super::unsubscribe::{briefing_name, page};
use super::App;
use crate::archive;
use crate::deliver::percent;
use crate::digest::korean_date;

/// The index: every kept day, newest first, each with its briefings by their titles.
pub async fn index(State(app): State<Arc<App>>) -> Response {
    let config = app.daemon.live.borrow().clone();
    let days = match archive::list(&config.state_dir) {
        Ok(days) => days,
        Err(e) => {
            tracing::error!("/archive: {}: {e}", config.state_dir.display());
            return page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "지난 브리핑을 읽지 못했습니다",
                "<p>잠시 후 다시 시도해 주세요.</p>",
            );
        }
    };
    if days.is_empty() {
        return page(
            StatusCode::OK,
            "지난 브리핑",
            "<p>아직 보내 드린 브리핑이 없습니다.</p>",
        );
    }
    let mut body = String::from("<ul>\n");
    for (date, groups) in &days {
        let when = date.parse().map_or_else(|_| date.clone(), korean_date);
        let links: Vec<String> = groups
            .iter()
            .map(|g| {
                format!(
                    "<a href=\"/archive/{date}/{}.html\">{}</a>",
                    html_escape(&percent(g)),
                    html_escape(briefing_name(&config, g))
                )
            })
            .collect();
        body.push_str(&format!("<li>{} · {}</li>\n", when, links.join(" · ")));
    }
    body.push_str("</ul>");
    page(StatusCode::OK, "지난 브리핑", &body)
}

/// One briefing as it was sent: `/archive/2025-09-07/morning.html`.
pub async fn briefing(
    State(app): State<Arc<App>>,
    Path((date, file)): Path<(String, String)>,
) -> Response {
    let config = app.daemon.live.borrow().clone();
    let found = file
        .strip_suffix(".html")
        .and_then(|group| archive::path(&config.state_dir, &date, group))
        .and_then(|path| std::fs::read_to_string(path).ok());
    match found {
        Some(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        None => page(
            StatusCode::NOT_FOUND,
            "그 브리핑은 보관되어 있지 않습니다",
            "<p><a href=\"/archive\">지난 브리핑 목록</a>에서 찾아 주세요.</p>",
        ),
    }
}
