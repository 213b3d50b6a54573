//! Getting the newest dump: a file, the newest dump in a folder, or an `http(s)` URL.
//!
//! Everything is read as bytes and decoded here, because dumps arrive as UTF-8 or as
//! EUC-KR/CP949 and servers do not always say which (reqwest's `.text()` trusts only
//! the HTTP header). A feed or JSON lines not in UTF-8 are read in the charset they
//! are labelled with (`decode_source`); a dump, which never carries a label, is not.
//!
//! Over HTTP the last good dump is kept in the state folder with its ETag and
//! Last-Modified (`src/fetch/cache.rs`); the next fetch sends them back (`If-None-Match`,
//! `If-Modified-Since`) and a `304 Not Modified` reuses the kept copy. If that copy is
//! missing or damaged when the server says `304`, the dump is fetched once more
//! without validators: the server's "unchanged" is only as good as our copy.
//!
//! [`check_age`] refuses a stale dump (`[source] max_age`).
//!
//! A URL may carry credentials (`http://user:secret@host/dump`), or they come from
//! `[source] username` and `password_env`. Only [`redact`]ed URLs reach a message, the
//! report or the kept copy's metadata: a briefing's log is read and mailed around.

mod cache;

use std::fs::Metadata;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use encoding_rs::{Encoding, EUC_KR, UTF_16BE, UTF_16LE};
use reqwest::header::{CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use reqwest::StatusCode;

use crate::config::{format_duration, Format, SourceConfig};
use crate::dump::Article;
use crate::report::{redact, userinfo};
use crate::retry::backoff;
use cache::{Cache, Validators};

/// A dump as text, with where it came from.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The path or URL, for messages; a URL's credentials are redacted ([`redact`]).
    pub origin: String,
    pub text: String,
    /// The encoding the bytes were in.
    pub encoding: &'static str,
    /// When the source last changed it: the file's modification time or the HTTP
    /// `Last-Modified`. Only a fallback for [`check_age`].
    pub modified: Option<DateTime<Utc>>,
}

/// Why no dump could be had. Every URL in it is [`redact`]ed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a regular file ({kind}); a dump must be a file", path.display())]
    NotAFile { path: PathBuf, kind: &'static str },
    #[error("no dump matching {pattern} in {} (source.pattern)", path.display())]
    NoMatch { path: PathBuf, pattern: String },
    #[error("{origin}: larger than the limit of {limit} bytes (source.max_bytes)")]
    TooLarge { origin: String, limit: u64 },
    #[error("{url}: the server answered {status}")]
    Status {
        url: String,
        status: reqwest::StatusCode,
    },
    #[error("{url}: {what}: {source}")]
    Request {
        url: String,
        what: &'static str,
        source: reqwest::Error,
    },
    #[error("{origin}: {problem}")]
    Credentials { origin: String, problem: String },
    #[error(
        "{origin}: neither UTF-8 nor EUC-KR/CP949 text (undecodable bytes near byte {offset})"
    )]
    Undecodable { origin: String, offset: usize },
    #[error("{origin}: the dump is {age} old ({since}), more than source.max_age = {max_age}; no briefing is built from it")]
    TooOld {
        origin: String,
        age: String,
        /// What the age was measured from.
        since: String,
        max_age: String,
    },
}

impl FetchError {
    /// A retry may help: the server or the network may recover within minutes. Such are a
    /// refused or dropped connection, a timeout, a body cut short, a 5xx and a 429;
    /// anything else (another 4xx, a bad URL, too big, undecodable, no such file, not
    /// a file, no credentials) would fail the same way again.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => {
                status.is_server_error() || *status == reqwest::StatusCode::TOO_MANY_REQUESTS
            }
            // reqwest nests its errors: a body cut short by the server is a `Decode`
            // error around a `Body` one, so the whole chain is looked at.
            FetchError::Request { source, .. } => {
                std::iter::successors(Some(source as &(dyn std::error::Error + 'static)), |e| {
                    e.source()
                })
                .filter_map(|e| e.downcast_ref::<reqwest::Error>())
                .any(|e| e.is_timeout() || e.is_connect() || e.is_request() || e.is_body())
            }
            _ => false,
        }
    }
}

