//! Logistics over a real SQLite store: a hand-over file checked whole and landed all or nothing
//! (CSV and XLSX), bad rows and impossible hand-overs named by file, line and column, damage
//! told to the district's coordinators, and deadline alerts at the end of the due day in each of
//! the three time zones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use jiff::Timestamp;
use posko_app::logistics::import::{import_file, Importer};
use posko_app::logistics::{self as logi};
use posko_app::register::ImportError;
use posko_app::{Config, Posko, SecretKey};
use posko_core::logistics::Stage;
use posko_core::{Elections, RegionCode};
use posko_store_sqlite::{Create, SqliteStore};

async fn app() -> (tempfile::TempDir, Posko) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("p.sqlite3"), Create::Yes)
        .await
        .unwrap();
    let posko = Posko::new(
        Arc::new(store),
        Elections::new(vec![]).unwrap(),
        Config::default(),
        SecretKey::random(),
    );
    (dir, posko)
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// Stores a TPS register: `(village, number, voters)`.
async fn register(p: &Posko, dir: &Path, tps: &[(&str, u32, u32)]) {
    let path = dir.join("tps.csv");
    let mut csv = String::from("kode_desa,nomor_tps,alamat,dpt\n");
    for (v, n, voters) in tps {
        csv.push_str(&format!("{v},{n},Balai desa,{voters}\n"));
    }
    std::fs::write(&path, csv).unwrap();
    let election = p.elections.get("pemilu-2024").unwrap();
    posko_app::register::import_file(p.store.as_ref(), &path, p.atlas, election)
        .await
        .unwrap();
}

async fn coordinator(p: &Posko, name: &str, region: &str) -> i64 {
    posko_app::accounts::add_user(
        p.store.as_ref(),
        posko_app::accounts::AccountRequest {
            username: name.into(),
            display_name: name.into(),
            password: "kata-sandi-panjang".into(),
            role: posko_core::Role::Koordinator,
            agency: Some(posko_core::Agency::Kesbangpol),
            region: Some(code(region)),
        },
    )
    .await
    .unwrap()
    .id
}

fn now() -> Timestamp {
    "2024-02-12T03:00:00Z".parse().unwrap()
}

const HEADER: &str = "dari_tahap;dari_tempat;ke_tahap;ke_tempat;barang;jenis;dikirim;baik;rusak;\
                      hilang;waktu;diserahkan_oleh;diterima_oleh";

