//! End to end on the real `posko` binary: a fresh data folder (and, when
//! `POSKO_TEST_POSTGRES_URL` is set, a fresh PostgreSQL schema), accounts made with
//! `posko user add`, a server on a free loopback port, and HTTP as a browser speaks it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{browser_like_client, csrf_of, Env, PASSWORD};
use reqwest::StatusCode;

/// Create a user, log in, browse down to a village, log out — on one back end.
async fn officer_path(env: &Env) {
    env.add_user(
        "piket.jepara",
        "petugas-piket",
        &[
            "--agency",
            "bawaslu",
            "--region",
            "33.20",
            "--name",
            "Piket Bawaslu",
        ],
    );
    env.ok(&["demo", "tps", "--regency", "33.20"], None);
    let server = env.start();
    let http = browser_like_client();

    // Health first: the right back end answers.
    let health: serde_json::Value = http
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"], env.backend);

    // A wrong password is refused with a message, in Bahasa Indonesia.
    let form = http
        .get(server.url("/masuk"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("Masuk petugas"), "login page is Indonesian");
    let csrf = csrf_of(&form);
    let wrong = http
        .post(server.url("/masuk"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "piket.jepara"),
            ("password", "salah-sekali-123"),
            ("next", "/akun"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("kata sandi salah"));

    // The right one opens a session and lands on the account page.
    let ok = http
        .post(server.url("/masuk"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "piket.jepara"),
            ("password", PASSWORD),
            ("next", "/akun"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.url().path().ends_with("/akun"));
    let account = ok.text().await.unwrap();
    assert!(
        account.contains("Piket Bawaslu") && account.contains("KABUPATEN JEPARA (33.20)"),
        "{account}"
    );
    assert!(account.contains("Petugas piket"));

    // Browse: Indonesia → Jawa Tengah → Jepara → a district → a village with its TPS.
    let root = http
        .get(server.url("/wilayah"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(root.contains("JAWA TENGAH") && root.contains("/wilayah/33?pemilihan="));
    let jateng = http
        .get(server.url("/wilayah/33"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(jateng.contains("KABUPATEN JEPARA"));
    let jepara = http
        .get(server.url("/wilayah/33.20"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(jepara.contains("Zona waktu") && jepara.contains("WIB"));
    assert!(
        jepara.contains("16 kecamatan") && jepara.contains("195 desa/kelurahan"),
        "the counts below Jepara"
    );
    let district = http
        .get(server.url("/wilayah/33.20.01"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(district.contains("33.20.01.2001"));
    let village = http
        .get(server.url("/wilayah/33.20.01.2001"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        village.contains("id=\"daftar-tps\"") && village.contains("TPS 001"),
        "village lists its TPS"
    );

    // The village's TPS count on the page equals the register's, read through the JSON API.
    let api: serde_json::Value = http
        .get(server.url("/api/v1/wilayah/33.20.01.2001?pemilihan=pemilu-2024"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let n = api["tps"].as_array().unwrap().len();
    assert!(n > 0);
    assert_eq!(api["total_tps"].as_u64().unwrap(), n as u64);
    assert!(
        village.contains(&format!("id=\"jumlah-tps\">{n}<")),
        "page shows {n} TPS"
    );

    // Log out: the session is gone.
    let csrf = csrf_of(&village);
    let out = http
        .post(server.url("/keluar"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::OK);
    let after = http.get(server.url("/akun")).send().await.unwrap();
    assert!(
        after.url().path().ends_with("/masuk"),
        "account page asks to log in again"
    );

    // Personal secrets never reach the log.
    let log = server.log_text();
    assert!(log.contains("officer logged in"));
    assert!(!log.contains(PASSWORD) && !log.contains("salah-sekali-123"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_path_on_sqlite() {
    officer_path(&Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_path_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    officer_path(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_a_valid_csrf_token_are_refused() {
    let env = Env::sqlite();
    env.add_user("koord", "koordinator", &["--region", "33.20"]);
    let server = env.start();
    let http = browser_like_client();
    let page = http
        .get(server.url("/masuk"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);

    // No token at all, and a token of another visitor: both refused, no session opened.
    let none = http
        .post(server.url("/masuk"))
        .form(&[("username", "koord"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), StatusCode::FORBIDDEN);
    assert!(none
        .text()
        .await
        .unwrap()
        .contains("Formulir kedaluwarsa atau tidak sah"));
    let stranger = browser_like_client();
    stranger.get(server.url("/masuk")).send().await.unwrap();
    let forged = stranger
        .post(server.url("/masuk"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "koord"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::FORBIDDEN,
        "a token is bound to its visitor"
    );

    // Logged in, a logout without the token does not end the session.
    let ok = http
        .post(server.url("/masuk"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "koord"),
            ("password", PASSWORD),
            ("next", "/akun"),
        ])
        .send()
        .await
        .unwrap();
    assert!(ok.url().path().ends_with("/akun"));
    let refused = http
        .post(server.url("/keluar"))
        .form(&[("csrf", "palsu")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let still = http.get(server.url("/akun")).send().await.unwrap();
    assert!(
        still.url().path().ends_with("/akun"),
        "session survives a forged logout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_have_security_headers_and_cookies_are_protected() {
    let env = Env::sqlite();
    env.add_user("pemantau1", "pemantau", &["--region", "15.71"]);
    let server = env.start();
    let http = browser_like_client();
    let resp = http.get(server.url("/masuk")).send().await.unwrap();
    let h = resp.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    let anon = h
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>();
    assert!(
        anon.iter()
            .all(|c| c.contains("HttpOnly") && c.contains("SameSite=Lax")),
        "{anon:?}"
    );
    let csrf = csrf_of(&resp.text().await.unwrap());
    let no_redirect = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Reuse the anonymous cookie of the first client by logging in through it instead.
    let login = http
        .post(server.url("/masuk"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "pemantau1"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(login.url().path().ends_with("/akun"));
    // The session cookie itself, seen on a login without following the redirect.
    let page = no_redirect
        .get(server.url("/masuk"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let raw = no_redirect
        .post(server.url("/masuk"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("username", "pemantau1"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::SEE_OTHER);
    let session = raw
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("posko_sesi="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Max-Age=43200"),
        "{session}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_language_and_not_found() {
    let env = Env::sqlite();
    let server = env.start();
    let http = browser_like_client();
    http.get(server.url("/wilayah/33.20")).send().await.unwrap();
    let metrics = http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "posko_http_requests_total{method=\"GET\",route=\"/wilayah/{code}\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("posko_http_request_duration_seconds_bucket"));

    // Indonesian by default; the switch gives English and comes back to the same page.
    let id = http
        .get(server.url("/wilayah/33.20"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(id.contains("lang=\"id\"") && id.contains("Pemilih DPT"));
    let en = http
        .get(server.url("/bahasa/en?next=/wilayah/33.20"))
        .send()
        .await
        .unwrap();
    assert!(en.url().path().ends_with("/wilayah/33.20"));
    let en = en.text().await.unwrap();
    assert!(
        en.contains("lang=\"en\"")
            && en.contains("Voters (DPT)")
            && en.contains("KABUPATEN JEPARA")
    );
    // An open redirect through the switch is not possible.
    let off = http
        .get(server.url("/bahasa/id?next=//evil.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(off.url().host_str(), Some("127.0.0.1"));

    // Unknown pages and regions: 404 with a message in the visitor's language.
    let missing = http.get(server.url("/wilayah/33.99")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("Wilayah tidak ditemukan"));
    let junk = http.get(server.url("/wilayah/zz")).send().await.unwrap();
    assert_eq!(junk.status(), StatusCode::NOT_FOUND);
    let api = http
        .get(server.url("/api/v1/wilayah/99"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "region_not_found");
    assert_eq!(
        http.get(server.url("/tidak-ada"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tps_import_refuses_a_bad_file_whole_and_takes_a_good_one() {
    let env = Env::sqlite();
    let dir = env.dir.path();
    let bad = dir.join("tps-buruk.csv");
    std::fs::write(
        &bad,
        "kode_desa;nomor_tps;alamat;dpt\n33.20.01.2001;1;Balai Desa;250\n33.20.01.2001;2;Masjid;dua ratus\n33.20.99.2001;1;X;10\n",
    )
    .unwrap();
    let out = env.run(
        &[
            "tps",
            "import",
            bad.to_str().unwrap(),
            "--pemilihan",
            "pemilu-2024",
        ],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tps-buruk.csv, baris 3, kolom dpt"), "{err}");
    assert!(
        err.contains("tps-buruk.csv, baris 4, kolom kode_desa"),
        "{err}"
    );
    assert!(err.contains("tidak ada yang diimpor"), "{err}");

    let good = dir.join("tps-jepara.csv");
    env.ok(
        &[
            "demo",
            "tps",
            "--regency",
            "33.20",
            "--out",
            good.to_str().unwrap(),
        ],
        None,
    );
    let csv_text = std::fs::read_to_string(&good).unwrap();
    let rows: Vec<&str> = csv_text.lines().skip(1).collect();
    let voters: u64 = rows
        .iter()
        .map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap())
        .sum();
    let stdout = env.ok(
        &[
            "tps",
            "import",
            good.to_str().unwrap(),
            "--pemilihan",
            "pemilu-2024",
        ],
        None,
    );
    assert!(
        stdout.contains(&format!("{} TPS diimpor", rows.len())),
        "{stdout}"
    );
    let again = env.ok(
        &[
            "tps",
            "import",
            good.to_str().unwrap(),
            "--pemilihan",
            "pemilu-2024",
        ],
        None,
    );
    assert!(
        again.contains(&format!("baru 0, diganti {}", rows.len())),
        "{again}"
    );

    let server = env.start();
    let api: serde_json::Value = browser_like_client()
        .get(server.url("/api/v1/wilayah/33.20?pemilihan=pemilu-2024"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["total_tps"].as_u64().unwrap(), rows.len() as u64);
    assert_eq!(
        api["total_voters"].as_u64().unwrap(),
        voters,
        "the bad file left no row behind"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_server_cleanly() {
    let env = Env::sqlite();
    let mut server = env.start();
    reqwest::get(server.url("/healthz")).await.unwrap();
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}");
    assert!(server.log_text().contains("berhenti dengan rapi"));
}

#[test]
fn data_folders_are_never_made_by_accident() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("posko-dat");
    let out = common::posko()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            typo.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("posko init"));
    assert!(!typo.exists());
}

#[test]
fn the_cli_answers_the_done_criteria() {
    let show = common::posko()
        .args(["wilayah", "show", "33.20"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(
        text.contains("KABUPATEN JEPARA") && text.contains("WIB"),
        "{text}"
    );
    let stats = common::posko()
        .args(["wilayah", "stats", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(
        (v["provinces"].as_u64(), v["regencies"].as_u64()),
        (Some(38), Some(514))
    );
    assert_eq!(
        (v["districts"].as_u64(), v["villages"].as_u64()),
        (Some(7_277), Some(83_763))
    );
    let bad = common::posko()
        .args(["wilayah", "show", "33.2"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("tidak sah"));
    let cfg = common::posko()
        .args(["config", "default"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&cfg.stdout).contains("listen = \"127.0.0.1:8080\""));
}
