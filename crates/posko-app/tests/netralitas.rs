//! Neutrality briefings and integrity pledges over a real SQLite store: who may record what, a
//! pledge file (CSV and XLSX) checked whole with every bad row named by file, line and column and
//! stored all or nothing, coverage against the atlas's desa and the recorded headcounts, the mark
//! on a case whose official signed before the report, and the public figures' suppression.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use jiff::civil::Date;
use jiff::Timestamp;
use posko_app::netralitas::{self as app, NetralitasError};
use posko_app::register::ImportError;
use posko_app::{Config, Posko, SecretKey};
use posko_core::akuntabilitas::Cell;
use posko_core::netralitas::{BriefingDraft, Headcount, OfficialKind, PledgeDraft, Ratio};
use posko_core::region::VillageKind;
use posko_core::report::{ReportKind, SubjectCategory};
use posko_core::{Agency, Elections, Level, RegionCode, Role};
use posko_store::{NewReport, User};
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

/// A fixed instant, far from a day boundary in WIB.
fn now() -> Timestamp {
    "2024-11-20T05:00:00Z".parse().unwrap()
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

async fn user(p: &Posko, name: &str, role: Role, agency: Option<Agency>, region: &str) -> User {
    posko_app::accounts::add_user(
        p.store.as_ref(),
        posko_app::accounts::AccountRequest {
            username: name.into(),
            display_name: name.into(),
            password: "kata-sandi-panjang".into(),
            role,
            agency,
            region: Some(code(region)),
        },
    )
    .await
    .unwrap()
}

/// The desa (not kelurahan) of a region, counted from the atlas directly.
fn desa_in(p: &Posko, region: &str) -> Vec<RegionCode> {
    p.atlas
        .subtree(&code(region))
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

fn pledge(kind: OfficialKind, nip: &str, name: &str, unit: &str, region: &str) -> PledgeDraft {
    PledgeDraft {
        kind,
        id_number: nip.into(),
        name: name.into(),
        unit: unit.into(),
        region: code(region),
        signed_on: date("2024-09-02"),
    }
}

#[tokio::test]
async fn who_records_what() {
    let (_dir, p) = app().await;
    let kesbang = user(
        &p,
        "kesbang.jepara",
        Role::Penindak,
        Some(Agency::Kesbangpol),
        "33.20",
    )
    .await;
    let camat = user(&p, "camat.kedung", Role::OperatorWilayah, None, "33.20.01").await;
    let pemantau = user(&p, "pemantau", Role::Pemantau, None, "33.20").await;
    let polri = user(&p, "polri", Role::Penindak, Some(Agency::Polri), "33.20").await;
    let desa = desa_in(&p, "33.20.01")[0].to_string();
    let other_desa = desa_in(&p, "33.20.02")[0].to_string();
    let kades = pledge(OfficialKind::KepalaDesa, "", "Sutrisno", "Pemdes", &desa);
    // The camat records their own villages' heads, not another kecamatan's, not ASN.
    assert!(app::record_pledge(&p, &camat, &kades, now()).await.is_ok());
    let elsewhere = pledge(OfficialKind::KepalaDesa, "", "Karno", "Pemdes", &other_desa);
    assert!(matches!(
        app::record_pledge(&p, &camat, &elsewhere, now()).await,
        Err(NetralitasError::Forbidden)
    ));
    let asn = pledge(
        OfficialKind::Asn,
        "198001012005011001",
        "Budi",
        "Dinas Pendidikan",
        "33.20.01",
    );
    assert!(matches!(
        app::record_pledge(&p, &camat, &asn, now()).await,
        Err(NetralitasError::Forbidden)
    ));
    for u in [&pemantau, &polri] {
        assert!(matches!(
            app::record_pledge(&p, u, &asn, now()).await,
            Err(NetralitasError::Forbidden)
        ));
    }
    // A camat's briefing of village heads is theirs to record; one counting ASN is not.
    let villages = desa_in(&p, "33.20.01")[..2].to_vec();
    let mut briefing = BriefingDraft {
        region: code("33.20.01"),
        held_on: date("2024-09-10"),
        held_by_agency: Agency::Pemda,
        held_by: "Camat Kedung".into(),
        unit: String::new(),
        villages,
        attendees: vec![(OfficialKind::KepalaDesa, 2)],
    };
    assert!(app::record_briefing(&p, &camat, &briefing, now())
        .await
        .is_ok());
    briefing.attendees.push((OfficialKind::Asn, 30));
    assert!(matches!(
        app::record_briefing(&p, &camat, &briefing, now()).await,
        Err(NetralitasError::Forbidden)
    ));
    assert!(app::record_briefing(&p, &kesbang, &briefing, now())
        .await
        .is_ok());
    // Kesbangpol records anywhere in Jepara; the same official twice counts once.
    let c = app::record_pledge(&p, &kesbang, &asn, now()).await.unwrap();
    assert_eq!((c.added, c.already), (1, 0));
    let c = app::record_pledge(&p, &kesbang, &asn, now()).await.unwrap();
    assert_eq!((c.added, c.already), (0, 1));
    // Everyone in the region reads coverage; nobody outside it.
    assert!(app::coverage_for(&p, &pemantau, &code("33.20"))
        .await
        .is_ok());
    assert!(matches!(
        app::coverage_for(&p, &camat, &code("33.20")).await,
        Err(NetralitasError::Forbidden)
    ));
    assert!(app::coverage_for(&p, &camat, &code("33.20.01"))
        .await
        .is_ok());
    // A pledge dated after today (in WIB) is refused.
    let future = PledgeDraft {
        signed_on: date("2024-11-21"),
        ..asn.clone()
    };
    assert!(matches!(
        app::record_pledge(&p, &kesbang, &future, now()).await,
        Err(NetralitasError::Record(_))
    ));
    // Every recording is in the audit chain, without the official's name or NIP.
    let audit = p.store.audit_entries().await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.entry.action == "integrity_pledge_recorded"));
    let text = format!("{audit:?}");
    assert!(!text.contains("Budi") && !text.contains("198001012005011001"));
}