/// Fetches the dump at `location` (a file, a folder or a URL) and decodes it.
pub async fn fetch(location: &str, cfg: &SourceConfig) -> Result<Fetched, FetchError> {
    if location.starts_with("http://") || location.starts_with("https://") {
        return fetch_url(location, cfg).await;
    }
    let path = Path::new(location);
    let path = if path.is_dir() {
        newest_dump(path, &cfg.pattern)?
    } else {
        path.to_owned()
    };
    let (bytes, meta) = read_file(&path, cfg.max_bytes)?;
    let modified = meta.modified().ok().map(DateTime::<Utc>::from);
    Ok(Fetched {
        modified,
        ..decode_source(&bytes, &path.display().to_string(), cfg, None)?
    })
}

/// Refuses a dump older than `[source] max_age` (when set) at `now`.
///
/// The age is that of the newest article's time stamp (Korea time, as the dump gives
/// it): it says how old the news is, and it survives copying, caching and re-uploads
/// that reset a file's mtime or a server's `Last-Modified`. Only a dump without any
/// time stamp (an empty news day, a titles-only dump) falls back to `modified`; with
/// neither, the age is unknown and the dump is let through with a warning.
pub fn check_age(
    fetched: &Fetched,
    articles: &[Article],
    cfg: &SourceConfig,
    now: DateTime<Utc>,
) -> Result<(), FetchError> {
    let Some(max_age) = cfg.max_age else {
        return Ok(());
    };
    let newest = articles.iter().filter_map(|a| a.published_at).max();
    let (at, since) = match (newest, fetched.modified) {
        (Some(t), _) => (
            t.with_timezone(&Utc),
            format!("newest article {}", t.format("%Y-%m-%d %H:%M:%S %:z")),
        ),
        (None, Some(t)) => (
            t,
            format!(
                "no article time stamp; last modified {}",
                t.format("%Y-%m-%d %H:%M:%S UTC")
            ),
        ),
        (None, None) => {
            tracing::warn!(
                "{}: no article time stamp and no modification time: its age is unknown, source.max_age not applied",
                fetched.origin
            );
            return Ok(());
        }
    };
    match (now - at).to_std() {
        Ok(age) if age > max_age => Err(FetchError::TooOld {
            origin: fetched.origin.clone(),
            age: format_duration(age),
            since,
            max_age: format_duration(max_age),
        }),
        _ => Ok(()),
    }
}

/// Reads the regular file at `path`, of at most `limit` bytes, with its metadata.
///
/// The type is checked before the file is opened: `open` of a FIFO waits for a writer,
/// forever if none comes, and a device or a socket is no dump either.
fn read_file(path: &Path, limit: u64) -> Result<(Vec<u8>, Metadata), FetchError> {
    let io = |source| FetchError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(FetchError::NotAFile {
            path: path.to_owned(),
            kind: file_kind(meta.file_type()),
        });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // Sized to the file: grown by doubling as it is read, a dump's buffer would be up to
    // twice its size, beside the text decoded from it.
    let size = usize::try_from(meta.len().min(limit)).unwrap_or(0);
    let mut bytes = Vec::with_capacity(size.saturating_add(1));
    // Read one byte past the limit to tell "exactly at" from "over".
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(FetchError::TooLarge {
            origin: path.display().to_string(),
            limit,
        });
    }
    Ok((bytes, meta))
}

/// What a file that is not a regular file is, for the message that refuses it.
fn file_kind(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// The newest dump in `dir` among the names matching `pattern`: by the date in its
/// file name (`dump-2025-09-07.txt`, `20250907.txt`), which survives copying, else by
/// modification time. A file still being written is never taken (`in_progress`).
/// A non-regular file that wins is refused when it is read, not passed over: skipping
/// today's dump would quietly send yesterday's.
pub fn newest_dump(dir: &Path, pattern: &str) -> Result<PathBuf, FetchError> {
    let io = |source| FetchError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut best: Option<(Option<String>, SystemTime, PathBuf)> = None;
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if in_progress(&name) || !glob_matches(pattern, &name) {
            continue;
        }
        // Follows a symlink, as reading it will. A file that cannot be looked at
        // counts as oldest; if it still wins, reading it names the problem.
        let modified = std::fs::metadata(entry.path())
            .and_then(|m| m.modified())
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let key = (date_in_name(&name), modified, entry.path());
        if best.as_ref().is_none_or(|b| key > *b) {
            best = Some(key);
        }
    }
    best.map(|(_, _, path)| path)
        .ok_or_else(|| FetchError::NoMatch {
            path: dir.to_owned(),
            pattern: pattern.to_owned(),
        })
}

