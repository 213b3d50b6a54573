//! Messages and the transports that carry them: SMTP with lettre, or an outbox folder.
//!
//! Every recipient gets a message of their own, so nobody sees another address and one
//! refused recipient cannot abort the others' transaction. Each message carries a
//! `Message-ID` derived from (briefing date, group, recipient): a message resent after
//! a crash has the same ID, so receiving servers can drop the duplicate. In the outbox,
//! each delivery has a file name of its own, and no write replaces a file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hmac::{KeyInit, Mac};
use lettre::message::dkim::{
    dkim_sign, DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::{ClientId, Extension};
use lettre::Message;

use crate::config::{address_key, Config, DkimAlgorithm, SmtpConfig, Tls};
use crate::digest::Rendered;
use crate::durable::{remove_stale_temps, write_new};

/// Why a message was not delivered, sorted by what the caller should do next.
#[derive(Debug, thiserror::Error)]
pub enum DeliverError {
    /// The server may accept it later: retry (4xx replies).
    #[error("{0}")]
    Transient(String),
    /// The server cannot be reached (refused, dropped, timed out): retry, and if it stays
    /// down, stop rather than fail every remaining recipient the same way.
    #[error("{0}")]
    Unavailable(String),
    /// This recipient will never be accepted (5xx for the recipient): record and go on.
    #[error("{0}")]
    Permanent(String),
    /// Nothing will get through with this configuration (TLS, bad setup): stop.
    #[error("{0}")]
    Fatal(String),
    /// The server refused the login (535 and the other permanent AUTH failures): nothing
    /// gets through until `[smtp] username` or the password is fixed, so the run stops
    /// at once and says so, and no recipient is to blame.
    #[error("{0}")]
    Auth(String),
    /// A local file the delivery needs (the outbox, `smtp.ca_file`, the DKIM key) could
    /// not be used: a retry helps if the cause passes ([`crate::retry::is_passing`]: a
    /// full disk, too many open files), not if a path or a permission is wrong.
    #[error("{what}: {source}")]
    Local {
        what: String,
        source: std::io::Error,
    },
}

/// Where messages go.
pub enum Transport {
    /// Boxed: the client with its TLS set-up and login is far larger than a path.
    Smtp(Box<SmtpClient>),
    /// `.eml` files in a folder: the default when no SMTP server is configured.
    Outbox(PathBuf),
}

/// SMTP over connections of our own rather than lettre's transport and pool: lettre's
/// async client has no timeout after connecting (a server that stops answering would
/// hold the morning job forever), a pooled connection abandoned mid-reply goes back to
/// its pool out of step with the server, and its sockets keep Nagle on, which stalls
/// every message ~40 ms on the server's delayed ACK. Here every send is bounded by
/// `smtp.timeout_secs`, a connection is reused only after a clean exchange, and plain
/// and STARTTLS sockets are opened with TCP_NODELAY (implicit TLS still goes through
/// lettre's connect, which keeps Nagle).
pub struct SmtpClient {
    host: String,
    port: u16,
    /// `host:port`, for messages.
    server: String,
    tls: Tls,
    tls_parameters: Option<TlsParameters>,
    credentials: Option<Credentials>,
    /// `[smtp] username` and the name of `password_env` (never its value), for the
    /// message of a refused login.
    login: Option<(String, String)>,
    timeout: Duration,
    hello: ClientId,
    /// Connections that finished their last exchange cleanly, ready for the next one.
    idle: std::sync::Mutex<Vec<(Instant, AsyncSmtpConnection)>>,
}

impl DeliverError {
    /// Worth another try after a pause.
    pub fn is_transient(&self) -> bool {
        match self {
            DeliverError::Transient(_) | DeliverError::Unavailable(_) => true,
            DeliverError::Local { source, .. } => crate::retry::is_passing(source),
            DeliverError::Permanent(_) | DeliverError::Fatal(_) | DeliverError::Auth(_) => false,
        }
    }

    /// Once retries are spent, nothing else will get through either.
    pub fn stops_run(&self) -> bool {
        !matches!(
            self,
            DeliverError::Transient(_) | DeliverError::Permanent(_)
        )
    }

    /// Says something about this recipient (a 5xx for the address), not about the
    /// server, the login or a local file: only then is the recipient `failed`. Otherwise
    /// the message was not really tried, and the next run sends it.
    pub fn blames_recipient(&self) -> bool {
        matches!(self, DeliverError::Permanent(_))
    }
}

impl Transport {
    /// The SMTP client of `smtp`, or the outbox folder. The password is read from the
    /// environment here, at the last moment, and is never logged.
    pub fn new(smtp: Option<&SmtpConfig>, outbox: &Path) -> Result<Transport, DeliverError> {
        let Some(smtp) = smtp else {
            clear_leftovers(outbox);
            return Ok(Transport::Outbox(outbox.to_owned()));
        };
        let fatal =
            |what: &str, e: &dyn std::fmt::Display| DeliverError::Fatal(format!("{what}: {e}"));
        let tls_parameters = match smtp.tls {
            Tls::None => None,
            Tls::Starttls | Tls::Tls => {
                let mut builder = TlsParameters::builder(smtp.host.clone());
                if let Some(ca) = &smtp.ca_file {
                    let pem = std::fs::read(ca).map_err(|source| DeliverError::Local {
                        what: format!("cannot read smtp.ca_file {}", ca.display()),
                        source,
                    })?;
                    let cert = Certificate::from_pem(&pem)
                        .map_err(|e| fatal(&format!("smtp.ca_file {}", ca.display()), &e))?;
                    builder = builder.add_root_certificate(cert);
                }
                Some(
                    builder
                        .build_rustls()
                        .map_err(|e| fatal("TLS set-up", &e))?,
                )
            }
        };
        let credentials = match (&smtp.username, &smtp.password_env) {
            (Some(user), Some(var)) => {
                let password = std::env::var(var).map_err(|_| {
                    DeliverError::Fatal(format!(
                        "smtp.password_env: the environment variable {var} is not set (it must hold the SMTP password)"
                    ))
                })?;
                Some(Credentials::new(user.clone(), password))
            }
            _ => None,
        };
        Ok(Transport::Smtp(Box::new(SmtpClient {
            host: smtp.host.clone(),
            port: smtp.port,
            server: format!("{}:{}", smtp.host, smtp.port),
            tls: smtp.tls,
            tls_parameters,
            credentials,
            login: smtp.username.clone().zip(smtp.password_env.clone()),
            timeout: Duration::from_secs(smtp.timeout_secs),
            hello: ClientId::default(),
            idle: std::sync::Mutex::new(Vec::new()),
        })))
    }

    /// Delivers one message; returns the server's reply (or the file written).
    pub async fn send(&self, message: &Message, file_stem: &str) -> Result<String, DeliverError> {
        match self {
            Transport::Smtp(client) => client.send(message).await,
            Transport::Outbox(dir) => {
                let id = message.headers().get_raw("Message-ID").unwrap_or_default();
                write_eml(dir, file_stem, id, &message.formatted())
                    .map(|written| written.to_string())
                    .map_err(|source| DeliverError::Local {
                        what: format!("cannot write to the outbox {}", dir.display()),
                        source,
                    })
            }
        }
    }

    /// Says goodbye on the connections left open; the messages are already delivered, so
    /// a server that does not answer QUIT changes nothing.
    pub async fn close(&self) {
        if let Transport::Smtp(client) = self {
            let idle = std::mem::take(&mut *client.idle());
            for (_, mut conn) in idle {
                let _ = tokio::time::timeout(client.timeout, conn.quit()).await;
            }
        }
    }
}

/// Idle longer than this, a connection is probed before use. Servers close idle
/// connections after tens of seconds at the soonest, so a busy run never probes.
const PROBE_AFTER: Duration = Duration::from_secs(2);

impl SmtpClient {
    /// The idle list; a panic elsewhere while holding it leaves only a list of
    /// connections, still usable.
    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<(Instant, AsyncSmtpConnection)>> {
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn send(&self, message: &Message) -> Result<String, DeliverError> {
        let exchange = async {
            let idle = self.idle().pop();
            let mut conn = match idle {
                // Within a burst, go straight on. After a pause, NOOP first: the
                // server may have closed a connection that sat idle.
                Some((since, conn)) if since.elapsed() < PROBE_AFTER => conn,
                Some((_, mut conn)) => match conn.test_connected().await {
                    true => conn,
                    false => self.connect().await?,
                },
                None => self.connect().await?,
            };
            let response = conn
                .send(message.envelope(), &message.formatted())
                .await
                .map_err(|e| match e.is_client() {
                    // Found before a byte is sent (an address this server cannot take,
                    // such as a non-ASCII one without SMTPUTF8): this recipient only.
                    true => DeliverError::Permanent(format!("{}: {e}", self.server)),
                    false => self.classify(&e),
                })?;
            if !conn.has_broken() {
                self.idle().push((Instant::now(), conn));
            }
            Ok(format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            ))
        };
        // On a timeout the exchange is dropped with its connection, which closes it: a
        // half-finished conversation is never reused.
        tokio::time::timeout(self.timeout, exchange)
            .await
            .unwrap_or_else(|_| {
                Err(DeliverError::Unavailable(format!(
                    "{}: timed out: no reply within smtp.timeout_secs = {}",
                    self.server,
                    self.timeout.as_secs()
                )))
            })
    }

    /// A new connection: TCP, EHLO, then STARTTLS or implicit TLS, then AUTH.
    async fn connect(&self) -> Result<AsyncSmtpConnection, DeliverError> {
        let lettre_err = |e: lettre::transport::smtp::Error| self.classify(&e);
        let mut conn = match (&self.tls, &self.tls_parameters) {
            (Tls::Tls, Some(tls)) => AsyncSmtpConnection::connect_tokio1(
                (self.host.as_str(), self.port),
                Some(self.timeout),
                &self.hello,
                Some(tls.clone()),
                None,
            )
            .await
            .map_err(lettre_err)?,
            _ => {
                let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                    .await
                    .map_err(|e| DeliverError::Unavailable(format!("{}: {e}", self.server)))?;
                // Only a latency hint: a socket without it still works, just slower.
                let _ = tcp.set_nodelay(true);
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                    .await
                    .map_err(lettre_err)?
            }
        };
        if let (Tls::Starttls, Some(tls)) = (&self.tls, &self.tls_parameters) {
            // Asked first: lettre's own refusal reads "internal client error".
            if !conn.server_info().supports_feature(Extension::StartTls) {
                return Err(DeliverError::Fatal(format!(
                    "the server at {} does not offer STARTTLS (smtp.tls = \"starttls\"): \
                     for implicit TLS (usually port 465) set smtp.tls = \"tls\", else check \
                     smtp.host and smtp.port",
                    self.server
                )));
            }
            conn.starttls(tls.clone(), &self.hello)
                .await
                .map_err(lettre_err)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(|e| match e.is_permanent() || e.is_client() {
                    // A 5xx to AUTH, or no mechanism both sides know: the login as
                    // configured will not work. A 454 or a dropped line may pass.
                    true => self.refused(&e),
                    false => self.classify(&e),
                })?;
        }
        Ok(conn)
    }

    fn classify(&self, e: &lettre::transport::smtp::Error) -> DeliverError {
        let text = format!("{}: {e}", self.server);
        let code = e.status().map(|c| c.to_string()).unwrap_or_default();
        if matches!(code.as_str(), "530" | "534" | "535" | "538") {
            self.refused(e)
        } else if e.is_tls() || caused_by_tls(e) {
            DeliverError::Fatal(format!(
                "{text} (TLS failed: check smtp.tls, the port and smtp.ca_file)"
            ))
        } else if e.is_client() {
            // What this server cannot do for us (no STARTTLS): no retry changes that.
            DeliverError::Fatal(format!("{text} (check smtp.tls and smtp.username)"))
        } else if e.is_permanent() {
            DeliverError::Permanent(text)
        } else if e.is_transient() {
            DeliverError::Transient(text)
        } else {
            // No SMTP reply at all: refused, dropped or timed-out connections.
            DeliverError::Unavailable(text)
        }
    }

    /// The one line a refused login is told in: which settings to fix, by name (the
    /// password's variable, never its value), and that nobody was marked failed.
    fn refused(&self, e: &lettre::transport::smtp::Error) -> DeliverError {
        let fix = match &self.login {
            Some((user, var)) => format!(
                "check [smtp] username = {user:?} and the password in the environment variable {var} ([smtp] password_env)"
            ),
            None => "the server wants a login: set [smtp] username and password_env".into(),
        };
        DeliverError::Auth(format!(
            "{}: authentication failed ({e}): {fix}; the run stopped, nobody is recorded as failed, and the next send after the fix sends to everyone not yet sent",
            self.server
        ))
    }
}

/// lettre reports a failed handshake as a connection error; the rustls error beneath
/// says it is a certificate or protocol problem that no retry will fix.
fn caused_by_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = e.source();
    while let Some(err) = source {
        // An io::Error hides what it wraps from `source()`: look inside it.
        let inner = err
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        if [Some(err), inner]
            .into_iter()
            .flatten()
            .any(|e| e.is::<rustls::Error>())
        {
            return true;
        }
        source = err.source();
    }
    false
}

