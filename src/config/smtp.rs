//! `[smtp]`: the relay, how the connection is secured and logged in to, and how hard a
//! message is tried.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::check::{
    default_timeout, Checker, CONNECTIONS, PORT, RETRIES, RETRY_DELAY_MS, TIMEOUT_SECS,
};

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tls {
    /// Plain connection upgraded with STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine.
    None,
}

#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub username: Option<String>,
    /// The name of the environment variable holding the password.
    pub password_env: Option<String>,
    pub timeout_secs: u64,
    /// Extra PEM root certificate to trust (a private relay's own CA).
    pub ca_file: Option<PathBuf>,
    /// Tries per message after the first, for transient failures (4xx, timeouts).
    pub retries: u32,
    /// The pause before the first retry; it doubles (with jitter) after each.
    pub retry_delay_ms: u64,
    /// Messages in flight at once, each on its own pooled connection. It is also the
    /// ledger's batch: one fsync records a whole batch as sending, one its outcomes.
    pub connections: usize,
}

// The password never lives here, but keep Debug explicit so nobody adds it by accident.
impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password_env", &self.password_env)
            .field("connections", &self.connections)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmtp {
    host: Spanned<String>,
    port: Option<Spanned<u16>>,
    #[serde(default = "default_tls")]
    tls: Tls,
    username: Option<Spanned<String>>,
    password_env: Option<String>,
    #[serde(default = "default_timeout")]
    timeout_secs: Spanned<u64>,
    #[serde(default)]
    allow_insecure_auth: bool,
    ca_file: Option<PathBuf>,
    #[serde(default = "default_retries")]
    retries: Spanned<u32>,
    #[serde(default = "default_retry_delay_ms")]
    retry_delay_ms: Spanned<u64>,
    #[serde(default = "default_connections")]
    connections: Spanned<usize>,
}

fn default_retries() -> Spanned<u32> {
    Spanned::new(0..0, 3)
}

fn default_retry_delay_ms() -> Spanned<u64> {
    Spanned::new(0..0, 2000)
}

/// 10,000 messages into `smtp-sink` on loopback: 2,658 msgs/s over 1 connection, 5,696
/// over 4, 7,405 over 8, 8,407 over 16, 10,255 over 32. Eight takes most of the gain and
/// stays well inside what relays allow one client (Postfix: 50 by default).
fn default_connections() -> Spanned<usize> {
    Spanned::new(0..0, 8)
}

fn default_tls() -> Tls {
    Tls::Starttls
}

impl Checker<'_> {
    pub(super) fn smtp(&self, s: RawSmtp, resolve: &dyn Fn(&Path) -> PathBuf) -> SmtpConfig {
        let host = s.host.get_ref().trim().to_owned();
        if host.is_empty() {
            self.report(s.host.span(), "smtp.host", "is empty".into());
        }
        if let Some(user) = &s.username {
            if s.password_env.is_none() {
                self.report(
                    user.span(),
                    "smtp.password_env",
                    "username is set but password_env (the name of the variable holding the password) is not".into(),
                );
            }
            if s.tls == Tls::None && !(s.allow_insecure_auth && is_loopback(&host)) {
                self.report(
                    user.span(),
                    "smtp.username",
                    "AUTH over an unencrypted connection is refused; use tls = \"starttls\" or \"tls\" (or, for a relay on this machine only, allow_insecure_auth = true)".into(),
                );
            }
        }
        let port = match &s.port {
            Some(port) => self.bounded(port, &PORT, "smtp.port"),
            None => match s.tls {
                Tls::Starttls => 587,
                Tls::Tls => 465,
                Tls::None => 25,
            },
        };
        SmtpConfig {
            port,
            host,
            tls: s.tls,
            username: s.username.map(Spanned::into_inner),
            password_env: s.password_env,
            timeout_secs: self.bounded(&s.timeout_secs, &TIMEOUT_SECS, "smtp.timeout_secs"),
            ca_file: s.ca_file.as_deref().map(resolve),
            retries: self.bounded(&s.retries, &RETRIES, "smtp.retries"),
            retry_delay_ms: self.bounded(&s.retry_delay_ms, &RETRY_DELAY_MS, "smtp.retry_delay_ms"),
            connections: self.bounded(&s.connections, &CONNECTIONS, "smtp.connections"),
        }
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
