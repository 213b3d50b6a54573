//! `[web]`: the endpoint of `briefing run --listen`, and the one-click unsubscribe links
//! (RFC 8058) the messages carry.

use serde::Deserialize;
use toml::Spanned;

use super::check::{Checker, MAX_CONNECTIONS};

/// `[web]`: the endpoint of `briefing run --listen`, and the one-click unsubscribe links
/// (RFC 8058) the messages carry. Either may be had without the other.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// `base_url` and `secret_env`, which only the unsubscribe links need.
    pub links: Option<UnsubscribeLinks>,
    /// The name of the environment variable holding the bearer token of `POST /send`
    /// (which also reads `/status` and `/preview`): `briefing run --listen` refuses to
    /// start without it.
    pub token_env: Option<String>,
    /// The name of the environment variable holding a token that reads `/status` and
    /// `/preview` but cannot send, for a dashboard that should not hold the send token.
    pub read_token_env: Option<String>,
    /// `--listen` may bind a non-loopback address (behind a firewall or a proxy).
    pub allow_remote: bool,
    /// Connections the endpoint holds open at once; more are turned away at once, so
    /// that clients can never take the descriptors a run needs.
    pub max_connections: usize,
}

/// Where one-click unsubscribe links point, and the key that signs them.
#[derive(Debug, Clone)]
pub struct UnsubscribeLinks {
    /// `https://…`, without a trailing `/`.
    pub base_url: String,
    /// The name of the environment variable holding the key of the unsubscribe tokens.
    pub secret_env: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWeb {
    base_url: Option<Spanned<String>>,
    secret_env: Option<Spanned<String>>,
    token_env: Option<String>,
    read_token_env: Option<String>,
    #[serde(default)]
    allow_remote: bool,
    #[serde(default = "default_max_connections")]
    max_connections: Spanned<usize>,
}

/// A quarter of the usual soft limit of open files (1,024): far more than an operator,
/// a proxy and the mail clients' one-click POSTs ever hold open at once, and far from
/// what would leave a run short of descriptors.
fn default_max_connections() -> Spanned<usize> {
    Spanned::new(0..0, 256)
}

impl Checker<'_> {
    pub(super) fn web(&self, w: RawWeb) -> WebConfig {
        let max_connections =
            self.bounded(&w.max_connections, &MAX_CONNECTIONS, "web.max_connections");
        WebConfig {
            links: self.unsubscribe_links(w.base_url, w.secret_env),
            token_env: w.token_env,
            read_token_env: w.read_token_env,
            allow_remote: w.allow_remote,
            max_connections,
        }
    }

    /// `base_url` and `secret_env` go together: one without the other is a half-done
    /// setup, refused rather than sending messages without the link the operator meant.
    fn unsubscribe_links(
        &self,
        base_url: Option<Spanned<String>>,
        secret_env: Option<Spanned<String>>,
    ) -> Option<UnsubscribeLinks> {
        let (base_url, secret_env) = match (base_url, secret_env) {
            (None, None) => return None,
            (Some(base_url), Some(secret_env)) => (base_url, secret_env),
            (Some(base_url), None) => {
                self.report(
                    base_url.span(),
                    "web.secret_env",
                    "base_url is set but secret_env (the name of the variable holding the unsubscribe token key) is not".into(),
                );
                return None;
            }
            (None, Some(secret_env)) => {
                self.report(
                    secret_env.span(),
                    "web.base_url",
                    "secret_env is set but base_url (the https:// address the unsubscribe links point to) is not".into(),
                );
                return None;
            }
        };
        let url = base_url.get_ref().trim().trim_end_matches('/');
        let host = url.strip_prefix("https://").unwrap_or("");
        if host.is_empty() || url.contains(['?', '#', ' ', '"', '<', '>']) {
            self.report(
                base_url.span(),
                "web.base_url",
                format!("{url:?} must be an https:// URL without query (one-click unsubscribe needs HTTPS, RFC 8058)"),
            );
        }
        Some(UnsubscribeLinks {
            base_url: url.to_owned(),
            secret_env: secret_env.into_inner(),
        })
    }
}
