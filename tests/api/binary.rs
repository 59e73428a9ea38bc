//! The `kabinet` binary itself: what `cargo run` does on a fresh machine, the
//! CLI, and graceful shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_kabinet");

fn kabinet(dir: &std::path::Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .env_remove("KABINET_DATABASE_URL")
        .env_remove("KABINET_LISTEN")
        .env_remove("KABINET_DEMO")
        .env("RUST_LOG", "info");
    command
}

#[test]
fn help_lists_every_setting_with_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let output = kabinet(dir.path())
        .arg("--help")
        .env("KABINET_DATABASE_URL", "postgres://u:hunter2@db/k")
        .env("KABINET_YOOKASSA_SECRET_KEY", "live_s3cr3t_key")
        .env("KABINET_TERMINAL_OPERATORS", "qiwi:t3rm1nal_pw")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "KABINET_LISTEN",
        "KABINET_DATABASE_URL",
        "KABINET_DEMO",
        "KABINET_LOG_FORMAT",
        "KABINET_CORS_ORIGINS",
        "KABINET_BODY_LIMIT",
        "KABINET_MAX_DEPTH",
        "KABINET_MAX_COMPLEXITY",
        "KABINET_MAX_ALIASES",
        "KABINET_MAX_ROOT_FIELDS",
        "KABINET_MAX_BATCH",
        "KABINET_SMS_OUTBOX_FILE",
        "KABINET_PAYMENT_EXPIRY_MINUTES",
        "KABINET_YOOKASSA_SHOP_ID",
        "KABINET_YOOKASSA_SECRET_KEY",
        "KABINET_TERMINAL_OPERATORS",
        "KABINET_PAYEE_NAME",
    ] {
        assert!(help.contains(variable), "{variable} missing from --help");
    }
    for command in ["serve", "migrate", "print-schema"] {
        assert!(help.contains(command), "{command} missing from --help");
    }
    for secret in ["hunter2", "live_s3cr3t_key", "t3rm1nal_pw"] {
        assert!(!help.contains(secret), "a secret value is shown: {secret}");
    }
}

#[test]
fn migrate_prepares_a_fresh_database_and_print_schema_prints_the_sdl() {
    let dir = tempfile::tempdir().unwrap();
    let status = kabinet(dir.path()).arg("migrate").status().unwrap();
    assert!(status.success());
    assert!(
        dir.path().join("kabinet.db").exists(),
        "the default SQLite file is created"
    );

    let output = kabinet(dir.path()).arg("print-schema").output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        kabinet::graphql::sdl()
    );
}

#[test]
fn serve_starts_on_a_fresh_directory_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = kabinet(dir.path())
        .env("KABINET_LISTEN", "127.0.0.1:0")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (lines_tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut log = Vec::new();
    let url = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no GraphiQL line in: {log:#?}"));
        log.push(line.clone());
        if let Some(at) = line.find("GraphiQL at http://") {
            let rest = &line[at + "GraphiQL at ".len()..];
            break rest.split(['/', ',']).take(3).collect::<Vec<_>>().join("/");
        }
    };
    assert!(
        log.iter().any(|l| l.contains("demo data written")),
        "{log:#?}"
    );

    let health = status_of(&format!("{url}/readyz"));
    assert_eq!(health, 200, "{url}");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut waited = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            waited < 100,
            "the server did not stop within 10 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
        waited += 1;
    };
    assert!(status.success(), "a clean exit: {status}");
    let rest: Vec<String> = lines.try_iter().collect();
    assert!(
        rest.iter().any(|l| l.contains("Kabinet stopped")),
        "{rest:#?}"
    );
}

/// The status of a GET, from a thread without a runtime (0 if it failed).
fn status_of(url: &str) -> u16 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // reqwest is built without a TLS provider; the gateway installs ring.
    kabinet::payments::yookassa::install_crypto_provider();
    runtime.block_on(async {
        reqwest::get(url)
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    })
}

#[test]
fn staff_add_reads_the_password_from_stdin_and_refuses_duplicates() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let add = |login: &str| {
        let mut child = kabinet(dir.path())
            .args(["staff", "add", "--login", login, "--name", "Иванова Мария"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"a-long-password\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let first = add("m.ivanova");
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let again = add("m.ivanova");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("taken"));
    let digits = add("100000000001");
    assert!(
        !digits.status.success(),
        "all-digit logins are account numbers"
    );
    assert!(!String::from_utf8_lossy(&first.stderr).contains("a-long-password"));
}
