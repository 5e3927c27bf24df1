//! A case end to end on the real binary, on SQLite and PostgreSQL: a report about a police
//! officer → triage → registered → decided → referred to Propam (the body the law names) →
//! Propam records its follow-up and sanction → the reporter's status shows the outcome. A handler
//! of another agency (BKN) never sees the case, in lists or by its address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{browser_like_client, csrf_of, Env};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn step(
    http: &reqwest::Client,
    server: &common::Server,
    id: &str,
    fields: &[(&str, &str)],
) -> String {
    let page = http
        .get(server.url(&format!("/petugas/laporan/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&page);
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = http
        .post(server.url(&format!("/petugas/laporan/{id}/langkah")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

async fn report_to_sanction(env: &Env) {
    env.add_user(
        "piket",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "33.20"],
    );
    env.add_user(
        "propam",
        "penindak",
        &["--agency", "propam", "--region", "33.20"],
    );
    env.add_user("bkn", "penindak", &["--agency", "bkn", "--region", "33.20"]);
    let token = env
        .ok(&["token", "add", "--name", "gw"], None)
        .trim()
        .to_string();
    let server = env.start();
    let today = jiff::Zoned::now().date().to_string();
    let body = json!({
        "subject_category": "polri", "subject_name": "Bripka Z", "subject_id_number": "75010123",
        "violation": "aparat_politik_praktis",
        "description": "Mengarahkan warga memilih pasangan calon di balai desa.", "region": "33.20.01.2001",
        "happened_on": today, "learned_on": today,
        "reporter_name": "Warga", "reporter_address": "Jl. Desa 1", "reporter_phone": "081234567890",
        "evidence": [{ "filename": "kronologi.pdf", "content_base64": "JVBERi0xLjQKJSVFT0YK" }]
    });
    let anon = browser_like_client();
    let receipt: Value = anon
        .post(server.url("/api/v1/reports"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = receipt["tracking_code"].as_str().unwrap().to_string();
    // A second report about the same officer (same NRP, another spelling of the name).
    let mut again = body.clone();
    again["subject_name"] = json!("Bripka Z.");
    again["description"] = json!("Kembali mengarahkan warga di pos kamling pada malam hari.");
    let second = anon
        .post(server.url("/api/v1/reports"))
        .bearer_auth(&token)
        .json(&again)
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    let status = |http: reqwest::Client, code: String| {
        let url = server.url(&format!("/api/v1/reports/{code}/status"));
        async move {
            http.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };

    let piket = common::login(&server, "piket").await;
    let list = piket
        .get(server.url("/petugas/laporan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let before = &list[..list.find(&code).unwrap()];
    let id = before
        .rsplit("/petugas/laporan/")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    // An illegal step is refused with the allowed ones named.
    let refused = step(&piket, &server, &id, &[("aksi", "register")]).await;
    assert!(
        refused.contains("id=\"galat-segel\"") && refused.contains("start_review"),
        "illegal step named"
    );
    let first_page = piket
        .get(server.url(&format!("/petugas/laporan/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        first_page.contains("id=\"terlapor-berulang\" class=\"error\">1<"),
        "the repeat is marked"
    );
    assert!(
        !first_page.contains("75010123"),
        "no clear NRP is stored or shown"
    );
    let reviewing = step(&piket, &server, &id, &[("aksi", "start_review")]).await;
    // The initial-review clock: 2 working days (Pemilu rules, the default election) from today
    // in Jepara's zone, skipping weekends and the shipped holidays.
    let wib_today = jiff::Timestamp::now()
        .to_zoned(posko_core::Zone::Wib.tz())
        .date();
    let expected = posko_core::calendar::Holidays::shipped().last_day(
        wib_today,
        posko_core::election::RuleSet::pemilu().initial_review,
    );
    let shown = format!("{} (WIB)", expected.strftime("%d-%m-%Y"));
    assert!(
        reviewing.contains(&shown),
        "deadline {shown} shown on the case page"
    );
    // The inbox shows the state and the same deadline; the due filter leaves out what is not due.
    let inbox = piket
        .get(server.url("/petugas/laporan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        inbox.contains("Dalam kajian awal") && inbox.contains(&shown),
        "inbox shows state and deadline"
    );
    let due = piket
        .get(server.url("/petugas/laporan?tenggat=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !due.contains(&code),
        "a case due in two working days is not 'due today'"
    );
    assert_eq!(
        status(anon.clone(), code.clone()).await["status"],
        "kajian_awal"
    );
    step(&piket, &server, &id, &[("aksi", "register")]).await;
    step(&piket, &server, &id, &[("aksi", "examine")]).await;
    step(
        &piket,
        &server,
        &id,
        &[("aksi", "decide"), ("putusan", "hukum_lainnya")],
    )
    .await;
    let referred = step(&piket, &server, &id, &[("aksi", "refer")]).await;
    assert!(
        referred.contains("id=\"diteruskan-ke\">Propam Polri<"),
        "routed by law to Propam"
    );
    assert!(
        referred.contains("· handed_over ·") && referred.contains("kepada Propam Polri"),
        "the evidence hand-over is in its chain of custody"
    );

    // BKN sees nothing of it, by list or by address.
    let bkn = common::login(&server, "bkn").await;
    let bkn_list = bkn
        .get(server.url("/petugas/laporan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!bkn_list.contains(&code));
    assert_eq!(
        bkn.get(server.url(&format!("/petugas/laporan/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let forged = bkn
        .post(server.url(&format!("/petugas/laporan/{id}/langkah")))
        .form(&[
            ("csrf", csrf_of(&bkn_list).as_str()),
            ("aksi", "start_follow_up"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);

    // Propam sees it, without the reporter's identity, and records the outcome.
    let propam = common::login(&server, "propam").await;
    let plist = propam
        .get(server.url("/petugas/laporan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(plist.contains(&code));
    let page = propam
        .get(server.url(&format!("/petugas/laporan/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("Jl. Desa 1") && !page.contains("minta-buka-segel"),
        "no identity, no unseal for handlers"
    );
    assert!(
        !page.contains("aksi-close"),
        "a handler cannot close the post's case"
    );
    step(&propam, &server, &id, &[("aksi", "start_follow_up")]).await;
    let done = step(
        &propam,
        &server,
        &id,
        &[
            ("aksi", "record_outcome"),
            ("sanksi", "teguran tertulis dan penempatan khusus 7 hari"),
        ],
    )
    .await;
    assert!(
        done.contains("teguran tertulis"),
        "timeline shows the sanction"
    );

    // The reporter sees the outcome, with no personal data.
    let s = status(anon.clone(), code.clone()).await;
    assert_eq!(s["status"], "selesai");
    assert_eq!(s["status_label"], "Selesai: hasil dan sanksi dicatat");
    let page = anon
        .get(server.url(&format!("/lapor/status?kode={code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Selesai: hasil dan sanksi dicatat") && !page.contains("Bripka"));

    // Every move is in the audit chain, which verifies.
    drop(server);
    let out = env.ok(&["audit", "verify"], None);
    assert!(out.contains("7 entri"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_to_sanction_on_sqlite() {
    report_to_sanction(&Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_to_sanction_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    report_to_sanction(&env).await;
}
