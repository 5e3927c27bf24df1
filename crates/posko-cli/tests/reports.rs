//! Citizens' reports end to end on the real binary: an anonymous report with evidence through the
//! page, an identified one through the API, statuses by tracking code, sealed identities that
//! never appear in clear in the database file or the log, idempotent retries, validation in
//! Bahasa Indonesia, refusal of disguised files, rate limits, the OpenAPI document against the
//! routes, and reports that survive a crash right after their acknowledgement.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use common::{browser_like_client, csrf_of, Env};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PLANTED_NIK: &str = "3320016808920007";
const PLANTED_PHONE: &str = "081398765432";
const PLANTED_NAME: &str = "Kartika Wulandari";

fn today() -> String {
    jiff::Zoned::now().date().to_string()
}

/// A small real JPEG with an EXIF segment carrying GPS coordinates.
fn jpeg_with_gps() -> Vec<u8> {
    let img = image::RgbImage::from_fn(16, 16, |x, y| {
        image::Rgb([(x * 16) as u8, (y * 16) as u8, 90])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 80)
        .encode_image(&img)
        .unwrap();
    // A minimal TIFF: IFD0 with one GPSInfo pointer, and a GPS IFD with GPSLatitudeRef = 'S'.
    let mut tiff = b"II*\x00\x08\x00\x00\x00".to_vec();
    tiff.extend_from_slice(&[1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0]);
    tiff.extend_from_slice(&[1, 0, 1, 0, 2, 0, 2, 0, 0, 0, b'S', 0, 0, 0, 0, 0, 0, 0]);
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend_from_slice(&tiff);
    let len = (app1.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&plain[2..]);
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn field_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

fn text_between<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\">");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no #{id}")) + marker.len();
    html[start..].split('<').next().unwrap()
}

