//! The intake benchmark (issue 3). One command, `benches/intake/run.sh`, builds Posko in release
//! mode and runs this program, which on this machine's loopback only:
//! 1. starts an axum hello-world that answers `POST /api/v1/reports` with a fixed 201 (the same
//!    HTTP stack and JSON body as Posko, no validation, no storage: the ceiling);
//! 2. starts the real `posko serve` on a fresh SQLite data folder (and on PostgreSQL when
//!    `POSKO_BENCH_POSTGRES_URL` is set), with an API token and rate limits out of the way;
//! 3. for each target: a closed loop of C concurrent clients for D seconds (every 201 is a report
//!    acknowledged after its durable commit) → reports/s; then an open loop at a fixed rate R for
//!    S seconds, latency measured from each request's scheduled start (no coordinated omission)
//!    → p50/p99;
//! 4. prints a Markdown table for BENCHMARKS.md.
//!
//! Every loop is bounded in count and time and stops by itself.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

struct Settings {
    posko: String,
    clients: usize,
    seconds: u64,
    rate: u64,
    rate_seconds: u64,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Today's date in WIB, computed once: reports must not be dated in the future.
fn today() -> &'static str {
    static TODAY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TODAY.get_or_init(|| {
        let wib = jiff::tz::TimeZone::get("Asia/Jakarta").unwrap_or(jiff::tz::TimeZone::UTC);
        jiff::Timestamp::now().to_zoned(wib).date().to_string()
    })
}

fn body(i: u64) -> Value {
    let today = today();
    json!({
        "subject_category": "asn",
        "subject_name": "Budi",
        "violation": "asn_media_sosial",
        "description": format!("Laporan beban nomor {i}: membagikan poster kampanye di grup dinas."),
        "region": "33.20.01.2001",
        "happened_on": today,
        "learned_on": today,
        "reporter_name": "Pelapor Uji",
        "reporter_address": "Jl. Uji 1",
        "reporter_phone": "081234567890"
    })
}

/// A server process that is killed when dropped.
struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn read_listening_line(child: &mut Child) -> Result<String> {
    use std::io::{BufRead, BufReader};
    let out = child.stdout.take().context("no stdout")?;
    for line in BufReader::new(out).lines() {
        let line = line?;
        if let Some(rest) = line.split("http://").nth(1) {
            return Ok(format!(
                "http://{}",
                rest.split_whitespace().next().unwrap_or_default()
            ));
        }
    }
    bail!("the server ended before listening")
}

