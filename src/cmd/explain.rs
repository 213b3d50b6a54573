//! `briefing explain`: why each line was or was not picked.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::{load_config, write_stdout};
use crate::config::{Config, Order};
use crate::day;
use crate::dump::Article;
use crate::glance::glance;
use crate::job::{load, Edition};
use crate::merge::{self, Corpus, Pair, Repeat, Similarity, Story};
use crate::rank;
use crate::score::Idf;
use crate::select::{explain, Heading};
use crate::split::split;
use crate::summary::Summary;

pub async fn run(
    config: &Path,
    dump: Option<&str>,
    article: Option<usize>,
    day: bool,
    merges: bool,
) -> Result<ExitCode> {
    let config = load_config(config)?;
    let loaded = load(&config, dump).await?;
    let articles = &loaded.articles;
    if merges {
        explain_merges(&config, articles, &loaded.origin())?;
        return Ok(ExitCode::SUCCESS);
    }
    if day {
        explain_day(&config, articles, &loaded.origin())?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(n) = article {
        if n == 0 || n > articles.len() {
            bail!(
                "--article {n}: {} has articles 1 to {}",
                loaded.origin(),
                articles.len()
            );
        }
    }
    // The same rarity weights as the briefing: measured over the whole dump.
    let idf = Idf::from_texts(articles.iter().map(|a| a.body.as_str()));
    write_stdout(|out| {
        for (n, a) in articles.iter().enumerate() {
            if article.is_some_and(|want| want != n + 1) {
                continue;
            }
            let sentences = split(&a.body);
            let outlet = a.outlet.as_ref().map(|o| format!(" ({o})"));
            writeln!(out, "{}. {}{}", n + 1, a.title, outlet.unwrap_or_default())?;
            if let Some(url) = &a.url {
                writeln!(out, "   {url}")?;
            }
            let why = explain(&sentences, &Heading::from(a), &idf, &config.summary);
            writeln!(out, "{why}")?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The day as a group without filters gets it, in the rank's order: each story's rank
/// and the signals behind it, then the day at a glance with the stories behind each
/// keyword and figure.
fn explain_day(config: &Config, articles: &[Article], origin: &str) -> Result<()> {
    let today = crate::clock::today(config.schedule.timezone);
    let edition = Edition::of(config, articles, today)?;
    let order = rank::order(&edition.ranked, Order::Rank);
    let summaries: Vec<&Summary> = order.iter().map(|&i| edition.leads.summary(i)).collect();
    let g = glance(&summaries, &edition.common);
    let title = |n: usize| {
        summaries
            .get(n - 1)
            .map_or("", |s| s.article.title.as_str())
    };
    write_stdout(|out| {
        writeln!(
            out,
            "the day of {origin} ({} articles, {} stories)",
            articles.len(),
            order.len()
        )?;
        writeln!(out, "rank: outlets that told it first, then the day's vocabulary it carries, its figures, recency and length; features and round-up items below news, opinion after the news")?;
        for (n, &i) in order.iter().enumerate() {
            let r = &edition.ranked[i];
            let x = &r.signals;
            let hours = x
                .hours_old
                .map_or("no time".to_owned(), |h| format!("{h:.1} h old"));
            writeln!(
                out,
                "  {}. {} — score {:.2}: outlets {} (tellings {}), vocabulary {:.2}, figures {}, {hours}, length {}, {}",
                n + 1,
                summaries[n].article.title,
                r.score,
                x.outlets,
                x.tellings,
                x.vocabulary,
                x.figures,
                x.length,
                x.kind.name()
            )?;
        }
        writeln!(out, "keywords: content words of the top stories' titles and key lines that at least two articles carry (each telling of a story counts), never a word common to any day; the most widely carried first")?;
        for k in &g.keywords {
            let items: Vec<String> = k.items.iter().map(usize::to_string).collect();
            writeln!(
                out,
                "  {} in {} articles, of stories {}",
                k.word,
                k.articles,
                items.join(", ")
            )?;
        }
        writeln!(out, "figures: the first quantity of each story's key lines (an amount, a percentage or a count; never a date, a time, an ordinal, a score or a number inside a name), with the words that say what it counts")?;
        for f in &g.figures {
            writeln!(out, "  {} from story {}: {}", f.text, f.item, title(f.item))?;
        }
        Ok(())
    })
}

/// How far under the threshold a pair is still shown as a near miss: the pairs a
/// slightly lower threshold would merge, which is what a reader tuning it wants to see.
const NEAR_MISS: f64 = 0.1;

/// The day's stories of more than one article, the near misses, and the stories a
/// recent briefing already carried.
fn explain_merges(config: &Config, articles: &[Article], origin: &str) -> Result<()> {
    let threshold = config.merge.threshold;
    let corpus = Corpus::of_articles(articles);
    let (stories, scored) = corpus.cluster(threshold, threshold - NEAR_MISS);
    let today = crate::clock::today(config.schedule.timezone)
        .format("%Y-%m-%d")
        .to_string();
    let past = day::recent(&config.state_dir, &today)?;
    let repeats = merge::repeats(articles, &past, threshold);
    let mut story_of = vec![usize::MAX; articles.len()];
    for (s, story) in stories.iter().enumerate() {
        for i in story.members() {
            story_of[i] = s;
        }
    }
    // Pairs of two stories: what the threshold kept apart.
    let near: Vec<(usize, usize)> = scored
        .iter()
        .filter(|&&(i, j, _)| story_of[i] != story_of[j])
        .map(|&(i, j, _)| (i, j))
        .collect();
    write_stdout(|out| {
        writeln!(
            out,
            "merges of {origin} ({} articles, [merge] threshold {threshold:.2})",
            articles.len()
        )?;
        write_stories(out, articles, &stories)?;
        write_near_misses(out, articles, &corpus, &near)?;
        writeln!(
            out,
            "repeats of the last briefings ({} kept in {}):",
            past.len(),
            config.state_dir.display()
        )?;
        write_repeats(out, articles, &past, &repeats)
    })
}

/// The stories told by more than one article, each with why its others joined it.
fn write_stories(out: &mut dyn Write, articles: &[Article], stories: &[Story]) -> io::Result<()> {
    let merged: Vec<_> = stories.iter().filter(|s| !s.others.is_empty()).collect();
    writeln!(
        out,
        "stories told by several articles: {} (of {} articles)",
        merged.len(),
        merged.iter().map(|s| s.others.len() + 1).sum::<usize>()
    )?;
    for story in merged {
        writeln!(
            out,
            "  {}. {} (lead: the longest body, each figure counting 40 characters)",
            story.lead + 1,
            articles[story.lead].title
        )?;
        for (i, sim) in &story.others {
            writeln!(out, "    + {}. {}: {}", i + 1, articles[*i].title, why(sim))?;
        }
    }
    Ok(())
}

/// The pairs `near` of two stories, with their scores.
fn write_near_misses(
    out: &mut dyn Write,
    articles: &[Article],
    corpus: &Corpus,
    near: &[(usize, usize)],
) -> io::Result<()> {
    writeln!(
        out,
        "near misses: pairs within {NEAR_MISS:.2} under the threshold, or above it but \
         unlike another article of the story (every pair of a story must pass)"
    )?;
    for &(i, j) in near {
        writeln!(
            out,
            "  {}. {} ~ {}. {}: {}",
            i + 1,
            articles[i].title,
            j + 1,
            articles[j].title,
            why(&corpus.similarity(i, j))
        )?;
    }
    Ok(())
}

/// Today's articles that repeat one of the last briefings', each with the earlier one.
fn write_repeats(
    out: &mut dyn Write,
    articles: &[Article],
    past: &[(String, Vec<Article>)],
    repeats: &[Repeat],
) -> io::Result<()> {
    for r in repeats {
        let earlier = past
            .iter()
            .find(|(date, _)| *date == r.date)
            .map_or("", |(_, a)| a[r.earlier].title.as_str());
        writeln!(
            out,
            "  {}. {} repeats {} {}. {}: {}",
            r.today + 1,
            articles[r.today].title,
            r.date,
            r.earlier + 1,
            earlier,
            why(&r.similarity)
        )?;
    }
    Ok(())
}

/// A similarity as one reason: the score and what the two articles share.
fn why(sim: &Similarity) -> String {
    let mut text = format!(
        "score {:.2}, shared terms: {}",
        sim.score,
        sim.shared_terms.join(", ")
    );
    if !sim.shared_figures.is_empty() {
        text.push_str(&format!(
            "; shared figures: {}",
            sim.shared_figures.join(", ")
        ));
    }
    if sim.figure_conflict {
        text.push_str("; figures disagree (same unit, no value in common)");
    }
    text
}

/// `explain --merges --pairs FILE`: the score of every pair, as JSON lines after one
/// line with the configured threshold, for `scripts/eval-merge`. Rarity is counted
/// over every article of the file, as it is over a day's dump.
pub fn pairs(config: &Path, file: &Path) -> Result<ExitCode> {
    let config = load_config(config)?;
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut pairs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let pair: Pair = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a pair", file.display(), n + 1))?;
        pairs.push(pair);
    }
    let corpus = Pair::corpus(&pairs);
    write_stdout(|out| {
        let threshold = serde_json::json!({ "threshold": config.merge.threshold });
        writeln!(out, "{threshold}")?;
        for (n, p) in pairs.iter().enumerate() {
            let sim = corpus.similarity(2 * n, 2 * n + 1);
            let line = serde_json::json!({
                "id": p.id,
                "same": p.same,
                "score": sim.score,
                "shared_terms": sim.shared_terms,
                "shared_figures": sim.shared_figures,
                "figure_conflict": sim.figure_conflict,
            });
            writeln!(out, "{line}")?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