/// Far longer than any write of a message takes, so a write in progress in another
/// process (a test copy beside the daemon's run) keeps its temporary file.
const LEFTOVER_AGE: Duration = Duration::from_secs(600);

/// Clears what interrupted outbox writes left behind. Only tidiness: a failure is worth
/// a warning, not a stop.
fn clear_leftovers(outbox: &Path) {
    match remove_stale_temps(outbox, LEFTOVER_AGE) {
        Ok(removed) => {
            for path in removed {
                tracing::info!("removed {}, left by an interrupted write", path.display());
            }
        }
        Err(e) => tracing::warn!(
            "cannot clear leftover temporary files in the outbox {}: {e}",
            outbox.display()
        ),
    }
}

/// Other names tried when a message's own name is taken, before giving up.
const SPARE_NAMES: u32 = 99;

/// Where a message went in the outbox.
enum Written {
    New(PathBuf),
    /// An earlier run wrote it and stopped before the ledger said so.
    Already(PathBuf),
}

impl std::fmt::Display for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Written::New(path) => write!(f, "written to {}", path.display()),
            Written::Already(path) => write!(
                f,
                "already in the outbox as {} (written by a run that stopped before recording it)",
                path.display()
            ),
        }
    }
}

/// Written whole and durably before the ledger says `delivered`, so neither a crash nor
/// a power cut leaves half a message, or none, for a mail pickup to send; and never over
/// another file, which would lose that message. A file of the same name that holds this
/// very message (same Message-ID: a run stopped between writing and recording it) is
/// this delivery, already done; any other file (a name that a case-insensitive file
/// system folds together) keeps its place and this message takes `STEM~2.eml`, `~3`, ...
fn write_eml(dir: &Path, stem: &str, message_id: &str, bytes: &[u8]) -> std::io::Result<Written> {
    for n in 1..=1 + SPARE_NAMES {
        let path = match n {
            1 => dir.join(format!("{stem}.eml")),
            n => dir.join(format!("{stem}~{n}.eml")),
        };
        match write_new(&path, bytes) {
            Ok(()) => return Ok(Written::New(path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if holds_message(&path, message_id)? {
                    return Ok(Written::Already(path));
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{stem}.eml and {SPARE_NAMES} other names for it hold other messages"),
    ))
}

/// Whether the message file at `path` has the Message-ID `id` (as lettre writes it, on
/// one line: an ID has no space to fold at).
fn holds_message(path: &Path, id: &str) -> std::io::Result<bool> {
    let raw = std::fs::read(path)?;
    let mut head = raw
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii_end)
        .take_while(|line| !line.is_empty());
    Ok(!id.is_empty()
        && head.any(|line| {
            line.strip_prefix(b"Message-ID:")
                .is_some_and(|value| value.trim_ascii() == id.as_bytes())
        }))
}

/// Identifies one briefing to one recipient, for the Message-ID and file names.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// `2025-09-07`, Korea time.
    pub date: &'a str,
    pub group: &'a str,
    pub to: &'a Mailbox,
    /// 0 for the briefing itself. A copy sent on purpose (`--force`, `--to`) counts up
    /// from 1 and gets an ID of its own: receiving servers that drop duplicates by ID
    /// would otherwise drop it.
    pub copy: u64,
}

impl Delivery<'_> {
    /// Stable across runs: the same briefing to the same person has the same ID, and a
    /// valid RFC 5322 msg-id in ASCII whatever the names, so that the resend of a message
    /// in doubt can carry it again. The group and the recipient enter through a hash of
    /// the exact group name and the address's key, not through their text: two groups
    /// whose names look alike, or are not ASCII at all (`아침 독자`), still get IDs of their
    /// own, and a deduplicating server drops neither. The group's ASCII letters stay in
    /// clear only for a person reading the headers.
    pub fn message_id(&self, from: &Mailbox) -> String {
        let copy = match self.copy {
            0 => String::new(),
            n => format!(".c{n}"),
        };
        let mut readable: String = self
            .group
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
            .collect();
        if !readable.is_empty() {
            readable.push('.');
        }
        let key = address_key(self.to.email.as_ref());
        format!(
            "<briefing.{}.{readable}{:016x}{copy}@{}>",
            self.date,
            fnv1a(self.group, &key),
            id_domain(from)
        )
    }

    /// `2025-09-07_morning_ceo@example.com`, `2025-09-07_morning_ceo@example.com_c3` for
    /// a copy sent on purpose: a name of its own for every briefing, recipient and copy.
    /// The group and the address are escaped so that no two share a name: `_` and every
    /// character other than a letter, a digit or one of `@.+-` become `%XX` (per UTF-8
    /// byte), which leaves `_` to separate the fields. A name that would be too long for
    /// a file system keeps its readable start and ends in `~` (escaped elsewhere) and a
    /// hash of the exact group and address.
    pub fn file_stem(&self) -> String {
        let address = self.to.email.as_ref();
        let mut fields = format!("{}_{}", escape(self.group), escape(address));
        if fields.len() > MAX_NAME_FIELDS {
            let mut cut = MAX_NAME_FIELDS;
            while !fields.is_char_boundary(cut) {
                cut -= 1;
            }
            fields.truncate(cut);
            fields.push_str(&format!("~{:016x}", fnv1a(self.group, address)));
        }
        let copy = match self.copy {
            0 => String::new(),
            n => format!("_c{n}"),
        };
        format!("{}_{fields}{copy}", self.date)
    }
}

