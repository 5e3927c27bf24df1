//! Handling at the post on the real binary, SQLite and PostgreSQL: the console's filters and
//! "my cases", assignment, the one extension, duplicate suggestions and the officer-confirmed
//! merge, the register of reported officials, the duty roster with its handover notes and
//! printable week, and the case API an agency's own system uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{browser_like_client, csrf_of, Env};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn get(http: &reqwest::Client, server: &common::Server, path: &str) -> String {
    let r = http.get(server.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

/// Posts a form from the page at `page_path` (for its CSRF token); returns the final page.
async fn post_form(
    http: &reqwest::Client,
    server: &common::Server,
    page_path: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> String {
    let page = get(http, server, page_path).await;
    let csrf = csrf_of(&page);
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = http
        .post(server.url(action))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "POST {action}");
    r.text().await.unwrap()
}

/// The case id of a tracking code, from the inbox.
fn id_of(inbox: &str, code: &str) -> String {
    let before = &inbox[..inbox.find(code).expect("code in inbox")];
    before
        .rsplit("/petugas/laporan/")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

async fn file(server: &common::Server, token: &str, fields: Value) -> String {
    let today = jiff::Zoned::now().date().to_string();
    let mut body = json!({
        "subject_category": "asn", "subject_name": "Drs. Budi Santoso", "subject_unit": "Dinas Pendidikan",
        "violation": "asn_media_sosial",
        "description": "Membagikan unggahan kampanye pasangan calon di grup WhatsApp kantor dinas.",
        "region": "33.20.01.2001", "happened_on": today, "learned_on": today
    });
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = browser_like_client()
        .post(server.url("/api/v1/reports"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["tracking_code"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn console(env: &Env) {
    env.add_user(
        "koord",
        "koordinator",
        &["--agency", "kesbangpol", "--region", "33.20"],
    );
    // Every role but admin works within a region: two officers for Central Java, one for Jambi.
    env.add_user(
        "piket",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "33"],
    );
    env.add_user(
        "piket2",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "33"],
    );
    env.add_user(
        "jambi",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "15.71"],
    );
    let token = env
        .ok(&["token", "add", "--name", "gw"], None)
        .trim()
        .to_string();
    let server = env.start();
    // Two reports of one incident about the same ASN (no NIP: name and unit identify him, the
    // title written differently), one about a police officer in Kota Jambi.
    let a = file(&server, &token, json!({})).await;
    let b = file(
        &server,
        &token,
        json!({ "subject_name": "Budi Santoso, S.Pd.", "region": "33.20.01.2002",
                "description": "Budi membagikan unggahan kampanye pasangan calon di grup WhatsApp dinas." }),
    )
    .await;
    let c = file(
        &server,
        &token,
        json!({ "subject_category": "polri", "subject_name": "Bripda Y", "subject_unit": "Polresta Jambi",
                "violation": "aparat_politik_praktis", "region": "15.71.01.1001",
                "description": "Mengajak warga memilih pasangan calon di pos ronda." }),
    )
    .await;

    let piket = common::login(&server, "piket").await;
    let inbox = get(&piket, &server, "/petugas/laporan").await;
    assert!(inbox.contains(&a) && inbox.contains(&b));
    assert!(
        !inbox.contains(&c),
        "a report outside the officer's region is not listed"
    );
    let jambi = common::login(&server, "jambi").await;
    let jambi_inbox = get(&jambi, &server, "/petugas/laporan").await;
    assert!(jambi_inbox.contains(&c) && !jambi_inbox.contains(&a));
    let idc = id_of(&jambi_inbox, &c);
    let outside = piket
        .get(server.url(&format!("/petugas/laporan/{idc}")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        outside.status(),
        StatusCode::NOT_FOUND,
        "nor readable by address"
    );
    // Asking for a region outside one's scope gives nothing, not the other region's cases.
    let asked = get(&piket, &server, "/petugas/laporan?wilayah=15.71").await;
    assert!(!asked.contains(&c));
    let (ida, idb) = (id_of(&inbox, &a), id_of(&inbox, &b));
    // Filters narrow: by region, by category, by state.
    let tahunan = get(&piket, &server, "/petugas/laporan?wilayah=33.20.01.2001").await;
    assert!(tahunan.contains(&a) && !tahunan.contains(&b));
    let polri = get(&jambi, &server, "/petugas/laporan?kategori=polri").await;
    assert!(polri.contains(&c));
    let asn = get(&jambi, &server, "/petugas/laporan?kategori=asn").await;
    assert!(!asn.contains(&c));
    let bad = get(&piket, &server, "/petugas/laporan?wilayah=99.99.99").await;
    assert!(
        bad.contains("id=\"wilayah-salah\""),
        "an unknown region is said so"
    );

    // Assignment: "I will handle it" puts it in my cases, not in the duty queue.
    let page = format!("/petugas/laporan/{ida}");
    let assigned = post_form(
        &piket,
        &server,
        &page,
        &format!("/petugas/laporan/{ida}/tugaskan"),
        &[("petugas", "saya")],
    )
    .await;
    let who = assigned
        .split("id=\"penugasan\"")
        .nth(1)
        .unwrap()
        .split("</p>")
        .next()
        .unwrap();
    assert!(
        who.contains("<strong>piket</strong>"),
        "assigned to the officer: {who}"
    );
    let mine = get(&piket, &server, "/petugas/laporan?petugas=saya").await;
    assert!(mine.contains(&a) && !mine.contains(&b));
    let queue = get(
        &piket,
        &server,
        "/petugas/laporan?petugas=belum&status=diterima",
    )
    .await;
    assert!(!queue.contains(&a) && queue.contains(&b));
    let other = common::login(&server, "piket2").await;
    assert!(!get(&other, &server, "/petugas/laporan?petugas=saya")
        .await
        .contains(&a));

    // The register links the two reports (name and unit, titles aside) as one official.
    let register = get(&piket, &server, "/petugas/terlapor").await;
    assert!(register.contains("Budi"), "the official is in the register");
    assert!(register.contains(">2 · berulang<"), "both reports count");
    // The duplicate is suggested on the first case, with its reasons, and merged on confirmation.
    let case_a = get(&piket, &server, &page).await;
    assert!(
        case_a.contains(&format!("id=\"gabung-{idb}\"")),
        "the duplicate is suggested"
    );
    assert!(case_a.contains("terlapor yang sama"), "with the reason");
    let merged = post_form(
        &piket,
        &server,
        &page,
        &format!("/petugas/laporan/{ida}/gabung"),
        &[("duplikat", &idb)],
    )
    .await;
    assert!(merged.contains("id=\"gabungan\"") && merged.contains(&b));
    let after = get(&piket, &server, "/petugas/laporan").await;
    assert!(!after.contains(&b), "a merged report leaves the inbox");
    let page_b = get(&piket, &server, &format!("/petugas/laporan/{idb}")).await;
    assert!(page_b.contains("id=\"digabung-ke\""));
    // Merging it again is refused with the reason.
    let again = post_form(
        &piket,
        &server,
        &page,
        &format!("/petugas/laporan/{ida}/gabung"),
        &[("duplikat", &idb)],
    )
    .await;
    assert!(again.contains("tidak dapat digabung"));

    // After the merge the incident counts once for him.
    let register = get(&piket, &server, "/petugas/terlapor").await;
    assert!(register.contains(">1</td>") && !register.contains("berulang"));

    // Extension: only once handling runs, once.
    for aksi in ["start_review", "take_up_as_temuan", "examine"] {
        post_form(
            &piket,
            &server,
            &page,
            &format!("/petugas/laporan/{ida}/langkah"),
            &[("aksi", aksi)],
        )
        .await;
    }
    let before = get(&piket, &server, &page).await;
    assert!(before.contains("id=\"form-perpanjang\""));
    let extended = post_form(
        &piket,
        &server,
        &page,
        &format!("/petugas/laporan/{ida}/perpanjang"),
        &[("alasan", "menunggu keterangan saksi tambahan")],
    )
    .await;
    assert!(
        extended.contains("id=\"diperpanjang\"") && !extended.contains("id=\"form-perpanjang\"")
    );
    assert!(
        extended.contains("menunggu keterangan saksi tambahan"),
        "reason on the timeline"
    );

    // The roster: the coordinator plans, the officer on duty shows now, a handover note stays.
    let koord = common::login(&server, "koord").await;
    let roster = get(&koord, &server, "/petugas/piket").await;
    // Options read "display name (agency)"; display names default to the username.
    let piket_id = roster
        .split("<option value=\"")
        .find(|o| o.split('<').next().unwrap().contains("\">piket (Bawaslu)"))
        .expect("the officer is offered")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let wib = jiff::Timestamp::now().to_zoned(posko_core::Zone::Wib.tz());
    let today = wib.date().to_string();
    let start = format!("{:02}:00", wib.hour());
    let end = format!("{:02}:00", (wib.hour() + 2) % 24);
    let planned = post_form(
        &koord,
        &server,
        "/petugas/piket",
        "/petugas/piket",
        &[
            ("instansi", "bawaslu"),
            ("petugas", &piket_id),
            ("tanggal", &today),
            ("mulai", &start),
            ("selesai", &end),
        ],
    )
    .await;
    assert!(planned.contains("id=\"piket-sekarang\""));
    let now_section = planned
        .split("id=\"piket-sekarang\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    assert!(
        now_section.contains("Bawaslu"),
        "on duty now: {now_section}"
    );
    // Another agency's shift for a Bawaslu officer is refused with the reason.
    let wrong = post_form(
        &koord,
        &server,
        "/petugas/piket",
        "/petugas/piket",
        &[
            ("instansi", "propam"),
            ("petugas", &piket_id),
            ("tanggal", &today),
            ("mulai", "08:00"),
            ("selesai", "16:00"),
        ],
    )
    .await;
    assert!(wrong.contains("id=\"galat-piket\""));
    // A duty officer cannot plan.
    let form = get(&piket, &server, "/petugas/piket").await;
    assert!(!form.contains("id=\"form-piket\""));
    let forged = piket
        .post(server.url("/petugas/piket"))
        .form(&[
            ("csrf", csrf_of(&form).as_str()),
            ("instansi", "bawaslu"),
            ("petugas", piket_id.as_str()),
            ("tanggal", today.as_str()),
            ("mulai", "08:00"),
            ("selesai", "16:00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let noted = post_form(
        &piket,
        &server,
        "/petugas/piket",
        "/petugas/piket/serah-terima",
        &[("catatan", "Kasus Budi menunggu keterangan saksi.")],
    )
    .await;
    assert!(noted.contains("Kasus Budi menunggu keterangan saksi."));
    let print = get(
        &piket,
        &server,
        &format!("/petugas/piket/cetak?minggu={today}"),
    )
    .await;
    assert!(print.contains("id=\"tabel-piket\"") && print.contains("Bawaslu"));
    assert!(
        !print.contains("<nav"),
        "the printable week has no navigation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_on_sqlite() {
    console(&Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    console(&env).await;
}

/// The documented case operations, called by an agency's own system.
async fn agency_api(env: &Env) {
    env.add_user(
        "piket",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "33.20"],
    );
    let gateway = env
        .ok(&["token", "add", "--name", "gw"], None)
        .trim()
        .to_string();
    let propam = env
        .ok(
            &["token", "add", "--name", "sipropam", "--instansi", "propam"],
            None,
        )
        .trim()
        .to_string();
    let bkn = env
        .ok(
            &["token", "add", "--name", "sibkn", "--instansi", "bkn"],
            None,
        )
        .trim()
        .to_string();
    let server = env.start();
    let code = file(
        &server,
        &gateway,
        json!({ "subject_category": "polri", "subject_name": "Bripka Z", "subject_id_number": "75010123",
                "violation": "aparat_politik_praktis", "description": "Mengarahkan warga memilih pasangan calon." }),
    )
    .await;
    let piket = common::login(&server, "piket").await;
    let inbox = get(&piket, &server, "/petugas/laporan").await;
    let id = id_of(&inbox, &code);
    let page = format!("/petugas/laporan/{id}");
    for fields in [
        vec![("aksi", "start_review")],
        vec![("aksi", "take_up_as_temuan")],
        vec![("aksi", "examine")],
        vec![("aksi", "decide"), ("putusan", "hukum_lainnya")],
        vec![("aksi", "refer")],
    ] {
        post_form(&piket, &server, &page, &format!("{page}/langkah"), &fields).await;
    }
    let http = browser_like_client();
    let api =
        |token: &str, path: String| http.get(server.url(&path)).bearer_auth(token.to_string());

    // Propam's system lists the case; BKN's does not, and cannot read it; a gateway gets 403.
    let list: Value = api(&propam, "/api/v1/cases".into())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["cases"].as_array().unwrap().len(), 1);
    assert_eq!(list["cases"][0]["tracking_code"], json!(code));
    assert_eq!(
        list["cases"][0]["allowed_actions"],
        json!(["start_follow_up"])
    );
    let none: Value = api(&bkn, "/api/v1/cases".into())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(none["cases"].as_array().unwrap().is_empty());
    let hidden = api(&bkn, format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let gw = api(&gateway, "/api/v1/cases".into()).send().await.unwrap();
    assert_eq!(gw.status(), StatusCode::FORBIDDEN);
    let anon = http.get(server.url("/api/v1/cases")).send().await.unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);

    // The case, with the official and the incident, never the reporter nor the clear NRP.
    let one = api(&propam, format!("/api/v1/cases/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(one.status(), StatusCode::OK);
    let text = one.text().await.unwrap();
    assert!(text.contains("Bripka Z") && !text.contains("75010123"));
    let detail: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(detail["state"], "diteruskan");
    assert_eq!(detail["timeline"].as_array().unwrap().len(), 5);

    let act = |token: &str, body: Value| {
        http.post(server.url(&format!("/api/v1/cases/{id}/actions")))
            .bearer_auth(token.to_string())
            .json(&body)
    };
    // Out of order: refused, naming what is allowed.
    let early = act(
        &propam,
        json!({ "action": "record_outcome", "sanction": "teguran" }),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(early.status(), StatusCode::CONFLICT);
    let e: Value = early.json().await.unwrap();
    assert_eq!(e["error"]["code"], "illegal_transition");
    assert!(e["error"]["message"]
        .as_str()
        .unwrap()
        .contains("start_follow_up"));
    // The post's own steps are not an agency's.
    let close = act(&propam, json!({ "action": "close" }))
        .send()
        .await
        .unwrap();
    assert_eq!(close.status(), StatusCode::CONFLICT);
    // BKN cannot act on it.
    let foreign = act(&bkn, json!({ "action": "start_follow_up" }))
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    let started = act(&propam, json!({ "action": "start_follow_up" }))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), StatusCode::OK);
    let done: Value = act(
        &propam,
        json!({ "action": "record_outcome", "sanction": "teguran tertulis" }),
    )
    .send()
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(done["state"], "selesai");
    // The outcome returns to the post (its page) and to the reporter's status.
    let page_now = get(&piket, &server, &page).await;
    assert!(page_now.contains("teguran tertulis") && page_now.contains("Sistem sipropam"));
    let status: Value = http
        .get(server.url(&format!("/api/v1/reports/{code}/status")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "selesai");

    // Every agency operation is documented, with the responses it gives.
    let doc: Value = http
        .get(server.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ops: Vec<(&String, &String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, item)| {
            item.as_object()
                .unwrap()
                .iter()
                .filter(|(_, op)| op["x-posko-agency-token"] == json!(true))
                .map(move |(m, _)| (p, m))
        })
        .collect();
    assert_eq!(ops.len(), 3, "list, read and act are documented");
    for (path, method) in ops {
        let op = &doc["paths"][path][method];
        for code in ["200", "401", "403", "404"] {
            if path == "/api/v1/cases" && code == "404" {
                continue;
            }
            assert!(
                op["responses"][code].is_object(),
                "{method} {path} documents {code}"
            );
        }
    }
    assert!(doc["paths"]["/api/v1/cases/{id}/actions"]["post"]["responses"]["409"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agency_api_on_sqlite() {
    agency_api(&Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agency_api_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    agency_api(&env).await;
}
