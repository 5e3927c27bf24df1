//! The coordinator's dashboard and the rakor briefing on the real binary, SQLite and PostgreSQL:
//! three reports come in through the API, one is taken to examination; a meeting assigns Polri
//! an action. After `posko dasbor hitung` the dashboard of Kab. Jepara shows exactly those
//! cases by status, agency and category, its tiles drill down to their pages and to the
//! districts' dashboards, and tiles without a source say so. The briefing page, its PDF (read
//! back with lopdf) and its workbook carry the same figures, the case awaiting a decision and
//! the open action; `posko briefing` writes all three. Only coordinators of the region (and
//! admins) see it: an agency's handler and another regency's coordinator get 403.
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

fn today_wib() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Jakarta").unwrap())
        .date()
}

/// The HTML of one tile (`<section … id="{id}">…</section>`).
fn tile<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("tile {id} missing"));
    let rest = &page[start..];
    &rest[..rest.find("</section>").unwrap()]
}

/// The value shown beside `label` in a tile's table.
fn value_of(tile: &str, label: &str) -> Option<String> {
    let key = format!("<td>{label}</td><td class=\"num\">");
    let at = tile.find(&key)? + key.len();
    Some(tile[at..].split('<').next().unwrap().to_string())
}

async fn file_report(
    server: &common::Server,
    token: &str,
    category: &str,
    violation: &str,
    region: &str,
) -> String {
    let today = today_wib().to_string();
    let body = json!({
        "subject_category": category, "subject_name": "Pejabat Uji", "subject_id_number": "75010123",
        "violation": violation,
        "description": "Mengarahkan warga memilih pasangan calon di balai desa.", "region": region,
        "happened_on": today, "learned_on": today,
        "reporter_name": "Warga", "reporter_address": "Jl. Desa 1", "reporter_phone": "081234567890"
    });
    let r = browser_like_client()
        .post(server.url("/api/v1/reports"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    v["tracking_code"].as_str().unwrap().to_string()
}

/// The case page id of a tracking code, from the inbox.
async fn case_id(http: &reqwest::Client, server: &common::Server, code: &str) -> String {
    let list = get(http, server, "/petugas/laporan").await;
    let before = &list[..list.find(code).unwrap()];
    before
        .rsplit("/petugas/laporan/")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

async fn step(http: &reqwest::Client, server: &common::Server, id: &str, action: &str) {
    let page = get(http, server, &format!("/petugas/laporan/{id}")).await;
    let r = http
        .post(server.url(&format!("/petugas/laporan/{id}/langkah")))
        .form(&[("csrf", csrf_of(&page).as_str()), ("aksi", action)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(
        !text.contains("id=\"galat-segel\""),
        "step {action} refused"
    );
}

/// A meeting today with one decision and an open Polri action due in a week.
async fn meeting(koor: &reqwest::Client, server: &common::Server) {
    let page = get(koor, server, "/rakor").await;
    let today = today_wib();
    let r = koor
        .post(server.url("/rakor"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("wilayah", "33.20"),
            ("tanggal", today.to_string().as_str()),
            ("jam", "00:00"),
            ("tempat", "Pendopo Kabupaten Jepara"),
            ("pimpinan", "Pj Bupati Jepara"),
            ("agenda", "Kesiapan logistik"),
            ("nama_polri", "AKBP Contoh"),
            ("jabatan_polri", "Kapolres Jepara"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let id = r.url().path().rsplit('/').next().unwrap().to_string();
    let csrf = csrf_of(&r.text().await.unwrap());
    let r = koor
        .post(server.url(&format!("/rakor/{id}/keputusan")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("keputusan", "Gudang KPU dijaga 24 jam"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let due = today.checked_add(jiff::Span::new().days(7)).unwrap();
    let r = koor
        .post(server.url(&format!("/rakor/{id}/tindak-lanjut")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("keputusan", "1"),
            ("instansi", "polri"),
            ("uraian", "Patroli gudang KPU"),
            ("tenggat", due.to_string().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Patroli gudang KPU"));
}

fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a readable PDF");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    // A4 portrait.
    let first = doc.get_pages()[&pages[0]];
    let page = doc.get_object(first).unwrap().as_dict().unwrap();
    let mb = page.get(b"MediaBox").unwrap().as_array().unwrap();
    let w = mb[2]
        .as_float()
        .unwrap_or_else(|_| mb[2].as_i64().unwrap() as f32);
    let h = mb[3]
        .as_float()
        .unwrap_or_else(|_| mb[3].as_i64().unwrap() as f32);
    assert_eq!((w.round() as i64, h.round() as i64), (595, 842), "A4");
    doc.extract_text(&pages).expect("text extracted")
}

async fn dashboard_flow(env: Env) {
    env.add_user(
        "koor",
        "koordinator",
        &["--agency", "kesbangpol", "--region", "33.20"],
    );
    env.add_user(
        "koor.demak",
        "koordinator",
        &["--agency", "kesbangpol", "--region", "33.21"],
    );
    env.add_user(
        "piket",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "33.20"],
    );
    env.add_user(
        "polri",
        "penindak",
        &["--agency", "polri", "--region", "33.20"],
    );
    env.add_user("admin", "admin", &[]);
    let token = env
        .ok(&["token", "add", "--name", "gw"], None)
        .trim()
        .to_string();
    let server = env.start();

    // Three reports: two in Kecamatan Jepara (33.20.01), one in Pecangaan (33.20.02).
    let a = file_report(
        &server,
        &token,
        "polri",
        "aparat_politik_praktis",
        "33.20.01.2001",
    )
    .await;
    let _b = file_report(
        &server,
        &token,
        "polri",
        "aparat_politik_praktis",
        "33.20.01.2001",
    )
    .await;
    let _c = file_report(
        &server,
        &token,
        "polri",
        "aparat_politik_praktis",
        "33.20.02.2001",
    )
    .await;
    // One is taken to examination: it awaits a decision.
    let piket = common::login(&server, "piket").await;
    let id = case_id(&piket, &server, &a).await;
    for action in ["start_review", "register", "examine"] {
        step(&piket, &server, &id, action).await;
    }
    let koor = common::login(&server, "koor").await;
    meeting(&koor, &server).await;

    let out = env.ok(&["dasbor", "hitung"], None);
    assert!(out.contains("ringkasan wilayah disimpan"), "{out}");

    // /dasbor opens on the coordinator's own region.
    let r = koor.get(server.url("/dasbor")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.url().path(), "/dasbor/33.20");
    let page = r.text().await.unwrap();

    // Cases by status equal the records: 2 received, 1 in examination, 3 in all.
    let cases = tile(&page, "tile-kasus");
    assert_eq!(value_of(cases, "diterima").as_deref(), Some("2"), "{cases}");
    assert_eq!(value_of(cases, "pemeriksaan").as_deref(), Some("1"));
    assert!(cases.contains("Jumlah: 3"), "{cases}");
    assert!(cases.contains("<svg"), "server-made chart");
    assert!(cases.contains("href=\"/petugas/laporan?wilayah=33.20\""));
    let deadlines = tile(&page, "tile-tenggat");
    assert_eq!(
        value_of(deadlines, "Menunggu putusan atau penerusan").as_deref(),
        Some("1")
    );
    let agency = tile(&page, "tile-instansi");
    assert_eq!(value_of(agency, "Belum diteruskan").as_deref(), Some("3"));
    let category = tile(&page, "tile-kategori");
    assert_eq!(value_of(category, "Anggota Polri").as_deref(), Some("3"));
    // Drill-downs to the other capabilities' pages and the districts' dashboards.
    for link in [
        "/logistik/33.20",
        "/pengamanan/33.20",
        "/partisipasi/33.20",
        "/kerawanan?wilayah=33.20",
        "/dasbor/33.20.01",
        "/dasbor/33.20.02",
    ] {
        assert!(page.contains(&format!("href=\"{link}")), "link {link}");
    }
    // Every drill-down of every tile opens for the coordinator.
    let mut links: Vec<String> = Vec::new();
    for part in page.split("<a href=\"").skip(1) {
        let tag = part.split('>').next().unwrap();
        if tag.contains("class=\"drill\"") {
            links.push(tag.split('"').next().unwrap().replace("&amp;", "&"));
        }
    }
    assert!(links.len() >= 11, "{links:?}");
    for link in &links {
        let r = koor.get(server.url(link)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "drill-down {link}");
    }
    // Tiles whose source holds nothing say so.
    assert!(tile(&page, "tile-dpt").contains("Belum ada data"));
    assert!(tile(&page, "tile-logistik").contains("Belum ada data"));
    assert!(tile(&page, "tile-netralitas").contains("Belum ada data"));
    // A district's dashboard: its own cases only; the province's rolls them up.
    let district = get(&koor, &server, "/dasbor/33.20.01").await;
    assert!(tile(&district, "tile-kasus").contains("Jumlah: 2"));
    let district = get(&koor, &server, "/dasbor/33.20.02").await;
    assert!(tile(&district, "tile-kasus").contains("Jumlah: 1"));
    // The children's table on the regency's page names the same counts.
    let children = &page[page.find("id=\"wilayah-bawahan\"").unwrap()..];
    let row = &children[children.find("id=\"anak-33.20.01\"").unwrap()..];
    assert!(row.contains("<td class=\"num\">2</td>"), "{row}");

    // Authorisation: the coordinator's region only; no agency handler; the country needs a
    // coordinator without a region (or an admin).
    let polri = common::login(&server, "polri").await;
    for (who, path) in [
        (&polri, "/dasbor/33.20"),
        (&polri, "/dasbor/33.20/briefing.pdf"),
        (&piket, "/dasbor/33.20"),
        (&koor, "/dasbor/33"),
        (&koor, "/dasbor/nasional"),
        (&koor, "/dasbor/33.21"),
    ] {
        let r = who.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let demak = common::login(&server, "koor.demak").await;
    for path in [
        "/dasbor/33.20",
        "/dasbor/33.20/briefing",
        "/dasbor/33.20/briefing.xlsx",
    ] {
        let r = demak.get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let own = get(&demak, &server, "/dasbor/33.21").await;
    assert!(tile(&own, "tile-kasus").contains("Belum ada laporan"));
    // An admin sees any region and the country; /dasbor opens on the country for an admin
    // without a region.
    let admin = common::login(&server, "admin").await;
    let r = admin.get(server.url("/dasbor")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.url().path(), "/dasbor/nasional");
    let national = r.text().await.unwrap();
    assert!(
        tile(&national, "tile-kasus").contains("Jumlah: 3"),
        "rolled up"
    );
    let anon = browser_like_client();
    let r = anon.get(server.url("/dasbor/33.20")).send().await.unwrap();
    assert!(r.url().path().starts_with("/masuk"), "anonymous: sign in");

    // A village head's integrity pledge fills the neutrality tile once the snapshots are
    // recomputed: one of Jepara's desa, as a share and as "1 dari N".
    let pakta = env.dir.path().join("pakta.csv");
    std::fs::write(
        &pakta,
        "jenis,nip,nama,unit_kerja,kode_wilayah,tanggal\n\
         kepala_desa,,Sutrisno,Pemdes,33.20.01.2001,2024-09-03\n",
    )
    .unwrap();
    env.ok(
        &[
            "netralitas",
            "impor-pakta",
            pakta.to_str().unwrap(),
            "--wilayah",
            "33.20",
        ],
        None,
    );
    env.ok(&["dasbor", "hitung"], None);
    let page = get(&koor, &server, "/dasbor/33.20").await;
    let neutral = tile(&page, "tile-netralitas");
    assert!(neutral.contains("pakta 1 dari"), "{neutral}");

    // The briefing: page, PDF and workbook with the same figures and follow-ups.
    let date = today_wib().to_string();
    let html = get(
        &koor,
        &server,
        &format!("/dasbor/33.20/briefing?tanggal={date}"),
    )
    .await;
    assert!(html.contains("Bahan rapat koordinasi"));
    let number = format!("#{id}");
    assert!(
        html.contains(&number),
        "the case awaiting a decision is listed"
    );
    assert!(
        !html.contains(&a),
        "by its case number, not the reporter's tracking code"
    );
    assert!(html.contains("menunggu putusan"));
    assert!(html.contains("Patroli gudang KPU") && html.contains("Masih terbuka (1)"));
    let r = koor
        .get(server.url(&format!("/dasbor/33.20/briefing.pdf?tanggal={date}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let text = pdf_text(&r.bytes().await.unwrap());
    for expected in [
        "Bahan rapat koordinasi (rakor)",
        "Kasus menurut status",
        "Jumlah: 3",
        "diterima",
        "pemeriksaan",
        "Kasus yang perlu keputusan",
        number.as_str(),
        "menunggu putusan",
        "Tindak lanjut rakor",
        "Masih terbuka (1)",
        "Patroli gudang KPU",
        "Sudah dikerjakan (0)",
        "Netralitas dan pakta integritas",
        "pakta 1 dari",
        &date,
    ] {
        assert!(text.contains(expected), "PDF lacks {expected:?}:\n{text}");
    }
    assert!(!text.contains(&a), "no tracking code in the PDF");
    let r = koor
        .get(server.url(&format!("/dasbor/33.20/briefing.xlsx?tanggal={date}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    assert!(bytes.starts_with(b"PK"), "an XLSX (zip)");
    // The workbook's tables carry the same figures, the case and the action.
    use calamine::Reader as _;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let figures = book.worksheet_range("Angka").unwrap();
    let row_of = |label: &str| {
        figures
            .rows()
            .find(|r| {
                r.first().map(|c| c.to_string()) == Some("Kasus menurut status".into())
                    && r.get(1).map(|c| c.to_string()) == Some(label.into())
            })
            .map(|r| r[2].to_string())
    };
    assert_eq!(row_of("diterima").as_deref(), Some("2"));
    // Neutrality shares go into the workbook as percentages (one desa of Jepara's: under 1 %).
    let share: f64 = figures
        .rows()
        .find(|r| r.get(1).map(|c| c.to_string()) == Some("Kepala desa · pakta".into()))
        .map(|r| r[2].to_string().parse().unwrap())
        .expect("the pledge row");
    assert!(share > 0.0 && share < 1.0, "{share}");
    assert_eq!(row_of("pemeriksaan").as_deref(), Some("1"));
    let cases = book.worksheet_range("Perlu keputusan").unwrap();
    assert!(
        cases.rows().any(|r| r[0].to_string() == number),
        "case listed"
    );
    let actions = book.worksheet_range("Tindak lanjut").unwrap();
    assert!(actions
        .rows()
        .any(|r| r[0] == "Masih terbuka" && r[3] == "Patroli gudang KPU"));

    // The same from the command line.
    let out_dir = env.dir.path().join("briefing");
    let out = env.ok(
        &[
            "briefing",
            "--wilayah",
            "33.20",
            "--tanggal",
            &date,
            "--keluar",
            out_dir.to_str().unwrap(),
        ],
        None,
    );
    for ext in ["html", "pdf", "xlsx"] {
        let path = out_dir.join(format!("briefing-33.20-{date}.{ext}"));
        assert!(out.contains(path.to_str().unwrap()), "{out}");
        assert!(path.exists());
    }
    let text =
        pdf_text(&std::fs::read(out_dir.join(format!("briefing-33.20-{date}.pdf"))).unwrap());
    assert!(text.contains("Patroli gudang KPU") && text.contains("Jumlah: 3"));
    // No reporter's personal data anywhere in what was produced.
    let html =
        std::fs::read_to_string(out_dir.join(format!("briefing-33.20-{date}.html"))).unwrap();
    for secret in ["081234567890", "Jl. Desa 1", "Pejabat Uji", "75010123"] {
        assert!(!html.contains(secret) && !text.contains(secret), "{secret}");
        assert!(!page.contains(secret), "{secret} on the dashboard");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_on_sqlite() {
    dashboard_flow(Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    dashboard_flow(env).await;
}

/// The voter-list tile fills from a posko-dpt summary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dpt_summary_fills_its_tile() {
    let env = Env::sqlite();
    env.add_user("admin", "admin", &[]);
    let summary = json!({
        "election": "pemilu-2024", "districts": [
            { "code": "33.20.01", "name": "JEPARA", "voters": 100,
              "findings": { "nik_ganda": 3, "umur": 2 } },
            { "code": "33.20.02", "name": "PECANGAAN", "voters": 90, "findings": { "umur": 4 } }
        ]
    });
    let path = env.dir.path().join("summary.json");
    std::fs::write(&path, summary.to_string()).unwrap();
    let out = env.ok(&["dpt", "impor-ringkasan", path.to_str().unwrap()], None);
    assert!(out.contains("2 kecamatan"), "{out}");
    env.ok(&["dasbor", "hitung"], None);
    let snap: Value =
        serde_json::from_str(&env.ok(&["dasbor", "lihat", "--wilayah", "33.20"], None)).unwrap();
    assert_eq!(snap["election"], "pemilu-2024");
    assert_eq!(snap["figures"]["dpt_findings"], 9, "{snap}");
    assert_eq!(snap["figures"]["districts"]["33.20.01"]["dpt_findings"], 5);
}