#[tokio::test]
async fn a_file_is_checked_whole_then_lands_all_or_nothing() {
    let (dir, p) = app().await;
    // Two TPS in Kedung: 287 voters need 287 + ceil(5.74) = 293 DPR ballots; 250 need 255.
    register(
        &p,
        dir.path(),
        &[("33.20.01.2001", 1, 287), ("33.20.01.2001", 2, 250)],
    )
    .await;
    let koord = coordinator(&p, "koord.jepara", "33.20").await;
    let good = dir.path().join("serah-terima.csv");
    std::fs::write(
        &good,
        format!(
            "{HEADER}\n\
             ;;KPU;33.20;surat suara;DPR RI;1000;1000;0;0;2024-01-20 09:00;Percetakan;Ketua KPU\n\
             kpu;33.20;ppk;33.20.01;;dpr;600;600;0;0;2024-01-30 10:00;Ketua KPU;Ketua PPK\n\
             ppk;33.20.01;pps;33.20.01.2001;;dpr;600;600;0;0;07/02/2024 10:00;Ketua PPK;Ketua PPS\n\
             pps;33.20.01.2001;kpps;33.20.01.2001/1;;dpr;293;293;;;2024-02-11T08:00:00+07:00;Ketua PPS;Ketua KPPS 1\n\
             pps;33.20.01.2001;kpps;33.20.01.2001/002;;dpr;255;250;5;0;11-02-2024 09:15;Ketua PPS;Ketua KPPS 2\n"
        ),
    )
    .unwrap();
    let s = import_file(&p, &good, None, "pemilu-2024", Importer::default(), now())
        .await
        .unwrap();
    assert_eq!((s.rows, s.stock), (5, 1));
    assert_eq!(s.trouble.get(&code("33.20.01")), Some(&(5, 0)));
    // The two TPS accounts, the second one keyed the canonical way (001 and 1 are the same TPS).
    let tps = p
        .store
        .holdings("pemilu-2024", Stage::Kpps, "33.20.01.2001")
        .await
        .unwrap();
    let places: Vec<&str> = tps.iter().map(|h| h.node.place.as_str()).collect();
    assert_eq!(places, ["33.20.01.2001/001", "33.20.01.2001/002"]);
    assert_eq!((tps[1].good_in, tps[1].damaged_in), (250, 5));
    // A local time is read in the receiver's zone (WIB, +07:00).
    assert_eq!(
        tps[1].last_at.unwrap(),
        "2024-02-11T02:15:00Z".parse::<Timestamp>().unwrap()
    );
    let (boards, villages) = logi::status(
        &p,
        "pemilu-2024",
        &code("33.20.01"),
        now().to_zoned(jiff::tz::TimeZone::UTC).date(),
    )
    .await
    .unwrap();
    // The roll-up without boards gives the same villages, with the TPS's arrivals in them.
    let rolled = logi::rollup_villages(
        &p,
        "pemilu-2024",
        &code("33.20.01"),
        now().to_zoned(jiff::tz::TimeZone::UTC).date(),
    )
    .await
    .unwrap();
    assert_eq!(rolled, villages);
    let kedung = &villages[&code("33.20.01.2001")];
    assert_eq!(
        (kedung.tps, kedung.good, kedung.damaged, kedung.complete_tps),
        (2, 293 + 250, 5, 0)
    );
    assert_eq!(kedung.short, kedung.needed - kedung.good);
    let dpr = |i: usize| {
        boards[i]
            .ballots
            .iter()
            .find(|(b, _)| *b == posko_core::election::BallotType::Dpr)
            .unwrap()
            .1
    };
    assert_eq!((dpr(0).needed, dpr(0).short), (293, 0));
    assert_eq!((dpr(1).needed, dpr(1).short), (255, 5));
    // The chain inside the district reconciles: 600 came in at the PPK = 52 on hand at the
    // village + 543 good at the TPS + 5 damaged.
    let today = jiff::civil::date(2024, 2, 12);
    let (stages, rec) = logi::stages(&p, "pemilu-2024", &code("33.20.01"), &boards, today)
        .await
        .unwrap();
    assert_eq!(
        (rec.came_in, rec.on_hand, rec.damaged, rec.missing),
        (600, 595, 5, 0)
    );
    assert!(rec.holds());
    let ppk = &stages[0];
    assert_eq!((ppk.stage, ppk.good, ppk.handed_on), (Stage::Ppk, 600, 600));
    assert!(
        ppk.late,
        "the PPK's H-14 passed with four ballot types missing"
    );
    let kpps = &stages[2];
    assert_eq!((kpps.places, kpps.short_places, kpps.damaged), (2, 2, 5));
    assert!(!kpps.late, "H-1 is tomorrow");
    // Damage on arrival went to the district's coordinators.
    let told = p.store.notifications(koord, 10).await.unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].message_id.contains("5 rusak"),
        "{}",
        told[0].message_id
    );
    // The import is audited once.
    let audit = p.store.audit_entries().await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.entry.action == "logistics_import")
            .count(),
        1
    );

    // The very same file again is refused whole, saying when it came in: nothing doubles.
    let recorded = p
        .store
        .handovers("pemilu-2024", "33.20", 1000)
        .await
        .unwrap()
        .len();
    let again = import_file(
        &p,
        &good,
        Some("kiriman-ulang.csv"),
        "pemilu-2024",
        Importer::default(),
        now(),
    )
    .await
    .unwrap_err();
    let msg = again.to_string();
    assert!(
        msg.starts_with("kiriman-ulang.csv: berkas yang sama persis sudah diimpor")
            && msg.contains("'serah-terima.csv', 5 baris"),
        "{msg}"
    );
    assert_eq!(
        p.store
            .handovers("pemilu-2024", "33.20", 1000)
            .await
            .unwrap()
            .len(),
        recorded
    );
    // A different file (one new hand-over) still lands.
    let longer = dir.path().join("serah-terima-2.csv");
    std::fs::write(
        &longer,
        format!(
            "{HEADER}\n\
             kpu;33.20;ppk;33.20.01;;dpr;100;100;0;0;2024-01-31 10:00;Ketua KPU;Ketua PPK\n"
        ),
    )
    .unwrap();
    let s2 = import_file(&p, &longer, None, "pemilu-2024", Importer::default(), now())
        .await
        .unwrap();
    assert_eq!(s2.rows, 1);

    // An officer of another region cannot import hand-overs into this one.
    let elsewhere = Importer {
        user: None,
        scope: Some(code("15.71")),
    };
    let err = import_file(&p, &good, None, "pemilu-2024", elsewhere, now())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("di luar wilayah Anda 15.71"),
        "{err}"
    );

    // Bad rows: every problem named by line and column, nothing stored.
    let before = p
        .store
        .handovers("pemilu-2024", "33.20", 1000)
        .await
        .unwrap()
        .len();
    let bad = dir.path().join("rusak.csv");
    std::fs::write(
        &bad,
        format!(
            "{HEADER}\n\
             ;;kpu;33.20;;dpd;100;100;0;0;2024-01-20 09:00;Percetakan;Ketua KPU\n\
             kpu;33.20;ppk;33.20.01;;walikota;10;10;0;0;2024-01-30 10:00;Ketua KPU;Ketua PPK\n\
             kpu;33.20;ppk;33.20.01;;dpd;dua;2;0;0;2024-01-30 10:00;Ketua KPU;Ketua PPK\n\
             pps;33.20.01.2001;kpps;33.20.02.2001/1;;dpr;1;1;0;0;2024-02-11 08:00;Ketua PPS;Ketua KPPS\n\
             kpu;33.20;ppk;33.20.01;;dpd;10;10;0;0;kemarin;Ketua KPU;Ketua PPK\n\
             kpu;33.20;ppk;33.20.01;;dpd;10;8;1;0;2024-01-30 10:00;Ketua KPU;Ketua PPK\n"
        ),
    )
    .unwrap();
    let err = import_file(&p, &bad, None, "pemilu-2024", Importer::default(), now())
        .await
        .unwrap_err();
    let ImportError::Rows {
        problems, total, ..
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(*total, 5, "{err}");
    let at: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.column.as_str()))
        .collect();
    assert_eq!(
        at,
        [(3, "jenis"), (4, "dikirim"), (5, ""), (6, "waktu"), (7, "")],
        "{err}"
    );
    assert!(
        err.to_string().contains("rusak.csv, baris 3, kolom jenis"),
        "{err}"
    );
    assert!(err.to_string().contains("counts do not add up"), "{err}");
    // The same file as Excel saves it (CRLF line ends), with a blank line after the header:
    // every problem still on its own line, one further down.
    let text = std::fs::read_to_string(&bad).unwrap();
    let crlf = dir.path().join("rusak-crlf.csv");
    std::fs::write(&crlf, text.replacen('\n', "\n\n", 1).replace('\n', "\r\n")).unwrap();
    let err = import_file(&p, &crlf, None, "pemilu-2024", Importer::default(), now())
        .await
        .unwrap_err();
    let ImportError::Rows { problems, .. } = &err else {
        panic!("{err}");
    };
    let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8], "{err}");
    // An impossible hand-over (the village holds 600 - 548 = 52): refused at its line, and the
    // good rows before it are not kept either.
    let over = dir.path().join("lebih.csv");
    std::fs::write(
        &over,
        format!(
            "{HEADER}\n\
             ;;kpu;33.20;;dpd;100;100;0;0;2024-01-20 09:00;Percetakan;Ketua KPU\n\
             pps;33.20.01.2001;kpps;33.20.01.2001/3;;dpr;60;60;0;0;2024-02-11 08:00;Ketua PPS;Ketua KPPS\n"
        ),
    )
    .unwrap();
    let err = import_file(&p, &over, None, "pemilu-2024", Importer::default(), now())
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("lebih.csv, baris 3"), "{msg}");
    assert!(msg.contains("hanya memegang 52"), "{msg}");
    // The file is read once, stored as it is read: when the store refuses a row, the rest is still
    // read, and a problem of the file itself (line 4) is what the officer hears, as when the file
    // was checked whole before storing.
    std::fs::write(
        &over,
        format!(
            "{HEADER}\n\
             ;;kpu;33.20;;dpd;100;100;0;0;2024-01-20 09:00;Percetakan;Ketua KPU\n\
             pps;33.20.01.2001;kpps;33.20.01.2001/3;;dpr;60;60;0;0;2024-02-11 08:00;Ketua PPS;Ketua KPPS\n\
             kpu;33.20;ppk;33.20.01;;dpd;10;10;0;0;kemarin;Ketua KPU;Ketua PPK\n"
        ),
    )
    .unwrap();
    let err = import_file(&p, &over, None, "pemilu-2024", Importer::default(), now())
        .await
        .unwrap_err();
    let ImportError::Rows {
        problems, total, ..
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(
        (*total, problems[0].line, problems[0].column.as_str()),
        (1, 4, "waktu"),
        "{err}"
    );
    assert_eq!(
        p.store
            .handovers("pemilu-2024", "33.20", 1000)
            .await
            .unwrap()
            .len(),
        before
    );
    let kpu = p
        .store
        .holdings("pemilu-2024", Stage::Kpu, "33.20")
        .await
        .unwrap();
    assert_eq!(
        kpu.len(),
        1,
        "the DPD stock of the refused file is not kept"
    );

    // A spreadsheet: the same columns, a date-time cell.
    let xlsx = dir.path().join("stok.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in HEADER.split(';').enumerate() {
        ws.write_string(0, i as u16, h).unwrap();
    }
    let row = [
        "",
        "",
        "kpu",
        "33.20",
        "surat_suara",
        "dpd",
        "40",
        "40",
        "0",
        "0",
    ];
    for (i, v) in row.iter().enumerate() {
        ws.write_string(1, i as u16, *v).unwrap();
    }
    let when = rust_xlsxwriter::ExcelDateTime::parse_from_str("2024-01-21 13:30:00").unwrap();
    ws.write_datetime(1, 10, &when).unwrap();
    ws.write_string(1, 11, "Percetakan").unwrap();
    ws.write_string(1, 12, "Ketua KPU").unwrap();
    wb.save(&xlsx).unwrap();
    let s = import_file(&p, &xlsx, None, "pemilu-2024", Importer::default(), now())
        .await
        .unwrap();
    assert_eq!(s.rows, 1);
    let kpu = p
        .store
        .holdings("pemilu-2024", Stage::Kpu, "33.20")
        .await
        .unwrap();
    let dpd = kpu
        .iter()
        .find(|h| h.item.ballot == Some(posko_core::election::BallotType::Dpd))
        .unwrap();
    assert_eq!(dpd.good_in, 40);
    assert_eq!(
        dpd.last_at.unwrap(),
        "2024-01-21T06:30:00Z".parse::<Timestamp>().unwrap()
    );
}

