//! Logistics on the real binary, SQLite and PostgreSQL: stock into the KPU warehouse, hand-overs
//! down to a TPS on the phone form, impossible hand-overs refused with the reason, the board per
//! district and village with the TPS's need against what arrived, the berita acara, the XLSX
//! export, and another region's officer kept out.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{csrf_of, Env};
use reqwest::StatusCode;

async fn get(http: &reqwest::Client, server: &common::Server, path: &str) -> String {
    let r = http.get(server.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    r.text().await.unwrap()
}

/// Posts the hand-over form from a board; returns the page it lands on.
#[allow(clippy::too_many_arguments)]
async fn hand_over(
    http: &reqwest::Client,
    server: &common::Server,
    board: &str,
    from: (&str, &str),
    to: (&str, &str),
    sent: u32,
    good: u32,
    damaged: u32,
) -> String {
    let page = get(
        http,
        server,
        &format!("/logistik/{board}?pemilihan=pemilu-2024"),
    )
    .await;
    let (sent, good, damaged) = (sent.to_string(), good.to_string(), damaged.to_string());
    let missing = "0".to_string();
    let r = http
        .post(server.url("/logistik/serah-terima"))
        .form(&[
            ("csrf", csrf_of(&page).as_str()),
            ("pemilihan", "pemilu-2024"),
            ("kembali", board),
            ("dari_tahap", from.0),
            ("dari_tempat", from.1),
            ("ke_tahap", to.0),
            ("ke_tempat", to.1),
            ("jenis", "dpr"),
            ("dikirim", sent.as_str()),
            ("baik", good.as_str()),
            ("rusak", damaged.as_str()),
            ("hilang", missing.as_str()),
            ("diserahkan_oleh", "Ketua PPK Kedung"),
            ("diterima_oleh", "Ketua PPS Tahunan"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.text().await.unwrap()
}

fn cell_after(html: &str, row_id: &str, nth: usize) -> u32 {
    let row = html.split(&format!("id=\"{row_id}\"")).nth(1).unwrap();
    let row = &row[..row.find("</tr>").unwrap()];
    row.split("class=\"num")
        .nth(nth)
        .unwrap()
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn chain(env: &Env) {
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
    env.add_user(
        "gudang",
        "koordinator",
        &["--agency", "kpu", "--region", "33.20"],
    );
    env.add_user(
        "jambi",
        "koordinator",
        &["--agency", "kpu", "--region", "15.71"],
    );
    let server = env.start();
    let kpu = common::login(&server, "gudang").await;
    let village = "33.20.01.2001";
    let board = get(
        &kpu,
        &server,
        &format!("/logistik/{village}?pemilihan=pemilu-2024"),
    )
    .await;
    // TPS 001 needs its DPT + 2 % (rounded up) for each of the five ballot types.
    let need_all = cell_after(&board, &format!("tps-{village}-001"), 1);
    assert_eq!(need_all % 5, 0, "five ballot types, the same need each");
    let need = need_all / 5;
    assert!(board.contains("13-02-2024"), "the H-1 deadline is shown");

    // Stock, then down the chain with damage on the way.
    let stocked = hand_over(
        &kpu,
        &server,
        "33.20",
        ("stok", ""),
        ("kpu", "33.20"),
        5_000,
        5_000,
        0,
    )
    .await;
    assert!(
        stocked.contains("id=\"berita-acara\""),
        "a stock delivery has its berita acara"
    );
    hand_over(
        &kpu,
        &server,
        "33.20.01",
        ("kpu", "33.20"),
        ("ppk", "33.20.01"),
        3_000,
        2_990,
        10,
    )
    .await;
    let receipt = hand_over(
        &kpu,
        &server,
        village,
        ("ppk", "33.20.01"),
        ("pps", village),
        need + 50,
        need + 50,
        0,
    )
    .await;
    assert!(receipt.contains("Ketua PPK Kedung") && receipt.contains("Ketua PPS Tahunan"));
    assert!(receipt.contains(&format!(">{}<", need + 50)));
    // To the TPS, two short and one damaged.
    hand_over(
        &kpu,
        &server,
        village,
        ("pps", village),
        ("kpps", &format!("{village}/001")),
        need - 2,
        need - 3,
        1,
    )
    .await;

    // Impossible hand-overs are refused with the reason, nothing recorded.
    let too_many = hand_over(
        &kpu,
        &server,
        village,
        ("ppk", "33.20.01"),
        ("pps", village),
        5_000,
        5_000,
        0,
    )
    .await;
    assert!(
        too_many.contains("id=\"galat-logistik\"") && too_many.contains("hanya memegang"),
        "more than held"
    );
    let skip = hand_over(
        &kpu,
        &server,
        village,
        ("kpu", "33.20"),
        ("pps", village),
        1,
        1,
        0,
    )
    .await;
    assert!(skip.contains("id=\"galat-logistik\""), "a stage skipped");
    let elsewhere = hand_over(
        &kpu,
        &server,
        "33.20.02",
        ("ppk", "33.20.01"),
        ("pps", "33.20.02.2001"),
        1,
        1,
        0,
    )
    .await;
    assert!(
        elsewhere.contains("di luar") || elsewhere.contains("tidak berada"),
        "outside the sender's area"
    );
    let bad_counts = hand_over(
        &kpu,
        &server,
        village,
        ("ppk", "33.20.01"),
        ("pps", village),
        10,
        5,
        0,
    )
    .await;
    assert!(
        bad_counts.contains("id=\"galat-logistik\""),
        "counts that do not add up"
    );

    // The village board: TPS 001 received need − 3 DPR ballots in good condition (short 3 for
    // DPR, and every other type's full need), one damaged.
    let after = get(
        &kpu,
        &server,
        &format!("/logistik/{village}?pemilihan=pemilu-2024"),
    )
    .await;
    let row = format!("tps-{village}-001");
    assert_eq!(cell_after(&after, &row, 2), need - 3, "good");
    assert_eq!(cell_after(&after, &row, 3), 1, "damaged");
    assert_eq!(cell_after(&after, &row, 4), 3 + 4 * need, "short");
    // The district board rolls the village up.
    let district = get(&kpu, &server, "/logistik/33.20.01?pemilihan=pemilu-2024").await;
    assert!(district.contains(&format!("/logistik/{village}?")));
    // The chain inside the district by stage, and its reconciliation: 3,000 came in at the PPK
    // (2,990 good, 10 damaged) and every one is on hand somewhere, damaged or missing.
    assert!(district.contains("id=\"papan-tahap\""));
    let rec = district.split("id=\"rekonsiliasi\"").nth(1).unwrap();
    let rec = &rec[..rec.find("</p>").unwrap()];
    assert!(
        rec.contains("masuk di PPK 3.000") && rec.contains('✓'),
        "{rec}"
    );
    assert!(district.contains("id=\"perlengkapan\""), "equipment needs");
    let xlsx = kpu
        .get(server.url("/logistik/33.20.01?pemilihan=pemilu-2024&format=xlsx"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&xlsx[..2], b"PK");

    // Another region's officer: no board, no receipts.
    let jambi = common::login(&server, "jambi").await;
    let status = jambi
        .get(server.url("/logistik/33.20.01"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let status = jambi
        .get(server.url("/logistik/serah-terima/1"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Damage on the way was told to the region's coordinators.
    let told = get(&kpu, &server, "/petugas/notifikasi").await;
    assert!(told.contains("Logistik bermasalah"), "damage alert");

    // A file uploaded from the board lands whole; a file with a bad row lands not at all.
    let upload = |csv: String, name: &'static str, who: &'static reqwest::Client| {
        let server = &server;
        async move {
            let page = get(who, server, "/logistik/33.20.01?pemilihan=pemilu-2024").await;
            let form = reqwest::multipart::Form::new()
                .text("csrf", csrf_of(&page))
                .text("pemilihan", "pemilu-2024")
                .text("kembali", "33.20.01")
                .part(
                    "berkas",
                    reqwest::multipart::Part::bytes(csv.into_bytes()).file_name(name),
                );
            let r = who
                .post(server.url("/logistik/impor"))
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            r.text().await.unwrap()
        }
    };
    let header = "dari_tahap,dari_tempat,ke_tahap,ke_tempat,barang,jenis,dikirim,baik,rusak,hilang,waktu,diserahkan_oleh,diterima_oleh";
    let kpu: &'static reqwest::Client = Box::leak(Box::new(kpu));
    let example = kpu
        .get(server.url("/logistik/contoh.csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        example.starts_with(header),
        "the example file has the import's columns"
    );
    let done = upload(
        format!(
            "{header}\n,,kpu,33.20,surat_suara,dpd,100,100,0,0,2024-01-20 09:00,Percetakan,Ketua KPU\n\
             kpu,33.20,ppk,33.20.01,surat_suara,dpd,40,40,0,0,2024-01-30 10:00,Ketua KPU,Ketua PPK\n"
        ),
        "gudang.csv",
        kpu,
    )
    .await;
    assert!(
        done.contains("id=\"hasil-impor\"") && done.contains("gudang.csv: 2 serah terima diimpor"),
        "imported"
    );
    let refused = upload(
        format!(
            "{header}\nkpu,33.20,ppk,33.20.01,surat_suara,dpd,1,1,0,0,2024-01-30 10:00,Ketua KPU,Ketua PPK\n\
             kpu,33.20,ppk,33.20.01,surat_suara,dpd,10,10,0,0,kemarin,Ketua KPU,Ketua PPK\n"
        ),
        "salah.csv",
        kpu,
    )
    .await;
    assert!(refused.contains("id=\"masalah-impor\""), "problems listed");
    assert!(
        refused.contains("salah.csv, baris 3, kolom waktu"),
        "named by line and column"
    );
    let jambi: &'static reqwest::Client = Box::leak(Box::new(jambi));
    let status = jambi
        .post(server.url("/logistik/impor"))
        .multipart(reqwest::multipart::Form::new().text("csrf", "x"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::FORBIDDEN, "a forged form is refused");

    // The CLI imports a file for offices that work offline, and rolls the status up.
    drop(server);
    let file = env.dir.path().join("stok.csv");
    std::fs::write(
        &file,
        format!("{header}\n,,kpu,33.20,surat_suara,ppwp,10,10,0,0,2024-01-20 09:00,Percetakan,Ketua KPU\n"),
    )
    .unwrap();
    let out = env.ok(
        &[
            "logistik",
            "import",
            "--pemilihan",
            "pemilu-2024",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.contains("1 serah terima diimpor"), "{out}");
    let json = env.ok(
        &[
            "logistik",
            "status",
            "--pemilihan",
            "pemilu-2024",
            "--wilayah",
            "33.20",
            "--json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let districts = v["wilayah"].as_array().unwrap();
    assert!(districts.len() > 10, "Jepara's districts");
    for key in ["tps", "kebutuhan", "baik", "rusak", "kurang"] {
        let sum: u64 = districts.iter().map(|d| d[key].as_u64().unwrap()).sum();
        assert_eq!(
            v["total"][key].as_u64().unwrap(),
            sum,
            "{key} is the sum of its parts"
        );
    }
    let kedung = districts.iter().find(|d| d["kode"] == "33.20.01").unwrap();
    assert_eq!(kedung["baik"].as_u64().unwrap(), u64::from(need - 3));
    assert_eq!(kedung["rusak"].as_u64().unwrap(), 1);

    // Every hand-over and import is in the audit chain, which verifies.
    let out = env.ok(&["audit", "verify"], None);
    assert!(
        out.contains("6 entri"),
        "stock, three hand-overs and two imports: {out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_on_sqlite() {
    chain(&Env::sqlite()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chain_on_postgres() {
    let Some(env) = Env::postgres().await else {
        return;
    };
    chain(&env).await;
}
