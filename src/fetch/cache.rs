//! The last dump fetched over HTTP, kept with its validators (ETag, Last-Modified) so
//! that the next fetch is a conditional request and an unchanged dump is not
//! downloaded again.
//!
//! Per URL, two files in `[state] dir`/fetch, named by a CRC-32 of the URL:
//! `NAME.body` holds the bytes as the server sent them and `NAME.json` the
//! [`Validators`] with the body's length and CRC-32. Each file is written atomically
//! (temporary file, fsync, rename, fsync of the folder), the body first, so a crash
//! leaves at worst validators that do not match the body. A body that is missing, of
//! the wrong length or CRC, or over `max_bytes` is not used: on a `304` the caller
//! then fetches again without validators (see [`super::fetch`]).

use std::path::{Path, PathBuf};

use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};

use crate::durable::write_atomically;

/// What a conditional request sends, and what the cached body must match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    /// The URL these belong to; a file named by another URL's CRC is not ours.
    pub url: String,
    pub etag: Option<String>,
    /// As the server wrote it (an HTTP date); sent back verbatim.
    pub last_modified: Option<String>,
    pub len: u64,
    pub crc32: u32,
}

/// The two cache files of one URL.
pub struct Cache {
    pub body: PathBuf,
    meta: PathBuf,
}

impl Cache {
    pub fn new(dir: &Path, url: &str) -> Cache {
        let name = format!("{:08x}", crc32fast::hash(url.as_bytes()));
        Cache {
            body: dir.join(format!("{name}.body")),
            meta: dir.join(format!("{name}.json")),
        }
    }

    /// The validators stored for `url`, if any that can be sent back.
    pub fn validators(&self, url: &str) -> Option<Validators> {
        let text = match std::fs::read_to_string(&self.meta) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!("{}: {e}; fetching without validators", self.meta.display());
                return None;
            }
        };
        let sendable = |v: &Option<String>| {
            v.as_deref()
                .is_none_or(|v| HeaderValue::from_str(v).is_ok())
        };
        match serde_json::from_str::<Validators>(&text) {
            Ok(v) if v.url == url && sendable(&v.etag) && sendable(&v.last_modified) => Some(v),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(
                    "{}: damaged ({e}); fetching without validators",
                    self.meta.display()
                );
                None
            }
        }
    }

    /// The cached body, if it is the one `v` describes and within `max_bytes`.
    pub fn body(&self, v: &Validators, max_bytes: u64) -> Option<Vec<u8>> {
        match super::read_file(&self.body, max_bytes) {
            Ok((bytes, _)) if bytes.len() as u64 == v.len && crc32fast::hash(&bytes) == v.crc32 => {
                Some(bytes)
            }
            Ok((bytes, _)) => {
                tracing::warn!(
                    "{}: {} bytes that do not match the {} bytes recorded in {}",
                    self.body.display(),
                    bytes.len(),
                    v.len,
                    self.meta.display()
                );
                None
            }
            Err(e) => {
                tracing::warn!("{e}");
                None
            }
        }
    }

    /// Forgets the copy. Best effort: a file that stays is still checked before use.
    pub fn remove(&self) {
        for path in [&self.meta, &self.body] {
            match std::fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    tracing::warn!("{}: cannot remove: {e}", path.display());
                }
                _ => {}
            }
        }
    }

    /// Keeps `body` and its validators for the next fetch of `url`.
    pub fn store(
        &self,
        url: &str,
        etag: Option<String>,
        last_modified: Option<String>,
        body: &[u8],
    ) -> std::io::Result<()> {
        let v = Validators {
            url: url.to_owned(),
            etag,
            last_modified,
            len: body.len() as u64,
            crc32: crc32fast::hash(body),
        };
        write_atomically(&self.body, body)?;
        write_atomically(&self.meta, &serde_json::to_vec_pretty(&v)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:1/dump.txt";

    #[test]
    fn keeps_the_body_with_its_validators() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), URL);
        assert_eq!(cache.validators(URL), None);
        cache
            .store(URL, Some("\"v1\"".into()), None, "최신기사\n".as_bytes())
            .unwrap();
        let v = cache.validators(URL).unwrap();
        assert_eq!(v.etag.as_deref(), Some("\"v1\""));
        assert_eq!(cache.body(&v, 1000).unwrap(), "최신기사\n".as_bytes());
        assert_eq!(
            Cache::new(dir.path(), "http://other/").validators(URL),
            None
        );
        // Only the two files: no temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_damaged_missing_or_oversize_body_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), URL);
        cache.store(URL, None, Some("x".into()), b"abcdef").unwrap();
        let v = cache.validators(URL).unwrap();
        assert!(cache.body(&v, 5).is_none(), "over max_bytes");
        std::fs::write(&cache.body, b"abcdeg").unwrap();
        assert!(cache.body(&v, 100).is_none(), "same length, other bytes");
        std::fs::write(&cache.body, b"abc").unwrap();
        assert!(cache.body(&v, 100).is_none(), "torn");
        std::fs::remove_file(&cache.body).unwrap();
        assert!(cache.body(&v, 100).is_none(), "missing");
    }

    #[test]
    fn damaged_or_unsendable_validators_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path(), URL);
        cache.store(URL, Some("\"v1\"".into()), None, b"x").unwrap();
        std::fs::write(&cache.meta, b"{\"url\":").unwrap();
        assert_eq!(cache.validators(URL), None);
        cache.store(URL, Some("a\nb".into()), None, b"x").unwrap();
        assert_eq!(
            cache.validators(URL),
            None,
            "a line break cannot be a header"
        );
    }
}
