//! The timer: one tokio-cron-scheduler job per distinct schedule (cron and zone) of the
//! config in force, made with [`Job::new_async_tz`], removed and made again on a reload.
//!
//! The crate waits and fires; the instant it waits for is the daemon's own
//! [`next_run`], which the crate's job store ([`Ticks`]) puts in place of the crate's
//! next tick every time it stores one. What the crate does with 0.15.1's in-memory store, read in its source:
//!
//! - a job's first tick is croner's next time in the job's zone, from `Utc::now()`;
//! - after each fire the next is croner's next in a *fixed* UTC offset, the one the zone
//!   had when the job was made: a job made in winter fires an hour late all summer;
//! - a loop wakes every 500 ms and fires each job whose tick (whole seconds, real clock)
//!   has come: a run starts up to half a second after its time.
//!
//! Its own ticks would thus go wrong at the first change of clocks, run 01:30 twice on
//! the spring-forward day (croner's answer in New York, see [`super::plan`]), and follow
//! the real clock where `BRIEFING_NOW` pins the daemon's. So the store keeps the
//! daemon's plan instead, placed on the real clock by [`clock::on_real_clock`]: a daemon
//! pinned at 06:59:58 fires its 07:00 run two seconds later, as an unpinned one does at
//! 07:00. Whatever the crate fires, a fire starts a run only for a slot not run yet
//! (`Timetable::claim` in the parent module).

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{anyhow, Result};
use chrono::{DateTime, Utc};
use tokio_cron_scheduler::job::job_data::{JobAndNextTick, JobStoredData};
use tokio_cron_scheduler::job::JobId;
use tokio_cron_scheduler::store::{DataStore, InitStore};
use tokio_cron_scheduler::{
    Job, JobScheduler, JobSchedulerError, MetaDataStorage, SimpleJobCode, SimpleMetadataStore,
    SimpleNotificationCode, SimpleNotificationStore,
};

use super::{next_run, schedules};
use crate::clock;
use crate::config::{Config, Schedule};

/// What a job fires: the schedule whose time has come.
pub type Fire = Arc<dyn Fn(&Schedule) + Send + Sync>;

/// What the crate's store needs to plan a job's next tick.
struct Planned {
    schedule: Schedule,
    /// Its groups' names, for the log.
    groups: String,
}

type Plans = Arc<Mutex<HashMap<JobId, Planned>>>;

/// The crate's scheduler and the jobs of the config in force.
pub struct Jobs {
    scheduler: JobScheduler,
    plans: Plans,
    fire: Fire,
}

impl Jobs {
    /// A running scheduler without jobs yet: [`Jobs::follow`] gives it the config's.
    pub async fn start(fire: Fire) -> Result<Jobs> {
        let plans = Plans::default();
        let ticks = Ticks {
            inner: SimpleMetadataStore::default(),
            plans: plans.clone(),
        };
        let scheduler = JobScheduler::new_with_storage_and_code(
            Box::new(ticks),
            Box::new(SimpleNotificationStore::default()),
            Box::new(SimpleJobCode::default()),
            Box::new(SimpleNotificationCode::default()),
            200,
        )
        .await
        .map_err(|e| failed("start the scheduler", &e))?;
        scheduler
            .start()
            .await
            .map_err(|e| failed("start the scheduler", &e))?;
        Ok(Jobs {
            scheduler,
            plans,
            fire,
        })
    }

    /// Replaces the jobs with one per distinct schedule of `config`.
    pub async fn follow(&mut self, config: &Config) -> Result<()> {
        let old: Vec<JobId> = self.plans().keys().copied().collect();
        for id in old {
            self.scheduler
                .remove(&id)
                .await
                .map_err(|e| failed("remove a job", &e))?;
            self.plans().remove(&id);
        }
        for (schedule, groups) in schedules(config) {
            let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
            let job = self.job(schedule)?;
            // Planned before it is added: the store asks for the plan as it stores the job.
            self.plans().insert(
                job.guid(),
                Planned {
                    schedule: schedule.clone(),
                    groups: names.join(", "),
                },
            );
            self.scheduler
                .add(job)
                .await
                .map_err(|e| failed("add a job", &e))?;
        }
        Ok(())
    }

    fn job(&self, schedule: &Schedule) -> Result<Job> {
        let fire = self.fire.clone();
        let fired = schedule.clone();
        Job::new_async_tz(
            schedule.cron_text.as_str(),
            schedule.timezone,
            move |_, _| {
                let (fire, fired) = (fire.clone(), fired.clone());
                Box::pin(async move { fire(&fired) })
            },
        )
        .map_err(|e| failed(&format!("make a job of {:?}", schedule.cron_text), &e))
    }