/// Bytes of escaped group and address kept in a file name: with the date, the hash, a
/// copy number, a spare-name suffix and the temporary file's additions, the longest name
/// stays under the 255 bytes that common file systems allow.
const MAX_NAME_FIELDS: usize = 160;

/// The right part of a Message-ID: `mail.from`'s domain in ASCII (an internationalised
/// one punycoded), or `briefing.invalid` if that is no dot-atom (an address literal such
/// as `[192.0.2.1]`).
fn id_domain(from: &Mailbox) -> String {
    idna::domain_to_ascii(from.email.domain())
        .ok()
        .filter(|d| is_dot_atom(d))
        .unwrap_or_else(|| "briefing.invalid".to_owned())
}

/// RFC 5322 dot-atom-text: atoms of ASCII `atext`, joined by single dots.
fn is_dot_atom(s: &str) -> bool {
    s.split('.').all(|atom| {
        !atom.is_empty()
            && atom
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b))
    })
}

/// A group's briefing encoded for mail once. Every recipient's message shares these
/// parts: a long briefing is charset-scanned and transfer-encoded once per group, not
/// once per recipient.
pub struct Parts {
    subject: String,
    text: Body,
    html: Body,
}

impl Parts {
    pub fn new(rendered: &Rendered) -> Parts {
        Parts {
            subject: rendered.subject.clone(),
            text: Body::new(crlf(&rendered.text)),
            html: Body::new(crlf(&rendered.html)),
        }
    }
}

