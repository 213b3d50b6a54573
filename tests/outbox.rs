//! The outbox folder as a mail pickup sees it: one file per delivery, none replaced,
//! and no leftovers of interrupted writes.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use mail_parser::MessageParser;

use crate::support::Project;

/// The four addresses that an escape mapping odd characters to `_` folds into one name.
const LOOK_ALIKE: [&str; 4] = [
    "a=b@example.com",
    "a/b@example.com",
    "a_b@example.com",
    "a#b@example.com",
];

/// The outbox's files by name, with their contents.
fn outbox(p: &Project) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(p.path("outbox"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The envelope recipient a message file is for (its `To:`).
fn recipient(raw: &[u8]) -> String {
    let m = MessageParser::default().parse(raw).unwrap();
    m.to()
        .unwrap()
        .first()
        .unwrap()
        .address()
        .unwrap()
        .to_owned()
}

#[test]
fn look_alike_addresses_get_a_file_each_and_a_forced_resend_adds_files() {
    let recipients = LOOK_ALIKE.map(|a| format!("\"{a}\"")).join(", ");
    let p = Project::with_groups("", &format!("[groups.g]\nrecipients = [{recipients}]\n"));
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("4 delivered"), "{stdout}");
    let first = outbox(&p);
    assert_eq!(first.len(), 4, "{:?}", first.keys());
    let mut to: Vec<String> = first.values().map(|raw| recipient(raw)).collect();
    to.sort();
    let mut want = LOOK_ALIKE.map(str::to_owned);
    want.sort();
    assert_eq!(to, want, "each file holds its own recipient's message");

    let (out, stdout, stderr) = p.run(&["send", "--force"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("4 delivered"), "{stdout}");
    let second = outbox(&p);
    assert_eq!(second.len(), 8, "{:?}", second.keys());
    for (name, bytes) in &first {
        assert_eq!(second.get(name), Some(bytes), "{name} was replaced");
    }
    let states = p.states("g");
    assert_eq!(states.len(), 4, "{states:?}");
    assert!(states.values().all(|s| s == "delivered"), "{states:?}");
}

/// `.NAME.briefing-PID.tmp`, as the outbox writer names its temporary files.
fn leftover(dir: &Path, name: &str, old: bool) -> std::path::PathBuf {
    let path = dir.join(name);
    let f = std::fs::File::create(&path).unwrap();
    if old {
        f.set_modified(UNIX_EPOCH + Duration::from_secs(1_000_000_000))
            .unwrap();
    }
    path
}

#[test]
fn temporary_files_of_an_interrupted_outbox_write_are_cleaned() {
    let p = Project::new("");
    let dir = p.path("outbox");
    std::fs::create_dir_all(&dir).unwrap();
    let stale = leftover(
        &dir,
        ".2025-09-06_morning_ceo@example.com.eml.briefing-4242.tmp",
        true,
    );
    // Possibly a write in progress in another process: too young to take.
    let fresh = leftover(
        &dir,
        ".2025-09-07_columns_desk@example.com.eml.briefing-4243.tmp",
        false,
    );
    let foreign = leftover(&dir, "편집 메모.tmp", true);
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(!stale.exists(), "the leftover is removed");
    assert!(
        stderr.contains("left by an interrupted write"),
        "and reported: {stderr}"
    );
    assert!(fresh.exists() && foreign.exists());
    let emls = outbox(&p)
        .into_keys()
        .filter(|n| n.ends_with(".eml"))
        .count();
    assert_eq!(emls, 3);
}

/// The local part of an address is case-sensitive: `Ä@` and `ä@` are two recipients,
/// and one that joins the group later still gets the day's briefing.
#[test]
fn addresses_differing_only_in_local_part_case_each_get_a_briefing() {
    let p = Project::with_groups("", "[groups.g]\nrecipients = [\"ä@example.com\"]\n");
    assert!(p.run(&["send"]).0.status.success());
    std::fs::write(
        p.config(),
        std::fs::read_to_string(p.config()).unwrap().replace(
            "[\"ä@example.com\"]",
            "[\"ä@example.com\", \"Ä@example.com\"]",
        ),
    )
    .unwrap();
    let (out, stdout, stderr) = p.run(&["send"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 delivered, 1 already delivered earlier"),
        "{stdout}"
    );
    let mut to: Vec<String> = outbox(&p).values().map(|raw| recipient(raw)).collect();
    to.sort();
    assert_eq!(to, ["Ä@example.com", "ä@example.com"]);
    let states = p.states("g");
    assert_eq!(
        states.into_iter().collect::<Vec<_>>(),
        [
            ("Ä@example.com".to_owned(), "delivered".to_owned()),
            ("ä@example.com".to_owned(), "delivered".to_owned())
        ]
    );
}

#[test]
fn check_refuses_one_address_twice_in_different_domain_case() {
    let p = Project::with_groups(
        "",
        "[groups.g]\nrecipients = [\"CEO@EXAMPLE.com\", \"CEO@example.com\"]\n",
    );
    let (out, stdout, stderr) = p.run(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stderr.contains(
            "config.toml:10: groups.g.recipients: CEO@example.com is listed twice: CEO@EXAMPLE.com is the same address, CEO@example.com"
        ),
        "{stderr}"
    );
    // The local part is compared exactly: these are two mailboxes.
    let p = Project::with_groups(
        "",
        "[groups.g]\nrecipients = [\"CEO@example.com\", \"ceo@example.com\"]\n",
    );
    let (out, stdout, stderr) = p.run(&["check"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
}
