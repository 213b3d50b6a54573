//! Trying again: which failures may pass, and how long to wait before the next try.
//!
//! One policy serves every retry of the program (a fetch of a dump, a message to a
//! relay, the daemon's run and its deferred recipients): the pause doubles from a first
//! one, with jitter so that many clients retrying one busy server do not come back in
//! step, and a cap where the caller has a window to fit into.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A local cause that passes by itself, as a relay's 4xx does: the process or the
/// system is out of file descriptors (EMFILE, ENFILE) or of memory for a moment
/// (ENOMEM, ENOBUFS, an allocation refused), the disk or the quota is full (ENOSPC,
/// EDQUOT: someone clears it), a lock or a device is busy (EWOULDBLOCK, EBUSY). Worth
/// another try within `schedule.catch_up`; a wrong path or a permission is not.
pub fn is_passing(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(
        e.kind(),
        K::OutOfMemory | K::StorageFull | K::QuotaExceeded | K::ResourceBusy | K::WouldBlock
    ) || e
        .raw_os_error()
        .is_some_and(|n| [libc::EMFILE, libc::ENFILE, libc::ENOBUFS].contains(&n))
}

/// The pause before retry `retry` (from 1): `first_ms` doubled for each retry before
/// it (at most 2^10 times), plus up to half again as jitter. The jitter is derived from
/// `key` (the address, the URL, the groups of a run) and the retry: no RNG needed, and
/// two keys retried together still drift apart. Never overflows.
pub fn backoff(first_ms: u64, retry: u32, key: &str) -> Duration {
    let exp = first_ms.saturating_mul(1 << retry.saturating_sub(1).min(10));
    let mut seed = crc32fast::Hasher::new();
    seed.update(&retry.to_le_bytes());
    seed.update(key.as_bytes());
    let jitter = u64::from(seed.finalize()) % (exp / 2 + 1);
    Duration::from_millis(exp.saturating_add(jitter))
}

/// The daemon's first pause before trying a run or a deferred recipient again: a
/// greylisting relay or a restarting server is often back within the minute.
const DAEMON_FIRST_MS: u64 = 60_000;

/// The daemon's longest pause, as MTAs space their queue runs.
const DAEMON_MOST: Duration = Duration::from_secs(60 * 60);

/// How long the daemon waits before the `n`th retry (from 0) of a run or of a deferred
/// recipient (`key`): [`backoff`] from a minute, at most an hour, and never more than
/// an eighth of the window (`schedule.catch_up`), so that even a short window gets
/// several tries.
pub fn daemon_pause(n: u32, window: Duration, key: &str) -> Duration {
    let cap = DAEMON_MOST.min((window / 8).max(Duration::from_secs(1)));
    backoff(DAEMON_FIRST_MS, n.saturating_add(1), key).min(cap)
}

/// Sleeps for `pause`, in short steps so a shutdown is noticed; false if it was.
pub async fn pause_unless_stopped(pause: Duration, stop: Option<&AtomicBool>) -> bool {
    const STEP: Duration = Duration::from_millis(100);
    let stopping = || stop.is_some_and(|s| s.load(Ordering::SeqCst));
    let deadline = tokio::time::Instant::now() + pause;
    while tokio::time::Instant::now() < deadline {
        if stopping() {
            return false;
        }
        tokio::time::sleep_until(deadline.min(tokio::time::Instant::now() + STEP)).await;
    }
    !stopping()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_never_overflows() {
        let cases = [
            // (base, retry, at least, at most)
            (2000, 1, 2000, 3000),
            (2000, 2, 4000, 6000),
            (0, 3, 0, 0),
            (600_000, 20, 600_000 << 10, (600_000 << 10) * 3 / 2),
            (u64::MAX / 2, 2, u64::MAX, u64::MAX),
            (u64::MAX, u32::MAX, u64::MAX, u64::MAX),
        ];
        for (base, retry, lo, hi) in cases {
            let pause = backoff(base, retry, "김하늘@example.com");
            let ms = u64::try_from(pause.as_millis()).unwrap();
            assert!((lo..=hi).contains(&ms), "{base} {retry}: {ms}");
        }
    }

    /// From a minute, doubling to an hour, each within an eighth of the window.
    #[test]
    fn the_daemon_waits_a_minute_then_longer_but_an_eighth_of_the_window_at_most() {
        let hours = |h: u64| Duration::from_secs(h * 3600);
        let minutes = |p: Duration| p.as_secs_f64() / 60.0;
        for (n, lo, hi) in [
            (0, 1.0, 1.5),
            (1, 2.0, 3.0),
            (3, 8.0, 12.0),
            (9, 60.0, 60.0),
        ] {
            let pause = minutes(daemon_pause(n, hours(24), "morning"));
            assert!((lo..=hi).contains(&pause), "retry {n}: {pause} minutes");
        }
        assert_eq!(daemon_pause(5, hours(2), "morning"), hours(2) / 8);
        assert_eq!(
            daemon_pause(0, Duration::from_secs(4), "morning"),
            Duration::from_secs(1)
        );
        assert_eq!(
            daemon_pause(u32::MAX, Duration::MAX, "morning"),
            Duration::from_secs(3600)
        );
    }
}