/// `text` with CRLF line ends, in one pass. lettre inserts each missing `\r` with
/// `String::insert`, which is quadratic in the size of the part: a text already in
/// CRLF leaves it nothing to do.
fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut last = '\0';
    for c in text.chars() {
        if c == '\n' && last != '\r' {
            out.push('\r');
        }
        out.push(c);
        last = c;
    }
    out
}

/// What every message of one group carries besides its parts: the headers that make a
/// briefing a list to mail programs (Gmail and Yahoo require them of bulk senders, and
/// show an unsubscribe button for them), the time zone of its `Date`, and the DKIM key.
pub struct Letterhead {
    group: String,
    /// `<morning.example.com>`.
    list_id: String,
    unsubscribe: Option<Mailbox>,
    /// `[web] base_url` and the key of its tokens.
    web: Option<(String, Vec<u8>)>,
    timezone: Tz,
    dkim: Option<DkimConfig>,
}

/// The headers the DKIM signature covers: what a forger would change to pass a message
/// off as the briefing (sender, subject, date), or to turn its unsubscribe link against
/// the reader.
const SIGNED: [&str; 8] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

impl Letterhead {
    /// The letterhead of `group`. The token key and the DKIM key are read here, at the
    /// start of a run, so that a missing one stops the run before the first message.
    pub fn new(config: &Config, group: &str) -> Result<Letterhead, DeliverError> {
        let web = match config.unsubscribe_links() {
            None => None,
            Some(web) => {
                let secret = std::env::var(&web.secret_env)
                    .ok()
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        DeliverError::Fatal(format!(
                            "web.secret_env: the environment variable {} is not set (it must hold the key of the unsubscribe tokens)",
                            web.secret_env
                        ))
                    })?;
                Some((web.base_url.clone(), secret.into_bytes()))
            }
        };
        let dkim = match &config.mail.dkim {
            None => None,
            Some(d) => {
                let key_text =
                    std::fs::read_to_string(&d.key_file).map_err(|source| DeliverError::Local {
                        what: format!("mail.dkim.key_file: cannot read {}", d.key_file.display()),
                        source,
                    })?;
                let (algorithm, name) = match d.algorithm {
                    DkimAlgorithm::Rsa => (DkimSigningAlgorithm::Rsa, "rsa"),
                    DkimAlgorithm::Ed25519 => (DkimSigningAlgorithm::Ed25519, "ed25519"),
                };
                let key = DkimSigningKey::new(key_text.trim(), algorithm).map_err(|e| {
                    DeliverError::Fatal(format!(
                        "mail.dkim.key_file: {} is not an {name} key ({e}; rsa wants PKCS#1 PEM, \"BEGIN RSA PRIVATE KEY\"; ed25519 the 32-byte seed in base64)",
                        d.key_file.display(),
                    ))
                })?;
                Some(DkimConfig::new(
                    d.selector.clone(),
                    d.domain.clone(),
                    key,
                    SIGNED
                        .iter()
                        .map(|h| HeaderName::new_from_ascii_str(h))
                        .collect(),
                    // Relaxed headers survive the refolding relays do.
                    DkimCanonicalization {
                        header: DkimCanonicalizationType::Relaxed,
                        body: DkimCanonicalizationType::Relaxed,
                    },
                ))
            }
        };
        Ok(Letterhead {
            group: group.to_owned(),
            list_id: list_id(group, &config.mail.from),
            unsubscribe: config.mail.unsubscribe.clone(),
            web,
            timezone: config.schedule.timezone,
            dkim,
        })
    }

    /// The one-click link for `address`: `BASE/unsubscribe?group=…&address=…&token=…`,
    /// where the token proves the link was ours, so that nobody can unsubscribe others
    /// by guessing links.
    fn unsubscribe_url(&self, address: &str) -> Option<String> {
        self.web.as_ref().map(|(base, secret)| {
            format!(
                "{base}/unsubscribe?group={}&address={}&token={}",
                percent(&self.group),
                percent(address),
                unsubscribe_token(secret, &self.group, address)
            )
        })
    }

    /// `List-Unsubscribe`: the mailto names the group and the address in its subject, so
    /// that whoever reads the requests knows what to run (`briefing unsubscribe`).
    fn list_unsubscribe(&self, address: &str) -> Option<String> {
        let mailto = self.unsubscribe.as_ref().map(|to| {
            let subject = format!("unsubscribe {} {address}", self.group);
            format!("<mailto:{}?subject={}>", to.email, percent(&subject))
        });
        let url = self.unsubscribe_url(address).map(|u| format!("<{u}>"));
        let both: Vec<String> = [mailto, url].into_iter().flatten().collect();
        (!both.is_empty()).then(|| both.join(", "))
    }
}

