//! Rakor on the real binary, SQLite and PostgreSQL: a coordinator records a meeting, a decision
//! and a follow-up action for Polri through the pages; Polri's handler sees it in the console and
//! KPU's does not; the late alert reaches Polri's handler when `posko rakor periksa` runs after
//! the due day; the handler moves it to done with a note; the digest counts it. Then the
//! authorisation matrix of the rakor routes, every role × three agencies, each cell a request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{csrf_of, Env};
use posko_core::{Agency, Role};
use reqwest::StatusCode;

async fn get(http: &reqwest::Client, server: &common::Server, path: &str) -> String {
    let r = http.get(server.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

async fn post(
    http: &reqwest::Client,
    server: &common::Server,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    http.post(server.url(path)).form(form).send().await.unwrap()
}

fn today_wib() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Jakarta").unwrap())
        .date()
}

/// Records a meeting with one decision and one Polri action through the pages; returns the
/// meeting's id.
async fn meeting_with_action(koor: &reqwest::Client, server: &common::Server) -> String {
    let page = get(koor, server, "/rakor").await;
    assert!(page.contains("id=\"form-rapat\""));
    let today = today_wib().to_string();
    let r = post(
        koor,
        server,
        "/rakor",
        &[
            ("csrf", csrf_of(&page).as_str()),
            ("wilayah", "33.20"),
            ("tanggal", today.as_str()),
            // Midnight of today in WIB: never after the moment the test marks the action done,
            // so the digest "since the previous meeting" includes it.
            ("jam", "00:00"),
            ("tempat", "Pendopo Kabupaten Jepara"),
            ("pimpinan", "Pj Bupati Jepara"),
            ("agenda", "Kesiapan logistik\nNetralitas ASN"),
            ("nama_polri", "AKBP Contoh"),
            ("jabatan_polri", "Kapolres Jepara"),
            ("nama_kpu", "Ketua Contoh"),
            ("jabatan_kpu", "Ketua KPU Kabupaten Jepara"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.url().path().rsplit('/').next().unwrap().to_string();
    let page = r.text().await.unwrap();
    assert!(page.contains("Kapolres Jepara") && page.contains("Netralitas ASN"));
    let csrf = csrf_of(&page);
    let r = post(
        koor,
        server,
        &format!("/rakor/{id}/keputusan"),
        &[
            ("csrf", csrf.as_str()),
            ("keputusan", "Gudang KPU dijaga 24 jam"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"keputusan-1\""), "decision numbered 1");
    // A due date before the meeting is refused with the field named.
    let r = post(
        koor,
        server,
        &format!("/rakor/{id}/tindak-lanjut"),
        &[
            ("csrf", csrf.as_str()),
            ("keputusan", "1"),
            ("instansi", "polri"),
            ("uraian", "Patroli gudang KPU"),
            ("tenggat", "2000-01-01"),
        ],
    )
    .await;
    let refused = r.text().await.unwrap();
    assert!(refused.contains("id=\"galat-rakor\"") && refused.contains("tenggat 2000-01-01"));
    let r = post(
        koor,
        server,
        &format!("/rakor/{id}/tindak-lanjut"),
        &[
            ("csrf", csrf.as_str()),
            ("keputusan", "1"),
            ("instansi", "polri"),
            ("uraian", "Patroli gudang KPU"),
            ("tenggat", today.as_str()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Patroli gudang KPU"));
    id
}

async fn follow_up_flow(env: Env) {
    env.add_user(
        "koor",
        "koordinator",
        &["--agency", "kesbangpol", "--region", "33.20"],
    );
    env.add_user(
        "polri",
        "penindak",
        &["--agency", "polri", "--region", "33.20"],
    );
    env.add_user("kpu", "penindak", &["--agency", "kpu", "--region", "33.20"]);
    let server = env.start();
    let koor = common::login(&server, "koor").await;
    let meeting = meeting_with_action(&koor, &server).await;

    let polri = common::login(&server, "polri").await;
    let kpu = common::login(&server, "kpu").await;
    let console = get(&polri, &server, "/tindak-lanjut").await;
    assert!(
        console.contains("Patroli gudang KPU"),
        "Polri sees its action"
    );
    let action = console
        .split("id=\"aksi-")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert!(!get(&kpu, &server, "/tindak-lanjut")
        .await
        .contains("Patroli gudang KPU"));
    let r = polri
        .get(server.url(&format!("/rakor/{meeting}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "a handler reads no minutes"
    );

    // After the end of the due day (midnight WIB), the scan tells Polri once.
    let tz = jiff::tz::TimeZone::get("Asia/Jakarta").unwrap();
    let end = today_wib()
        .tomorrow()
        .unwrap()
        .to_zoned(tz)
        .unwrap()
        .timestamp();
    let before = (end - jiff::SignedDuration::from_mins(1)).to_string();
    let after = (end + jiff::SignedDuration::from_mins(1)).to_string();
    let out = env.ok(&["rakor", "periksa", "--pada", &before], None);
    assert!(out.contains("0 peringatan terlambat"), "{out}");
    let out = env.ok(&["rakor", "periksa", "--pada", &after], None);
    assert!(out.contains("1 peringatan terlambat"), "{out}");
    let out = env.ok(&["rakor", "periksa", "--pada", &after], None);
    assert!(out.contains("0 peringatan terlambat"), "once: {out}");
    let inbox = get(&polri, &server, "/petugas/notifikasi").await;
    assert!(
        inbox.contains("Tindak lanjut rakor terlambat"),
        "Polri told"
    );
    let inbox = get(&kpu, &server, "/petugas/notifikasi").await;
    assert!(!inbox.contains("Tindak lanjut rakor"), "KPU not told");

    // KPU may not move Polri's action; Polri starts it and marks it done with a note.
    let csrf = csrf_of(&console);
    let path = format!("/tindak-lanjut/{action}/langkah");
    let kpu_csrf = csrf_of(&get(&kpu, &server, "/akun").await);
    let r = post(
        &kpu,
        &server,
        &path,
        &[("csrf", kpu_csrf.as_str()), ("aksi", "mulai")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = post(
        &polri,
        &server,
        &path,
        &[("csrf", csrf.as_str()), ("aksi", "mulai")],
    )
    .await;
    assert!(r.text().await.unwrap().contains("sedang dikerjakan"));
    let r = post(
        &polri,
        &server,
        &path,
        &[("csrf", csrf.as_str()), ("aksi", "selesai")],
    )
    .await;
    let page = r.text().await.unwrap();
    assert!(page.contains("catatan: wajib diisi"), "done needs a note");
    let r = post(
        &polri,
        &server,
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("aksi", "selesai"),
            ("catatan", "Patroli dua kali sehari sejak rapat"),
        ],
    )
    .await;
    assert!(r.text().await.unwrap().contains("id=\"pemberitahuan\""));
    let all = get(&polri, &server, "/tindak-lanjut?semua=1").await;
    assert!(
        all.contains("Patroli dua kali sehari sejak rapat"),
        "history shown"
    );
    // The meeting page and the minutes show it done.
    let page = get(&koor, &server, &format!("/rakor/{meeting}")).await;
    assert!(page.contains("state-selesai"));
    let minutes = get(&koor, &server, &format!("/rakor/{meeting}/notulen")).await;
    assert!(minutes.contains("Gudang KPU dijaga 24 jam") && minutes.contains("Kapolres Jepara"));
    // The digest for the next briefing counts it done since this meeting.
    let digest: serde_json::Value = serde_json::from_str(&env.ok(
        &["rakor", "ringkasan", "--wilayah", "33.20", "--pada", &after],
        None,
    ))
    .unwrap();
    assert_eq!(digest["counts"]["done"], 1, "{digest}");
    assert_eq!(digest["counts"]["late"], 0, "{digest}");
    assert_eq!(digest["done"][0]["description"], "Patroli gudang KPU");
    // Never a representative's name in the log.
    assert!(!server.log_text().contains("AKBP Contoh"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ups_on_sqlite() {
    follow_up_flow(Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_ups_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    follow_up_flow(env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_and_agency_reaches_only_its_rakor_routes() {
    let env = Env::sqlite();
    env.add_user(
        "koor",
        "koordinator",
        &["--agency", "kesbangpol", "--region", "33.20"],
    );
    let agencies = [Agency::Polri, Agency::Kpu, Agency::Bawaslu];
    let mut accounts = Vec::new();
    for role in Role::ALL {
        for agency in agencies {
            let name = format!("{}.{}", role.as_str().replace('_', "-"), agency.as_str());
            env.add_user(
                &name,
                role.as_str(),
                &["--agency", agency.as_str(), "--region", "33.20"],
            );
            accounts.push((role, agency, name, true));
        }
    }
    // Coordinators and Polri officers of another region see nothing of Jepara's.
    for (role, name) in [("koordinator", "koor.jambi"), ("penindak", "polri.jambi")] {
        env.add_user(name, role, &["--agency", "polri", "--region", "15.71"]);
    }
    accounts.push((Role::Koordinator, Agency::Polri, "koor.jambi".into(), false));
    accounts.push((Role::Penindak, Agency::Polri, "polri.jambi".into(), false));
    let server = env.start_with(&[("POSKO_RATE_LIMIT_PER_MINUTE", "100000")]);
    let koor = common::login(&server, "koor").await;
    let meeting = meeting_with_action(&koor, &server).await;
    let console = get(&koor, &server, "/tindak-lanjut").await;
    let action = console
        .split("id=\"aksi-")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();

    let mut cells = 0;
    for (role, agency, name, in_region) in &accounts {
        let http = common::login(&server, name).await;
        let csrf = csrf_of(&get(&http, &server, "/akun").await);
        let organiser = matches!(role, Role::Admin | Role::Koordinator) && *in_region;
        let agency_officer = matches!(role, Role::Penindak | Role::PetugasPiket);
        let sees_action = organiser || (agency_officer && *agency == Agency::Polri && *in_region);
        for path in [
            "/rakor".to_string(),
            format!("/rakor/{meeting}"),
            format!("/rakor/{meeting}/notulen"),
        ] {
            let r = http.get(server.url(&path)).send().await.unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            // A coordinator elsewhere lists their own region's (empty) meetings, never Jepara's.
            let reads = status == 200 && body.contains("Pendopo Kabupaten Jepara");
            assert_eq!(reads, organiser, "{name} GET {path}: {status}");
            cells += 1;
        }
        let r = http.get(server.url("/tindak-lanjut")).send().await.unwrap();
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        assert_eq!(
            status == 200,
            matches!(role, Role::Admin | Role::Koordinator) || agency_officer,
            "{name} GET /tindak-lanjut: {status}"
        );
        assert_eq!(
            body.contains("Patroli gudang KPU"),
            sees_action,
            "{name} sees the action"
        );
        // Adding a decision: the region's coordinators only.
        let r = post(
            &http,
            &server,
            &format!("/rakor/{meeting}/keputusan"),
            &[("csrf", csrf.as_str()), ("keputusan", "Keputusan tambahan")],
        )
        .await;
        let status = r.status().as_u16();
        assert_eq!(status == 200, organiser, "{name} adds a decision: {status}");
        // Cancelling: coordinators only (a refused move changes nothing: the action stays open).
        let r = post(
            &http,
            &server,
            &format!("/tindak-lanjut/{action}/langkah"),
            &[
                ("csrf", csrf.as_str()),
                ("aksi", "batalkan"),
                ("catatan", ""),
            ],
        )
        .await;
        let status = r.status().as_u16();
        let body = r.text().await.unwrap();
        if organiser {
            assert!(body.contains("alasan pembatalan wajib diisi"), "{name}");
        } else {
            assert_eq!(status, 403, "{name} cancels: {status}");
        }
        cells += 3;
    }
    assert!(cells >= Role::ALL.len() * agencies.len() * 6, "{cells}");
    // Nobody moved it: still open for Polri.
    let polri = common::login(&server, "penindak.polri").await;
    assert!(get(&polri, &server, "/tindak-lanjut")
        .await
        .contains("state-terbuka"));
}
