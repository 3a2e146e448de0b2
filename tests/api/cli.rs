//! The binary as an operator meets it: bad settings, the schema command, signals.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
};

const BIN: &str = env!("CARGO_BIN_EXE_trapeze");

#[test]
fn a_bad_setting_stops_start_up_with_one_line_and_exit_code_2() {
    for (var, value) in [
        ("TRAPEZE_ADDR", "not-an-address"),
        ("TRAPEZE_ENV", "staging"),
        ("TRAPEZE_LOG_FORMAT", "xml"),
        ("TRAPEZE_INTROSPECTION", "sometimes"),
        ("DATABASE_URL", "mysql://nope"),
        ("TRAPEZE_MAX_DEPTH", "0"),
    ] {
        let out = Command::new(BIN).env(var, value).arg("serve").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}={value}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "one line for {var}: {stderr}");
        assert!(stderr.contains(var), "{stderr} names {var}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("backtrace"),
            "{stderr}"
        );
    }
}

#[test]
fn an_unknown_key_in_the_config_file_is_refused() {
    let path = std::env::temp_dir().join(format!("trapeze-cli-{}.toml", uuid::Uuid::now_v7()));
    std::fs::write(&path, "adress = \"127.0.0.1:1\"\n").unwrap();
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .arg("serve")
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("adress"));
}

#[test]
fn the_schema_command_prints_the_committed_sdl_without_a_database() {
    let out = Command::new(BIN)
        .arg("schema")
        .env("DATABASE_URL", "postgres://nowhere.invalid/x")
        .output()
        .unwrap();
    assert!(out.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}

#[test]
fn migrate_status_lists_applied_migrations() {
    let path = std::env::temp_dir().join(format!("trapeze-cli-{}.db", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let up = Command::new(BIN)
        .args(["migrate", "up"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    let status = Command::new(BIN)
        .args(["migrate", "status"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let stdout = String::from_utf8(status.stdout).unwrap();
    assert!(
        stdout.contains("Applied\tm20261123_000001_create_persona"),
        "{stdout}"
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let path = std::env::temp_dir().join(format!("trapeze-cli-{}.db", uuid::Uuid::now_v7().simple()));
    let mut child = Command::new(BIN)
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", path.display()))
        .env("TRAPEZE_ADDR", "127.0.0.1:0")
        .env("TRAPEZE_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("trapeze listening"))
        .unwrap();
    assert!(listening.contains("\"addr\":\"127.0.0.1:"), "{listening}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().unwrap().success());
    assert!(rest.iter().any(|l| l.contains("trapeze stopped")), "{rest:?}");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[test]
fn user_create_reads_the_password_from_standard_input() {
    use std::io::Write;
    let path = std::env::temp_dir().join(format!("trapeze-cli-{}.db", uuid::Uuid::now_v7().simple()));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let run = |password: &str| {
        let mut child = Command::new(BIN)
            .args([
                "user",
                "create",
                "--email",
                "Mia@Example.com",
                "--role",
                "marketing",
            ])
            .env("DATABASE_URL", &url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(password.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let short = run("short\n");
    assert_eq!(short.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&short.stderr).contains("password"),
        "{short:?}"
    );
    let ok = run("a long enough password\n");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("created user Mia@Example.com with role marketing"));
    let again = run("a long enough password\n");
    assert_eq!(again.status.code(), Some(2), "the email is taken");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
