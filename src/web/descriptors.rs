//! The open-file limit, shared by the web endpoint's connections and the runs. Under
//! systemd the soft limit is 1,024 (the hard one far higher): clients holding a
//! thousand connections once left the 07:00 run without a descriptor for its ledger.
//! Raising the soft limit to the hard one, and capping the connections below what
//! remains after a run's share, keeps every run its descriptors whatever the clients do.

/// What a run and the daemon itself may hold open at once, beside the web endpoint's
/// connections: up to 64 SMTP connections (`smtp.connections`), the sources' fetches,
/// the ledger, the lock, the kept dump, the config watcher and the runtime's own.
pub const RUN_DESCRIPTORS: u64 = 192;

/// The fewest connections worth serving: below this the limit is a misconfiguration
/// to fix, not something to work around.
const FEWEST_CONNECTIONS: u64 = 8;

/// The soft and hard limits of open files (`None`: unlimited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub soft: Option<u64>,
    pub hard: Option<u64>,
}

/// How many connections the endpoint may hold, after raising the soft limit as far as
/// the hard one allows: `wanted` (`web.max_connections`) when it fits beside
/// [`RUN_DESCRIPTORS`], else as many as fit, with a warning naming the numbers. An
/// error when not even [`FEWEST_CONNECTIONS`] fit.
pub fn fit(wanted: usize) -> Result<usize, String> {
    let limits = raise();
    let fit = connections(wanted, limits)?;
    if fit < wanted {
        tracing::warn!(
            "the open-file limit is {} (hard {}): web.max_connections = {wanted} and the {RUN_DESCRIPTORS} a run needs do not fit; serving at most {fit} connections at once (raise LimitNOFILE, or `ulimit -n`)",
            show(limits.soft),
            show(limits.hard)
        );
    }
    Ok(fit)
}

/// The connections that fit under `limits`, at most `wanted`.
fn connections(wanted: usize, limits: Limits) -> Result<usize, String> {
    let Some(soft) = limits.soft else {
        return Ok(wanted);
    };
    let room = soft.saturating_sub(RUN_DESCRIPTORS);
    if room < FEWEST_CONNECTIONS {
        return Err(format!(
            "--listen: the open-file limit is {soft} (hard {}): no room for the web endpoint's connections beside the {RUN_DESCRIPTORS} descriptors a run needs; raise it (LimitNOFILE, `ulimit -n`) to at least {}",
            show(limits.hard),
            RUN_DESCRIPTORS + FEWEST_CONNECTIONS
        ));
    }
    Ok(usize::try_from(room).map_or(wanted, |room| wanted.min(room)))
}

fn show(limit: Option<u64>) -> String {
    limit.map_or_else(|| "unlimited".to_owned(), |n| n.to_string())
}

/// Raises the soft limit to the hard one; the limits in force after it.
#[cfg(unix)]
fn raise() -> Limits {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let before = getrlimit(Resource::Nofile);
    let (soft, hard) = (before.current, before.maximum);
    // An unlimited hard limit is not a number the kernel takes for open files
    // (fs.nr_open caps it): the soft limit is left as it is then.
    if let (Some(s), Some(h)) = (soft, hard) {
        if s < h {
            let raised = Rlimit {
                current: Some(h),
                maximum: Some(h),
            };
            match setrlimit(Resource::Nofile, raised) {
                Ok(()) => {
                    tracing::debug!("open-file limit raised from {s} to {h}");
                    return Limits {
                        soft: Some(h),
                        hard,
                    };
                }
                Err(e) => tracing::warn!("cannot raise the open-file limit from {s} to {h}: {e}"),
            }
        }
    }
    Limits { soft, hard }
}

/// Elsewhere the limit is not ours to read: `web.max_connections` stands.
#[cfg(not(unix))]
fn raise() -> Limits {
    Limits {
        soft: None,
        hard: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(soft: u64, hard: u64) -> Limits {
        Limits {
            soft: Some(soft),
            hard: Some(hard),
        }
    }

    #[test]
    fn connections_keep_a_runs_share_of_the_limit() {
        assert_eq!(connections(256, limits(1024, 1024)), Ok(256));
        assert_eq!(connections(1000, limits(1024, 1024)), Ok(1024 - 192));
        let unlimited = Limits {
            soft: None,
            hard: None,
        };
        assert_eq!(connections(5000, unlimited), Ok(5000));
        let err = connections(256, limits(128, 128)).unwrap_err();
        assert!(
            err.contains("128 (hard 128)") && err.contains("at least 200"),
            "{err}"
        );
    }
}
