//! The harness of the end-to-end tests: a fresh data folder (SQLite) or a fresh PostgreSQL
//! schema, the real `posko` binary run as a user would run it, and a server started on a free
//! loopback port whose log is kept for inspection.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "sandi-rahasia-uji-123";

/// Where one test keeps its data.
pub struct Env {
    pub dir: tempfile::TempDir,
    /// `--data-dir …` and, for PostgreSQL, `--database-url …`.
    pub store_args: Vec<String>,
    pub backend: &'static str,
    schema: Option<(String, String)>,
}

pub fn posko() -> Command {
    Command::new(env!("CARGO_BIN_EXE_posko"))
}

impl Env {
    /// A new SQLite data folder made with `posko init`, as an operator would.
    pub fn sqlite() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let env = Env {
            store_args: vec!["--data-dir".into(), data.display().to_string()],
            dir,
            backend: "sqlite",
            schema: None,
        };
        env.ok(&["init"], None);
        env
    }

    /// A fresh schema in the PostgreSQL of `POSKO_TEST_POSTGRES_URL`, or `None` (with a message)
    /// when it is not set.
    pub async fn postgres() -> Option<Env> {
        let Ok(url) = std::env::var("POSKO_TEST_POSTGRES_URL") else {
            eprintln!("skipped: POSKO_TEST_POSTGRES_URL is not set (PostgreSQL end-to-end test)");
            return None;
        };
        let schema = format!(
            "posko_e2e_{}",
            std::process::id() as u64 * 1000 + rand_suffix()
        );
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        let sep = if url.contains('?') { '&' } else { '?' };
        let db_url = format!("{url}{sep}options=-c%20search_path%3D{schema}");
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let env = Env {
            store_args: vec![
                "--data-dir".into(),
                data.display().to_string(),
                "--database-url".into(),
                db_url,
            ],
            dir,
            backend: "postgres",
            schema: Some((url, schema)),
        };
        env.ok(&["init"], None);
        Some(env)
    }

    /// Runs `posko ARGS… <store args>` with `stdin`.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = posko();
        cmd.args(args)
            .args(&self.store_args)
            .current_dir(self.dir.path());
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    /// Runs and insists on success.
    pub fn ok(&self, args: &[&str], stdin: Option<&str>) -> String {
        let out = self.run(args, stdin);
        assert!(
            out.status.success(),
            "posko {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn add_user(&self, username: &str, role: &str, extra: &[&str]) {
        let mut args = vec!["user", "add", "--username", username, "--role", role];
        args.extend_from_slice(extra);
        self.ok(&args, Some(&format!("{PASSWORD}\n")));
    }

    /// Starts `posko serve` on a free loopback port.
    pub fn start(&self) -> Server {
        self.start_with(&[])
    }

    /// Starts `posko serve` with extra `POSKO_*` settings in its environment.
    pub fn start_with(&self, vars: &[(&str, &str)]) -> Server {
        let log = self.dir.path().join(format!("serve-{}.log", rand_suffix()));
        let mut child = posko()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(&self.store_args)
            .envs(vars.iter().copied())
            .current_dir(self.dir.path())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let started = Instant::now();
        let base = loop {
            let line = lines
                .next()
                .expect("posko serve ended before listening")
                .unwrap();
            if let Some(rest) = line.split("mendengarkan di ").nth(1) {
                break rest.split_whitespace().next().unwrap().to_string();
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no listening line"
            );
        };
        Server { child, base, log }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some((url, schema)) = self.schema.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(pool) = sqlx::PgPool::connect(&url).await {
                        let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                            .execute(&pool)
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    (u64::from(t) % 1000) * 1000 + N.fetch_add(1, Ordering::Relaxed)
}

/// A running `posko serve`.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub log: PathBuf,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Kills the process at once (SIGKILL), as a crash or power cut would.
    pub fn crash(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for the process to end.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of the first hidden `csrf` field in a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("page has a csrf field") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// An HTTP client that keeps cookies, as a browser does.
pub fn browser_like_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

/// Logs `user` in (password `PASSWORD`) through the real form; the client keeps the session.
pub async fn login(server: &Server, user: &str) -> reqwest::Client {
    let http = browser_like_client();
    let page = http
        .get(server.url("/masuk"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let r = http
        .post(server.url("/masuk"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("username", user),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.url().path().ends_with("/akun"), "{user} logged in");
    http
}