    /// Stops the timer: no job fires any more.
    pub async fn stop(&mut self) {
        if let Err(e) = self.scheduler.shutdown().await {
            tracing::warn!("{}", failed("stop the scheduler", &e));
        }
    }

    /// A panic elsewhere while holding the plans leaves them whole (every change is one
    /// insert or remove).
    fn plans(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, Planned>> {
        self.plans.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn failed(what: &str, e: &JobSchedulerError) -> anyhow::Error {
    anyhow!("tokio-cron-scheduler: cannot {what}: {e}")
}

/// The next tick of `planned`: its next run after now (see [`super::plan`]), on the real
/// clock and rounded up to the crate's whole seconds, so that when it fires the daemon's
/// clock has reached the run's time.
fn tick(planned: &Planned) -> Option<DateTime<Utc>> {
    let Some(next) = next_run(&planned.schedule, clock::now()) else {
        tracing::warn!(
            "{}: {:?} in {} fires no more",
            planned.groups,
            planned.schedule.cron_text,
            planned.schedule.timezone
        );
        return None;
    };
    tracing::info!(
        "next briefing at {} ({})",
        next.to_rfc3339(),
        planned.groups
    );
    let real = clock::on_real_clock(next.to_utc());
    let rounded = real.timestamp() + i64::from(real.timestamp_subsec_nanos() > 0);
    DateTime::from_timestamp(rounded, 0)
}

type Answer<T> = Pin<Box<dyn Future<Output = Result<T, JobSchedulerError>> + Send>>;

/// The crate's in-memory job store, except that the next tick it keeps for a job of
/// ours is the daemon's plan, not the one the crate worked out.
struct Ticks {
    inner: SimpleMetadataStore,
    plans: Plans,
}

impl Ticks {
    fn planned(&self, id: JobId) -> Option<Option<DateTime<Utc>>> {
        let plans = self.plans.lock().unwrap_or_else(PoisonError::into_inner);
        plans.get(&id).map(tick)
    }
}

impl DataStore<JobStoredData> for Ticks {
    fn get(&mut self, id: JobId) -> Answer<Option<JobStoredData>> {
        self.inner.get(id)
    }

    fn add_or_update(&mut self, mut data: JobStoredData) -> Answer<()> {
        if let Some(next) = data.id.as_ref().and_then(|id| self.planned(id.into())) {
            data.set_next_tick(next);
        }
        self.inner.add_or_update(data)
    }

    fn delete(&mut self, id: JobId) -> Answer<()> {
        self.inner.delete(id)
    }
}

impl InitStore for Ticks {
    fn init(&mut self) -> Answer<()> {
        self.inner.init()
    }

    fn inited(&mut self) -> Answer<bool> {
        self.inner.inited()
    }
}

impl MetaDataStorage for Ticks {
    fn list_next_ticks(&mut self) -> Answer<Vec<JobAndNextTick>> {
        self.inner.list_next_ticks()
    }

    /// Called by the crate right after it fired `id`, with the next tick it computed.
    fn set_next_and_last_tick(
        &mut self,
        id: JobId,
        next: Option<DateTime<Utc>>,
        last: Option<DateTime<Utc>>,
    ) -> Answer<()> {
        let next = self.planned(id).unwrap_or(next);
        self.inner.set_next_and_last_tick(id, next, last)
    }

    fn time_till_next_job(&mut self) -> Answer<Option<std::time::Duration>> {
        self.inner.time_till_next_job()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_store_keeps_the_daemons_next_tick_in_place_of_the_crates() {
        let schedule = Schedule::for_test();
        let mut job =
            Job::new_async_tz("0 0 7 * * *", schedule.timezone, |_, _| Box::pin(async {})).unwrap();
        let id = job.guid();
        let plans = Plans::default();
        let planned = Planned {
            schedule: schedule.clone(),
            groups: "morning".into(),
        };
        plans.lock().unwrap().insert(id, planned);
        let mut ticks = Ticks {
            inner: SimpleMetadataStore::default(),
            plans,
        };
        let stored = |data: Option<JobStoredData>| data.unwrap().next_tick_utc().unwrap();
        let want = next_run(&schedule, clock::now()).unwrap().to_utc();
        let mut data = job.job_data().unwrap();
        data.next_tick = 1;
        ticks.add_or_update(data).await.unwrap();
        assert_eq!(stored(ticks.get(id).await.unwrap()), want);
        // After a fire the crate computes its next tick in the UTC offset the zone had
        // when the job was made: an hour off after a change of clocks.
        let off = want + chrono::Duration::hours(1);
        ticks
            .set_next_and_last_tick(id, Some(off), Some(clock::now()))
            .await
            .unwrap();
        assert_eq!(stored(ticks.get(id).await.unwrap()), want);
    }
}