/// A name that downloaders, editors and our own atomic writes give a file while it is
/// incomplete: a download in progress must not become the day's briefing, whatever
/// `[source] pattern` says.
fn in_progress(name: &str) -> bool {
    const SUFFIXES: [&str; 4] = [".part", ".partial", ".tmp", ".crdownload"];
    let lower = name.to_lowercase();
    name.starts_with('.') || name.ends_with('~') || SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// Whether `name` matches the glob `pattern`: `*` is any run of characters, `?` one
/// character (a Korean syllable is one), everything else itself.
fn glob_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    // The classic one-star backtrack: linear in practice, no recursion.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        match p.get(i) {
            Some('*') => {
                star = Some((i, j));
                i += 1;
            }
            Some(&c) if c == '?' || c == n[j] => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((si, sj)) => {
                    i = si + 1;
                    j = sj + 1;
                    star = Some((si, sj + 1));
                }
                None => return false,
            },
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// `YYYYMMDD` from the first `YYYY-MM-DD`, `YYYY_MM_DD` or `YYYYMMDD` in a file name.
fn date_in_name(name: &str) -> Option<String> {
    let b = name.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    (0..b.len()).find_map(|i| {
        let w = &b[i..];
        let starts_run = i == 0 || !b[i - 1].is_ascii_digit();
        if !starts_run {
            return None;
        }
        if w.len() >= 10
            && digits(&w[..4])
            && digits(&w[5..7])
            && digits(&w[8..10])
            && w[4] == w[7]
            && matches!(w[4], b'-' | b'_' | b'.')
            && w.get(10).is_none_or(|c| !c.is_ascii_digit())
        {
            return Some(format!(
                "{}{}{}",
                &name[i..i + 4],
                &name[i + 5..i + 7],
                &name[i + 8..i + 10]
            ));
        }
        if w.len() >= 8
            && digits(&w[..8])
            && w.get(8).is_none_or(|c| !c.is_ascii_digit())
            && (w[0] == b'1' || w[0] == b'2')
        {
            return Some(name[i..i + 8].to_owned());
        }
        None
    })
}

/// How many times a transient HTTP failure is retried, and the first pause
/// ([`backoff`]'s, in milliseconds).
const RETRIES: u32 = 3;
const FIRST_BACKOFF_MS: u64 = 500;

/// A `200` or, to a conditional request, a `304`.
enum Response {
    Fresh {
        bytes: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
        /// The `Content-Type` charset, for [`decode_source`].
        charset: Option<String>,
    },
    NotModified,
}

/// GET `url`, conditionally when a copy is kept, reusing the copy on a `304`.
///
/// Cancel-safe: the daemon drops this future when a shutdown signal wins the race. The
/// copy is written only once the whole body is in, by synchronous atomic writes with no
/// `await` between them, so a drop at any `await` (a request, a retry pause) leaves the
/// kept copy as it was.
async fn fetch_url(url: &str, cfg: &SourceConfig) -> Result<Fetched, FetchError> {
    let target = Target::new(url, cfg)?;
    if target.origin != url {
        // Earlier versions kept the copy under the URL as written, secret and all.
        Cache::new(&cfg.cache_dir, url).remove();
    }
    let url = &target.origin;
    // Keyed by the redacted URL: the metadata file stores it, and no secret may be there.
    let cache = Cache::new(&cfg.cache_dir, url);
    let mut known = cache.validators(url);
    loop {
        match get_with_retries(&target, cfg, known.as_ref()).await? {
            Response::Fresh {
                bytes,
                etag,
                last_modified,
                charset,
            } => {
                let fetched = Fetched {
                    modified: last_modified.as_deref().and_then(http_date),
                    ..decode_source(&bytes, url, cfg, charset.as_deref())?
                };
                if etag.is_some() || last_modified.is_some() {
                    if let Err(e) = cache.store(url, etag, last_modified, &bytes) {
                        tracing::warn!(
                            "{url}: cannot keep a copy in {} for the next conditional request: {e}",
                            cfg.cache_dir.display()
                        );
                    }
                }
                return Ok(fetched);
            }
            Response::NotModified => {
                // `get` answers NotModified only to a conditional request, and the
                // next turn of this loop makes an unconditional one.
                let Some(v) = known.take() else { continue };
                if let Some(bytes) = cache.body(&v, cfg.max_bytes) {
                    tracing::info!(
                        "{url}: unchanged since the last fetch (304 Not Modified); using the copy in {}",
                        cache.body.display()
                    );
                    return Ok(Fetched {
                        modified: v.last_modified.as_deref().and_then(http_date),
                        ..decode_source(&bytes, url, cfg, None)?
                    });
                }
                tracing::warn!("{url}: the server says unchanged (304) but the kept copy is unusable; fetching it again in full");
            }
        }
    }
}