/// The unsubscribe link of `group`'s footer, the same for every recipient (the parts
/// are encoded once per group, not per recipient): the group's web page, where the
/// reader gives the address, or a mailto whose sender says who.
pub fn footer_link(config: &Config, group: &str) -> Option<String> {
    match (config.unsubscribe_links(), &config.mail.unsubscribe) {
        (Some(web), _) => Some(format!(
            "{}/unsubscribe?group={}",
            web.base_url,
            percent(group)
        )),
        (None, Some(to)) => Some(format!(
            "mailto:{}?subject={}",
            to.email,
            percent(&format!("unsubscribe {group}"))
        )),
        (None, None) => None,
    }
}

/// The briefing's own page in the archive (`crate::archive`), served by `run --listen`
/// at `[web] base_url`: the mail's "웹에서 보기".
pub fn archive_link(config: &Config, date: &str, group: &str) -> Option<String> {
    config
        .unsubscribe_links()
        .map(|web| format!("{}/archive/{date}/{}.html", web.base_url, percent(group)))
}

/// The key of one-click links: HMAC-SHA256 over the group (its length first, so that
/// no other pair of texts gives the same bytes) and the address's key, in hex. The web
/// endpoint recomputes it from the link's `group` and `address`.
pub fn unsubscribe_token(secret: &[u8], group: &str, address: &str) -> String {
    // An HMAC takes a key of any length.
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret)
        .expect("HMAC accepts keys of any length");
    mac.update(&(group.len() as u64).to_le_bytes());
    mac.update(group.as_bytes());
    mac.update(address_key(address).as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `List-Id` (RFC 2919): `<GROUP.DOMAIN>` in ASCII. A group name that is not lower-case
/// ASCII (`아침독자`, `News`) gets a hash of the exact name, as the Message-ID does, so
/// that two groups never share a List-Id and filters made for one never catch the other.
fn list_id(group: &str, from: &Mailbox) -> String {
    let plain = group
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let label = match plain {
        true => group.to_owned(),
        false => {
            let readable: String = group
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .map(|c| c.to_ascii_lowercase())
                .collect();
            format!("{readable}-{:016x}", fnv1a(group, ""))
                .trim_start_matches('-')
                .to_owned()
        }
    };
    format!("<{label}.{}>", id_domain(from))
}

/// RFC 3986 percent-encoding of everything but unreserved characters, for URL query
/// values, path segments and mailto subjects.
pub fn percent(s: &str) -> String {
    percent_encode(s, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
    })
}

