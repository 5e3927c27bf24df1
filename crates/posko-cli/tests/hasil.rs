//! Result forms and turnout on the real binary, SQLite and PostgreSQL: `posko hasil check` with a
//! broken row, Jepara 2019 TPS forms imported as the previous election and its published turnout
//! coming out of the roll-up, 2024 forms uploaded on the page and sent to `POST /api/v1/results`,
//! the turnout page with drill-down, chart and flagged forms, the XLSX export, and another
//! region's officer kept out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{csrf_of, Env};
use posko_core::results::{Area, RollUp};
use posko_core::{BallotType, Election, RegionCode};
use posko_hasil::generate::{seeded, JEPARA_2019};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn forms_csv(env: &Env, name: &str, forms: &[posko_core::results::ResultForm]) -> String {
    let path = env.dir.path().join(name);
    posko_hasil::output::write_forms(forms, std::fs::File::create(&path).unwrap()).unwrap();
    path.display().to_string()
}

async fn get(http: &reqwest::Client, server: &common::Server, path: &str) -> String {
    let r = http.get(server.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

/// The text of the `nth` numeric cell of the table row whose header is `label`.
fn cell(html: &str, table: &str, label: &str, nth: usize) -> String {
    let t = html.split(&format!("id=\"{table}\"")).nth(1).unwrap();
    let row = t.split(&format!(">{label}</")).nth(1).unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    let c = row.split("class=\"num\">").nth(nth).unwrap();
    let c = c.strip_prefix("<strong>").unwrap_or(c);
    c.split('<').next().unwrap().to_string()
}

async fn turnout(env: &Env) {
    let e = Election::pemilu_2024();
    let jepara = RegionCode::parse("33.20").unwrap();

    // Offline check of a file with a broken row: a finding, not a crash.
    let mut forms_2024 = seeded(
        &jepara,
        &e,
        &JEPARA_2019.map(|(b, bp)| (b, bp - 150)),
        400,
        2024,
    );
    forms_2024[0].invalid += 3; // H01 on the first form
    let file_2024 = forms_csv(env, "hasil-2024.csv", &forms_2024);
    let broken = env.dir.path().join("rusak.csv");
    let text = std::fs::read_to_string(&file_2024).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[2] = lines[2].replacen(",ppwp,", ",pilpres-x,", 1);
    std::fs::write(&broken, lines.join("\n")).unwrap();
    let out = env.dir.path().join("periksa");
    // Offline: no data folder, no database.
    let run = common::posko()
        .args([
            "hasil",
            "check",
            broken.to_str().unwrap(),
            "--pemilihan",
            "pemilu-2024",
            "--out",
            out.to_str().unwrap(),
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary = String::from_utf8(run.stdout).unwrap();
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["findings"]["H20"], 1, "{summary}");
    assert_eq!(summary["findings"]["H01"], 1, "{summary}");
    let temuan = std::fs::read_to_string(out.join("temuan.csv")).unwrap();
    assert!(temuan.contains("rusak.csv,3,jenis,H20,error"), "{temuan}");

    // Jepara 2019 as the previous election: its published turnout from the TPS roll-up.
    let forms_2019 = seeded(&jepara, &e, &JEPARA_2019, 2_000, 2019);
    let file_2019 = forms_csv(env, "jepara-2019.csv", &forms_2019);
    let said = env.ok(
        &[
            "hasil",
            "import",
            &file_2019,
            "--pemilihan",
            "pemilu-2024",
            "--sebelumnya",
            "Pemilu 2019",
        ],
        None,
    );
    assert!(said.contains("Pemilu 2019"), "{said}");
    env.add_user(
        "operator",
        "operator-wilayah",
        &["--agency", "kpu", "--region", "33.20"],
    );
    env.add_user(
        "jambi",
        "koordinator",
        &["--agency", "kpu", "--region", "15.71"],
    );
    let token = env
        .ok(&["token", "add", "--name", "sirekap-mitra"], None)
        .trim()
        .to_string();
    let server = env.start();
    let op = common::login(&server, "operator").await;
    let page = get(&op, &server, "/partisipasi/33.20?pemilihan=pemilu-2024").await;
    assert!(page.contains("id=\"belum-ada\""), "no 2024 forms yet");

    // Upload the 2024 forms on the page.
    let part = reqwest::multipart::Part::bytes(std::fs::read(&file_2024).unwrap())
        .file_name("hasil-2024.csv");
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page))
        .text("pemilihan", "pemilu-2024")
        .text("jenis_impor", "hasil")
        .text("kembali", "33.20")
        .part("berkas", part);
    let r = op
        .post(server.url("/partisipasi/impor"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("id=\"pesan-impor\""), "{page}");

    // Turnout per ballot type against 2019, each as the roll-up says.
    let mut roll = RollUp::default();
    for f in &forms_2024 {
        roll.add(f);
    }
    let rolled = roll.finish();
    let ppwp = rolled.get(Area::Region(jepara), BallotType::Ppwp).unwrap();
    let label = BallotType::Ppwp.label();
    let shown = cell(&page, "tabel-partisipasi", label, 6);
    let want = format!("{:.2}", ppwp.turnout().percent().unwrap()).replace('.', ",");
    assert_eq!(shown, want);
    // The 2019 column: 83,00 for the president, 82,91 for DPRD provinsi.
    assert_eq!(cell(&page, "tabel-partisipasi", label, 9), "83,00");
    assert_eq!(
        cell(
            &page,
            "tabel-partisipasi",
            BallotType::DprdProvinsi.label(),
            9
        ),
        "82,91"
    );
    assert_eq!(
        cell(&page, "tabel-partisipasi", BallotType::Dpd.label(), 9),
        "82,94"
    );
    assert!(page.contains("Pemilu 2019"));
    // Drill-down: every district of Jepara, linked, and the chart.
    assert!(page.contains("href=\"/partisipasi/33.20.01?pemilihan=pemilu-2024\""));
    assert!(page.contains("<svg") && page.contains("id=\"grafik-partisipasi\""));
    // The flagged form, under errors.
    let errors = page.split("id=\"temuan-galat\"").nth(1).unwrap();
    assert!(errors.contains("H01"), "{errors}");
    let district = get(&op, &server, "/partisipasi/33.20.01?pemilihan=pemilu-2024").await;
    assert!(district.contains("href=\"/partisipasi/33.20.01.2001?pemilihan=pemilu-2024\""));

    // English.
    let en = op
        .get(server.url("/bahasa/en?next=/partisipasi/33.20"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        en.contains("Voter turnout") && en.contains("83.00"),
        "English page"
    );

    // XLSX export.
    let xlsx = op
        .get(server.url("/partisipasi/33.20?pemilihan=pemilu-2024&format=xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    assert_eq!(&xlsx.bytes().await.unwrap()[..2], b"PK");

    // The API: a correction of TPS 001's PPWP form, and a bad one refused whole.
    let http = reqwest::Client::new();
    let first = &forms_2024[0];
    let body = json!({"pemilihan": "pemilu-2024", "formulir": [{
        "kode_tps": first.tps.to_string(), "jenis": "ppwp",
        "dpt": first.registered.dpt, "dptb": first.registered.dptb, "dpk": 0,
        "pengguna_dpt": first.voted.dpt, "pengguna_dptb": first.voted.dptb, "pengguna_dpk": 0,
        "surat_diterima": first.papers.received, "surat_digunakan": first.papers.used,
        "surat_tidak_digunakan": first.papers.unused, "surat_rusak": 0,
        "suara_sah": first.valid, "suara_tidak_sah": first.invalid - 3, "suara": first.votes
    }]});
    let r = http
        .post(server.url("/api/v1/results"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["stored"], 1);
    assert_eq!(v["findings"], json!([]), "the corrected form is clean");
    let page = get(&op, &server, "/partisipasi/33.20?pemilihan=pemilu-2024").await;
    assert!(!page.contains("id=\"temuan-galat\""), "the H01 is gone");
    let mut bad = body.clone();
    bad["formulir"][0]["kode_tps"] = json!("33.20.01.9999/001");
    let r = http
        .post(server.url("/api/v1/results"))
        .bearer_auth(&token)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = http
        .post(server.url("/api/v1/results"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Another region's officer is kept out.
    let jambi = common::login(&server, "jambi").await;
    let status = jambi
        .get(server.url("/partisipasi/33.20"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turnout_on_sqlite() {
    turnout(&Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turnout_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    turnout(&env).await;
}