/// A URL to GET, with the only form of it that may be shown and the credentials to send.
struct Target<'a> {
    url: &'a str,
    /// [`redact`]ed `url`.
    origin: String,
    /// From `[source] username` and the variable `password_env` names.
    basic_auth: Option<(String, String)>,
}

impl<'a> Target<'a> {
    fn new(url: &'a str, cfg: &SourceConfig) -> Result<Target<'a>, FetchError> {
        let origin = redact(url);
        let problem = |problem: String| FetchError::Credentials {
            origin: origin.clone(),
            problem,
        };
        // The config sets both or neither.
        let basic_auth = match (&cfg.username, &cfg.password_env) {
            (Some(_), Some(_)) if userinfo(url).is_some() => {
                return Err(problem(
                    "credentials in the URL and in source.username: give them one way".into(),
                ))
            }
            (Some(user), Some(var)) => {
                let password = std::env::var(var).map_err(|_| {
                    problem(format!("source.password_env: the environment variable {var} is not set (it must hold the password of source.username)"))
                })?;
                Some((user.clone(), password))
            }
            _ => None,
        };
        Ok(Target {
            url,
            origin,
            basic_auth,
        })
    }
}

/// [`get`], with transient failures retried after a doubling pause ([`backoff`]).
async fn get_with_retries(
    target: &Target<'_>,
    cfg: &SourceConfig,
    known: Option<&Validators>,
) -> Result<Response, FetchError> {
    let mut attempt = 0;
    loop {
        match get(target, cfg, known).await {
            Err(e) if e.is_transient() && attempt < RETRIES => {
                let pause = backoff(FIRST_BACKOFF_MS, attempt + 1, &target.origin);
                tracing::warn!("{e}; retrying in {pause:?}");
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// One GET of `target`, sending `known`'s validators; the body is capped at `max_bytes`.
async fn get(
    target: &Target<'_>,
    cfg: &SourceConfig,
    known: Option<&Validators>,
) -> Result<Response, FetchError> {
    let url = &target.origin;
    // reqwest's message repeats the URL, which ours already names, redacted.
    let request = |what, source: reqwest::Error| FetchError::Request {
        url: url.to_owned(),
        what,
        source: source.without_url(),
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(cfg.timeout_secs))
        .connect_timeout(Duration::from_secs(cfg.timeout_secs.min(10)))
        .user_agent(concat!("briefing/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| request("cannot set up the HTTP client", e))?;
    // reqwest sends a URL's user info as basic auth, and takes it out of the URL.
    let mut get = client.get(target.url);
    if let Some((user, password)) = &target.basic_auth {
        get = get.basic_auth(user, Some(password));
    }
    if let Some(v) = known {
        if let Some(etag) = &v.etag {
            get = get.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &v.last_modified {
            get = get.header(IF_MODIFIED_SINCE, date);
        }
    }
    let mut response = get.send().await.map_err(|e| request("request failed", e))?;
    let status = response.status();
    if status == StatusCode::NOT_MODIFIED && known.is_some() {
        return Ok(Response::NotModified);
    }
    if !status.is_success() {
        return Err(FetchError::Status {
            url: url.to_owned(),
            status,
        });
    }
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let (etag, last_modified) = (header(ETAG), header(LAST_MODIFIED));
    let charset = header(CONTENT_TYPE).and_then(|t| {
        t.split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            .map(|(_, v)| v.trim().trim_matches('"').to_owned())
    });
    let too_large = || FetchError::TooLarge {
        origin: url.to_owned(),
        limit: cfg.max_bytes,
    };
    if response.content_length().is_some_and(|n| n > cfg.max_bytes) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| request("reading the body failed", e))?
    {
        if (bytes.len() + chunk.len()) as u64 > cfg.max_bytes {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Response::Fresh {
        bytes,
        etag,
        last_modified,
        charset,
    })
}

/// An HTTP date (`Sun, 07 Sep 2025 01:00:00 GMT`), as `Last-Modified` carries it.
fn http_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Bytes -> text as [`decode`] reads a dump, except that a feed or JSON lines not in
/// UTF-8 are read in the charset they are labelled with (`header`, the HTTP
/// `Content-Type` charset, else an XML declaration's `encoding`): those formats say what
/// they are in, where a dump never did. Valid UTF-8 stays UTF-8 whatever the label, as a
/// label is more often wrong than UTF-8 is accidental.
fn decode_source(
    bytes: &[u8],
    origin: &str,
    cfg: &SourceConfig,
    header: Option<&str>,
) -> Result<Fetched, FetchError> {
    let guessed = decode(bytes, origin);
    let label = match cfg.format {
        Format::Dump => None,
        _ => header.map(str::to_owned).or_else(|| xml_encoding(bytes)),
    };
    let Some(labelled) = label.and_then(|l| Encoding::for_label(l.trim().as_bytes())) else {
        return guessed;
    };
    match &guessed {
        Ok(f) if f.encoding != EUC_KR.name() || labelled == EUC_KR => guessed,
        _ => match labelled.decode_without_bom_handling(bytes) {
            (text, false) => Ok(Fetched {
                origin: origin.to_owned(),
                text: text.into_owned(),
                encoding: labelled.name(),
                modified: None,
            }),
            (_, true) => guessed,
        },
    }
}

/// The `encoding` of an XML declaration at the start of `bytes`.
fn xml_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(256)];
    let head = String::from_utf8_lossy(head);
    let decl = &head[..head.find("?>")?];
    let at = decl.strip_prefix("<?xml")?.find("encoding")? + "<?xml".len() + "encoding".len();
    let value = decl[at..].trim_start().strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let value = &value[1..];
    Some(value[..value.find(quote)?].to_owned())
}

/// Bytes -> text: UTF-8 (with or without BOM), UTF-16 with a BOM, else EUC-KR/CP949.
pub fn decode(bytes: &[u8], origin: &str) -> Result<Fetched, FetchError> {
    let done = |text: String, encoding: &'static Encoding| Fetched {
        origin: origin.to_owned(),
        text,
        encoding: encoding.name(),
        modified: None,
    };
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        if encoding == UTF_16LE || encoding == UTF_16BE {
            let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
            if !had_errors {
                return Ok(done(text.into_owned(), encoding));
            }
        }
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8_error = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(done(text.to_owned(), encoding_rs::UTF_8)),
        Err(e) => e,
    };
    // encoding_rs's EUC-KR is the WHATWG one: CP949 (UHC), a superset of EUC-KR.
    let (text, had_errors) = EUC_KR.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(FetchError::Undecodable {
            origin: origin.to_owned(),
            offset: utf8_error.valid_up_to(),
        });
    }
    Ok(done(text.into_owned(), EUC_KR))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_bom_utf16_and_cp949() {
        let korean = "최신기사\n똠방각하 뷁\n";
        assert_eq!(decode(korean.as_bytes(), "a").unwrap().text, korean);
        let with_bom = [b"\xEF\xBB\xBF".as_slice(), korean.as_bytes()].concat();
        assert_eq!(decode(&with_bom, "a").unwrap().text, korean);
        // 똠 and 뷁 are outside EUC-KR proper and need CP949's extension.
        let (cp949, _, unmappable) = EUC_KR.encode(korean);
        assert!(!unmappable);
        let got = decode(&cp949, "a").unwrap();
        assert_eq!((got.text.as_str(), got.encoding), (korean, "EUC-KR"));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(korean.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16, "a").unwrap().text, korean);
    }

    #[test]
    fn feeds_and_json_lines_not_in_utf8_are_read_in_their_labelled_charset() {
        let cfg = |format| SourceConfig {
            format,
            ..http_cfg(Path::new("/nowhere"))
        };
        let line = "{\"title\":\"항구 소식\",\"body\":\"배가 들어왔다.\"}\n";
        let utf16: Vec<u8> = line.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let got = decode_source(&utf16, "a", &cfg(Format::Jsonl), Some("UTF-16LE")).unwrap();
        assert_eq!((got.text.as_str(), got.encoding), (line, "UTF-16LE"));
        let (latin, _, _) = encoding_rs::WINDOWS_1252.encode(
            "<?xml version='1.0' encoding='windows-1252'?><rss><title>Café Señor</title></rss>",
        );
        let got = decode_source(&latin, "b", &cfg(Format::Auto), None).unwrap();
        assert!(got.text.contains("Café Señor"), "{}", got.text);
        // A dump is never read by a label; valid UTF-8 is UTF-8 whatever the label says.
        let dump = decode_source(&utf16, "c", &cfg(Format::Dump), Some("UTF-16LE"));
        assert!(dump.map_or(true, |d| d.encoding != "UTF-16LE"));
        let got = decode_source(line.as_bytes(), "d", &cfg(Format::Rss), Some("EUC-KR")).unwrap();
        assert_eq!(got.encoding, "UTF-8");
    }

    #[test]
    fn undecodable_bytes_name_the_origin() {
        let err = decode(b"abc\xFF\xFF\xFF", "dump.bin")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("dump.bin: neither UTF-8 nor EUC-KR/CP949"),
            "{err}"
        );
    }

    #[test]
    fn reads_dates_from_file_names() {
        let cases = [
            ("dump-2025-09-07.txt", Some("20250907")),
            ("news_2025_09_07.txt", Some("20250907")),
            ("20250907.txt", Some("20250907")),
            ("dump-v2.txt", None),
            ("123456789.txt", None),
        ];
        for (name, want) in cases {
            assert_eq!(date_in_name(name).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn newest_dump_prefers_the_date_in_the_name() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "dump-2025-09-07.txt",
            "dump-2025-09-08.txt",
            "dump-2025-09-06.txt",
            ".hidden-2030-01-01",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let newest = newest_dump(dir.path(), "*.txt").unwrap();
        assert_eq!(newest.file_name().unwrap(), "dump-2025-09-08.txt");
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(
            newest_dump(empty.path(), "*.txt").unwrap_err().to_string(),
            format!(
                "no dump matching *.txt in {} (source.pattern)",
                empty.path().display()
            )
        );
    }

    #[test]
    fn files_still_being_written_are_never_the_dump() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "dump-2025-09-07.txt",
            "dump-2025-09-08.txt.part",
            "dump-2025-09-09.txt.partial",
            "dump-2025-09-10.txt.TMP",
            "dump-2025-09-11.txt.crdownload",
            "dump-2025-09-12.txt~",
            ".dump-2025-09-13.txt",
        ] {
            std::fs::write(dir.path().join(name), "최신기사\n").unwrap();
        }
        for pattern in ["*.txt", "*", "dump-*"] {
            let newest = newest_dump(dir.path(), pattern).unwrap();
            assert_eq!(
                newest.file_name().unwrap(),
                "dump-2025-09-07.txt",
                "{pattern}"
            );
        }
    }

    #[test]
    fn only_names_matching_the_pattern_are_candidates() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "config.toml",
            "README",
            "뉴스-2025-09-07.txt",
            "뉴스-2025-09-08.csv",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let pick = |pattern| {
            newest_dump(dir.path(), pattern)
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        };
        assert_eq!(pick("*.txt").unwrap(), "뉴스-2025-09-07.txt");
        assert_eq!(pick("뉴스-*").unwrap(), "뉴스-2025-09-08.csv");
        assert_eq!(pick("뉴스-????-??-07.*").unwrap(), "뉴스-2025-09-07.txt");
        assert!(matches!(pick("*.json"), Err(FetchError::NoMatch { .. })));
        for (pattern, name, want) in [
            ("*.txt", "a.txt", true),
            ("*.txt", "a.txt.bak", false),
            ("*", "", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("?", "뉴", true),
            ("??", "뉴", false),
            ("***", "뉴스", true),
        ] {
            assert_eq!(glob_matches(pattern, name), want, "{pattern} {name}");
        }
    }

    #[test]
    fn max_age_measures_the_newest_article_else_the_modification_time() {
        let cfg = |max_age: Option<&str>| SourceConfig {
            name: None,
            format: crate::config::Format::Dump,
            required: false,
            location: "d.txt".into(),
            timeout_secs: 1,
            max_bytes: 1,
            max_age: max_age.map(|a| crate::config::parse_duration(a).unwrap()),
            cache_dir: PathBuf::new(),
            pattern: "*.txt".into(),
            username: None,
            password_env: None,
        };
        let at = |t: &str| DateTime::parse_from_rfc3339(t).unwrap();
        let text = "최신기사\n-\n옛 기사\n본문.\n2025-09-05 09:00:00\n-\n새 기사\n본문.\n2025-09-06 07:00:00\n-\n시각 없는 기사\n";
        let articles = crate::dump::parse(text, "d.txt").unwrap();
        let dump = |modified: Option<&str>| Fetched {
            modified: modified.map(|t| at(t).with_timezone(&Utc)),
            ..decode(text.as_bytes(), "d.txt").unwrap()
        };
        let now = at("2025-09-07T19:00:00+09:00").with_timezone(&Utc);
        // 36 hours after the newest article exactly is still fresh; a minute more is not.
        assert!(check_age(&dump(None), &articles, &cfg(Some("36h")), now).is_ok());
        let err = check_age(&dump(None), &articles, &cfg(Some("35h 59m")), now)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "d.txt: the dump is 1d 12h old (newest article 2025-09-06 07:00:00 +09:00), more than source.max_age = 1d 11h 59m; no briefing is built from it");
        // A recent mtime does not rescue old news.
        let touched = dump(Some("2025-09-07T18:00:00+09:00"));
        assert!(check_age(&touched, &articles, &cfg(Some("1h")), now).is_err());
        assert!(
            check_age(&touched, &articles, &cfg(None), now).is_ok(),
            "off unless set"
        );
        // No time stamp at all: the modification time, else let through.
        let empty = crate::dump::parse("최신기사\n-\n", "d.txt").unwrap();
        assert!(check_age(&touched, &empty, &cfg(Some("2h")), now).is_ok());
        let err = check_age(&touched, &empty, &cfg(Some("30m")), now).unwrap_err();
        assert!(
            err.to_string().contains(
                "is 1h old (no article time stamp; last modified 2025-09-07 09:00:00 UTC)"
            ),
            "{err}"
        );
        assert!(check_age(&dump(None), &empty, &cfg(Some("1m")), now).is_ok());
        // Articles from the future (a skewed clock) are not old.
        assert!(check_age(
            &dump(None),
            &articles,
            &cfg(Some("1m")),
            at("2025-09-01T00:00:00Z").with_timezone(&Utc)
        )
        .is_ok());
    }

