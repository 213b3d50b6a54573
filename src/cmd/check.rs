//! `briefing check`: everything that can be checked before seven in the morning.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;

use super::load_config;
use crate::digest::{self, Templates};
use crate::dump::Article;
use crate::schedule::next_run;
use crate::select::Selection;
use crate::summary::Summary;

pub fn run(path: &Path) -> Result<ExitCode> {
    let config = load_config(path)?;
    let templates = Templates::load(config.mail.templates.as_deref())?;
    // Strict mode only catches a misspelt field on the path that renders it: render an
    // item that has every field.
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
    let summaries = [Summary {
        article: &article,
        sentences: vec!["점검용 문장이다."],
        selection: Selection {
            picks: vec![0],
            order: vec![0],
            scores: vec![1.0],
        },
    }];
    let date = NaiveDate::from_ymd_opt(2025, 9, 7).context("a fixed valid date")?;
    for group in &config.groups {
        let subject = group.subject.as_deref().unwrap_or(&config.mail.subject);
        let mut digest = digest::build(&summaries, group, date);
        crate::job::add_footer(&config, &mut digest);
        // Every branch of the footer too.
        digest
            .description
            .get_or_insert_with(|| "점검용 설명".into());
        digest
            .contact
            .get_or_insert_with(|| "check@example.com".into());
        digest
            .unsubscribe_url
            .get_or_insert_with(|| "https://example.com/unsubscribe".into());
        templates
            .render(digest, subject)
            .with_context(|| format!("{}: groups.{}", config.path.display(), group.name))?;
    }
    for location in config.sources.iter().map(|s| &s.location) {
        if !location.starts_with("http://")
            && !location.starts_with("https://")
            && !Path::new(location).exists()
        {
            bail!(
                "{}: source.location: {location} does not exist",
                config.path.display()
            );
        }
    }
    if let Some(smtp) = &config.smtp {
        if let (Some(_), Some(var)) = (&smtp.username, &smtp.password_env) {
            if std::env::var_os(var).is_none() {
                bail!(
                    "{}: smtp.password_env: the environment variable {var} is not set",
                    config.path.display()
                );
            }
        }
    }
    // The unsubscribe token key and the DKIM key, read as a send reads them.
    crate::deliver::Letterhead::new(&config, &config.groups[0].name)
        .with_context(|| config.path.display().to_string())?;
    let recipients: usize = config.groups.iter().map(|g| g.recipients.len()).sum();
    let delivery = match &config.smtp {
        Some(s) => format!("SMTP {}:{} ({:?})", s.host, s.port, s.tls),
        None => format!("outbox folder {}", config.mail.outbox.display()),
    };
    println!("{}: OK", config.path.display());
    for source in &config.sources {
        println!("  source: {}", source.label());
    }
    println!(
        "  groups: {} with {}; delivery: {delivery}",
        config.groups.len(),
        crate::job::plural(recipients, "recipient")
    );
    match next_run(&config, crate::clock::now()) {
        Some(next) => println!(
            "  schedule: {:?} in {}, next run {}",
            config.schedule.cron_text,
            config.schedule.timezone,
            next.to_rfc3339()
        ),
        None => println!("  schedule: {:?} never fires", config.schedule.cron_text),
    }
    Ok(ExitCode::SUCCESS)
}
