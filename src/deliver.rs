//! Messages and the transports that carry them: SMTP with lettre, or an outbox folder.
//!
//! Every recipient gets a message of their own, so nobody sees another address and one
//! refused recipient cannot abort the others' transaction. Each message carries a
//! `Message-ID` derived from (briefing date, group, recipient): a message resent after
//! a crash has the same ID, so receiving servers can drop the duplicate.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;

use crate::config::{SmtpConfig, Tls};
use crate::digest::Rendered;
use crate::durable::write_atomically;

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
    /// Nothing will get through with this configuration (AUTH, TLS, bad setup): stop.
    #[error("{0}")]
    Fatal(String),
}

/// Where messages go.
pub enum Transport {
    Smtp(SmtpClient),
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
    timeout: Duration,
    hello: ClientId,
    /// Connections that finished their last exchange cleanly, ready for the next one.
    idle: std::sync::Mutex<Vec<(Instant, AsyncSmtpConnection)>>,
}

impl DeliverError {
    /// Worth another try after a pause.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            DeliverError::Transient(_) | DeliverError::Unavailable(_)
        )
    }

    /// Once retries are spent, nothing else will get through either.
    pub fn stops_run(&self) -> bool {
        matches!(self, DeliverError::Fatal(_) | DeliverError::Unavailable(_))
    }
}

impl Transport {
    /// The SMTP client of `smtp`, or the outbox folder. The password is read from the
    /// environment here, at the last moment, and is never logged.
    pub fn new(smtp: Option<&SmtpConfig>, outbox: &Path) -> Result<Transport, DeliverError> {
        let Some(smtp) = smtp else {
            return Ok(Transport::Outbox(outbox.to_owned()));
        };
        let fatal =
            |what: &str, e: &dyn std::fmt::Display| DeliverError::Fatal(format!("{what}: {e}"));
        let tls_parameters = match smtp.tls {
            Tls::None => None,
            Tls::Starttls | Tls::Tls => {
                let mut builder = TlsParameters::builder(smtp.host.clone());
                if let Some(ca) = &smtp.ca_file {
                    let pem = std::fs::read(ca).map_err(|e| {
                        fatal(&format!("cannot read smtp.ca_file {}", ca.display()), &e)
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
        Ok(Transport::Smtp(SmtpClient {
            host: smtp.host.clone(),
            port: smtp.port,
            server: format!("{}:{}", smtp.host, smtp.port),
            tls: smtp.tls,
            tls_parameters,
            credentials,
            timeout: Duration::from_secs(smtp.timeout_secs),
            hello: ClientId::default(),
            idle: std::sync::Mutex::new(Vec::new()),
        }))
    }

    /// Delivers one message; returns the server's reply (or the file written).
    pub async fn send(&self, message: &Message, file_stem: &str) -> Result<String, DeliverError> {
        match self {
            Transport::Smtp(client) => client.send(message).await,
            Transport::Outbox(dir) => write_eml(dir, file_stem, &message.formatted())
                .map(|path| format!("written to {}", path.display()))
                .map_err(|e| {
                    DeliverError::Fatal(format!(
                        "cannot write to the outbox {}: {e}",
                        dir.display()
                    ))
                }),
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
                    false => classify(&e, &self.server),
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
        let lettre_err = |e: lettre::transport::smtp::Error| classify(&e, &self.server);
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
            conn.starttls(tls.clone(), &self.hello)
                .await
                .map_err(lettre_err)?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(lettre_err)?;
        }
        Ok(conn)
    }
}

fn classify(e: &lettre::transport::smtp::Error, server: &str) -> DeliverError {
    let text = format!("{server}: {e}");
    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
    if matches!(code.as_str(), "530" | "534" | "535" | "538") {
        DeliverError::Fatal(format!(
            "{text} (authentication failed: check smtp.username and the password variable)"
        ))
    } else if e.is_tls() || caused_by_tls(e) {
        DeliverError::Fatal(format!(
            "{text} (TLS failed: check smtp.tls, the port and smtp.ca_file)"
        ))
    } else if e.is_client() {
        // What this server cannot do for us (no STARTTLS, no usable AUTH mechanism):
        // no retry changes that.
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

/// Written whole and durably before the ledger says `delivered`, so neither a crash nor
/// a power cut leaves half a message, or none, for a mail pickup to send.
fn write_eml(dir: &Path, stem: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("{stem}.eml"));
    write_atomically(&path, bytes)?;
    Ok(path)
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
    /// Stable across runs: the same briefing to the same person has the same ID.
    pub fn message_id(&self, from: &Mailbox) -> String {
        let copy = match self.copy {
            0 => String::new(),
            n => format!(".c{n}"),
        };
        format!(
            "<briefing.{}.{}.{:016x}{copy}@{}>",
            self.date,
            safe(self.group),
            fnv1a(self.to.email.to_string().to_lowercase().as_bytes()),
            from.email.domain()
        )
    }

    /// `2025-09-07_morning_ceo@example.com`: one file per briefing and recipient.
    pub fn file_stem(&self) -> String {
        format!(
            "{}_{}_{}",
            self.date,
            safe(self.group),
            safe(self.to.email.as_ref())
        )
    }
}

/// The message for one recipient: text and HTML alternatives of the same briefing.
pub fn compose(
    from: &Mailbox,
    to: &Mailbox,
    message_id: String,
    rendered: &Rendered,
    now: SystemTime,
) -> Result<Message, DeliverError> {
    Message::builder()
        .from(from.clone())
        .to(to.clone())
        .subject(rendered.subject.clone())
        .date(now)
        .message_id(Some(message_id))
        .user_agent(concat!("briefing/", env!("CARGO_PKG_VERSION")).to_owned())
        .multipart(MultiPart::alternative_plain_html(
            rendered.text.clone(),
            rendered.html.clone(),
        ))
        .map_err(|e| DeliverError::Fatal(format!("cannot build the message to {to}: {e}")))
}

fn safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '@' | '.' | '-' | '+') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A fixed hash, unlike std's randomised one, so IDs survive restarts.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
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

    fn morning_message<'a>(from: &Mailbox, to: &'a Mailbox) -> (Delivery<'a>, Message) {
        let d = Delivery {
            date: "2025-09-07",
            group: "morning",
            to,
            copy: 0,
        };
        let m = compose(
            from,
            to,
            d.message_id(from),
            &rendered(),
            SystemTime::UNIX_EPOCH,
        )
        .unwrap();
        (d, m)
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
        assert_eq!(resent.file_stem(), d(&a).file_stem());
        assert!(d(&b).message_id(&from).ends_with("@example.com>"));
        assert_eq!(d(&b).file_stem(), "2025-09-07_morning_cfo@example.com");
    }

    #[test]
    fn composes_multipart_alternative_with_an_encoded_korean_subject() {
        let from: Mailbox = "아침 브리핑 <briefing@example.com>".parse().unwrap();
        let to: Mailbox = "김하늘 <ceo@example.com>".parse().unwrap();
        let (_, m) = morning_message(&from, &to);
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(raw.contains("Subject: =?utf-8?"), "{raw}");
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
