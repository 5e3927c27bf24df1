//! Vulnerability and security on the real binary, SQLite and PostgreSQL: IKP values imported
//! with `posko ikp import` and shown beside the published figures, a score explained with its
//! SVG chart, TPS rawan recorded on the page, the deployment table with its what-if and exports,
//! the Polsek's assignment list, early warning from live reports, and the region scope.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{browser_like_client, csrf_of, Env};
use reqwest::StatusCode;
use serde_json::json;

async fn get(http: &reqwest::Client, server: &common::Server, path: &str) -> String {
    let r = http.get(server.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id}"));
    let rest = &html[start..];
    &rest[..rest
        .find("</section>")
        .or_else(|| rest.find("</table>"))
        .unwrap_or(rest.len())]
}

async fn coordinator_view(env: &Env) {
    env.ok(
        &[
            "demo",
            "tps",
            "--regency",
            "33.20",
            "--pemilihan",
            "pemilu-2024",
        ],
        None,
    );
    // Indicator values for three Central Java regencies: every indicator at one value.
    let ids = [
        "keamanan",
        "otoritas_penyelenggara_pemilu",
        "otoritas_penyelenggara_negara",
        "hak_memilih",
        "pelaksanaan_kampanye",
        "pelaksanaan_pemungutan_suara",
        "ajudikasi_keberatan",
        "pengawasan_pemilu",
        "hak_dipilih",
        "kampanye_calon",
        "partisipasi_pemilih",
        "partisipasi_kelompok_masyarakat",
    ];
    let mut csv = format!("kode_wilayah,{}\n", ids.join(","));
    for (code, v) in [("33.20", "20.8"), ("33.21", "50"), ("33.74", "90.5")] {
        csv.push_str(&format!("{code},{}\n", vec![v; ids.len()].join(",")));
    }
    let path = env.dir.path().join("ikp.csv");
    std::fs::write(&path, csv).unwrap();
    let out = env.ok(&["ikp", "import", path.to_str().unwrap()], None);
    assert!(out.contains("36 nilai"), "{out}");
    // A broken file names its line and column and imports nothing.
    std::fs::write(&path, "kode_wilayah,keamanan\n33.20,abc\n").unwrap();
    let bad = env.run(&["ikp", "import", path.to_str().unwrap()], None);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("baris 2, kolom keamanan"), "{err}");
    env.ok(
        &[
            "personel",
            "set",
            "--jenis",
            "polsek",
            "--nama",
            "Polsek Kedung",
            "--wilayah",
            "33.20.01",
            "--jumlah",
            "4",
        ],
        None,
    );
    let refused = env.run(
        &[
            "personel",
            "set",
            "--jenis",
            "brimob",
            "--nama",
            "X",
            "--wilayah",
            "33.20.01",
            "--jumlah",
            "4",
        ],
        None,
    );
    assert!(!refused.status.success());

    // Outlines for the map (squares will do), and a file naming a region that does not exist.
    let square = |code: &str, x: f64| {
        json!({ "type": "Feature", "properties": { "kode": code },
                "geometry": { "type": "Polygon", "coordinates": [[[x, -7.0], [x + 0.2, -7.0], [x + 0.2, -6.8], [x, -6.8], [x, -7.0]]] } })
    };
    let geo = env.dir.path().join("batas.geojson");
    let fc = json!({ "type": "FeatureCollection",
        "features": [square("33.20", 110.6), square("33.21", 110.9), square("33.74", 110.3)] });
    std::fs::write(&geo, fc.to_string()).unwrap();
    let out = env.ok(&["ikp", "peta", geo.to_str().unwrap()], None);
    assert!(out.contains("3 batas wilayah"), "{out}");
    let wrong = json!({ "type": "FeatureCollection", "features": [square("33.99", 110.0)] });
    std::fs::write(&geo, wrong.to_string()).unwrap();
    let refused = env.run(&["ikp", "peta", geo.to_str().unwrap()], None);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("wilayah 33.99 tidak ada"));
    env.add_user(
        "koord",
        "koordinator",
        &["--agency", "kesbangpol", "--region", "33"],
    );
    env.add_user(
        "jambi",
        "koordinator",
        &["--agency", "kesbangpol", "--region", "15.71"],
    );
    let token = env
        .ok(&["token", "add", "--name", "gw"], None)
        .trim()
        .to_string();
    let server = env.start();
    let koord = common::login(&server, "koord").await;

    // The province view: regencies in a grid and a list, computed beside published.
    let prov = get(&koord, &server, "/kerawanan?wilayah=33").await;
    let list = section(&prov, "daftar-ikp");
    assert!(
        list.contains("KABUPATEN JEPARA") && list.contains("20.80"),
        "computed Jepara"
    );
    assert!(
        list.contains("20.80 sedang (ikp-2024)"),
        "published Jepara, as given"
    );
    assert!(
        prov.contains("tile kat-tinggi"),
        "the highest regency is coloured high"
    );
    let map = section(&prov, "peta-ikp");
    assert_eq!(
        map.matches("<path").count(),
        3,
        "the three imported outlines are drawn"
    );
    assert!(map.contains("class=\"kat-tinggi\"") && map.contains("/kerawanan/penjelasan/33.74"));
    // Explanation: the dimension chart as SVG and the drivers.
    let explain = get(&koord, &server, "/kerawanan/penjelasan/33.74").await;
    assert!(explain.contains("<svg") && explain.contains("Penyelenggaraan pemilu"));
    assert!(explain.contains("id=\"pendorong\""));

    // TPS rawan: the village page records indicators; the regency view counts them.
    let village = "33.20.01.2001";
    let page = get(
        &koord,
        &server,
        &format!("/kerawanan/tps/{village}?pemilihan=pemilu-2024"),
    )
    .await;
    assert!(page.contains("TPS 001"));
    let r = koord
        .post(server.url(&format!("/kerawanan/tps/{village}")))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("pemilihan", "pemilu-2024"),
            ("tps", "1"),
            ("i", "riwayat_kekerasan"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let after = r.text().await.unwrap();
    assert!(
        section(&after, "tps-001").contains("Sangat rawan"),
        "recorded and categorised"
    );
    let regency = get(
        &koord,
        &server,
        "/kerawanan?wilayah=33.20&pemilihan=pemilu-2024",
    )
    .await;
    let counts = section(&regency, "tabel-tps-rawan");
    assert!(counts.contains("33.20.01"), "{counts}");

    // The deployment table: Kedung's one sangat rawan TPS needs a unit of 6, and its Polsek
    // has 4.
    let plan = get(&koord, &server, "/pengamanan/33.20?pemilihan=pemilu-2024").await;
    let kedung = plan
        .split("<tr>")
        .find(|r| r.contains("<code>33.20.01</code>"))
        .unwrap()
        .to_string();
    let nums: Vec<u32> = kedung
        .split("class=\"num")
        .skip(1)
        .map(|c| {
            c.split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    let (kr, r_, sr, police, _linmas, available, shortfall) = (
        nums[0], nums[1], nums[2], nums[3], nums[4], nums[5], nums[6],
    );
    assert_eq!((r_, sr), (0, 1));
    assert_eq!(
        police,
        kr.div_ceil(4) * 2 + 6,
        "2019 pattern: 2 per 4 TPS, 6 per 2 sangat rawan"
    );
    assert_eq!(available, 4);
    assert_eq!(shortfall, police - 4);
    // What-if: one more sangat rawan TPS in Kedung; the table recomputes.
    let what_if = get(
        &koord,
        &server,
        "/pengamanan/33.20.01?pemilihan=pemilu-2024&andaikan=33.20.01.2001%2F002%3Dsangat_rawan",
    )
    .await;
    let total = section(&what_if, "jumlah").to_string();
    assert!(
        total.contains(&format!(">{}<", (kr - 1).div_ceil(4) * 2 + 6)),
        "{total}"
    );
    let bad_line = get(&koord, &server, "/pengamanan/33.20.01?andaikan=salah").await;
    assert!(bad_line.contains("field-error"));
    // Exports.
    let csv = koord
        .get(server.url("/pengamanan/33.20?pemilihan=pemilu-2024&format=csv"))
        .send()
        .await
        .unwrap();
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = csv.text().await.unwrap();
    assert!(body.starts_with("kode_kecamatan,kecamatan,tps_kurang_rawan"));
    assert!(body.lines().count() > 5, "one line per district");
    let xlsx = koord
        .get(server.url("/pengamanan/33.20.01/penugasan?pemilihan=pemilu-2024&format=xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&xlsx[..2], b"PK", "an XLSX is a zip");
    // The assignment list: the sangat rawan post first, given the Polsek's 4 of the 6 needed.
    let assign = get(
        &koord,
        &server,
        "/pengamanan/33.20.01/penugasan?pemilihan=pemilu-2024",
    )
    .await;
    let first = assign.split("<tr>").nth(2).unwrap();
    assert!(
        first.contains("Sangat rawan") && first.contains("33.20.01.2001/001"),
        "{first}"
    );
    assert!(
        first.contains("overdue\">4<"),
        "fewer than needed is marked"
    );

    // Early warning: four ASN reports in Kedung today, with no history, raise an alert.
    let http = browser_like_client();
    let today = jiff::Zoned::now().date().to_string();
    for i in 0..4 {
        let r = http
            .post(server.url("/api/v1/reports"))
            .bearer_auth(&token)
            .json(&json!({
                "subject_category": "asn", "violation": "asn_media_sosial",
                "description": format!("Unggahan kampanye oleh pegawai kecamatan, laporan {i}."),
                "region": "33.20.01.2001", "happened_on": today, "learned_on": today
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let warned = get(&koord, &server, "/kerawanan?wilayah=33.20").await;
    let alerts = section(&warned, "peringatan-dini");
    assert!(
        alerts.contains("4 laporan netralitas ASN di Kecamatan Kedung dalam 24 jam"),
        "{alerts}"
    );

    // Another region's coordinator reaches none of it.
    let jambi = common::login(&server, "jambi").await;
    for path in [
        "/kerawanan?wilayah=33.20",
        "/pengamanan/33.20",
        "/kerawanan/penjelasan/33.20",
    ] {
        let status = jambi.get(server.url(path)).send().await.unwrap().status();
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_view_on_sqlite() {
    coordinator_view(&Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_view_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    coordinator_view(&env).await;
}
