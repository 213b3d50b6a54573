//! What a person reads: an error as one line, a count with its noun, a URL with its
//! password hidden. Every command, the daemon's log and the web endpoint say things the
//! same way because they say them through here.

/// An error as one line: the outermost message, then each cause after a colon. Many
/// messages already end with their source's own: each cause is said once.
pub fn one_line(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = String::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let cause = e.to_string();
        if !line.ends_with(&cause) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&cause);
        }
        next = e.source();
    }
    line
}

/// `1 item`, `2 items`: the report is read by people.
pub fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// `url` as it may be shown or stored: its password becomes `***`
/// (`http://user:***@host/dump`), and so does a user name without a password, which is
/// often a token. The rest stays as written, so that messages match the config.
pub fn redact(url: &str) -> String {
    let Some(info) = userinfo(url) else {
        return url.to_owned();
    };
    let shown = match url[info.clone()].split_once(':') {
        Some((user, _)) => format!("{user}:***"),
        None => "***".to_owned(),
    };
    format!("{}{shown}{}", &url[..info.start], &url[info.end..])
}

/// Where the `user:password` before a URL's host is. As URL parsers read it: the
/// authority ends at the first `/`, `?`, `#` or `\\`, and the user info at its last `@`.
pub fn userinfo(url: &str) -> Option<std::ops::Range<usize>> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len())];
    Some(start..start + authority.rfind('@')?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_a_url_are_redacted() {
        for (url, shown) in [
            ("http://user:secret@host/dump", "http://user:***@host/dump"),
            (
                "https://기자:비밀@뉴스.kr:8443/d?x=@",
                "https://기자:***@뉴스.kr:8443/d?x=@",
            ),
            ("http://u:p@ss@host", "http://u:***@host"),
            ("http://token@host/a", "http://***@host/a"),
            ("http://host/users/@me", "http://host/users/@me"),
            ("http://host?q=a:b@c", "http://host?q=a:b@c"),
            ("/var/dumps/a@b.txt", "/var/dumps/a@b.txt"),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
    }
}