#[tokio::test]
async fn deadline_alerts_end_with_the_due_day_in_each_zone() {
    let (dir, p) = app().await;
    // One TPS in each zone, nothing delivered: Kedung (WIB), Denpasar Selatan (WITA),
    // Jayapura Utara (WIT).
    register(
        &p,
        dir.path(),
        &[
            ("33.20.01.2001", 1, 200),
            ("51.71.01.1001", 1, 200),
            ("91.71.01.1001", 1, 200),
        ],
    )
    .await;
    let wib = coordinator(&p, "koord.jepara", "33.20").await;
    let wita = coordinator(&p, "koord.denpasar", "51.71").await;
    let wit = coordinator(&p, "koord.jayapura", "91.71").await;
    // Polling day 14 Feb 2024: the KPPS must have everything by the end of 13 Feb, local time.
    let kpps = |msgs: &[posko_store::Notification], word: &str| {
        msgs.iter()
            .filter(|n| n.message_id.contains("batas KPPS") && n.message_id.starts_with(word))
            .count()
    };
    let at = |s: &str| s.parse::<Timestamp>().unwrap();
    // 15:30 UTC: 00:30 on the 14th in WIT (late), 23:30 in WITA and 22:30 in WIB (near).
    let r = logi::alerts::scan(&p, at("2024-02-13T15:30:00Z"))
        .await
        .unwrap();
    assert!(r.late > 0 && r.near > 0, "{r:?}");
    let got = |id| {
        let p = &p;
        async move { p.store.notifications(id, 50).await.unwrap() }
    };
    assert_eq!(kpps(&got(wit).await, "Logistik terlambat"), 1);
    assert_eq!(kpps(&got(wita).await, "Logistik terlambat"), 0);
    assert_eq!(kpps(&got(wita).await, "Logistik kurang"), 1);
    assert_eq!(kpps(&got(wib).await, "Logistik terlambat"), 0);
    assert_eq!(kpps(&got(wib).await, "Logistik kurang"), 1);
    // The PPK's and PPS's deadlines (H-14, H-7) passed long ago everywhere.
    for id in [wib, wita, wit] {
        let msgs = got(id).await;
        assert!(msgs.iter().any(|n| n.message_id.contains("batas PPK")));
        assert!(msgs.iter().any(|n| n.message_id.contains("batas PPS")));
    }
    // 16:00 UTC is midnight in WITA; a minute before, it is not late yet.
    logi::alerts::scan(&p, at("2024-02-13T15:59:00Z"))
        .await
        .unwrap();
    assert_eq!(kpps(&got(wita).await, "Logistik terlambat"), 0);
    logi::alerts::scan(&p, at("2024-02-13T16:00:00Z"))
        .await
        .unwrap();
    assert_eq!(kpps(&got(wita).await, "Logistik terlambat"), 1);
    assert_eq!(kpps(&got(wib).await, "Logistik terlambat"), 0);
    logi::alerts::scan(&p, at("2024-02-13T17:00:00Z"))
        .await
        .unwrap();
    assert_eq!(kpps(&got(wib).await, "Logistik terlambat"), 1);
    // Each alert once, however often the scan runs.
    let again = logi::alerts::scan(&p, at("2024-02-13T18:00:00Z"))
        .await
        .unwrap();
    assert_eq!(again, logi::alerts::ScanReport::default());
    // Outside the chain's weeks: nothing is scanned.
    let (_, quiet) = app().await;
    assert_eq!(
        logi::alerts::scan(&quiet, at("2024-03-01T00:00:00Z"))
            .await
            .unwrap(),
        logi::alerts::ScanReport::default()
    );
}
