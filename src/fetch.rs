//! Getting the newest dump: a file, the newest dump in a folder, or an `http(s)` URL.
//!
//! Everything is read as bytes and decoded here, because dumps arrive as UTF-8 or as
//! EUC-KR/CP949 and servers do not always say which (reqwest's `.text()` trusts only
//! the HTTP header).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use encoding_rs::{Encoding, EUC_KR, UTF_16BE, UTF_16LE};

use crate::config::SourceConfig;

/// A dump as text, with where it came from.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The path or URL, for messages.
    pub origin: String,
    pub text: String,
    /// The encoding the bytes were in.
    pub encoding: &'static str,
}

/// Why no dump could be had.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no dump file in this folder", path.display())]
    EmptyFolder { path: PathBuf },
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
    #[error(
        "{origin}: neither UTF-8 nor EUC-KR/CP949 text (undecodable bytes near byte {offset})"
    )]
    Undecodable { origin: String, offset: usize },
}

impl FetchError {
    /// A retry may help: the server or the network may recover within minutes.
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => {
                status.is_server_error() || *status == reqwest::StatusCode::TOO_MANY_REQUESTS
            }
            FetchError::Request { source, .. } => {
                source.is_timeout()
                    || source.is_connect()
                    || source.is_request()
                    || source.is_body()
            }
            _ => false,
        }
    }
}

/// How many times a transient HTTP failure is retried, and the first pause.
const RETRIES: u32 = 3;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);

/// Fetches the dump at `location` (a file, a folder or a URL) and decodes it.
pub async fn fetch(location: &str, cfg: &SourceConfig) -> Result<Fetched, FetchError> {
    if location.starts_with("http://") || location.starts_with("https://") {
        let mut attempt = 0;
        loop {
            match fetch_url(location, cfg).await {
                Err(e) if e.is_transient() && attempt < RETRIES => {
                    let pause = FIRST_BACKOFF * 2u32.pow(attempt);
                    tracing::warn!("{e}; retrying in {pause:?}");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    } else {
        let path = Path::new(location);
        let path = if path.is_dir() {
            newest_dump(path)?
        } else {
            path.to_owned()
        };
        let bytes = read_file(&path, cfg.max_bytes)?;
        decode(&bytes, &path.display().to_string())
    }
}

fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, FetchError> {
    let io = |source| FetchError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    // Read one byte past the limit to tell "exactly at" from "over".
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(FetchError::TooLarge {
            origin: path.display().to_string(),
            limit,
        });
    }
    Ok(bytes)
}

/// The newest dump in `dir`: by the date in its file name (`dump-2025-09-07.txt`,
/// `20250907.txt`), which survives copying, else by modification time.
pub fn newest_dump(dir: &Path) -> Result<PathBuf, FetchError> {
    let io = |source| FetchError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut best: Option<(Option<String>, SystemTime, PathBuf)> = None;
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = entry.metadata().map_err(io)?;
        if name.starts_with('.') || !meta.is_file() {
            continue;
        }
        let key = (
            date_in_name(&name),
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            entry.path(),
        );
        if best.as_ref().is_none_or(|b| key > *b) {
            best = Some(key);
        }
    }
    best.map(|(_, _, path)| path)
        .ok_or_else(|| FetchError::EmptyFolder {
            path: dir.to_owned(),
        })
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

async fn fetch_url(url: &str, cfg: &SourceConfig) -> Result<Fetched, FetchError> {
    let request = |what, source| FetchError::Request {
        url: url.to_owned(),
        what,
        source,
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(cfg.timeout_secs))
        .connect_timeout(Duration::from_secs(cfg.timeout_secs.min(10)))
        .user_agent(concat!("briefing/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| request("cannot set up the HTTP client", e))?;
    let mut response = client
        .get(url)
        .send()
        .await
        .map_err(|e| request("request failed", e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status {
            url: url.to_owned(),
            status,
        });
    }
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
    decode(&bytes, url)
}

/// Bytes -> text: UTF-8 (with or without BOM), UTF-16 with a BOM, else EUC-KR/CP949.
pub fn decode(bytes: &[u8], origin: &str) -> Result<Fetched, FetchError> {
    let done = |text: String, encoding: &'static Encoding| Fetched {
        origin: origin.to_owned(),
        text,
        encoding: encoding.name(),
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
        let newest = newest_dump(dir.path()).unwrap();
        assert_eq!(newest.file_name().unwrap(), "dump-2025-09-08.txt");
        let empty = tempfile::tempdir().unwrap();
        assert!(newest_dump(empty.path())
            .unwrap_err()
            .to_string()
            .contains("no dump file"));
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
        assert_eq!(read_file(&path, 101).unwrap().len(), 101);
    }
}
