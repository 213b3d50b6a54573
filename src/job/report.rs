//! What a run did, for the person who ran it (text), the log (one line) and a script
//! (JSON): per group, who has the briefing, who was skipped, who failed or waits for
//! another try.

use std::fmt;

use chrono::{DateTime, Utc};

use super::Day;
use crate::config::Group;
use crate::day::SourceFailure;
use crate::digest::Rendered;
use crate::report::plural;
use crate::suppress::Unreadable;

/// What happened to one group. Serialized for the web endpoint's `POST /send`, where a
/// script reads it instead of the text.
#[derive(Debug, Default, serde::Serialize)]
pub struct GroupReport {
    pub group: String,
    pub subject: String,
    pub items: usize,
    pub recipients: usize,
    pub delivered: usize,
    /// Delivered by an earlier run today.
    pub already: usize,
    /// Not sent: unsubscribed (`briefing unsubscribe`), neither failed nor pending.
    pub suppressed: usize,
    /// Address and last error.
    #[serde(serialize_with = "failed_json")]
    pub failed: Vec<(String, String)>,
    /// Address, last (temporary) error and the earliest next try: kept for a retry.
    #[serde(serialize_with = "deferred_json")]
    pub deferred: Vec<(String, String, DateTime<Utc>)>,
    /// Not tried: the run stopped (fatal error or shutdown) before them.
    pub not_tried: usize,
    /// Nothing was sent because the dump had no article.
    pub skipped_empty: bool,
}

impl GroupReport {
    /// The report of `group`'s briefing before anything is sent: `skip` when it has no
    /// article and `on_empty = "skip"`.
    pub(super) fn of(group: &Group, rendered: &Rendered, skip: bool) -> GroupReport {
        GroupReport {
            group: group.name.clone(),
            subject: rendered.subject.clone(),
            items: rendered.items,
            recipients: group.recipients.len(),
            skipped_empty: skip,
            ..GroupReport::default()
        }
    }
}

/// What happened to the whole run.
#[derive(Debug, Default, serde::Serialize)]
pub struct Report {
    pub date: String,
    pub origin: String,
    /// Sources that gave nothing to this briefing, and why.
    pub failed_sources: Vec<SourceFailure>,
    /// Lines of the suppression list that could not be read: skipped, so that the rest
    /// of the list is honoured and the briefing goes out.
    pub unreadable_suppressions: Vec<Unreadable>,
    /// Articles in this briefing.
    pub articles: usize,
    /// Articles left out because an earlier briefing carried them, and its date.
    #[serde(serialize_with = "stale_json")]
    pub stale: Option<(usize, String)>,
    pub dry_run: bool,
    pub groups: Vec<GroupReport>,
    /// The error that stopped the run early (AUTH, TLS, outbox not writable).
    pub fatal: Option<String>,
    /// The run stopped because the server could not be reached: worth another run soon.
    pub server_down: bool,
}

/// Named fields rather than arrays, so that a script reads `failed[0].address`.
fn failed_json<S: serde::Serializer>(v: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(
        v.iter()
            .map(|(address, error)| serde_json::json!({ "address": address, "error": error })),
    )
}

fn deferred_json<S: serde::Serializer>(
    v: &[(String, String, DateTime<Utc>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|(address, error, next_try)| {
        serde_json::json!({ "address": address, "error": error, "next_try": next_try })
    }))
}

fn stale_json<S: serde::Serializer>(v: &Option<(usize, String)>, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(
        &v.as_ref()
            .map(|(articles, date)| serde_json::json!({ "articles": articles, "briefing": date })),
        s,
    )
}

impl Report {
    /// The report of a run of `day`, before anything is sent.
    pub(super) fn of(day: &Day, dry_run: bool) -> Report {
        Report {
            date: day.date.to_string(),
            origin: day.sources.origin(),
            failed_sources: day.sources.failed.clone(),
            articles: day.articles,
            stale: day.stale.clone(),
            dry_run,
            ..Report::default()
        }
    }

    /// True when every recipient has today's briefing (now or from an earlier run).
    pub fn complete(&self) -> bool {
        self.fatal.is_none()
            && self
                .groups
                .iter()
                .all(|g| g.failed.is_empty() && g.deferred.is_empty() && g.not_tried == 0)
    }

