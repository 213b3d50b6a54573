//! The layers of `src/`, checked by reading the source, in the manner of
//! rust-analyzer's `tests/tidy.rs`: each top-level module may use only the modules
//! below it in [`LAYERS`], every module of `src/` is in that list, in `lib.rs`'s map
//! and in ARCHITECTURE.md's list of layers, in the same order. A cycle cannot come
//! back unnoticed: one of its imports would point up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every module of `src/`, lowest first: a module may import only those before it.
/// ARCHITECTURE.md says what each is for and lists them in this order.
#[rustfmt::skip]
const LAYERS: &[&str] = &[
    // What every part needs: the clock, crash-safe writes, how things are said, how
    // things are tried again, the config.
    "clock", "durable", "report", "retry", "config",
    // Text into articles: sentences, the article, getting the text, reading a format.
    "split", "dump", "fetch", "feed",
    // Weighing sentences and picking key lines.
    "score", "figure", "select",
    // Stories, their rank, their summaries, the day at a glance.
    "merge", "rank", "summary", "glance",
    // State on disk: who had which briefing, who unsubscribed, the days' kept sources.
    "ledger", "suppress", "day",
    // The briefing as a page and a message.
    "archive", "digest", "deliver",
    // The run, the daemon, where briefings stand, the web endpoint, the command line.
    "job", "schedule", "status", "web", "cli", "cmd",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level modules of `src/`, each with its files: `X.rs` and everything under
/// `X/`.
fn modules() -> BTreeMap<String, Vec<PathBuf>> {
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let files = modules.entry(name).or_default();
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            modules.entry(name).or_default().push(path);
        }
    }
    modules
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}

/// `text` with comments, string and character literals blanked (their line breaks
/// kept), so that a doc link or a message that names `crate::x` is no import.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let blank = |out: &mut String, s: &str| {
        out.extend(s.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < b.len() {
        let rest = &text[i..];
        let end = if rest.starts_with("//") {
            i + rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            i + block_comment_len(rest)
        } else if let Some(len) = string_len(rest) {
            i + len
        } else if rest.starts_with('\'') {
            i + char_literal_len(rest)
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
            continue;
        };
        blank(&mut out, &text[i..end]);
        i = end;
    }
    out
}

/// The length of the block comment `text` starts with; they nest.
fn block_comment_len(text: &str) -> usize {
    let mut depth = 0;
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with("/*") {
            depth += 1;
            i += 2;
        } else if text[i..].starts_with("*/") {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += text[i..].chars().next().unwrap().len_utf8();
        }
    }
    text.len()
}

/// The length of the string literal `text` starts with (`"…"`, `b"…"`, `r#"…"#`,
/// `br"…"`), if it starts with one.
fn string_len(text: &str) -> Option<usize> {
    let (prefix, raw) = match () {
        _ if text.starts_with("br") => (2, true),
        _ if text.starts_with('r') => (1, true),
        _ if text.starts_with('b') => (1, false),
        _ => (0, false),
    };
    let rest = &text[prefix..];
    if raw {
        let hashes = rest.len() - rest.trim_start_matches('#').len();
        if !rest[hashes..].starts_with('"') {
            return None;
        }
        let close = format!("\"{}", "#".repeat(hashes));
        let body = prefix + hashes + 1;
        return Some(
            text[body..]
                .find(&close)
                .map_or(text.len(), |n| body + n + close.len()),
        );
    }
    if !rest.starts_with('"') {
        return None;
    }
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(prefix + i + 1),
            _ => {}
        }
    }
    Some(text.len())
}

/// The length of the character literal `text` starts with (`'x'`, `'\n'`,
/// `'\u{ac00}'`), or 1 for a lifetime's quote.
fn char_literal_len(text: &str) -> usize {
    match text[1..].chars().next() {
        Some('\\') => text
            .get(3..)
            .and_then(|t| t.find('\''))
            .map_or(1, |n| n + 4),
        Some(c) if text[1 + c.len_utf8()..].starts_with('\'') => 2 + c.len_utf8(),
        _ => 1,
    }
}

