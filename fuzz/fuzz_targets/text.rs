//! Fuzz target for the whole text path: bytes -> decode -> dump -> summaries -> digest
//! -> rendered subject, text and HTML. The first byte picks lines per article and a
//! cap on items, the rest is the dump. No stage may panic, a rendered subject is
//! always one header line, and no dump text becomes markup in the HTML part.
#![no_main]

use std::sync::OnceLock;

use briefing::config::{Filter, Group, OnEmpty, SummaryConfig};
use briefing::digest::{self, Templates};
use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;

fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(|| Templates::load(None).expect("built-in templates"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&knobs, dump)) = data.split_first() else {
        return;
    };
    let Ok(fetched) = briefing::fetch::decode(dump, "fuzz.txt") else {
        return;
    };
    let Ok(articles) = briefing::dump::parse(&fetched.text, &fetched.origin) else {
        return;
    };
    let cfg = SummaryConfig {
        lines_per_article: usize::from(knobs % 4) + 1,
        ..SummaryConfig::default()
    };
    let summaries = briefing::summary::summarize(&articles, &cfg);
    for s in &summaries {
        assert!(s.selection.picks.len() <= cfg.lines_per_article);
        assert!(s.selection.picks.iter().all(|&i| i < s.sentences.len()));
    }
    let group = Group {
        name: "fuzz".into(),
        recipients: Vec::new(),
        max_articles: (knobs >= 128).then_some(usize::from(knobs % 8)),
        filter: Filter::default(),
        lines_per_article: None,
        subject: None,
        on_empty: OnEmpty::Skip,
    };
    let date = NaiveDate::from_ymd_opt(2025, 9, 7).expect("a valid date");
    let digest = digest::build(&summaries, &group, date);
    let subject = "[아침 브리핑] {{date}} {{#each items}}{{title}} {{/each}}";
    let rendered = templates()
        .render(digest, subject)
        .expect("the built-in templates render any digest");
    assert!(!rendered.subject.contains(['\r', '\n']));
    // Article text is escaped in HTML: a `<script>` in a dump arrives as text.
    assert!(!rendered.html.to_ascii_lowercase().contains("<script"));
});