    /// The report for a script: what `POST /send` answers and `send --json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        // Cannot fail: every key is a string and every value plain data.
        let mut body = serde_json::to_value(self).unwrap_or_default();
        body["complete"] = self.complete().into();
        body
    }

    /// The report as one log line (a log shipper reads one event per line); the full
    /// text goes to stdout, each failure has its own log line already.
    pub fn summary(&self) -> String {
        let groups: Vec<String> = self
            .groups
            .iter()
            .map(|g| {
                let mut parts = Vec::new();
                if g.skipped_empty {
                    parts.push("nothing new, skipped".to_string());
                } else if self.dry_run {
                    let would = g.recipients - g.already - g.suppressed;
                    parts.push(format!("{would} would be sent"));
                } else {
                    let has = g.delivered + g.already;
                    parts.push(format!("{has}/{} delivered", g.recipients));
                }
                for (n, what) in [
                    (g.failed.len(), "failed"),
                    (g.deferred.len(), "deferred"),
                    (g.not_tried, "not tried"),
                ] {
                    if n > 0 {
                        parts.push(format!("{n} {what}"));
                    }
                }
                format!("{} {}", g.group, parts.join(", "))
            })
            .collect();
        let mut line = format!(
            "briefing {} ({}{}): {}",
            self.date,
            plural(self.articles, "article"),
            if self.dry_run { ", dry run" } else { "" },
            groups.join("; ")
        );
        if let Some(fatal) = &self.fatal {
            line.push_str(&format!("; stopped: {fatal}"));
        }
        line
    }

    /// The earliest time a deferred recipient is due another try.
    pub fn next_try(&self) -> Option<DateTime<Utc>> {
        self.groups
            .iter()
            .flat_map(|g| g.deferred.iter().map(|d| d.2))
            .min()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "briefing {} from {} ({}",
            self.date,
            self.origin,
            plural(self.articles, "article")
        )?;
        if let Some((n, date)) = &self.stale {
            write!(f, "; {n} left out, already in the briefing of {date}")?;
        }
        writeln!(f, "){}", if self.dry_run { ", dry run" } else { "" })?;
        for s in &self.failed_sources {
            writeln!(
                f,
                "  source {} failed: {}; the briefing was built from the other sources",
                s.source, s.error
            )?;
        }
        for line in &self.unreadable_suppressions {
            writeln!(f, "  {line}")?;
        }
        for g in &self.groups {
            self.write_group(f, g)?;
        }
        if let Some(fatal) = &self.fatal {
            writeln!(f, "  stopped: {fatal}")?;
        }
        Ok(())
    }
}

impl Report {
    /// One group's lines of the report.
    fn write_group(&self, f: &mut fmt::Formatter<'_>, g: &GroupReport) -> fmt::Result {
        write!(
            f,
            "  {}: {:?}, {}, {}: ",
            g.group,
            g.subject,
            plural(g.items, "item"),
            plural(g.recipients, "recipient")
        )?;
        if g.skipped_empty {
            let what = match &self.stale {
                _ if self.articles > 0 => "no article for this group".into(),
                Some((_, date)) => format!("no article newer than the briefing of {date}"),
                None => "no article".into(),
            };
            writeln!(f, "{what}, nothing sent (on_empty = \"skip\")")?;
            return Ok(());
        }
        if self.dry_run {
            writeln!(
                f,
                "{} would be sent, {} already delivered, {} suppressed",
                g.recipients - g.already - g.suppressed,
                g.already,
                g.suppressed
            )?;
            return Ok(());
        }
        write!(
            f,
            "{} delivered, {} already delivered earlier, {} failed",
            g.delivered,
            g.already,
            g.failed.len(),
        )?;
        if g.suppressed > 0 {
            write!(f, ", {} suppressed (unsubscribed)", g.suppressed)?;
        }
        if !g.deferred.is_empty() {
            write!(f, ", {} deferred", g.deferred.len())?;
        }
        writeln!(f, ", {} not tried", g.not_tried)?;
        for (who, why) in &g.failed {
            writeln!(f, "    failed {who}: {why}")?;
        }
        for (who, why, next) in &g.deferred {
            writeln!(
                f,
                "    deferred {who}: {why} (a temporary failure; the daemon tries again from {}, within schedule.catch_up)",
                next.to_rfc3339()
            )?;
        }
        Ok(())
    }
}