/// `s` with every character `keep` refuses written as `%XX` per UTF-8 byte: the one
/// encoder of URLs ([`percent`]) and of file and ID parts (`escape`).
fn percent_encode(s: &str, keep: fn(char) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else {
            for b in c.encode_utf8(&mut [0; 4]).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// The message for one recipient: text and HTML alternatives of the same briefing, with
/// the list headers of `head`, dated `now` in the config's time zone, signed last.
pub fn compose(
    from: &Mailbox,
    to: &Mailbox,
    message_id: String,
    parts: &Parts,
    head: &Letterhead,
    now: DateTime<Utc>,
) -> Result<Message, DeliverError> {
    let part =
        |kind: ContentType, body: &Body| SinglePart::builder().header(kind).body(body.clone());
    let raw = |name: &'static str, value: String| {
        HeaderValue::new(HeaderName::new_from_ascii_str(name), value)
    };
    let address = to.email.to_string();
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to.clone())
        .raw_header(subject(&parts.subject))
        .message_id(Some(message_id))
        .user_agent(concat!("briefing/", env!("CARGO_PKG_VERSION")).to_owned())
        .raw_header(raw("List-Id", head.list_id.clone()))
        .raw_header(raw("Auto-Submitted", "auto-generated".into()))
        .raw_header(raw("Content-Language", "ko".into()));
    if let Some(value) = head.list_unsubscribe(&address) {
        builder = builder.raw_header(raw("List-Unsubscribe", value));
    }
    if head.web.is_some() {
        // One-click (RFC 8058) only with an https link: a mailto cannot take a POST.
        builder = builder.raw_header(raw(
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click".into(),
        ));
    }
    let mut message = builder
        .multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, &parts.text))
                .singlepart(part(ContentType::TEXT_HTML, &parts.html)),
        )
        .map_err(|e| DeliverError::Fatal(format!("cannot build the message to {to}: {e}")))?;
    // lettre's own Date is always UTC; readers in Korea see the time they expect.
    let date = now.with_timezone(&head.timezone).to_rfc2822();
    message.headers_mut().insert_raw(raw("Date", date));
    if let Some(dkim) = &head.dkim {
        dkim_sign(&mut message, dkim);
    }
    Ok(message)
}

/// The `Subject` header, in EUC-KR when every character has a place in it (CP949, as
/// Korean mail has long been sent and every mail client reads), else in UTF-8 as lettre
/// writes it. SpamAssassin's `SUBJ_ALL_CAPS` reads a subject whose Latin letters are
/// all capitals as shouting, and a Korean headline's only Latin letters are acronyms
/// (`AI`, `SK`); the rule skips CJK charsets, knowing it misreads them, but not UTF-8.
fn subject(text: &str) -> HeaderValue {
    let name = HeaderName::new_from_ascii_str("Subject");
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(text);
    if unmappable || text.is_ascii() {
        return HeaderValue::new(name, text.to_owned());
    }
    // Encoded words of at most 42 bytes (56 base64 characters): with `=?euc-kr?B?`
    // and `?=` each line stays under 78 columns. A character is 1 byte (ASCII) or 2, and
    // is never cut between two words.
    let mut words = Vec::new();
    let (mut start, mut len) = (0, 0);
    for c in text.chars() {
        let n = if c.is_ascii() { 1 } else { 2 };
        if len + n > SUBJECT_WORD_BYTES {
            words.push(&bytes[start..start + len]);
            start += len;
            len = 0;
        }
        len += n;
    }
    words.push(&bytes[start..start + len]);
    let encoded: Vec<String> = words
        .iter()
        .map(|w| format!("=?euc-kr?B?{}?=", BASE64.encode(w)))
        .collect();
    // Only base64 and the encoded-word marks: nothing a subject holds can end the line.
    HeaderValue::dangerous_new_pre_encoded(name, text.to_owned(), encoded.join("\r\n "))
}

/// Bytes of one encoded word of [`subject`].
const SUBJECT_WORD_BYTES: usize = 42;

/// `s` with every character other than a letter (of any script), a digit or one of
/// `@.+-` percent-encoded: a file name or an ID part that stays readable in Korean. `%`
/// itself is escaped, so different texts stay different.
fn escape(s: &str) -> String {
    percent_encode(s, |c| {
        c.is_alphanumeric() || matches!(c, '@' | '.' | '+' | '-')
    })
}

