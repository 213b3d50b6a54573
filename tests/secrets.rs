//! No verbosity prints a credential: the SMTP password is sent over a real STARTTLS
//! session to aiosmtpd, with every log level on, and then looked for everywhere.

use crate::support::{base64, files_under, run, test_certificates, Project, Smtp};

const USER: &str = "briefing";
const PASSWORD: &str = "s3cret-아침-pw";

#[test]
fn the_smtp_password_is_never_logged_at_any_verbosity() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = test_certificates(certs.path());
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let auth = format!("{USER}:{PASSWORD}");
    // Every form the password travels in: AUTH PLAIN, AUTH LOGIN (user and password
    // each on its own line), and as it is.
    let forms = [
        PASSWORD.to_owned(),
        base64(format!("\0{USER}\0{PASSWORD}").as_bytes()),
        base64(PASSWORD.as_bytes()),
        base64(USER.as_bytes()),
    ];
    assert_eq!(base64(b"\0u\0pw"), "AHUAcHc=", "the test's own base64");
    for (flag, rust_log) in [
        ("-vv", None),
        ("-vv", Some("trace")),
        ("-v", Some("debug")),
        ("-v", Some("lettre=trace")),
    ] {
        let smtp = Smtp::start(&["--starttls", cert, key, "--auth", &auth]);
        let p = Project::new(&format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"starttls\"\nca_file = \"{}\"\nusername = \"{USER}\"\npassword_env = \"TEST_SMTP_PW\"\n",
            smtp.port,
            ca.display()
        ));
        let mut cmd = p.cmd(&[flag, "send"]);
        cmd.env("TEST_SMTP_PW", PASSWORD);
        match rust_log {
            Some(filter) => cmd.env("RUST_LOG", filter),
            None => cmd.env_remove("RUST_LOG"),
        };
        let (out, stdout, stderr) = run(&mut cmd);
        let setting = format!("{flag} RUST_LOG={rust_log:?}");
        assert!(out.status.success(), "{setting}: {stdout}\n{stderr}");
        assert_eq!(smtp.messages().len(), 3, "{setting}: AUTH really happened");
        let files = files_under(p.dir.path());
        for form in &forms {
            for text in [&stdout, &stderr] {
                assert!(
                    !text.contains(form.as_str()),
                    "{setting}: {form} in\n{text}"
                );
            }
            for (path, bytes) in &files {
                let text = String::from_utf8_lossy(bytes);
                assert!(
                    !text.contains(form.as_str()),
                    "{setting}: {form} in {}",
                    path.display()
                );
            }
        }
    }
}