#[tokio::test]
async fn a_pledge_file_is_checked_whole_and_lands_all_or_nothing() {
    let (dir, p) = app().await;
    let kesbang = user(
        &p,
        "kesbang.jepara",
        Role::Koordinator,
        Some(Agency::Kesbangpol),
        "33.20",
    )
    .await;
    let d1 = desa_in(&p, "33.20.01");
    let kel = p
        .atlas
        .subtree(&code("33.20"))
        .iter()
        .find(|r| r.code.village_kind() == Some(VillageKind::Kelurahan))
        .map(|r| r.code.to_string())
        .unwrap();
    let bad = dir.path().join("pakta-buruk.csv");
    std::fs::write(
        &bad,
        format!(
            "jenis;nip;nama;unit_kerja;kode_wilayah;tanggal\n\
             asn;198001012005011001;Budi;Dinas Pendidikan;;2024-09-02\n\
             lurah;;Siti;Kelurahan;{kel};2024-09-02\n\
             kepala_desa;;Sutrisno;Pemdes;{kel};2024-09-02\n\
             asn;;;Dinas Kesehatan;;2024-09-02\n\
             camat;;Joko;Kecamatan Kedung;33.20.01;31/02/2024\n\
             kepala_desa;;Karno;Pemdes;15.71.01.1001;2024-09-02\n"
        ),
    )
    .unwrap();
    let err = app::import_pledges(
        &p,
        Some(&kesbang),
        &code("33.20"),
        &bad,
        "pakta-buruk.csv",
        now(),
    )
    .await
    .unwrap_err();
    let NetralitasError::Import(ImportError::Rows {
        file,
        problems,
        total,
    }) = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(file, "pakta-buruk.csv");
    assert_eq!(total, 5, "{problems:?}");
    let at: Vec<(usize, &str)> = problems
        .iter()
        .map(|q| (q.line, q.column.as_str()))
        .collect();
    assert_eq!(
        at,
        vec![
            (3, "jenis"),
            (4, "kode_wilayah"),
            (5, "nip"),
            (6, "tanggal"),
            (7, "kode_wilayah")
        ]
    );
    assert!(problems[1].message.contains("kelurahan"), "{problems:?}");
    // Nothing stored: the good first row did not land.
    let c = app::coverage(&p, &code("33.20")).await.unwrap();
    assert_eq!(c.uncounted.get(&OfficialKind::Asn), None);
    assert!(p
        .store
        .pledge_facts(&code("33.20"))
        .await
        .unwrap()
        .is_empty());

    // A good CSV, then an XLSX with one row already imported: counted once.
    let good = dir.path().join("pakta.csv");
    std::fs::write(
        &good,
        format!(
            "Jenis,NIP,Nama,Unit Kerja,Kode Wilayah,Tanggal\n\
             ASN,19800101 200501 1 001,Budi,Dinas Pendidikan,,2024-09-02\n\
             Kepala Desa,,Sutrisno,Pemdes,{},02/09/2024\n\
             camat,,Joko,Kecamatan Kedung,33.20.01,2024-09-03\n",
            d1[0]
        ),
    )
    .unwrap();
    let r = app::import_pledges(
        &p,
        Some(&kesbang),
        &code("33.20"),
        &good,
        "pakta.csv",
        now(),
    )
    .await
    .unwrap();
    assert_eq!((r.rows, r.count.added, r.count.already), (3, 3, 0));
    let xlsx = dir.path().join("pakta.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "jenis",
        "nip",
        "nama",
        "unit_kerja",
        "kode_wilayah",
        "tanggal",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        [
            "asn",
            "198001012005011001",
            "Budi",
            "Dinas Pendidikan",
            "",
            "2024-09-02",
        ],
        [
            "kepala_desa",
            "",
            "Wati",
            "Pemdes",
            &d1[1].to_string(),
            "2024-09-04",
        ],
        [
            "perangkat_desa",
            "",
            "Slamet",
            "Pemdes",
            &d1[1].to_string(),
            "2024-09-04",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save(&xlsx).unwrap();
    let r = app::import_pledges(
        &p,
        Some(&kesbang),
        &code("33.20"),
        &xlsx,
        "pakta.xlsx",
        now(),
    )
    .await
    .unwrap();
    assert_eq!((r.rows, r.count.added, r.count.already), (3, 2, 1));
    // A bad XLSX row is named with its column letter.
    let wrong = dir.path().join("salah.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["jenis", "nama", "unit_kerja", "tanggal"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["asn", "Ani", "Dinas Sosial", "kemarin"].iter().enumerate() {
        ws.write_string(1, c as u16, *v).unwrap();
    }
    wb.save(&wrong).unwrap();
    let err = app::import_pledges(
        &p,
        Some(&kesbang),
        &code("33.20"),
        &wrong,
        "salah.xlsx",
        now(),
    )
    .await
    .unwrap_err();
    let NetralitasError::Import(ImportError::Rows { problems, .. }) = err else {
        panic!("{err:?}")
    };
    assert_eq!(problems[0].line, 2);
    assert_eq!(problems[0].column, "D (tanggal)");
}

#[tokio::test]
async fn coverage_counts_desa_from_the_atlas_and_asn_from_the_roster() {
    let (_dir, p) = app().await;
    let koor = user(
        &p,
        "koor",
        Role::Koordinator,
        Some(Agency::Kesbangpol),
        "33.20",
    )
    .await;
    let all_desa = desa_in(&p, "33.20");
    let all_villages = p
        .atlas
        .subtree(&code("33.20"))
        .iter()
        .filter(|r| r.level() == Level::Village)
        .count();
    assert!(all_desa.len() < all_villages, "Jepara has kelurahan too");
    let kedung = desa_in(&p, "33.20.01");
    // A kecamatan briefing for three villages, with the camat and their village heads.
    app::record_briefing(
        &p,
        &koor,
        &BriefingDraft {
            region: code("33.20.01"),
            held_on: date("2024-09-10"),
            held_by_agency: Agency::Kesbangpol,
            held_by: "Kepala Kesbangpol".into(),
            unit: String::new(),
            villages: kedung[..3].to_vec(),
            attendees: vec![(OfficialKind::KepalaDesa, 3), (OfficialKind::Camat, 1)],
        },
        now(),
    )
    .await
    .unwrap();
    // An OPD of 40 ASN, briefed 38, 2 signed.
    app::record_headcount(
        &p,
        &koor,
        &Headcount {
            region: code("33.20"),
            unit: "Dinas Pendidikan".into(),
            kind: OfficialKind::Asn,
            headcount: 40,
        },
        now(),
    )
    .await
    .unwrap();
    app::record_briefing(
        &p,
        &koor,
        &BriefingDraft {
            region: code("33.20"),
            held_on: date("2024-09-11"),
            held_by_agency: Agency::Bkn,
            held_by: "Kepala BKPSDM".into(),
            unit: "dinas pendidikan".into(),
            villages: vec![],
            attendees: vec![(OfficialKind::Asn, 38)],
        },
        now(),
    )
    .await
    .unwrap();
    for nip in ["198001012005011001", "198001012005011002"] {
        app::record_pledge(
            &p,
            &koor,
            &pledge(OfficialKind::Asn, nip, "", "DINAS  PENDIDIKAN", "33.20"),
            now(),
        )
        .await
        .unwrap();
    }
    let c = p.neutrality_coverage(&code("33.20")).await.unwrap();
    let kades = c.total(OfficialKind::KepalaDesa);
    assert_eq!(
        kades.briefed,
        Ratio {
            numerator: 3,
            denominator: all_desa.len() as u64
        }
    );
    let asn = c.total(OfficialKind::Asn);
    assert_eq!(
        asn.briefed,
        Ratio {
            numerator: 38,
            denominator: 40
        }
    );
    assert_eq!(
        asn.pledged,
        Ratio {
            numerator: 2,
            denominator: 40
        }
    );
    assert_eq!(asn.pledged.percent_id(), "5,0 %");
    let camat = c.total(OfficialKind::Camat);
    assert_eq!(camat.briefed.numerator, 1);
    assert_eq!(camat.briefed.denominator, 16, "Jepara's 16 kecamatan");
    let row = c
        .districts
        .iter()
        .find(|d| d.district == Some(code("33.20.01")))
        .unwrap();
    assert_eq!(row.kinds[&OfficialKind::KepalaDesa].briefed.numerator, 3);
    assert_eq!(
        row.kinds[&OfficialKind::KepalaDesa].briefed.denominator,
        kedung.len() as u64
    );
    assert_eq!(c.units.len(), 1);
    assert_eq!(c.units[0].unit, "DINAS PENDIDIKAN");
}

fn report(
    p: &Posko,
    nip: Option<&str>,
    name: &str,
    unit: &str,
    at: Timestamp,
    n: u32,
) -> NewReport {
    NewReport {
        tracking_code: format!("PSK-NETR-AAAA-{n:03}"),
        election: "pilkada-2024".into(),
        kind: ReportKind::Laporan,
        channel: "web".into(),
        client_id: None,
        idempotency_key: None,
        subject_category: SubjectCategory::Asn,
        subject_name: name.into(),
        subject_position: "Kepala Seksi".into(),
        subject_unit: unit.into(),
        // As intake computes it.
        subject_mac: posko_core::official::identity_key(nip, name, unit)
            .map(|k| posko_app::seal::subject_mac(&p.key, &k)),
        violation: "asn_media_sosial".into(),
        description: "Membagikan unggahan kampanye.".into(),
        region: code("33.20.01.2001"),
        tps: None,
        place: "Balai desa".into(),
        location: None,
        happened_on: date("2024-09-01"),
        happened_time: None,
        learned_on: date("2024-09-01"),
        late: false,
        received_at: at,
        identity: None,
        evidence: Vec::new(),
    }
}

#[tokio::test]
async fn a_case_is_marked_when_its_official_signed_before_the_report() {
    let (_dir, p) = app().await;
    let koor = user(
        &p,
        "koor",
        Role::Koordinator,
        Some(Agency::Kesbangpol),
        "33.20",
    )
    .await;
    app::record_pledge(
        &p,
        &koor,
        &pledge(
            OfficialKind::Asn,
            "19800101 200501 1 001",
            "Drs. Budi Santoso",
            "Dinas Pendidikan",
            "33.20",
        ),
        now(),
    )
    .await
    .unwrap();
    let after: Timestamp = "2024-09-05T03:00:00Z".parse().unwrap();
    let before: Timestamp = "2024-08-30T03:00:00Z".parse().unwrap();
    let reports = vec![
        // By NIP, after signing.
        report(&p, Some("198001012005011001"), "Budi", "Dinas X", after, 1),
        // By name and unit only, after signing: the same official.
        report(
            &p,
            None,
            "Budi Santoso, S.Pd.",
            "dinas pendidikan",
            after,
            2,
        ),
        // Before signing.
        report(&p, Some("198001012005011001"), "Budi", "Dinas X", before, 3),
        // Someone else.
        report(&p, None, "Ani", "Dinas Pendidikan", after, 4),
    ];
    let out = p.store.insert_reports(&reports).await.unwrap();
    let mut marks = Vec::new();
    for o in &out {
        let posko_store::InsertOutcome::Stored { id, .. } = o else {
            panic!()
        };
        let d = p.store.report_detail(*id).await.unwrap().unwrap();
        marks.push(app::case_mark(&p, &d).await.unwrap().map(|m| m.signed_on));
    }
    let signed = Some(date("2024-09-02"));
    assert_eq!(marks, vec![signed, signed, None, None]);
}

#[tokio::test]
async fn public_figures_never_show_a_count_under_five() {
    let (_dir, p) = app().await;
    let t: Timestamp = "2024-09-05T03:00:00Z".parse().unwrap();
    let mut reports = Vec::new();
    // Seven reports in one village, two in another kecamatan.
    for n in 0..9u32 {
        let mut r = report(&p, None, "Nama Rahasia", "Dinas Rahasia", t, 10 + n);
        if n >= 7 {
            r.region = code("33.20.02.2001");
        }
        reports.push(r);
    }
    p.store.insert_reports(&reports).await.unwrap();
    let f = app::public_figures(&p, Some(&code("33.20"))).await.unwrap();
    let t = &f.by_district;
    let all: Vec<Cell> = t
        .cells
        .iter()
        .flatten()
        .chain(&t.row_totals)
        .chain(&t.column_totals)
        .chain(std::iter::once(&t.total))
        .copied()
        .collect();
    for c in &all {
        if let Cell::Count(n) = c {
            assert!(*n == 0 || *n >= 5, "{c:?}");
        }
    }
    let kedung = t.rows.iter().position(|r| r == "33.20.01").unwrap();
    let asn = t.columns.iter().position(|c| c == "asn").unwrap();
    assert!(
        t.cells[kedung][asn].is_hidden(),
        "7 with a lone 2 beside it is withheld"
    );
    let pecangaan = t.rows.iter().position(|r| r == "33.20.02").unwrap();
    assert_eq!(t.cells[pecangaan][asn], Cell::Small);
    assert_eq!(t.total, Cell::Count(9));
    let json = serde_json::to_string(&f).unwrap();
    assert!(!json.contains("Rahasia"));
}
