//! `GET /preview`: today's briefing, built once. A build of a large dump takes seconds
//! and a gigabyte; six requests at once used to make six. The briefing last built is
//! kept with what it was built from (the config in force, the date, a fingerprint of
//! the dump as read), and one build runs at a time: a request that comes during it
//! waits for it, then finds it current. A new dump, a reload or a new day builds anew.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use chrono::NaiveDate;
use tokio::sync::Mutex;

use crate::clock;
use crate::config::Config;
use crate::feed::SourceText;
use crate::job::{self, Gathered};

/// The briefing last built, with what it was built from.
struct Built {
    /// Held, so that the pointer cannot be reused by a later config.
    config: Arc<Config>,
    date: NaiveDate,
    dump: u64,
    /// The HTML of each group, in the config's order.
    pages: Arc<Vec<String>>,
}

#[derive(Default)]
pub struct Previews {
    /// Locked for the whole of a look-up and any build it starts.
    last: Arc<Mutex<Option<Built>>>,
}

impl Previews {
    /// Every group's page of today's briefing under `config`. The work runs on a task of
    /// its own: a client that gives up does not cancel a build others wait for.
    pub async fn pages(
        &self,
        config: Arc<Config>,
        stop: Arc<AtomicBool>,
    ) -> Result<Arc<Vec<String>>, job::Error> {
        let last = self.last.clone();
        tokio::spawn(async move {
            let mut last = last.lock().await;
            current_or_build(&mut last, config, &stop).await
        })
        .await
        .map_err(|e| anyhow::anyhow!("the preview build failed: {e}"))?
    }
}

async fn current_or_build(
    last: &mut Option<Built>,
    config: Arc<Config>,
    stop: &AtomicBool,
) -> Result<Arc<Vec<String>>, job::Error> {
    let date = clock::today(config.schedule.timezone);
    let gathered = job::gather(&config, None, date, Some(stop)).await?;
    // Hashing a large dump is CPU: on a thread of its own, as the build is.
    let (gathered, dump) = tokio::task::spawn_blocking(move || {
        let dump = fingerprint(&gathered);
        (gathered, dump)
    })
    .await
    .map_err(|e| anyhow::anyhow!("the preview's dump fingerprint failed: {e}"))?;
    if let Some(built) = last.as_ref() {
        if Arc::ptr_eq(&built.config, &config) && built.date == date && built.dump == dump {
            return Ok(built.pages.clone());
        }
    }
    tracing::debug!("preview: building the briefing of {date}");
    let day = job::build_day(&config, gathered, date, false, Some(stop)).await?;
    let pages = Arc::new(day.rendered.into_iter().map(|r| r.html).collect());
    *last = Some(Built {
        config,
        date,
        dump,
        pages: Arc::clone(&pages),
    });
    Ok(pages)
}

/// A digest of everything a build reads from `gathered` (the texts and where they came
/// from, and the sources that failed): the same fingerprint under the same config and
/// date gives the same briefing.
fn fingerprint(gathered: &Gathered) -> u64 {
    let mut h = DefaultHasher::new();
    let text = |h: &mut DefaultHasher, t: &SourceText| (&t.fetched.origin, &t.fetched.text).hash(h);
    match gathered {
        Gathered::Fresh(_, answers) => {
            for answer in answers {
                match answer {
                    Ok(t) => text(&mut h, t),
                    Err(e) => e.to_string().hash(&mut h),
                }
            }
        }
        Gathered::Kept(kept) => {
            for t in &kept.texts {
                text(&mut h, t);
            }
            for f in &kept.failed {
                (&f.source, &f.error).hash(&mut h);
            }
        }
    }
    h.finish()
}
