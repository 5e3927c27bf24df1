//! Notifications end to end on the real binary, on SQLite and PostgreSQL: a case referred to
//! Propam reaches a partner system's webhook (a small server in this test that checks the
//! HMAC-SHA256 signature over "{timestamp}.{body}" and the timestamp's freshness), Propam's
//! handler's mailbox (a minimal SMTP sink in this test) and Propam's handler's notification page,
//! where a CSRF-protected form marks it read; BKN's handler gets nothing; the server stops
//! cleanly with its workers, and its log holds neither the webhook secret nor an address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{browser_like_client, csrf_of, Env};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

const SECRET: &str = "rahasia-bersama-mitra-uji-e2e";
const PROPAM_MAIL: &str = "penindak@propam-polres.example";
const BKN_MAIL: &str = "penindak@bkn.example";

/// One webhook call as received.
#[derive(Debug, Clone)]
struct Call {
    timestamp: Option<String>,
    signature: Option<String>,
    body: String,
}

/// A partner system: records every call and answers 200.
async fn webhook_receiver() -> (String, Arc<Mutex<Vec<Call>>>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let kept = calls.clone();
    let app = axum::Router::new().route(
        "/posko",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                let h = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                kept.lock().unwrap().push(Call {
                    timestamp: h("x-posko-timestamp"),
                    signature: h("x-posko-signature"),
                    body,
                });
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/posko", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, calls)
}

/// One e-mail as the sink received it.
#[derive(Debug, Clone)]
struct Mail {
    to: Vec<String>,
    data: String,
}

/// Just enough SMTP (RFC 5321) for one client at a time: greeting, EHLO/HELO, MAIL, RCPT,
/// DATA up to the lone dot, RSET, NOOP, QUIT.
async fn smtp_sink() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let mails = Arc::new(Mutex::new(Vec::new()));
    let kept = mails.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                let mut to = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink.test\r\n250 8BITMIME\r\n",
                        "HELO" | "MAIL" | "RSET" | "NOOP" => b"250 OK\r\n",
                        "RCPT" => {
                            let addr = line
                                .split(['<', '>'])
                                .nth(1)
                                .unwrap_or_default()
                                .to_string();
                            to.push(addr);
                            b"250 OK\r\n"
                        }
                        "DATA" => {
                            write
                                .write_all(b"354 end with <CRLF>.<CRLF>\r\n")
                                .await
                                .unwrap();
                            let mut data = String::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push_str(&l);
                                data.push('\n');
                            }
                            kept.lock().unwrap().push(Mail {
                                to: std::mem::take(&mut to),
                                data,
                            });
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    write.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (port, mails)
}

