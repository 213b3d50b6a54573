//! The integration tests' real parts: the `briefing` binary, an SMTP server (aiosmtpd,
//! `smtpd.py` beside this file) and an HTTP server, all on 127.0.0.1, each started per
//! test on a free port and stopped by its process id when the test ends.

#![allow(dead_code)] // each test file uses its own part of the kit

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The sample dump shipped in the repository.
pub fn sample() -> PathBuf {
    root().join("samples/dump-2025-09-07.txt")
}

/// Pins the clock so subjects and ledgers carry the sample's date.
pub const NOW: &str = "2025-09-07T07:00:00+09:00";

/// The binary, with a pinned clock and no inherited configuration.
pub fn briefing() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_briefing"));
    c.env("BRIEFING_NOW", NOW)
        .env_remove("BRIEFING_CONFIG")
        .env("RUST_LOG", "briefing=debug");
    c
}

/// Runs `cmd` and returns its output, with both streams as text.
pub fn run(cmd: &mut Command) -> (Output, String, String) {
    let out = cmd.output().expect("the briefing binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// A folder with a config.toml; dropped with the test.
pub struct Project {
    pub dir: tempfile::TempDir,
}

/// The groups of [`Project::new`]: one reader who only wants columns, then two recipients.
pub const GROUPS: &str = r#"[groups.columns]
recipients = ["편집국 <desk@example.com>"]
include_labels = ["기자수첩"]
subject = "[칼럼 브리핑] {{date}}"

[groups.morning]
recipients = ["김하늘 <ceo@example.com>", "cfo@example.com"]
"#;

impl Project {
    /// `extra` is appended to a config with the sample as source and [`GROUPS`].
    pub fn new(extra: &str) -> Project {
        Project::with_groups(extra, GROUPS)
    }

    /// A config with the sample as source, `extra`, then `groups`.
    pub fn with_groups(extra: &str, groups: &str) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = format!(
            "[source]\nlocation = \"{}\"\n\n[mail]\nfrom = \"아침 브리핑 <briefing@example.com>\"\n\n{extra}\n\n{groups}",
            sample().display()
        );
        std::fs::write(dir.path().join("config.toml"), config).expect("write config");
        Project { dir }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config.toml")
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// `briefing ARGS --config <this config>`.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = briefing();
        c.args(args).arg("--config").arg(self.config());
        c
    }

    pub fn run(&self, args: &[&str]) -> (Output, String, String) {
        run(&mut self.cmd(args))
    }

    /// `status --format json` for today: address -> state, for `group`.
    pub fn states(&self, group: &str) -> BTreeMap<String, String> {
        let (out, stdout, stderr) = self.run(&["status", "--format", "json", "--days", "1"]);
        assert!(out.status.success(), "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let groups = json[0]["groups"].as_array().unwrap();
        let g = groups.iter().find(|g| g["group"] == group).unwrap();
        g["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["address"].as_str().unwrap().to_owned(),
                    r["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }
}

/// Python with aiosmtpd: `BRIEFING_TEST_PYTHON`, else the venv `scripts/test` makes.
pub fn python() -> PathBuf {
    match std::env::var_os("BRIEFING_TEST_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => root().join(".venv-test/bin/python"),
    }
}

/// Polls `done` until it holds or `limit` has passed: whether it held. The one wait of
/// the tests: on a condition, with a deadline, never a pause that counts.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() >= limit {
            return false;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A loopback port that refuses connections, held for as long as the value lives: bound
/// but not listening, so that a client is refused at once and nothing else (another test,
/// the system) can take the port meanwhile, as it could take a port found free and let
/// go. [`Smtp::start_on`] brings a server up on it.
pub struct ClosedPort {
    socket: socket2::Socket,
    pub port: u16,
}

impl ClosedPort {
    pub fn new() -> ClosedPort {
        use socket2::{Domain, Socket, Type};
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("a socket");
        let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        socket.bind(&loopback.into()).expect("bind 127.0.0.1");
        let port = socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .expect("an IPv4 address")
            .port();
        ClosedPort { socket, port }
    }
}

/// A running aiosmtpd server and the messages it accepted.
pub struct Smtp {
    child: Child,
    pub port: u16,
    pub maildir: tempfile::TempDir,
}

impl Smtp {
    /// Starts `smtpd.py` with `args` (faults) on a port it picks, and waits for it.
    pub fn start(args: &[&str]) -> Smtp {
        Smtp::spawn(args, Stdio::null())
    }

    /// Starts `smtpd.py` on `port`, where a client may have been refused so far: the
    /// server listens on that very socket (handed over as its stdin).
    pub fn start_on(port: ClosedPort, args: &[&str]) -> Smtp {
        port.socket.listen(16).expect("listen");
        let socket = std::os::fd::OwnedFd::from(port.socket);
        let mut args = args.to_vec();
        args.push("--listen-stdin");
        Smtp::spawn(&args, Stdio::from(socket))
    }

    fn spawn(args: &[&str], stdin: Stdio) -> Smtp {
        let maildir = tempfile::tempdir().expect("temp dir");
        let python = python();
        assert!(
            python.exists(),
            "{} not found: run ./scripts/test (it installs aiosmtpd) or set BRIEFING_TEST_PYTHON",
            python.display()
        );
        let mut child = Command::new(&python)
            .arg(root().join("tests/support/smtpd.py"))
            .arg("--maildir")
            .arg(maildir.path())
            .args(args)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start smtpd.py");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the port");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("smtpd.py did not start: {line:?}"));
        Smtp {
            child,
            port,
            maildir,
        }
    }

    /// Accepted messages: (envelope recipients, raw bytes), in arrival order.
    pub fn messages(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(self.maildir.path())
            .expect("maildir")
            .filter_map(|e| {
                let path = e.ok()?.path();
                let n = path.file_stem()?.to_str()?.parse().ok()?;
                (path.extension()? == "eml").then_some((n, path))
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, path)| {
                let raw = std::fs::read(&path).expect("read message");
                let end = raw
                    .windows(2)
                    .position(|w| w == b"\r\n")
                    .expect("envelope line");
                let to = String::from_utf8_lossy(&raw[..end])
                    .trim_start_matches("X-Envelope-To: ")
                    .to_owned();
                (to, raw[end + 2..].to_vec())
            })
            .collect()
    }

    /// Waits until at least `n` messages arrived (bounded).
    pub fn wait_for(&self, n: usize, limit: Duration) -> bool {
        wait_until(limit, || self.messages().len() >= n)
    }

    /// Messages the server dropped as duplicates (`--dedupe`): same Message-ID, same
    /// recipient, already in the mailbox.
    pub fn duplicates_dropped(&self) -> usize {
        std::fs::read_to_string(self.maildir.path().join("duplicates.log"))
            .map_or(0, |log| log.lines().count())
    }

    pub fn smtp_section(&self, extra: &str) -> String {
        format!("[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nretry_delay_ms = 50\ntimeout_secs = 10\n{extra}\n", self.port)
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One scripted HTTP answer.
#[derive(Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Pause between 1 KiB chunks of the body.
    pub chunk_pause: Duration,
}

impl Reply {
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.into(),
            chunk_pause: Duration::ZERO,
        }
    }

    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status,
            ..Reply::ok(body)
        }
    }
}