    #[test]
    fn reads_http_dates() {
        assert_eq!(
            http_date("Sun, 07 Sep 2025 01:00:00 GMT").map(|t| t.to_rfc3339()),
            Some("2025-09-07T01:00:00+00:00".into())
        );
        assert_eq!(http_date("yesterday"), None);
    }

    /// A real HTTP server on 127.0.0.1: its n-th connection is answered with
    /// `replies[n]`, written as raw bytes (so that a reply can be malformed or cut
    /// short), then closed; an empty reply holds the connection silently for 3 s. After
    /// the last reply the port is closed, so every test's server ends by itself.
    fn server(replies: Vec<&'static [u8]>) -> String {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for reply in replies {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                stream
                    .set_read_timeout(Some(Duration::from_secs(5)))
                    .unwrap();
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => break,
                    }
                }
                if reply.is_empty() {
                    std::thread::sleep(Duration::from_secs(3));
                }
                let _ = stream.write_all(reply);
            }
        });
        url
    }

    fn http_cfg(cache_dir: &Path) -> SourceConfig {
        // reqwest is built without a default crypto provider; `cmd::run` installs it.
        let _ = rustls::crypto::ring::default_provider().install_default();
        SourceConfig {
            name: None,
            format: crate::config::Format::Dump,
            required: false,
            location: String::new(),
            timeout_secs: 1,
            max_bytes: 1000,
            max_age: None,
            cache_dir: cache_dir.to_owned(),
            pattern: "*.txt".into(),
            username: None,
            password_env: None,
        }
    }

    /// One attempt, no retries: what the retry loop would decide about this answer.
    async fn one_get(reply: &'static [u8]) -> FetchError {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("{}/d", server(vec![reply]));
        let cfg = http_cfg(dir.path());
        match get(&Target::new(&url, &cfg).unwrap(), &cfg, None).await {
            Err(e) => e,
            Ok(_) => panic!("{url}: answered"),
        }
    }

    #[tokio::test]
    async fn transient_failures_are_told_from_permanent_ones() {
        let transient: [(&str, &[u8]); 5] = [
            (
                "500",
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
            ),
            (
                "503",
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
            ),
            (
                "429",
                b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n",
            ),
            (
                "body cut short",
                "HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n최신기사\n-\n".as_bytes(),
            ),
            ("no answer within timeout_secs", b""),
        ];
        for (what, reply) in transient {
            let e = one_get(reply).await;
            assert!(e.is_transient(), "{what}: {e} ({e:?})");
        }
        let permanent: [(&str, &[u8]); 3] = [
            (
                "404",
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
            ),
            (
                "401",
                b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n",
            ),
            (
                "too big",
                b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n-",
            ),
        ];
        for (what, reply) in permanent {
            let e = one_get(reply).await;
            assert!(!e.is_transient(), "{what}: {e} ({e:?})");
        }

        let dir = tempfile::tempdir().unwrap();
        let cfg = http_cfg(dir.path());
        let refused = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}/d", listener.local_addr().unwrap())
        };
        let e = get(&Target::new(&refused, &cfg).unwrap(), &cfg, None)
            .await
            .err()
            .unwrap();
        assert!(e.is_transient(), "connection refused: {e} ({e:?})");
        for bad in ["http://뉴스 서버/d", "http://", "http://127.0.0.1:99999/d"] {
            let e = get(&Target::new(bad, &cfg).unwrap(), &cfg, None)
                .await
                .err()
                .unwrap();
            assert!(!e.is_transient(), "bad URL {bad}: {e} ({e:?})");
        }
        // Not even fetched again: the retry loop gives up at once on these.
        let undecodable = server(vec![
            b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\xFF\xFF\xFF\xFF",
        ]);
        let e = fetch(&format!("{undecodable}/d"), &cfg).await.unwrap_err();
        assert!(matches!(e, FetchError::Undecodable { .. }), "{e:?}");
        assert!(!e.is_transient());
        let e = fetch(
            &dir.path().join("없는 파일.txt").display().to_string(),
            &cfg,
        )
        .await
        .unwrap_err();
        assert!(!e.is_transient(), "{e}");
        let e = read_file(dir.path(), 100).unwrap_err();
        assert!(matches!(e, FetchError::NotAFile { .. }), "{e:?}");
        assert!(!e.is_transient());
    }

    #[tokio::test]
    async fn a_copy_kept_under_a_url_with_its_secret_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let url = server(vec![
            b"HTTP/1.1 200 OK\r\nETag: \"v2\"\r\nContent-Length: 13\r\n\r\n\xec\xb5\x9c\xec\x8b\xa0\xea\xb8\xb0\xec\x82\xac\n",
        ]);
        let url = url.replace("http://", "http://reader:s3cret@") + "/d";
        let old = Cache::new(dir.path(), &url);
        old.store(&url, Some("\"v1\"".into()), None, "최신기사\n".as_bytes())
            .unwrap();
        fetch(&url, &http_cfg(dir.path())).await.unwrap();
        for (path, bytes) in std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.clone(), std::fs::read(p).unwrap()))
        {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("s3cret"), "{}: {text}", path.display());
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    /// The daemon races a fetch against the shutdown signal and drops the loser: a
    /// fetch dropped while it waits to retry must leave the kept copy as it was, whole,
    /// with no temporary file beside it.
    #[tokio::test]
    async fn a_fetch_dropped_while_it_waits_to_retry_leaves_the_cache_whole() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = http_cfg(dir.path());
        let url = server(vec![
            "HTTP/1.1 200 OK\r\nETag: \"v1\"\r\nContent-Length: 26\r\n\r\n최신기사\n-\n첫 기사\n"
                .as_bytes(),
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
        ]);
        let url = format!("{url}/d");
        fetch(&url, &cfg).await.unwrap();
        let files = || {
            let mut files: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| {
                    let path = e.unwrap().path();
                    (path.clone(), std::fs::read(path).unwrap())
                })
                .collect();
            files.sort();
            files
        };
        let kept = files();
        assert_eq!(kept.len(), 2, "body and validators: {kept:?}");
        // The 503 is answered at once; the first pause before a retry is 500 ms.
        let dropped = tokio::time::timeout(Duration::from_millis(300), fetch(&url, &cfg)).await;
        assert!(dropped.is_err(), "still waiting to retry: {dropped:?}");
        assert_eq!(files(), kept);
    }

    #[test]
    fn a_fetch_error_survives_anyhow_with_its_verdict() {
        fn typed<E: std::error::Error + Send + Sync + 'static>(_: &E) {}
        let e = FetchError::Status {
            url: "http://127.0.0.1/d".into(),
            status: StatusCode::SERVICE_UNAVAILABLE,
        };
        typed(&e);
        let wrapped = anyhow::Error::new(e).context("아침 브리핑: 받지 못함");
        let found = wrapped
            .chain()
            .find_map(|e| e.downcast_ref::<FetchError>())
            .expect("found in the chain");
        assert!(found.is_transient());
    }

    #[test]
    fn files_over_the_cap_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        std::fs::write(&path, vec![b'a'; 101]).unwrap();
        assert!(matches!(
            read_file(&path, 100),
            Err(FetchError::TooLarge { limit: 100, .. })
        ));
        assert_eq!(read_file(&path, 101).unwrap().0.len(), 101);
    }
}
