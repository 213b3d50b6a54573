//! A big day costs what the reader gets: `send` of a generated day of thousands of
//! articles grows the process by at most three times the dump over what a day of a few
//! hundred costs, and its briefing shows what fits and counts the rest.
//!
//! Measured on a debug build, so the day is some 10 MB, large enough that the growth
//! stands well above the process's fixed part (code, runtime, templates, the rendering
//! of one full briefing), which the small day measures in the same test. The same check
//! at 30 MB on a release build is `scripts/check-scale`.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use mail_parser::MessageParser;

use crate::support::{python, root, Project};

/// How much more memory than the dump's size the day may cost beyond a small day's: its
/// text, kept for the day, and its articles are about one dump each.
const GROWTH_PER_BYTE: f64 = 3.0;

/// `scripts/gen-day OUT MB [ARTICLES]`: the sample's sentences recombined.
fn generate(out: &Path, mb: f64, articles: Option<usize>) -> u64 {
    let mut cmd = Command::new(python());
    cmd.arg(root().join("scripts/gen-day"))
        .arg(out)
        .arg(mb.to_string());
    if let Some(n) = articles {
        cmd.arg(n.to_string());
    }
    let status = cmd.status().expect("python runs");
    assert!(status.success(), "gen-day: {status}");
    std::fs::metadata(out).unwrap().len()
}

/// Runs `cmd` to its end and returns its exit status, its peak resident set in bytes
/// and its standard output. The child is reaped with wait4, whose rusage is that
/// child's alone: RUSAGE_CHILDREN would take the largest of every child the test
/// binary has reaped, those of other tests included.
#[expect(
    clippy::zombie_processes,
    reason = "reaped by wait4, which std's wait would not give the rusage of"
)]
fn peak_rss(cmd: &mut Command, stdout: &Path) -> (ExitStatus, u64, String) {
    let child = cmd
        .stdout(std::fs::File::create(stdout).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("the briefing binary runs");
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status = 0;
    // SAFETY: rusage is a plain C struct, for which all zeroes is a valid value, and
    // both pointers are to locals that outlive the call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    // Linux gives kilobytes.
    let rss = u64::try_from(usage.ru_maxrss).unwrap() * 1024;
    let out = std::fs::read_to_string(stdout).unwrap();
    (ExitStatus::from_raw(status), rss, out)
}

/// A project that sends the day at `dump` to two recipients through the outbox, its
/// stories in the sources' order so that what is cut is known (`scripts/bench-scale
/// --check` measures the default, ranked order in a release build).
fn project(dump: &Path) -> Project {
    let p = Project::new("");
    let config = format!(
        "[source]\nlocation = \"{}\"\nmax_bytes = 268435456\n\n\
         [mail]\nfrom = \"아침 브리핑 <briefing@example.com>\"\n\n\
         [groups.morning]\nrecipients = [\"ceo@example.com\", \"cfo@example.com\"]\norder = \"source\"\n",
        dump.display()
    );
    std::fs::write(p.config(), config).unwrap();
    p
}

#[test]
fn a_big_day_sends_with_memory_proportional_to_the_dump_and_shows_what_fits() {
    let days = tempfile::tempdir().unwrap();
    let (small, big) = (days.path().join("small.txt"), days.path().join("big.txt"));
    // Enough stories to fill a briefing: the small day renders one as full as the big.
    let small_bytes = generate(&small, 0.0, Some(400));
    let big_bytes = generate(&big, 10.0, None);

    let mut rss = Vec::new();
    for dump in [&small, &big] {
        let p = project(dump);
        let (status, peak, report) = peak_rss(&mut p.cmd(&["send"]), &p.path("report.txt"));
        assert!(status.success(), "{status}: {report}");
        rss.push(peak);
        if dump == &big {
            check_briefing(&p, &report);
        }
    }
    let growth = rss[1].saturating_sub(rss[0]) as f64;
    let bytes = (big_bytes - small_bytes) as f64;
    assert!(
        growth <= GROWTH_PER_BYTE * bytes,
        "send grew by {:.1} MB for {:.1} MB more dump ({:.2}x; {:.1} MB on the small day)",
        growth / 1e6,
        bytes / 1e6,
        growth / bytes,
        rss[0] as f64 / 1e6
    );
}

/// The big day's briefing: the first stories in the dump's order, as many as fit the
/// size limit, and "외 N건" for every other article of the day.
fn check_briefing(p: &Project, report: &str) {
    let articles: usize = report
        .split(" articles)")
        .next()
        .and_then(|head| head.rsplit('(').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no article count in {report}"));
    assert!(articles > 5000, "{report}");
    let outbox: Vec<_> = std::fs::read_dir(p.path("outbox"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(outbox.len(), 2, "{outbox:?}");
    let raw = std::fs::read(&outbox[0]).unwrap();
    let message = MessageParser::default().parse(&raw).unwrap();
    let subject = message.subject().unwrap();
    assert!(
        subject.contains(&format!("외 {}건", articles - 1)),
        "{subject} for {articles} articles"
    );
    let text = message.body_text(0).unwrap();
    assert!(
        text.contains("\n1. 브리핑 시험 기사 1호 "),
        "the dump's first story first: {text}"
    );
    let (shown, left): (usize, usize) = text
        .split_once("오늘의 기사 ")
        .and_then(|(_, rest)| rest.split_once("건 · 외 "))
        .and_then(|(shown, rest)| {
            Some((shown.parse().ok()?, rest.split_once('건')?.0.parse().ok()?))
        })
        .unwrap_or_else(|| panic!("no count of items in {text}"));
    assert_eq!(shown + left, articles, "{text}");
    assert!(shown >= 100, "{shown} shown: {text}");
    assert!(
        text.contains(&format!("\n{shown}. ")) && !text.contains(&format!("\n{}. ", shown + 1))
    );
    let html = message.body_html(0).unwrap();
    assert!(html.len() <= 102_000, "{}", html.len());
}
