//! `briefing check`: everything that can be checked before seven in the morning, every
//! problem at once, then who receives what and when.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::NaiveDate;

use super::stderr_line;
use crate::config::{Config, ConfigError, Group};
use crate::digest::{self, Templates};
use crate::dump::Article;
use crate::report::{one_line, plural};
use crate::schedule::next_runs;
use crate::select::Selection;
use crate::summary::Summary;
use crate::suppress::Suppressed;

/// Recipients named in the summary; the rest are counted.
const SHOWN_RECIPIENTS: usize = 3;
/// Run times shown per group.
const SHOWN_RUNS: usize = 3;

pub fn run(path: &Path) -> Result<ExitCode> {
    let config = match Config::from_file(path) {
        Ok(config) => config,
        Err(ConfigError::Invalid { path, problems }) => {
            for p in &problems {
                stderr_line(format_args!(
                    "briefing: {}:{}: {}: {}",
                    path.display(),
                    p.line,
                    p.key,
                    p.message
                ));
            }
            if problems.len() > 1 {
                stderr_line(format_args!(
                    "briefing: {} in {}",
                    plural(problems.len(), "problem"),
                    path.display()
                ));
            }
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    let mut problems = problems(&config);
    // A line of the list that cannot be read costs that line only, and the send goes
    // out: a warning, not a problem. A list that cannot be read at all stops the send.
    let unreadable = match Suppressed::load(&config.state_dir) {
        Ok(list) => list.unreadable,
        Err(e) => {
            problems.push(one_line(&e));
            Vec::new()
        }
    };
    if !problems.is_empty() {
        for p in &problems {
            stderr_line(format_args!("briefing: {p}"));
        }
        return Ok(ExitCode::FAILURE);
    }
    for line in &unreadable {
        stderr_line(format_args!("briefing: warning: {line}"));
    }
    super::write_stdout(|out| out.write_all(summary(&config).as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

/// What the config's own checks cannot see: templates, files, the environment.
fn problems(config: &Config) -> Vec<String> {
    let mut out = Vec::new();
    let at = config.path.display();
    match Templates::load(config.mail.templates.as_deref()) {
        Ok(templates) => {
            for group in &config.groups {
                if let Err(e) = render_sample(config, &templates, group) {
                    out.push(format!(
                        "{at}: groups.{}: {}",
                        group.name,
                        one_line(e.as_ref())
                    ));
                }
            }
        }
        Err(e) => out.push(one_line(&e)),
    }
    for source in &config.sources {
        let location = &source.location;
        if !location.starts_with("http://")
            && !location.starts_with("https://")
            && !Path::new(location).exists()
        {
            out.push(format!(
                "{at}: source {}: location {location} does not exist",
                source.label()
            ));
        }
    }
    if let Some(smtp) = &config.smtp {
        if let (Some(_), Some(var)) = (&smtp.username, &smtp.password_env) {
            if std::env::var_os(var).is_none() {
                out.push(format!(
                    "{at}: smtp.password_env: the environment variable {var} is not set"
                ));
            }
        }
    }
    // The unsubscribe token key and the DKIM key, read as a send reads them.
    if let Err(e) = crate::deliver::Letterhead::new(config, &config.groups[0].name) {
        out.push(format!("{at}: {}", one_line(&e)));
    }
    out
}

/// Strict mode only catches a misspelt field on the path that renders it: render an
/// item that has every field, and every branch of the footer.
fn render_sample(config: &Config, templates: &Templates, group: &Group) -> Result<()> {
    let article = Article {
        title: "점검용 기사".into(),
        label: Some("점검".into()),
        body: "점검용 문장이다.".into(),
        published_at: None,
        roundup: Some("점검용 모음".into()),
        line: 1,
        url: Some("https://example.com/점검".into()),
        outlet: Some("점검일보".into()),
    };
    let other = Article {
        title: "점검용 다른 기사".into(),
        outlet: Some("점검방송".into()),
        ..article.clone()
    };
    let summaries = [Summary {
        article: &article,
        also: vec![&other],
        sentences: vec!["점검용 문장이다."],
        selection: Selection {
            picks: vec![0],
            order: vec![0],
            scores: vec![1.0],
        },
    }];
    let date = NaiveDate::from_ymd_opt(2025, 9, 7).context("a fixed valid date")?;
    let subject = group.subject.as_deref().unwrap_or(&config.mail.subject);
    let retold = [digest::Retold {
        articles: vec![&other],
        date: date.pred_opt().context("a fixed valid date")?,
    }];
    let mut digest = digest::build(&summaries, &retold, group, date);
    crate::job::add_footer(config, &mut digest);
    digest
        .description
        .get_or_insert_with(|| "점검용 설명".into());
    digest
        .contact
        .get_or_insert_with(|| "check@example.com".into());
    digest
        .unsubscribe_url
        .get_or_insert_with(|| "https://example.com/unsubscribe".into());
    templates.render(digest, subject)?;
    Ok(())
}

/// Who receives what, and when: per group its recipients, filters, lines, schedule and
/// next runs (in the group's zone).
fn summary(config: &Config) -> String {
    let recipients: usize = config.groups.iter().map(|g| g.recipients.len()).sum();
    let delivery = match &config.smtp {
        Some(s) => format!("SMTP {}:{} ({:?})", s.host, s.port, s.tls),
        None => format!("outbox folder {}", config.mail.outbox.display()),
    };
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = writeln!(out, "{}: OK", config.path.display());
    for source in &config.sources {
        let _ = writeln!(out, "  source: {}", source.label());
    }
    let _ = writeln!(
        out,
        "  groups: {} with {}; delivery: {delivery}",
        config.groups.len(),
        plural(recipients, "recipient")
    );
    if let Some(line) = web(config) {
        let _ = writeln!(out, "  web: {line}");
    }
    let now = crate::clock::now();
    for g in &config.groups {
        let named: Vec<String> = g
            .recipients
            .iter()
            .take(SHOWN_RECIPIENTS)
            .map(ToString::to_string)
            .collect();
        let more = g.recipients.len().saturating_sub(SHOWN_RECIPIENTS);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  group {}: {}: {}{more}",
            g.name,
            plural(g.recipients.len(), "recipient"),
            named.join(", ")
        );
        let _ = writeln!(out, "    articles: {}", filters(config, g));
        let s = &g.schedule;
        let mut skips = Vec::new();
        if s.skip_weekends {
            skips.push("weekends".to_owned());
        }
        skips.extend(s.skip_dates.iter().map(ToString::to_string));
        let skips = match skips.is_empty() {
            true => String::new(),
            false => format!(", not on {}", skips.join(", ")),
        };
        let _ = writeln!(
            out,
            "    schedule: {:?} in {}{skips}",
            s.cron_text, s.timezone
        );
        let runs: Vec<String> = next_runs(s, now, SHOWN_RUNS)
            .iter()
            .map(|t| t.to_rfc3339())
            .collect();
        match runs.is_empty() {
            true => {
                let _ = writeln!(out, "    next runs: none from now on");
            }
            false => {
                let _ = writeln!(out, "    next runs: {}", runs.join(", "));
            }
        }
    }
    out
}

/// What `[web]` gives: the endpoint's tokens and the one-click links. Notes, never
/// problems: `run` without `--listen` needs no token, and without `base_url` the
/// messages go out all the same, only without the one-click link.
fn web(config: &Config) -> Option<String> {
    let web = config.web.as_ref()?;
    let unset = |env: &str| match std::env::var_os(env) {
        Some(_) => "",
        None => " (not set in this environment)",
    };
    let mut parts = vec![match &web.token_env {
        Some(env) => format!("run --listen takes the bearer token in {env}{}", unset(env)),
        None => "no token_env, so run --listen will not start".to_owned(),
    }];
    if let Some(env) = &web.read_token_env {
        parts.push(format!("the read-only token in {env}{}", unset(env)));
    }
    parts.push(match config.unsubscribe_links() {
        Some(links) => format!("one-click unsubscribe links to {}/unsubscribe", links.base_url),
        None => "note: no base_url and secret_env, so the messages carry no one-click unsubscribe link (they are needed only for it)".to_owned(),
    });
    Some(parts.join("; "))
}

/// The group's filters, limit and lines per article, in a line.
fn filters(config: &Config, g: &Group) -> String {
    let f = &g.filter;
    let mut parts = Vec::new();
    for (list, what) in [
        (&f.include_labels, "labels"),
        (&f.exclude_labels, "not labels"),
        (&f.include_keywords, "keywords"),
        (&f.exclude_keywords, "not keywords"),
    ] {
        if !list.is_empty() {
            parts.push(format!("{what} {}", list.join(", ")));
        }
    }
    if parts.is_empty() {
        parts.push("all".into());
    }
    if let Some(n) = g.max_articles {
        parts.push(format!("at most {n}"));
    }
    parts.push(format!(
        "{} per article",
        plural(config.lines_per_article(g), "line")
    ));
    parts.join("; ")
}