/// A real HTTP/1.1 server on 127.0.0.1 that answers requests with the scripted replies
/// in order (the last one repeats), and records the request heads it received.
pub struct Http {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Http {
    pub fn start(replies: Vec<Reply>) -> Http {
        Http::serving(
            Arc::new(move |n, _| replies[n.min(replies.len() - 1)].clone()),
            None,
        )
    }

    /// Answers each path with its reply, every time; any other path gets a `404`.
    pub fn routes(routes: Vec<(&str, Reply)>) -> Http {
        let routes: Vec<(String, Reply)> =
            routes.into_iter().map(|(p, r)| (p.to_owned(), r)).collect();
        Http::serving(
            Arc::new(move |_, path| {
                routes
                    .iter()
                    .find(|(p, _)| p == path)
                    .map_or_else(|| Reply::status(404, "없는 경로"), |(_, r)| r.clone())
            }),
            None,
        )
    }

    /// As [`Http::start`], but a request without HTTP basic auth as `user` with
    /// `password` is answered `401 Unauthorized`.
    pub fn with_basic_auth(user: &str, password: &str, replies: Vec<Reply>) -> Http {
        let credentials = base64(format!("{user}:{password}").as_bytes());
        Http::serving(
            Arc::new(move |n, _| replies[n.min(replies.len() - 1)].clone()),
            Some(format!("Basic {credentials}")),
        )
    }