/// `code` without its trailing test module (`#[cfg(test)] mod tests { … }` to the end
/// of the file): tests may reach anywhere.
fn without_tests(code: &str) -> &str {
    let mut at = 0;
    while let Some(found) = code[at..].find("#[cfg(test)]") {
        let start = at + found;
        let after = code[start + "#[cfg(test)]".len()..].trim_start();
        let top_level = start == 0 || code[..start].ends_with('\n');
        if top_level && after.starts_with("mod tests") {
            return &code[..start];
        }
        at = start + 1;
    }
    code
}

/// The top-level modules `code` names after `crate::`, alone or in a `use crate::{…}`
/// group.
fn crate_refs(code: &str) -> Vec<String> {
    let mut refs = Vec::new();
    let mut at = 0;
    while let Some(found) = code[at..].find("crate::") {
        let start = at + found + "crate::".len();
        at = start;
        let before = code[..start - "crate::".len()].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[start..];
        if let Some(group) = rest.strip_prefix('{') {
            refs.extend(group_heads(group));
        } else {
            refs.push(ident(rest).to_owned());
        }
    }
    refs
}

/// The first name of each item of a `{…}` group (`a::{b, c}, d` gives `a`, `d`).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => item_start = true,
            c if item_start && !c.is_whitespace() => {
                heads.push(ident(&group[i..]).to_owned());
                item_start = false;
            }
            _ => {}
        }
    }
    heads
}

fn ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

#[test]
fn every_module_imports_only_the_layers_below_it() {
    let modules = modules();
    let rank = |name: &str| LAYERS.iter().position(|&l| l == name);
    let mut wrong = Vec::new();
    for (name, files) in &modules {
        let Some(own) = rank(name) else {
            wrong.push(format!("src/{name}: not in LAYERS (tests/tidy.rs)"));
            continue;
        };
        for file in files {
            let text = std::fs::read_to_string(file).unwrap();
            let code = code_only(&text);
            for used in crate_refs(without_tests(&code)) {
                match rank(&used) {
                    Some(r) if r < own || used == *name => {}
                    Some(_) => wrong.push(format!(
                        "{}: {name} imports {used}, which is not below it",
                        file.strip_prefix(src()).unwrap().display()
                    )),
                    None => {}
                }
            }
        }
    }
    for layer in LAYERS {
        if !modules.contains_key(*layer) {
            wrong.push(format!("LAYERS names {layer}, which src/ does not have"));
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// lib.rs's map (its `# Layout` block) names every module, as `X.rs` or `X/`.
#[test]
fn lib_rs_maps_every_module() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).unwrap();
    let map: Vec<&str> = lib
        .lines()
        .skip_while(|l| !l.starts_with("//! # Layout"))
        .take_while(|l| l.starts_with("//!"))
        .collect();
    let named = |m: &str| {
        map.iter().any(|l| {
            let entry = l.trim_start_matches("//!").trim_start();
            entry.starts_with(&format!("{m}.rs ")) || entry.starts_with(&format!("{m}/ "))
        })
    };
    let missing: Vec<String> = modules().into_keys().filter(|m| !named(m)).collect();
    assert!(
        missing.is_empty(),
        "not in lib.rs's `# Layout` map: {missing:?}"
    );
}

/// ARCHITECTURE.md's table of layers lists [`LAYERS`], in the same order.
#[test]
fn architecture_md_lists_the_layers_in_order() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md");
    let text = std::fs::read_to_string(path).unwrap();
    let listed: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("## Layers"))
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    assert_eq!(listed, LAYERS, "ARCHITECTURE.md's ## Layers table");
}

/// The reader above: what it takes for an import and what it leaves out.
#[test]
fn the_reader_sees_imports_not_comments_strings_or_tests() {
    let code = code_only(concat!(
        "use crate::{config::{Config, Group}, dump};\n",
        "// crate::web in a comment\n",
        "/* crate::cmd /* nested */ crate::cli */\n",
        "let s = \"crate::job\"; let r = r#\"crate::schedule\"#; let c = '\"';\n",
        "fn f<'a>(x: &'a str) { crate::ledger::read(x) }\n",
        "#[cfg(test)]\nfn only_in_tests() { crate::merge::x() }\n",
        "#[cfg(test)]\nmod tests {\n    use crate::status;\n}\n",
    ));
    assert_eq!(
        crate_refs(without_tests(&code)),
        ["config", "dump", "ledger", "merge"]
    );
}
