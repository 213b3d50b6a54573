//! `[mail]` and `[mail.dkim]`: who briefings come from, what they look like, how they
//! are signed; and addresses, parsed and keyed the one way every part compares them.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lettre::message::Mailbox;
use serde::Deserialize;
use toml::Spanned;

use super::check::Checker;

#[derive(Debug, Clone)]
pub struct MailConfig {
    pub from: Mailbox,
    /// Where messages are written as `.eml` files when there is no `[smtp]`.
    pub outbox: PathBuf,
    /// A folder whose templates override the built-in ones.
    pub templates: Option<PathBuf>,
    /// The subject line, a handlebars template (`{{date}}` is the Korean date).
    pub subject: String,
    /// What a day without articles sends.
    pub on_empty: OnEmpty,
    /// Where `mailto:` unsubscribe requests go (`List-Unsubscribe`); none without it.
    pub unsubscribe: Option<Mailbox>,
    /// A person readers can write to, named in the footer.
    pub contact: Option<Mailbox>,
    pub dkim: Option<DkimConfig>,
}

/// How messages are DKIM-signed: receivers that see no signature of the sender's domain
/// (Gmail and Yahoo, for bulk senders) file the briefing as spam.
#[derive(Debug, Clone)]
pub struct DkimConfig {
    pub key_file: PathBuf,
    pub selector: String,
    pub domain: String,
    pub algorithm: DkimAlgorithm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DkimAlgorithm {
    /// PKCS#1 PEM, what every receiver verifies.
    Rsa,
    /// The 32-byte seed in base64 (RFC 8463): small, but not verified everywhere yet.
    Ed25519,
}

/// What to do when the dump has no article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnEmpty {
    /// Send nothing (and say so).
    Skip,
    /// Send a short "no news today" briefing.
    Send,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMail {
    from: Spanned<String>,
    #[serde(default = "default_outbox")]
    outbox: PathBuf,
    templates: Option<PathBuf>,
    #[serde(default = "default_subject")]
    subject: String,
    #[serde(default = "default_on_empty")]
    on_empty: OnEmpty,
    unsubscribe: Option<Spanned<String>>,
    contact: Option<Spanned<String>>,
    dkim: Option<Spanned<RawDkim>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDkim {
    key_file: PathBuf,
    selector: Spanned<String>,
    domain: Spanned<String>,
    #[serde(default = "default_dkim_algorithm")]
    algorithm: DkimAlgorithm,
}

fn default_outbox() -> PathBuf {
    "outbox".into()
}

/// The inbox row names the day's lead story and how many follow, which a fixed
/// "[아침 브리핑] date" never did; a group with a `title` is named first, so a list of
/// columns reads as one.
fn default_subject() -> String {
    "{{#if title}}[{{title}}] {{/if}}{{short_date}} {{#if top_title}}{{top_title}}{{#if more}} 외 {{more}}건{{/if}}{{else}}{{masthead}}: 새 기사 없음{{/if}}".into()
}

fn default_on_empty() -> OnEmpty {
    OnEmpty::Skip
}

fn default_dkim_algorithm() -> DkimAlgorithm {
    DkimAlgorithm::Rsa
}

impl Checker<'_> {
    /// `[mail]`: `None` (reported) when `from` is not an address.
    pub(super) fn mail(
        &self,
        raw: RawMail,
        resolve: &dyn Fn(&Path) -> PathBuf,
    ) -> Option<MailConfig> {
        let from = self.mailbox(&raw.from, "mail.from");
        from.map(|from| MailConfig {
            from,
            outbox: resolve(&raw.outbox),
            templates: raw.templates.as_deref().map(resolve),
            subject: raw.subject,
            on_empty: raw.on_empty,
            unsubscribe: raw
                .unsubscribe
                .as_ref()
                .and_then(|v| self.mailbox(v, "mail.unsubscribe")),
            contact: raw
                .contact
                .as_ref()
                .and_then(|v| self.mailbox(v, "mail.contact")),
            dkim: raw.dkim.map(|d| self.dkim(d, &resolve)),
        })
    }

    fn dkim(&self, raw: Spanned<RawDkim>, resolve: &dyn Fn(&Path) -> PathBuf) -> DkimConfig {
        let span = raw.span();
        let d = raw.into_inner();
        for (value, key) in [(&d.selector, "selector"), (&d.domain, "domain")] {
            if !is_dns_name(value.get_ref()) {
                self.report(
                    value.span(),
                    &format!("mail.dkim.{key}"),
                    format!("{:?} is not an ASCII DNS name", value.get_ref()),
                );
            }
        }
        if d.key_file.as_os_str().is_empty() {
            self.report(span, "mail.dkim.key_file", "is empty".into());
        }
        DkimConfig {
            key_file: resolve(&d.key_file),
            selector: d.selector.into_inner(),
            domain: d.domain.into_inner(),
            algorithm: d.algorithm,
        }
    }
}

/// One mailbox, `Name <user@host>` or `user@host`. A header must never receive CR or
/// LF from config, and lettre's parser stops quietly at a comma, so both are refused.
pub fn parse_mailbox(text: &str) -> Result<Mailbox, String> {
    if text.contains(['\r', '\n']) {
        return Err(format!("{text:?} contains a line break"));
    }
    if text.contains([',', ';']) && !text.trim_start().starts_with('"') {
        return Err(format!("{text:?}: one address per entry"));
    }
    Mailbox::from_str(text.trim()).map_err(|e| format!("{text:?} is not a valid address: {e}"))
}

/// The one form of an address that the config's duplicate check, the ledger's keys,
/// Message-IDs and `status` all compare: the domain lower-cased, since domain names are
/// case-insensitive, and the local part exactly as written, since RFC 5321 §2.4 lets the
/// receiving host tell `CEO@` from `ceo@` (two entries that may be one mailbox cost a
/// second copy; folding two mailboxes into one key would cost one of them its briefing).
pub fn address_key(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => address.to_owned(),
    }
}

/// Labels of ASCII letters, digits and `-`, joined by dots: what DNS can look up.
fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}