fn start_posko(
    s: &Settings,
    dir: &std::path::Path,
    db_url: Option<&str>,
) -> Result<(Proc, String, String)> {
    let mut store = vec![
        "--data-dir".to_string(),
        dir.join("data").display().to_string(),
    ];
    if let Some(u) = db_url {
        store.push("--database-url".into());
        store.push(u.into());
    }
    let run = |args: &[&str]| -> Result<String> {
        let out = Command::new(&s.posko).args(args).args(&store).output()?;
        if !out.status.success() {
            bail!("posko {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    run(&["init"])?;
    let token = run(&["token", "add", "--name", "bench"])?;
    let mut child = Command::new(&s.posko)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(&store)
        .env("POSKO_RATE_LIMIT_PER_MINUTE", "100000000")
        .env("POSKO_API_RATE_LIMIT_PER_MINUTE", "100000000")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let base = read_listening_line(&mut child)?;
    Ok((Proc(child), base, token))
}

fn start_hello() -> Result<(Proc, String)> {
    let me = std::env::current_exe()?;
    let mut child = Command::new(me)
        .arg("--hello")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let base = read_listening_line(&mut child)?;
    Ok((Proc(child), base))
}

/// The ceiling: the same framework answering the same route with a fixed receipt.
async fn hello_server() -> Result<()> {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/api/v1/reports",
        post(|_body: axum::body::Bytes| async {
            (
                axum::http::StatusCode::CREATED,
                axum::Json(json!({ "tracking_code": "PSK-0000-0000-0000" })),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("hello listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

struct Outcome {
    per_second: f64,
    errors: u64,
    p50_ms: f64,
    p99_ms: f64,
    rate_errors: u64,
}

async fn closed_loop(s: &Settings, url: &str, token: &str) -> (f64, u64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(s.clients)
        .build()
        .unwrap_or_default();
    let ok = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(s.seconds);
    let mut workers = Vec::new();
    for _ in 0..s.clients {
        let (client, ok, bad, stop, counter) = (
            client.clone(),
            ok.clone(),
            bad.clone(),
            stop.clone(),
            counter.clone(),
        );
        let (url, token) = (url.to_string(), token.to_string());
        workers.push(tokio::spawn(async move {
            // Bounded: stops at the deadline or after a million requests in all.
            while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                if i >= 1_000_000 {
                    break;
                }
                match client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body(i))
                    .send()
                    .await
                {
                    Ok(r) if r.status().as_u16() == 201 => {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        bad.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    stop.store(true, Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();
    (
        ok.load(Ordering::Relaxed) as f64 / secs,
        bad.load(Ordering::Relaxed),
    )
}

async fn open_loop(s: &Settings, url: &str, token: &str) -> (f64, f64, u64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap_or_default();
    let total = s.rate * s.rate_seconds;
    let interval = Duration::from_secs_f64(1.0 / s.rate as f64);
    let start = tokio::time::Instant::now();
    let mut handles = Vec::with_capacity(total as usize);
    for i in 0..total {
        let scheduled = start + interval * i as u32;
        tokio::time::sleep_until(scheduled).await;
        let (client, url, token) = (client.clone(), url.to_string(), token.to_string());
        handles.push(tokio::spawn(async move {
            let r = tokio::time::timeout(
                Duration::from_secs(10),
                client.post(&url).bearer_auth(&token).json(&body(i)).send(),
            )
            .await;
            let ok = matches!(r, Ok(Ok(ref resp)) if resp.status().as_u16() == 201);
            (scheduled.elapsed(), ok)
        }));
    }
    let mut lat = Vec::with_capacity(handles.len());
    let mut errors = 0;
    for h in handles {
        if let Ok((d, ok)) = h.await {
            lat.push(d.as_secs_f64() * 1000.0);
            if !ok {
                errors += 1;
            }
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    (pct(0.50), pct(0.99), errors)
}

async fn measure(s: &Settings, base: &str, token: &str) -> Outcome {
    let url = format!("{base}/api/v1/reports");
    // Warm up connections and caches.
    let warm = Settings {
        posko: String::new(),
        clients: s.clients,
        seconds: 1,
        rate: s.rate,
        rate_seconds: 1,
    };
    let _ = closed_loop(&warm, &url, token).await;
    let (per_second, errors) = closed_loop(s, &url, token).await;
    let (p50_ms, p99_ms, rate_errors) = open_loop(s, &url, token).await;
    Outcome {
        per_second,
        errors,
        p50_ms,
        p99_ms,
        rate_errors,
    }
}

fn main() -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if std::env::args().any(|a| a == "--hello") {
        return rt.block_on(hello_server());
    }
    let s = Settings {
        posko: std::env::var("POSKO_BIN").unwrap_or_else(|_| "target/release/posko".into()),
        clients: env_or("BENCH_CLIENTS", 64),
        seconds: env_or("BENCH_SECONDS", 15),
        rate: env_or("BENCH_RATE", 500),
        rate_seconds: env_or("BENCH_RATE_SECONDS", 10),
    };
    let mut rows = Vec::new();
    let (hello, hello_base) = start_hello()?;
    rows.push((
        "axum hello-world (ceiling)".to_string(),
        rt.block_on(measure(&s, &hello_base, "x")),
    ));
    drop(hello);
    let dir = tempfile_dir()?;
    {
        let (_p, base, token) = start_posko(&s, &dir.join("sqlite"), None)?;
        rows.push((
            "posko serve, SQLite (WAL, synchronous=FULL)".to_string(),
            rt.block_on(measure(&s, &base, &token)),
        ));
    }
    if let Ok(url) = std::env::var("POSKO_BENCH_POSTGRES_URL") {
        let (_p, base, token) = start_posko(&s, &dir.join("pg"), Some(&url))?;
        rows.push((
            "posko serve, PostgreSQL".to_string(),
            rt.block_on(measure(&s, &base, &token)),
        ));
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!();
    println!("| target | durable reports/s ({} clients, {} s) | errors | p50 at {}/s | p99 at {}/s | errors at {}/s |", s.clients, s.seconds, s.rate, s.rate, s.rate);
    println!("|---|---|---|---|---|---|");
    for (name, o) in rows {
        println!(
            "| {name} | {:.0} | {} | {:.1} ms | {:.1} ms | {} |",
            o.per_second, o.errors, o.p50_ms, o.p99_ms, o.rate_errors
        );
    }
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!("posko-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}