/// Polls `check` every 50 ms until it gives something, failing after `limit`.
async fn eventually<T>(limit: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(x) = check() {
            return x;
        }
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn expected_signature(timestamp: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn step(http: &reqwest::Client, server: &common::Server, id: &str, fields: &[(&str, &str)]) {
    let page = http
        .get(server.url(&format!("/petugas/laporan/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    form.extend_from_slice(fields);
    let r = http
        .post(server.url(&format!("/petugas/laporan/{id}/langkah")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "step {fields:?}");
}

async fn get(http: &reqwest::Client, server: &common::Server, path: &str) -> String {
    http.get(server.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn referral_is_signed_mailed_and_shown(env: &Env) {
    let (hook_url, calls) = webhook_receiver().await;
    let (smtp_port, mails) = smtp_sink().await;
    std::fs::write(
        env.dir.path().join("posko.toml"),
        format!(
            r#"
[[webhook]]
url = "{hook_url}"
secret = "{SECRET}"
events = ["kasus_dirujuk"]

[smtp]
host = "127.0.0.1"
port = {smtp_port}
from = "Posko Uji <posko@posko.example>"
tls = "none"
"#
        ),
    )
    .unwrap();
    env.add_user(
        "piket",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "33.20"],
    );
    env.add_user(
        "propam",
        "penindak",
        &[
            "--agency",
            "propam",
            "--region",
            "33.20",
            "--email",
            PROPAM_MAIL,
        ],
    );
    env.add_user(
        "bkn",
        "penindak",
        &["--agency", "bkn", "--region", "33.20", "--email", BKN_MAIL],
    );
    let bad = env.run(
        &[
            "user",
            "add",
            "--username",
            "salah",
            "--role",
            "petugas-piket",
            "--agency",
            "bawaslu",
            "--region",
            "33.20",
            "--email",
            "bukan-alamat",
        ],
        Some(&format!("{}\n", common::PASSWORD)),
    );
    assert!(!bad.status.success(), "a bad address is refused");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("surel"));
    assert!(
        !env.ok(&["user", "list"], None).contains("salah"),
        "and no account is half made"
    );
    let token = env
        .ok(&["token", "add", "--name", "gw"], None)
        .trim()
        .to_string();
    let mut server = env.start();

    let today = jiff::Zoned::now().date().to_string();
    let receipt: Value = browser_like_client()
        .post(server.url("/api/v1/reports"))
        .bearer_auth(&token)
        .json(&json!({
            "subject_category": "polri", "subject_name": "Bripka Z",
            "violation": "aparat_politik_praktis",
            "description": "Mengarahkan warga memilih pasangan calon di balai desa.",
            "region": "33.20.01.2001", "happened_on": today, "learned_on": today,
            "reporter_name": "Warga Pelapor", "reporter_address": "Jl. Desa 1",
            "reporter_phone": "081234567890"
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = receipt["tracking_code"].as_str().unwrap().to_string();

    // The post is told of the new report (nobody is on duty: every post officer).
    let piket = common::login(&server, "piket").await;
    let inbox = get(&piket, &server, "/petugas/notifikasi").await;
    assert!(inbox.contains(&code), "new-report notice shown");
    let list = get(&piket, &server, "/petugas/laporan").await;
    let id = list[..list.find(&code).unwrap()]
        .rsplit("/petugas/laporan/")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    for fields in [
        &[("aksi", "start_review")][..],
        &[("aksi", "register")],
        &[("aksi", "examine")],
        &[("aksi", "decide"), ("putusan", "hukum_lainnya")],
        &[("aksi", "refer")],
    ] {
        step(&piket, &server, &id, fields).await;
    }

    // The partner system gets the referral, signed.
    let call = eventually(Duration::from_secs(15), "the referral webhook", || {
        calls
            .lock()
            .unwrap()
            .iter()
            .find(|c| c.body.contains("kasus_dirujuk"))
            .cloned()
    })
    .await;
    let ts = call.timestamp.clone().expect("X-Posko-Timestamp");
    let sent_at: i64 = ts.parse().expect("unix seconds");
    let now = jiff::Timestamp::now().as_second();
    assert!(
        (now - sent_at).abs() < 300,
        "fresh timestamp: {sent_at} vs {now}"
    );
    let sig = call.signature.clone().expect("X-Posko-Signature");
    assert_eq!(sig, expected_signature(&ts, &call.body), "valid signature");
    assert_ne!(
        sig,
        expected_signature(&(sent_at - 1).to_string(), &call.body),
        "the timestamp is signed too"
    );
    let body: Value = serde_json::from_str(&call.body).unwrap();
    assert_eq!(body["event"], "kasus_dirujuk");
    assert_eq!(body["case"]["tracking_code"], code.as_str());
    assert_eq!(body["case"]["agency"], "propam");
    assert_eq!(body["case"]["state"], "diteruskan");
    for personal in ["Warga Pelapor", "Jl. Desa 1", "081234567890", "8123"] {
        assert!(!call.body.contains(personal), "{personal} in {}", call.body);
    }
    assert!(
        calls
            .lock()
            .unwrap()
            .iter()
            .all(|c| c.body.contains("\"kasus_dirujuk\"")),
        "only the subscribed event"
    );

    // Propam's handler gets an e-mail; BKN's gets none.
    let mail = eventually(Duration::from_secs(15), "the referral e-mail", || {
        mails
            .lock()
            .unwrap()
            .iter()
            .find(|m| m.to.iter().any(|t| t == PROPAM_MAIL))
            .cloned()
    })
    .await;
    assert!(mail.data.contains(&code), "{}", mail.data);
    assert!(mail.data.contains("[Posko]"), "{}", mail.data);
    assert!(!mail.data.contains("Warga Pelapor") && !mail.data.contains("Jl. Desa 1"));
    assert!(mails
        .lock()
        .unwrap()
        .iter()
        .all(|m| !m.to.iter().any(|t| t == BKN_MAIL)));

    // In the app: Propam's handler sees it, unread, in the header and on the page.
    let propam = common::login(&server, "propam").await;
    let page = get(&propam, &server, "/petugas/notifikasi").await;
    assert!(page.contains(&code) && page.contains("Propam"), "{page}");
    assert!(
        page.contains("id=\"jumlah-notifikasi\">1<"),
        "unread in the header"
    );
    let nid = page
        .split("action=\"/petugas/notifikasi/")
        .skip(1)
        .filter_map(|rest| rest.split('/').next())
        .find(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        .expect("a mark-read form")
        .to_string();
    // Without the right CSRF token nothing changes.
    let forged = propam
        .post(server.url(&format!("/petugas/notifikasi/{nid}/dibaca")))
        .form(&[("csrf", "palsu")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // Another officer cannot mark it read.
    let bkn = common::login(&server, "bkn").await;
    let bkn_page = get(&bkn, &server, "/petugas/notifikasi").await;
    assert!(!bkn_page.contains(&code), "BKN is not told");
    bkn.post(server.url(&format!("/petugas/notifikasi/{nid}/dibaca")))
        .form(&[("csrf", csrf_of(&bkn_page).as_str())])
        .send()
        .await
        .unwrap();
    let page = get(&propam, &server, "/petugas/notifikasi").await;
    assert!(page.contains("id=\"jumlah-notifikasi\">1<"));
    let r = propam
        .post(server.url(&format!("/petugas/notifikasi/{nid}/dibaca")))
        .form(&[("csrf", csrf_of(&page).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(!page.contains("jumlah-notifikasi"), "nothing unread");
    assert!(page.contains(&code), "still listed, as read");

    // The workers stop with the server; the log keeps no secret and no address.
    let status = server.terminate();
    assert!(status.success(), "clean stop: {status:?}");
    let log = server.log_text();
    assert!(log.contains("delivery worker stopped"), "{log}");
    for secret in [SECRET, PROPAM_MAIL, "Warga Pelapor"] {
        assert!(!log.contains(secret), "{secret} in the log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referral_is_signed_mailed_and_shown_on_sqlite() {
    referral_is_signed_mailed_and_shown(&Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referral_is_signed_mailed_and_shown_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    referral_is_signed_mailed_and_shown(&env).await;
}