/// A fixed hash of a group name and an address, unlike std's randomised one, so IDs
/// survive restarts. The group's length goes first, so that no other pair of texts
/// hashes the same bytes.
fn fnv1a(group: &str, address: &str) -> u64 {
    let len = (group.len() as u64).to_le_bytes();
    [&len[..], group.as_bytes(), address.as_bytes()]
        .concat()
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered() -> Rendered {
        Rendered {
            subject: "[아침 브리핑] 2025년 9월 7일 (일)".into(),
            text: "1. 제목\n   - 핵심 문장이다.\n".into(),
            html: "<p>1. 제목</p>".into(),
            items: 1,
            newest: None,
        }
    }

    fn message<'a>(from: &Mailbox, group: &'a str, to: &'a Mailbox) -> (Delivery<'a>, Message) {
        let d = Delivery {
            date: "2025-09-07",
            group,
            to,
            copy: 0,
        };
        let m = compose(
            from,
            to,
            d.message_id(from),
            &Parts::new(&rendered()),
            &letterhead("", group),
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        (d, m)
    }

    /// The letterhead of `group` under a config with `extra` in its `[mail]` table and
    /// after it.
    fn letterhead(extra: &str, group: &str) -> Letterhead {
        let text = format!(
            "[source]\nlocation = \"d.txt\"\n[mail]\nfrom = \"아침 브리핑 <briefing@example.com>\"\n{extra}\n[groups.morning]\nrecipients = [\"ceo@example.com\"]\n"
        );
        let config = Config::parse(&text, Path::new("/tmp/config.toml")).unwrap();
        Letterhead::new(&config, group).unwrap()
    }

    fn morning_message<'a>(from: &Mailbox, to: &'a Mailbox) -> (Delivery<'a>, Message) {
        message(from, "morning", to)
    }

    #[test]
    fn crlf_ends_every_line_once_and_keeps_the_text() {
        assert_eq!(
            crlf("첫 줄\n둘째 줄\r\n셋째\n"),
            "첫 줄\r\n둘째 줄\r\n셋째\r\n"
        );
        assert_eq!(crlf("\n\n"), "\r\n\r\n");
        assert_eq!(crlf("줄 끝 없음"), "줄 끝 없음");
        let long = "기사 한 줄이다.\n".repeat(20_000);
        assert_eq!(crlf(&long), "기사 한 줄이다.\r\n".repeat(20_000));
    }

    #[test]
    fn message_ids_are_stable_and_distinct_per_recipient() {
        let from: Mailbox = "아침 브리핑 <briefing@example.com>".parse().unwrap();
        let a: Mailbox = "김하늘 <CEO@example.com>".parse().unwrap();
        let b: Mailbox = "cfo@example.com".parse().unwrap();
        let d = |to| Delivery {
            date: "2025-09-07",
            group: "morning",
            to,
            copy: 0,
        };
        assert_eq!(d(&a).message_id(&from), d(&a).message_id(&from));
        assert_ne!(d(&a).message_id(&from), d(&b).message_id(&from));
        let resent = Delivery { copy: 2, ..d(&a) };
        assert_ne!(resent.message_id(&from), d(&a).message_id(&from));
        assert_eq!(resent.file_stem(), "2025-09-07_morning_CEO@example.com_c2");
        assert!(d(&b).message_id(&from).ends_with("@example.com>"));
        assert_eq!(d(&b).file_stem(), "2025-09-07_morning_cfo@example.com");
    }

    /// The Message-ID of a real message, as it appears in its header.
    fn header_id(from: &Mailbox, group: &str, to: &Mailbox) -> String {
        let (_, m) = message(from, group, to);
        let raw = String::from_utf8(m.formatted()).unwrap();
        let line = raw.lines().find(|l| l.starts_with("Message-ID: ")).unwrap();
        line["Message-ID: ".len()..].to_owned()
    }

    /// `<id-left@id-right>`, both dot-atom-text (RFC 5322 §3.6.4), in ASCII.
    fn is_valid_msg_id(id: &str) -> bool {
        id.strip_prefix('<')
            .and_then(|id| id.strip_suffix('>'))
            .and_then(|id| id.split_once('@'))
            .is_some_and(|(left, right)| is_dot_atom(left) && is_dot_atom(right))
    }

    #[test]
    fn list_ids_are_ascii_dot_atoms_and_distinct_for_distinct_groups() {
        let from: Mailbox = "아침 브리핑 <briefing@예시.한국>".parse().unwrap();
        assert_eq!(
            list_id("morning", &from),
            "<morning.xn--vv4b11d.xn--3e0b707e>"
        );
        let ids: std::collections::BTreeSet<String> =
            ["news", "News", "아침독자", "아침_독자", "news_kr"]
                .iter()
                .map(|g| list_id(g, &from))
                .collect();
        assert_eq!(ids.len(), 5, "{ids:?}");
        for id in &ids {
            let inner = id
                .strip_prefix('<')
                .and_then(|i| i.strip_suffix('>'))
                .unwrap();
            assert!(is_dot_atom(inner) && inner.is_ascii(), "{id}");
        }
        assert_eq!(
            percent("unsubscribe 아침 a+b@x.com"),
            "unsubscribe%20%EC%95%84%EC%B9%A8%20a%2Bb%40x.com"
        );
    }

    #[test]
    fn dot_atoms() {
        for ok in ["briefing.2025-09-07.a_b.c1", "x", "mail_x.example.com"] {
            assert!(is_dot_atom(ok), "{ok}");
        }
        for bad in ["", ".a", "a..b", "a.", "a b", "[192.0.2.1]", "아침", "a@b"] {
            assert!(!is_dot_atom(bad), "{bad}");
        }
    }

    #[test]
    fn message_ids_are_ascii_and_distinct_whatever_the_names() {
        let from: Mailbox = "아침 브리핑 <briefing@example.com>".parse().unwrap();
        let to: Mailbox = "김하늘 <ceo@example.com>".parse().unwrap();
        let korean = header_id(&from, "아침 독자", &to);
        assert!(is_valid_msg_id(&korean), "{korean}");
        assert!(!korean.contains("=?"), "{korean}");
        assert!(korean.starts_with("<briefing.2025-09-07."), "{korean}");
        // Names that a lossy mapping folds into one text keep IDs of their own.
        let groups = [
            "news kr",
            "news_kr",
            "news/kr",
            "news.kr",
            "아침 독자",
            "아침_독자",
        ];
        let ids: std::collections::BTreeSet<String> =
            groups.iter().map(|g| header_id(&from, g, &to)).collect();
        assert_eq!(ids.len(), groups.len(), "{ids:?}");
        assert!(ids.iter().all(|id| is_valid_msg_id(id)), "{ids:?}");
        // The local part is exact (Ä@ and ä@ are two mailboxes); the domain's case is not.
        let id = |addr: &str| header_id(&from, "morning", &addr.parse().unwrap());
        assert_ne!(id("Ä@example.com"), id("ä@example.com"));
        assert_eq!(id("CEO@EXAMPLE.com"), id("CEO@example.com"));
        assert!(is_valid_msg_id(&id("Ä@example.com")));
    }

    #[test]
    fn an_internationalised_sender_domain_gives_an_ascii_id() {
        let to: Mailbox = "ceo@example.com".parse().unwrap();
        let korean: Mailbox = "아침 브리핑 <briefing@예시.한국>".parse().unwrap();
        let id = header_id(&korean, "morning", &to);
        assert!(id.ends_with("@xn--vv4b11d.xn--3e0b707e>"), "{id}");
        assert!(is_valid_msg_id(&id), "{id}");
        // lettre composes no message from an address literal, but the ID must not
        // depend on that.
        let literal = Mailbox::new(None, "briefing@[192.0.2.1]".parse().unwrap());
        let d = Delivery {
            date: "2025-09-07",
            group: "morning",
            to: &to,
            copy: 0,
        };
        let id = d.message_id(&literal);
        assert!(id.ends_with("@briefing.invalid>"), "{id}");
        assert!(is_valid_msg_id(&id), "{id}");
    }

    #[test]
    fn file_stems_are_distinct_for_distinct_groups_and_addresses() {
        let addresses = [
            "a=b@example.com",
            "a/b@example.com",
            "a_b@example.com",
            "a#b@example.com",
            "a%5Fb@example.com",
            "Ä@example.com",
            "ä@example.com",
        ];
        let groups = [
            "news kr",
            "news/kr",
            "news_kr",
            "news%20kr",
            "아침 독자",
            "..",
            "",
        ];
        let mut stems = std::collections::BTreeSet::new();
        let mut count = 0;
        for group in groups {
            for address in addresses {
                let to: Mailbox = address.parse().unwrap();
                for copy in [0, 1, 12] {
                    let d = Delivery {
                        date: "2025-09-07",
                        group,
                        to: &to,
                        copy,
                    };
                    let stem = d.file_stem();
                    assert!(!stem.contains('/'), "{stem}");
                    stems.insert(stem);
                    count += 1;
                }
            }
        }
        assert_eq!(stems.len(), count, "{stems:?}");
        let to: Mailbox = "a/b@example.com".parse().unwrap();
        let d = Delivery {
            date: "2025-09-07",
            group: "news kr",
            to: &to,
            copy: 0,
        };
        assert_eq!(d.file_stem(), "2025-09-07_news%20kr_a%2Fb@example.com");
    }

    #[test]
    fn a_name_too_long_for_a_file_is_cut_at_a_character_and_stays_distinct() {
        // The addresses differ only past the cut, which falls inside a Hangul character.
        let group = "가".repeat(60);
        let a: Mailbox = "a@example.com".parse().unwrap();
        let b: Mailbox = "b@example.com".parse().unwrap();
        let stem = |to| {
            Delivery {
                date: "2025-09-07",
                group: &group,
                to,
                copy: 7,
            }
            .file_stem()
        };
        let (sa, sb) = (stem(&a), stem(&b));
        assert_ne!(sa, sb);
        // With ".eml" and the temporary file's additions, still under 255 bytes.
        assert!(sa.len() + 40 < 255, "{} bytes: {sa}", sa.len());
        assert!(sa.ends_with("_c7"), "{sa}");
    }

    #[test]
    fn composes_multipart_alternative_with_an_encoded_korean_subject() {
        let from: Mailbox = "아침 브리핑 <briefing@example.com>".parse().unwrap();
        let to: Mailbox = "김하늘 <ceo@example.com>".parse().unwrap();
        let (_, m) = morning_message(&from, &to);
        let raw = String::from_utf8(m.formatted()).unwrap();
        // Korean in EUC-KR, which SpamAssassin's all-caps check knows to skip.
        assert!(raw.contains("Subject: =?euc-kr?B?"), "{raw}");
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("Message-ID: <briefing.2025-09-07.morning."));
        assert!(!raw.contains("cfo@"), "only the one recipient");
    }

    #[tokio::test]
    async fn the_outbox_gets_one_file_per_delivery() {
        let dir = tempfile::tempdir().unwrap();
        let t = Transport::new(None, dir.path()).unwrap();
        let from: Mailbox = "briefing@example.com".parse().unwrap();
        let to: Mailbox = "cfo@example.com".parse().unwrap();
        let (d, m) = morning_message(&from, &to);
        let reply = t.send(&m, &d.file_stem()).await.unwrap();
        assert!(reply.starts_with("written to "));
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(files, ["2025-09-07_morning_cfo@example.com.eml"]);

        // The same message again (a run stopped before recording it): already there.
        let again = t.send(&m, &d.file_stem()).await.unwrap();
        assert!(again.starts_with("already in the outbox as "), "{again}");
        // Another message under a taken name keeps both.
        let other = Delivery { copy: 3, ..d };
        let m3 = compose(
            &from,
            &to,
            other.message_id(&from),
            &Parts::new(&rendered()),
            &letterhead("", "morning"),
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        let reply = t.send(&m3, &d.file_stem()).await.unwrap();
        assert!(reply.ends_with("cfo@example.com~2.eml"), "{reply}");
        let first = std::fs::read(dir.path().join("2025-09-07_morning_cfo@example.com.eml"));
        assert_eq!(first.unwrap(), m.formatted(), "the first file is untouched");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_missing_password_variable_is_a_clear_error() {
        let smtp = SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            tls: Tls::None,
            username: Some("u".into()),
            password_env: Some("BRIEFING_TEST_SURELY_UNSET".into()),
            timeout_secs: 5,
            ca_file: None,
            retries: 0,
            retry_delay_ms: 0,
            connections: 1,
        };
        let err = Transport::new(Some(&smtp), Path::new("x"))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("BRIEFING_TEST_SURELY_UNSET is not set"),
            "{err}"
        );
    }
}