    fn serving(pick: Pick, authorization: Option<String>) -> Http {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        // The thread ends with the test process; every accept is bounded by the replies.
        thread::spawn(move || {
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { continue };
                let (pick, seen) = (pick.clone(), seen.clone());
                let authorization = authorization.clone();
                thread::spawn(move || serve(stream, n, &*pick, &seen, authorization.as_deref()));
            }
        });
        Http { port, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

/// The reply to the `n`th request (from 0), for its path.
type Pick = Arc<dyn Fn(usize, &str) -> Reply + Send + Sync>;

fn serve(
    mut stream: TcpStream,
    n: usize,
    pick: &(dyn Fn(usize, &str) -> Reply + Send + Sync),
    seen: &Mutex<Vec<String>>,
    authorization: Option<&str>,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head.split_whitespace().nth(1).unwrap_or("/");
    let reply = &pick(n, path);
    let authorized = authorization.is_none_or(|want| {
        head.lines().any(|line| {
            line.split_once(':').is_some_and(|(name, value)| {
                name.eq_ignore_ascii_case("authorization") && value.trim() == want
            })
        })
    });
    seen.lock().expect("lock").push(head);
    let unauthorized = Reply {
        headers: vec![("WWW-Authenticate".into(), "Basic realm=\"dumps\"".into())],
        ..Reply::status(401, "")
    };
    let reply = if authorized { reply } else { &unauthorized };
    let mut out = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    if stream.write_all(out.as_bytes()).is_err() {
        return;
    }
    for chunk in reply.body.chunks(1024) {
        if stream.write_all(chunk).is_err() {
            return;
        }
        thread::sleep(reply.chunk_pause);
    }
}

/// A test CA and a leaf for localhost/127.0.0.1, as PEM files in `dir`:
/// returns (ca.pem, cert.pem, key.pem).
pub fn test_certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // rcgen names every certificate alike; a leaf named like its CA looks self-signed.
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "briefing test CA");
    let ca = ca_params.self_signed(&ca_key).expect("ca cert");
    let leaf_key = KeyPair::generate().expect("leaf key");
    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_owned()]).expect("leaf params");
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf_params
        .subject_alt_names
        .push(SanType::IpAddress("127.0.0.1".parse().expect("ip")));
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .expect("leaf cert");
    let files = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&files.0, ca.pem()).expect("write");
    std::fs::write(&files.1, leaf.pem()).expect("write");
    std::fs::write(&files.2, leaf_key.serialize_pem()).expect("write");
    files
}

/// Standard base64 with padding: how credentials travel in AUTH and basic auth, and so
/// what a test must look for to be sure they never show.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Every file under `dir`, with its bytes, in no particular order.
pub fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_owned()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                files.push((path, bytes));
            }
        }
    }
    files
}

/// `briefing run` as a child process, its log collected as it comes; killed with the
/// test if the test ends before [`Daemon::stop`].
pub struct Daemon {
    child: Child,
    log: Arc<Mutex<String>>,
    reader: Option<thread::JoinHandle<()>>,
}

impl Daemon {
    /// Starts `cmd` (a `briefing run …` command) with its stderr collected.
    pub fn spawn(cmd: &mut Command) -> Daemon {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start briefing run");
        let stderr = child.stderr.take().expect("piped");
        let log = Arc::new(Mutex::new(String::new()));
        let sink = log.clone();
        // Ends when the daemon closes its stderr, i.e. when it exits.
        let reader = thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().expect("log");
                log.push_str(&line);
                log.push('\n');
            }
        });
        Daemon {
            child,
            log,
            reader: Some(reader),
        }
    }

    /// The daemon's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits (bounded) until the log has `needle`: the daemon has got that far.
    pub fn wait_log(&self, needle: &str) -> bool {
        self.wait_count(needle, 1)
    }

    /// Waits (bounded) until the log has `needle` `n` times: the daemon has done that
    /// often what the line says.
    pub fn wait_count(&self, needle: &str, n: usize) -> bool {
        wait_until(Duration::from_secs(20), || {
            self.log().matches(needle).count() >= n
        })
    }

    /// The port of `run --listen 127.0.0.1:0`, as the daemon logs it once it listens.
    pub fn listening_port(&self) -> Option<u16> {
        const LINE: &str = "listening on http://127.0.0.1:";
        if !self.wait_log(LINE) {
            return None;
        }
        let log = self.log();
        let rest = &log[log.find(LINE)? + LINE.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }

    pub fn log(&self) -> String {
        self.log.lock().expect("log").clone()
    }

    /// Sends `signal` (`HUP`, …) to the daemon.
    pub fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success(), "kill -{signal}");
    }

    /// SIGTERM, then a bounded wait: whether it exited cleanly, and its whole log.
    pub fn stop(mut self) -> (bool, String) {
        let term = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(term.success());
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("try_wait") {
                break Some(s);
            }
            if start.elapsed() > Duration::from_secs(15) {
                let _ = self.child.kill();
                break None;
            }
            thread::sleep(Duration::from_millis(50));
        };
        // The process is gone, so its stderr is closed: the reader has the last line.
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        (status.is_some_and(|s| s.success()), self.log())
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
