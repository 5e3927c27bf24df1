//! Neutrality and the public accountability page on the real binary, SQLite and PostgreSQL: a
//! Kesbangpol coordinator records a unit's headcount and a kecamatan briefing through the pages,
//! pledges come in from the command line (`posko netralitas impor-pakta`, a bad file refused
//! whole with its lines named) and from an XLSX uploaded on the page; the coverage figures on the
//! page follow; a case about an official who signed before the report carries the pledge mark;
//! and the public page and its JSON show no count from 1 to 4 and none of the personal fields
//! planted in the reports (reporter's name, phone, NIK; the reported official's name; the text).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{browser_like_client, csrf_of, Env};
use posko_core::region::VillageKind;
use posko_core::{Atlas, Level, RegionCode};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PLANTED_NIK: &str = "3320016808920007";
const PLANTED_PHONE: &str = "081398765432";
const PLANTED_NAME: &str = "Kartika Wulandari";
const OFFICIAL: &str = "Sukarman Hadiprojo";
const DESCRIPTION: &str = "Mengarahkan staf dinas memilih pasangan calon tertentu di apel pagi.";

async fn get(http: &reqwest::Client, server: &common::Server, path: &str) -> String {
    let r = http.get(server.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

async fn post_form(
    http: &reqwest::Client,
    server: &common::Server,
    action: &str,
    fields: &[(&str, &str)],
) -> String {
    let page = get(http, server, "/netralitas?wilayah=33.20").await;
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

fn desa_of(region: &str) -> Vec<RegionCode> {
    Atlas::embedded()
        .subtree(&RegionCode::parse(region).unwrap())
        .iter()
        .filter(|r| r.level() == Level::Village)
        .filter(|r| {
            matches!(
                r.code.village_kind(),
                Some(VillageKind::Desa | VillageKind::DesaAdat)
            )
        })
        .map(|r| r.code)
        .collect()
}

async fn file_report(server: &common::Server, token: &str, region: &str, fields: Value) -> String {
    let today = jiff::Zoned::now().date().to_string();
    let mut body = json!({
        "subject_category": "asn", "subject_name": OFFICIAL, "subject_unit": "Dinas Pendidikan",
        "violation": "asn_media_sosial", "description": DESCRIPTION,
        "region": region, "happened_on": today, "learned_on": today,
        "reporter_name": PLANTED_NAME, "reporter_address": "Jl. Kartini 9, Jepara",
        "reporter_nik": PLANTED_NIK, "reporter_phone": PLANTED_PHONE
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

/// Every number shown in a table cell of the public page.
fn shown_numbers(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in html.split("<td class=\"num\">").skip(1) {
        let cell = part.split("</td>").next().unwrap();
        let text = cell.replace("<strong>", "").replace("</strong>", "");
        out.push(text.trim().to_string());
    }
    out
}

/// Every count in the JSON figures (numbers and the "<5" / "•" texts).
fn json_counts(v: &Value, out: &mut Vec<Value>) {
    for key in ["by_district", "by_agency", "outcomes"] {
        let t = &v[key];
        for row in t["cells"].as_array().unwrap() {
            out.extend(row.as_array().unwrap().iter().cloned());
        }
        out.extend(t["row_totals"].as_array().unwrap().iter().cloned());
        out.extend(t["column_totals"].as_array().unwrap().iter().cloned());
        out.push(t["total"].clone());
    }
}

async fn flow(env: Env) {
    env.add_user(
        "kesbang",
        "koordinator",
        &["--agency", "kesbangpol", "--region", "33.20"],
    );
    env.add_user(
        "piket",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "33.20"],
    );
    env.add_user("pemantau", "pemantau", &["--region", "33.20"]);
    let token = env
        .ok(&["token", "add", "--name", "gw"], None)
        .trim()
        .to_string();
    let kedung = desa_of("33.20.01");
    let jepara_desa = desa_of("33.20").len();

    // Pledges from the command line: a bad file is refused whole, each bad line named.
    let bad = env.dir.path().join("pakta-salah.csv");
    std::fs::write(
        &bad,
        "jenis,nip,nama,unit_kerja,kode_wilayah,tanggal\n\
         asn,198001012005011001,Sukarman,Dinas Pendidikan,,2024-09-02\n\
         lurah,,Siti,Kelurahan,,2024-09-02\n\
         asn,,,Dinas Sosial,,2024-13-40\n",
    )
    .unwrap();
    let out = env.run(
        &[
            "netralitas",
            "impor-pakta",
            bad.to_str().unwrap(),
            "--wilayah",
            "33.20",
        ],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("baris 3") && err.contains("baris 4"),
        "lines named: {err}"
    );
    let good = env.dir.path().join("pakta.csv");
    std::fs::write(
        &good,
        format!(
            "jenis,nip,nama,unit_kerja,kode_wilayah,tanggal\n\
             asn,19800101 200501 1 001,{OFFICIAL},Dinas Pendidikan,,2024-09-02\n\
             kepala_desa,,Sutrisno,Pemdes,{},2024-09-03\n",
            kedung[0]
        ),
    )
    .unwrap();
    let said = env.ok(
        &[
            "netralitas",
            "impor-pakta",
            good.to_str().unwrap(),
            "--wilayah",
            "33.20",
        ],
        None,
    );
    assert!(said.contains("2 pakta baru"), "{said}");

    let server = env.start();
    // Signed out: the neutrality page asks for a login; an observer reads but may not record.
    let r = browser_like_client()
        .get(server.url("/netralitas"))
        .send()
        .await
        .unwrap();
    assert!(r.url().path().starts_with("/masuk"), "{}", r.url());
    let pemantau = common::login(&server, "pemantau").await;
    let page = get(&pemantau, &server, "/netralitas?wilayah=33.20").await;
    let r = pemantau
        .post(server.url("/netralitas/pakta"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("jenis", "asn"),
            ("nip", "198001012005011009"),
            ("unit", "Dinas Pendidikan"),
            ("wilayah", "33.20"),
            ("tanggal", "2024-09-02"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let kesbang = common::login(&server, "kesbang").await;
    let page = post_form(
        &kesbang,
        &server,
        "/netralitas/unit",
        &[
            ("kembali", "33.20"),
            ("wilayah", "33.20"),
            ("unit", "Dinas Pendidikan"),
            ("jenis", "asn"),
            ("jumlah", "40"),
        ],
    )
    .await;
    assert!(page.contains("id=\"pesan-netralitas\""), "headcount saved");
    let villages = format!("{}\n{}", kedung[0], kedung[1]);
    let page = post_form(
        &kesbang,
        &server,
        "/netralitas/penyuluhan",
        &[
            ("kembali", "33.20"),
            ("wilayah", "33.20.01"),
            ("tanggal", "2024-09-10"),
            ("instansi", "kesbangpol"),
            ("pemateri", "Kepala Kesbangpol Jepara"),
            ("desa", villages.as_str()),
            ("jumlah_kepala_desa", "2"),
            ("jumlah_camat", "1"),
        ],
    )
    .await;
    assert!(page.contains("Kepala Kesbangpol Jepara"), "briefing listed");
    // A kelurahan's head is no kepala desa: refused with the village named.
    let kel = Atlas::embedded()
        .subtree(&RegionCode::parse("33.20").unwrap())
        .iter()
        .find(|r| r.code.village_kind() == Some(VillageKind::Kelurahan))
        .unwrap()
        .code
        .to_string();
    let refused = post_form(
        &kesbang,
        &server,
        "/netralitas/penyuluhan",
        &[
            ("kembali", "33.20"),
            ("wilayah", "33.20"),
            ("tanggal", "2024-09-10"),
            ("instansi", "kesbangpol"),
            ("pemateri", "Camat"),
            ("desa", kel.as_str()),
            ("jumlah_kepala_desa", "1"),
        ],
    )
    .await;
    assert!(refused.contains("id=\"galat-netralitas\"") && refused.contains(&kel));

    // An XLSX uploaded on the page: one more ASN.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, v) in ["jenis", "nip", "nama", "unit_kerja", "tanggal"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *v).unwrap();
    }
    for (c, v) in [
        "asn",
        "198001012005011002",
        "Wati",
        "Dinas Pendidikan",
        "2024-09-04",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    let xlsx = wb.save_to_buffer().unwrap();
    let page = get(&kesbang, &server, "/netralitas?wilayah=33.20").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf_of(&page))
        .text("wilayah", "33.20")
        .part(
            "berkas",
            reqwest::multipart::Part::bytes(xlsx).file_name("pakta.xlsx"),
        );
    let r = kesbang
        .post(server.url("/netralitas/impor"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("pakta.xlsx: 1"), "imported: {page}");

    // Coverage on the page: 2 of 40 ASN signed, 2 of Jepara's desa briefed, 1 head signed.
    let total = page
        .split("id=\"cakupan-total\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(total.contains("2 / 40 (5,0 %)"), "{total}");
    assert!(
        total.contains(&format!("2 / {jepara_desa}")),
        "village heads briefed of {jepara_desa} desa: {total}"
    );
    assert!(total.contains(&format!("1 / {jepara_desa}")));
    assert!(total.contains("1 / 16"), "one camat of 16 briefed");
    let kedung_row = page
        .split("id=\"kec-33.20.01\"")
        .nth(1)
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert!(kedung_row.contains(&format!("2 / {}", kedung.len())));

    // Reports: one naming the official by NIP (signed before: marked), one about someone else;
    // six more in one village and two in another kecamatan for the public page.
    let marked = file_report(
        &server,
        &token,
        "33.20.01.2001",
        json!({ "subject_id_number": "198001012005011001" }),
    )
    .await;
    let unmarked = file_report(
        &server,
        &token,
        "33.20.01.2001",
        json!({ "subject_name": "Orang Lain", "subject_unit": "Dinas Kesehatan" }),
    )
    .await;
    for _ in 0..4 {
        file_report(&server, &token, "33.20.01.2001", json!({})).await;
    }
    for _ in 0..2 {
        file_report(&server, &token, "33.20.02.2001", json!({})).await;
    }
    let piket = common::login(&server, "piket").await;
    let inbox = get(&piket, &server, "/petugas/laporan").await;
    let detail = get(
        &piket,
        &server,
        &format!("/petugas/laporan/{}", id_of(&inbox, &marked)),
    )
    .await;
    assert!(detail.contains("id=\"tanda-pakta\""), "the case is marked");
    assert!(detail.contains("2024-09-02"), "with the pledge date");
    let detail = get(
        &piket,
        &server,
        &format!("/petugas/laporan/{}", id_of(&inbox, &unmarked)),
    )
    .await;
    assert!(!detail.contains("id=\"tanda-pakta\""));

    // The public page, signed out: no count from 1 to 4, no personal field, no text.
    let public = browser_like_client();
    let html = get(&public, &server, "/akuntabilitas?wilayah=33.20").await;
    // The 2 reports of Pecangaan show as "<5" (escaped in HTML).
    assert!(
        html.contains("&#60;5") || html.contains("&lt;5"),
        "<5 shown"
    );
    assert!(html.contains("id=\"diperbarui\"") && html.contains("WIB"));
    let numbers = shown_numbers(&html);
    assert!(numbers.iter().any(|n| n == "8"), "{numbers:?}");
    for n in &numbers {
        if let Ok(v) = n.replace('.', "").parse::<u64>() {
            assert!(v == 0 || v >= 5, "count {v} shown: {numbers:?}");
        }
    }
    for planted in [
        PLANTED_NAME,
        PLANTED_PHONE,
        PLANTED_NIK,
        OFFICIAL,
        "Orang Lain",
        DESCRIPTION,
        marked.as_str(),
        "198001012005011001",
    ] {
        assert!(!html.contains(planted), "{planted} on the public page");
    }
    let r = public
        .get(server.url("/api/v1/akuntabilitas?wilayah=33.20"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    for planted in [
        PLANTED_NAME,
        PLANTED_PHONE,
        PLANTED_NIK,
        OFFICIAL,
        DESCRIPTION,
    ] {
        assert!(!text.contains(planted), "{planted} in the JSON");
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["computed_at"].as_str().unwrap().starts_with("20"));
    // Published down to regencies only: a district's address gives its regency's figures.
    let district: Value = public
        .get(server.url("/api/v1/akuntabilitas?wilayah=33.20.01"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(district["region"], "33.20", "{district}");
    assert_eq!(district["by_district"], v["by_district"]);
    let mut counts = Vec::new();
    json_counts(&v, &mut counts);
    assert!(counts.contains(&json!("<5")));
    assert!(counts.contains(&json!(8)), "{counts:?}");
    for c in &counts {
        if let Some(n) = c.as_u64() {
            assert!(n == 0 || n >= 5, "count {n} in the JSON");
        } else {
            assert!(c == "<5" || c == "•", "{c}");
        }
    }
    // The whole country, by province, also answers without a region.
    let r = public
        .get(server.url("/api/v1/akuntabilitas"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn neutrality_and_public_page_on_sqlite() {
    flow(Env::sqlite()).await;
}

#[tokio::test]
async fn neutrality_and_public_page_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    flow(env).await;
}

/// Working through region after region is throttled per address; figures already computed are
/// still served from the cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_figures_computed_afresh_are_throttled_per_address() {
    let env = Env::sqlite();
    let server = env.start_with(&[("POSKO_RATE_LIMIT_PER_MINUTE", "6")]);
    let http = reqwest::Client::new();
    let regencies: Vec<String> = Atlas::embedded()
        .children(&RegionCode::parse("33").unwrap())
        .iter()
        .map(|r| r.code.to_string())
        .take(8)
        .collect();
    let mut statuses = Vec::new();
    for r in &regencies {
        let resp = http
            .get(server.url(&format!("/api/v1/akuntabilitas?wilayah={r}")))
            .send()
            .await
            .unwrap();
        if resp.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(resp.headers().contains_key("retry-after"));
        }
        statuses.push(resp.status());
    }
    assert_eq!(statuses[0], StatusCode::OK);
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // The first regency's figures are cached: still served.
    let again = http
        .get(server.url(&format!("/api/v1/akuntabilitas?wilayah={}", regencies[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
}