fn api_body(extra: Value) -> Value {
    let mut body = json!({
        "subject_category": "polri",
        "subject_name": "Brigadir Y",
        "subject_id_number": "87050123",
        "violation": "aparat_politik_praktis",
        "description": "Mengajak warga memilih pasangan calon nomor urut 1 saat patroli.",
        "region": "15.71.01.1001",
        "happened_on": today(),
        "learned_on": today(),
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

fn token(env: &Env) -> String {
    env.ok(&["token", "add", "--name", "gateway-wa"], None)
        .trim()
        .to_string()
}

async fn page_form(http: &reqwest::Client, server: &common::Server) -> (String, String) {
    let html = http
        .get(server.url("/lapor"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    (csrf_of(&html), field_of(&html, "kunci"))
}

fn report_form(csrf: &str, key: &str) -> Form {
    Form::new()
        .text("csrf", csrf.to_string())
        .text("kunci", key.to_string())
        .text("aksi", "kirim")
        .text("subject_category", "asn")
        .text("subject_name", "Budi")
        .text("violation", "asn_media_sosial")
        .text(
            "description",
            "Membagikan poster kampanye di grup WhatsApp dinas.",
        )
        .text("region", "33.20.01.2001")
        .text("tps", "2")
        .text("happened_on", today())
        .text("learned_on", today())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_and_api_reports_with_sealed_identities() {
    let env = Env::sqlite();
    let token = token(&env);
    let server = env.start();
    let http = browser_like_client();

    // 1. An anonymous report with a photo, through the page.
    let (csrf, key) = page_form(&http, &server).await;
    let photo = jpeg_with_gps();
    let form = report_form(&csrf, &key).part(
        "bukti",
        Part::bytes(photo.clone())
            .file_name("IMG_0001.jpg")
            .mime_str("image/jpeg")
            .unwrap(),
    );
    let resp = http
        .post(server.url("/lapor"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let receipt = resp.text().await.unwrap();
    let page_code = text_between(&receipt, "kode-pelacakan").to_string();
    assert!(page_code.starts_with("PSK-"), "{page_code}");
    assert_eq!(text_between(&receipt, "jenis-laporan"), "Informasi awal");
    assert!(
        receipt.contains(&sha256_hex(&photo)),
        "the receipt shows the original's SHA-256"
    );

    // A double tap (same form, same key) gives the same report, not a second one.
    let again = http
        .post(server.url("/lapor"))
        .multipart(report_form(&csrf, &key))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text_between(&again, "kode-pelacakan"), page_code);

    // 2. An identified report through the API, with a retry under the same Idempotency-Key.
    let pdf = base64::engine::general_purpose::STANDARD.encode(b"%PDF-1.4\n%%EOF\n");
    let body = api_body(json!({
        "reporter_name": PLANTED_NAME,
        "reporter_address": "Jl. Sultan Thaha 5, Jambi",
        "reporter_nik": PLANTED_NIK,
        "reporter_phone": PLANTED_PHONE,
        "evidence": [{ "filename": "kronologi.pdf", "content_base64": pdf }]
    }));
    let post = |key: &'static str| {
        http.post(server.url("/api/v1/reports"))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = post("gw-msg-77").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["kind"], "laporan");
    let api_code = first["tracking_code"].as_str().unwrap().to_string();
    let retry = post("gw-msg-77").await.unwrap();
    assert_eq!(retry.status(), StatusCode::OK);
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry["tracking_code"], api_code.as_str());

    // 3. Both statuses by tracking code: page and API, no personal data.
    let status_page = http
        .get(server.url(&format!("/lapor/status?kode={}", page_code.to_lowercase())))
        .send()
        .await
        .unwrap();
    assert_eq!(
        status_page.status(),
        StatusCode::OK,
        "codes are read case-insensitively"
    );
    let status_page = status_page.text().await.unwrap();
    assert!(status_page.contains("Diterima, menunggu kajian awal"));
    let status: Value = http
        .get(server.url(&format!("/api/v1/reports/{api_code}/status")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["kind"], "laporan");
    assert_eq!(status["region_name"], "Simpang IV Sipin");
    assert_eq!(status["evidence_files"], 1);
    let status_text = status.to_string();
    for secret in [
        PLANTED_NIK,
        PLANTED_NAME,
        "81398765432",
        "Sultan Thaha",
        "Brigadir",
    ] {
        assert!(!status_text.contains(secret), "status shows {secret}");
    }
    let unknown = http
        .get(server.url("/api/v1/reports/PSK-0000-0000-0000/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);

    // 4. Without a token, or with a wrong one, the API refuses.
    let anon = http
        .post(server.url("/api/v1/reports"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    let forged = http
        .post(server.url("/api/v1/reports"))
        .bearer_auth("psk_palsu")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    // 5. Planted NIK, phone and name appear nowhere in clear: not in the database files, not in
    // the log. Stop the server cleanly first so the WAL is checkpointed into the file too.
    let mut server = server;
    assert!(server.terminate().success());
    let data = env.dir.path().join("data");
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let p = entry.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("posko.sqlite3")
        {
            stored.extend(std::fs::read(&p).unwrap());
        }
    }
    assert!(stored.len() > 10_000);
    let log = server.log_text().into_bytes();
    for (what, haystack) in [("database", &stored), ("log", &log)] {
        for needle in [
            PLANTED_NIK,
            "81398765432",
            PLANTED_NAME,
            "Sultan Thaha",
            "87050123",
        ] {
            let found = haystack
                .windows(needle.len())
                .any(|w| w == needle.as_bytes());
            assert!(!found, "{needle} found in clear in the {what}");
        }
    }
    // …while the report itself is there, and so is the photo's original.
    assert!(stored
        .windows(api_code.len())
        .any(|w| w == api_code.as_bytes()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_fields_and_disguised_files_are_refused_with_messages() {
    let env = Env::sqlite();
    let server = env.start();
    let http = browser_like_client();

    // Empty form: every required field named, in Bahasa Indonesia, and nothing stored.
    let (csrf, key) = page_form(&http, &server).await;
    let empty = Form::new()
        .text("csrf", csrf.clone())
        .text("kunci", key.clone())
        .text("aksi", "kirim");
    let resp = http
        .post(server.url("/lapor"))
        .multipart(empty)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    for label in [
        "Kategori terlapor",
        "Jenis pelanggaran",
        "Uraian kejadian",
        "Wilayah kejadian",
        "Tanggal kejadian",
    ] {
        assert!(
            html.contains(&format!("<li>{label}:")),
            "no message for {label}"
        );
    }
    assert!(html.contains("pilih siapa yang dilaporkan"));

    // A program renamed to .jpg is refused by its content, naming the file.
    let exe = Part::bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec())
        .file_name("foto.jpg")
        .mime_str("image/jpeg")
        .unwrap();
    let resp = http
        .post(server.url("/lapor"))
        .multipart(report_form(&csrf, &key).part("bukti", exe))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("berkas foto.jpg"));

    // A foreign phone number and a bad NIK through the API: 422 naming the fields.
    let token = token(&env);
    let bad = api_body(json!({ "reporter_phone": "+1 202 555 0100", "reporter_nik": "12345" }));
    let resp = http
        .post(server.url("/api/v1/reports"))
        .bearer_auth(&token)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = resp.json().await.unwrap();
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["reporter_nik", "reporter_phone"]);
    assert!(v["fields"][1]["message_id"]
        .as_str()
        .unwrap()
        .contains("bukan nomor Indonesia"));
    // An oversize file (limit lowered to 1 MB for this server) is refused by size.
    drop(server);
    let server = env.start_with(&[("POSKO_EVIDENCE_MAX_MB", "1")]);
    let big = base64::engine::general_purpose::STANDARD
        .encode([b"%PDF-1.4\n".as_slice(), &vec![b' '; 1_200_000]].concat());
    let body =
        api_body(json!({ "evidence": [{ "filename": "besar.pdf", "content_base64": big }] }));
    let resp = http
        .post(server.url("/api/v1/reports"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["fields"][0]["code"], "too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_matches_the_routes() {
    let env = Env::sqlite();
    let token = token(&env);
    let server = env.start();
    let http = browser_like_client();
    let doc: Value = http
        .get(server.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    let mut tracking_code = String::new();
    let paths = doc["paths"].as_object().unwrap();
    // POST first, so the status operation has a real code to ask about.
    let mut ops: Vec<(String, String, Value)> = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            // The agency case operations need a referred case and an agency's token: the
            // handling tests (tests/handling.rs) call those.
            if op["x-posko-agency-token"] == json!(true) {
                continue;
            }
            ops.push((path.clone(), method.clone(), op.clone()));
        }
    }
    ops.sort_by_key(|(_, m, _)| if m == "post" { 0 } else { 1 });
    assert!(ops.len() >= 4);
    for (path, method, op) in ops {
        let mut url = path.clone();
        for p in op["parameters"].as_array().cloned().unwrap_or_default() {
            if p["in"] == "path" {
                let name = p["name"].as_str().unwrap();
                let value = if name == "tracking_code" {
                    tracking_code.clone()
                } else {
                    p["example"].as_str().unwrap().to_string()
                };
                url = url.replace(&format!("{{{name}}}"), &value);
            }
        }
        let req = match method.as_str() {
            "get" => http.get(server.url(&url)),
            "post" => {
                let example = op["requestBody"]["content"]["application/json"]["example"].clone();
                assert!(
                    example.is_object(),
                    "{path}: a request body example is documented"
                );
                let mut r = http.post(server.url(&url)).json(&example);
                if op["security"].is_array() {
                    r = r.bearer_auth(&token);
                }
                r
            }
            other => panic!("undocumented method {other}"),
        };
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16().to_string();
        assert!(
            op["responses"][&status].is_object(),
            "{method} {path} answered {status}, not documented"
        );
        assert!(
            resp.status().is_success(),
            "{method} {path}: the documented example must succeed, got {status}"
        );
        let body: Value = resp.json().await.unwrap();
        // Every required property of the documented response schema is present.
        let schema_ref =
            op["responses"][&status]["content"]["application/json"]["schema"]["$ref"].as_str();
        if let Some(r) = schema_ref {
            let name = r.rsplit('/').next().unwrap();
            for req in doc["components"]["schemas"][name]["required"]
                .as_array()
                .unwrap()
            {
                assert!(
                    body.get(req.as_str().unwrap()).is_some(),
                    "{method} {path}: missing {req}"
                );
            }
        }
        if method == "post" && path == "/api/v1/reports" {
            tracking_code = body["tracking_code"].as_str().unwrap().to_string();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_get_429_with_retry_after() {
    let env = Env::sqlite();
    let token = token(&env);
    let server = env.start_with(&[("POSKO_RATE_LIMIT_PER_MINUTE", "6")]);
    let http = browser_like_client();
    let body = api_body(json!({}));
    let mut codes = Vec::new();
    let mut retry_after = None;
    for _ in 0..10 {
        let r = http
            .post(server.url("/api/v1/reports"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        codes.push(r.status().as_u16());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            retry_after = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["error"]["code"], "rate_limited");
        }
    }
    assert_eq!(codes.iter().filter(|c| **c == 201).count(), 5, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 429).count(), 5, "{codes:?}");
    let wait = retry_after.expect("Retry-After header");
    assert!((1..=10).contains(&wait), "{wait}");
}

async fn acknowledged_reports_survive_a_crash(env: &Env) {
    let token = token(env);
    let mut server = env.start_with(&[
        ("POSKO_RATE_LIMIT_PER_MINUTE", "100000"),
        ("POSKO_API_RATE_LIMIT_PER_MINUTE", "100000"),
    ]);
    let http = browser_like_client();
    let mut tasks = Vec::new();
    for i in 0..60 {
        let http = http.clone();
        let url = server.url("/api/v1/reports");
        let token = token.clone();
        let body = api_body(
            json!({ "description": format!("Laporan uji ketahanan nomor {i}, dikirim serentak.") }),
        );
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
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
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.unwrap());
    }
    // Every acknowledgement is in hand: pull the plug.
    server.crash();
    let server = env.start_with(&[("POSKO_RATE_LIMIT_PER_MINUTE", "100000")]);
    for code in &codes {
        let r = http
            .get(server.url(&format!("/api/v1/reports/{code}/status")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{code} lost after the crash");
    }
    assert_eq!(
        codes.iter().collect::<std::collections::HashSet<_>>().len(),
        60
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_reports_survive_a_crash_on_sqlite() {
    acknowledged_reports_survive_a_crash(&Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_reports_survive_a_crash_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    acknowledged_reports_survive_a_crash(&env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_page_is_light_enough_for_3g() {
    let env = Env::sqlite();
    let server = env.start();
    let http = reqwest::Client::new();
    let html = http
        .get(server.url("/lapor"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let css = http
        .get(server.url("/static/posko.css"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let total = html.len() + css.len();
    assert!(
        total < 100 * 1024,
        "report page weighs {total} bytes uncompressed"
    );
    // No script is needed: the form works as plain HTML.
    assert!(!String::from_utf8_lossy(&html).contains("<script"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officers_unseal_together_and_evidence_views_are_custody_events() {
    let env = Env::sqlite();
    env.add_user(
        "piket.bawaslu",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "33.20"],
    );
    env.add_user(
        "piket.kpu",
        "petugas-piket",
        &["--agency", "kpu", "--region", "33.20"],
    );
    env.add_user(
        "propam",
        "penindak",
        &["--agency", "propam", "--region", "33.20"],
    );
    let token = token(&env);
    let server = env.start();
    let http = browser_like_client();
    let photo = jpeg_with_gps();
    // In the officers' region (33.20): every role but admin works within its region.
    let body = api_body(json!({
        "region": "33.20.01.2001",
        "reporter_name": PLANTED_NAME, "reporter_address": "Jl. Sultan Thaha 5",
        "reporter_phone": PLANTED_PHONE,
        "evidence": [{ "filename": "foto.jpg", "content_base64": base64::engine::general_purpose::STANDARD.encode(&photo) }]
    }));
    let r: Value = http
        .post(server.url("/api/v1/reports"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = r["tracking_code"].as_str().unwrap().to_string();

    // A handler of a competent agency sees only cases routed to it: none yet.
    let propam = common::login(&server, "propam").await;
    let inbox = propam
        .get(server.url("/petugas/laporan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !inbox.contains(&code),
        "an unrouted case is not in a handler's list"
    );

    let a = common::login(&server, "piket.bawaslu").await;
    let list = a
        .get(server.url("/petugas/laporan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&code) && list.contains("identitas tersegel"));
    let id = list
        .split("/petugas/laporan/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let detail_url = server.url(&format!("/petugas/laporan/{id}"));
    let detail = a
        .get(&detail_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(detail.contains("id=\"identitas-tersegel\"") && !detail.contains(PLANTED_NAME));

    // The evidence copy has no EXIF; viewing it is recorded.
    let sha = sha256_hex(&photo);
    let copy = a
        .get(server.url(&format!("/petugas/laporan/{id}/bukti/{sha}")))
        .send()
        .await
        .unwrap();
    assert_eq!(copy.headers()["content-type"], "image/jpeg");
    let copy = copy.bytes().await.unwrap();
    assert!(
        !copy.windows(4).any(|w| w == b"Exif"),
        "the copy shown keeps no EXIF/GPS"
    );
    assert!(copy.starts_with(&[0xFF, 0xD8]));
    let detail = a
        .get(&detail_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(detail.contains("· viewed ·"), "custody lists the view");

    // A asks, with a reason; A cannot approve it; B of another agency approves; A reads.
    let csrf = csrf_of(&detail);
    let asked = a
        .post(server.url(&format!("/petugas/laporan/{id}/buka-segel")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("reason", "Klarifikasi pelapor untuk kajian awal"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(asked.contains("Permintaan buka segel dicatat") && !asked.contains(PLANTED_NAME));
    assert!(
        !asked.contains("id=\"setujui-"),
        "the requester is offered no approve button"
    );
    let req_id: String = {
        let b = common::login(&server, "piket.kpu").await;
        let page = b
            .get(&detail_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let req = page
            .split("id=\"setujui-")
            .nth(1)
            .expect("approve button for another agency")
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let ok = b
            .post(server.url(&format!("/petugas/laporan/{id}/buka-segel/{req}/setujui")))
            .form(&[("csrf", csrf_of(&page).as_str())])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(ok.contains("Persetujuan dicatat"));
        assert!(
            !ok.contains(PLANTED_NAME),
            "the approver does not see the identity"
        );
        req
    };
    // A forged approval by A itself is refused with a message.
    let own = a
        .post(server.url(&format!(
            "/petugas/laporan/{id}/buka-segel/{req_id}/setujui"
        )))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(own.contains("id=\"galat-segel\""));
    let opened = a
        .get(&detail_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        opened.contains("id=\"identitas-terbuka\"")
            && opened.contains(PLANTED_NAME)
            && opened.contains("+6281398765432")
    );
}
