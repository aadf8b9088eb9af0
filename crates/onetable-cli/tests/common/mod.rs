//! What the CLI's test binaries share: running `onetable` against a database, and signing in to
//! a server it started. Each binary uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_onetable");

/// Runs `onetable --database-url URL ARGS…` with `stdin` typed in (a password prompt), and
/// answers what it printed and how it ended.
pub fn onetable(url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .arg("--database-url")
        .arg(url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// [`onetable`], which must succeed.
pub fn onetable_ok(url: &str, args: &[&str], stdin: Option<&str>) {
    let out = onetable(url, args, stdin);
    assert!(out.status.success(), "onetable {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Standard output and standard error together.
pub fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// A bearer token of `username` with `password` from the server at `base`.
pub async fn login(client: &reqwest::Client, base: &str, username: &str, password: &str) -> String {
    let answer: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

/// The address a `onetable serve` started with its standard error piped says it listens on;
/// the rest of its log is drained from then on, so that it never blocks on a full pipe.
pub fn listening(server: &mut Child) -> String {
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    let base = loop {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the server ended before listening");
        if let Some(at) = line.find("http://") {
            break line[at..].split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in stderr.lines() {});
    base
}
