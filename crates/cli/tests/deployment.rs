//! Running dxmon as an operator does: every flag of `serve` from the environment,
//! metrics on an address of their own, a database password never printed, and a
//! PostgreSQL schema that does not exist named in one clear line.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

fn get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: dxmon\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

#[tokio::test]
async fn serve_takes_its_settings_from_the_environment() {
    let db = testkit::sqlite().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dxmon"))
        .arg("serve")
        .env("DXMON_DATABASE_URL", &db.url)
        .env("DXMON_PORT", "0")
        .env("DXMON_METRICS_ADDR", "127.0.0.1:0")
        .env("DXMON_RATE", "1000")
        .env("DXMON_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let metrics = lines.next().unwrap().unwrap();
    let serving = lines.next().unwrap().unwrap();
    let addr_of = |line: &str, after: &str| line.split(after).nth(1).unwrap().split('/').next().unwrap().to_owned();
    let (metrics, main) = (addr_of(&metrics, "metrics on http://"), addr_of(&serving, "serving on http://"));
    assert!(get(&main, "/health").ends_with("ok"));
    assert!(get(&main, "/metrics").starts_with("HTTP/1.1 404"), "metrics are not on the public address");
    let scraped = get(&metrics, "/metrics");
    assert!(scraped.starts_with("HTTP/1.1 200") && scraped.contains("dxmon_http_requests_total"), "{scraped}");
    child.kill().unwrap();
    let _ = child.wait();
}

/// A request's id, from the proxy or made here, is on its answer, in its problem
/// details and in the lines it logs, which are JSON when asked for.
#[tokio::test]
async fn requests_leave_their_id_in_json_logs() {
    let db = testkit::sqlite().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dxmon"))
        .args(["serve", "--port", "0"])
        .env("DXMON_DATABASE_URL", &db.url)
        .env("DXMON_LOG", "warn,web=info,tower_http=debug")
        .env("DXMON_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let serving = lines.next().unwrap().unwrap();
    let main = serving.split("serving on http://").nth(1).unwrap().split('/').next().unwrap().to_owned();
    let ask = |path: &str, id: &str| {
        let mut s = std::net::TcpStream::connect(&main).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: dxmon\r\nx-request-id: {id}\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    };
    let answer = ask("/api/v1/units/no-such-unit", "proxy-42");
    assert!(answer.to_lowercase().contains("x-request-id: proxy-42"), "{answer}");
    assert!(answer.contains("\"request_id\":\"proxy-42\""), "the problem names it: {answer}");
    let odd = ask("/health", "a%20b");
    assert!(!odd.contains("x-request-id: a%20b"), "an odd id is replaced: {odd}");
    child.kill().unwrap();
    let mut logged = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logged).unwrap();
    let _ = child.wait();
    let mine: Vec<serde_json::Value> = logged
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["span"]["request_id"] == "proxy-42")
        .collect();
    assert!(!mine.is_empty(), "JSON lines carry the request's id: {logged}");
    assert_eq!(mine[0]["span"]["route"], "/api/v1/units/{key}");
}

#[test]
fn a_missing_schema_is_one_line_and_a_password_is_never_printed() {
    let Some(base) = testkit::postgres_url() else { return };
    let (scheme, rest) = base.split_once("://").unwrap();
    let rest = rest.split_once('@').map_or(rest, |(_, host)| host);
    let url = format!("{scheme}://postgres:hunter2@{rest}?options=-c%20search_path%3Dno_such_schema");
    let out = Command::new(env!("CARGO_BIN_EXE_dxmon")).args(["check", "--database", &url]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(stderr.contains("postgres:***@"), "{stderr}");
    assert!(stderr.contains("no_such_schema") && stderr.contains("CREATE SCHEMA"), "{stderr}");
    assert_eq!(stderr.matches("CREATE SCHEMA").count(), 1, "said once: {stderr}");
}
