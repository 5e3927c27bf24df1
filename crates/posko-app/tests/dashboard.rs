//! The dashboard over a real SQLite store: snapshots for the post's district → regency →
//! province → country, each the sum of the one below; the refresher recomputes only when the
//! data changed or five minutes passed; deadline risk comes from each case's legal clock; the
//! briefing lists the overdue case; a voter-list summary fills its tile; and who may look.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use posko_app::dashboard::{self as dash, Snapshot};
use posko_app::{Config, Posko, SecretKey};
use posko_core::dashboard::Risk;
use posko_core::report::{ReportKind, SubjectCategory};
use posko_core::{Agency, Elections, RegionCode, Role};
use posko_store::{InsertOutcome, NewReport, User};
use posko_store_sqlite::{Create, SqliteStore};

async fn app() -> (tempfile::TempDir, Posko) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("p.sqlite3"), Create::Yes)
        .await
        .unwrap();
    let config = Config {
        wilayah_posko: "33.20".into(),
        ..Config::default()
    };
    let posko = Posko::new(
        Arc::new(store),
        Elections::new(vec![]).unwrap(),
        config,
        SecretKey::random(),
    );
    (dir, posko)
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn report(p: &Posko, n: u32, village: &str, received: Timestamp) -> i64 {
    let r = NewReport {
        tracking_code: format!("PSK-DSB{n}-0000-001"),
        election: "pemilu-2024".into(),
        kind: ReportKind::Laporan,
        channel: "web".into(),
        client_id: None,
        idempotency_key: None,
        subject_category: SubjectCategory::Asn,
        subject_name: "Budi".into(),
        subject_position: "Camat".into(),
        subject_unit: "Kecamatan".into(),
        subject_mac: None,
        violation: "asn_media_sosial".into(),
        description: "Membagikan unggahan kampanye.".into(),
        region: code(village),
        tps: None,
        place: "Balai desa".into(),
        location: None,
        happened_on: received.to_zoned(jiff::tz::TimeZone::UTC).date(),
        happened_time: None,
        learned_on: received.to_zoned(jiff::tz::TimeZone::UTC).date(),
        late: false,
        received_at: received,
        identity: None,
        evidence: Vec::new(),
    };
    match p.store.insert_reports(&[r]).await.unwrap().remove(0) {
        InsertOutcome::Stored { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

async fn snap(p: &Posko, region: Option<&str>) -> Snapshot {
    let r = region.map(code);
    dash::read_snapshot(p, r.as_ref()).await.unwrap().unwrap()
}

fn user(role: Role, agency: Option<Agency>, region: Option<&str>) -> User {
    User {
        id: 1,
        username: "u".into(),
        display_name: "u".into(),
        role,
        agency,
        region: region.map(code),
        active: true,
    }
}

#[tokio::test]
async fn snapshots_roll_up_and_refresh_only_when_stale() {
    let (_dir, p) = app().await;
    let t0 = at("2024-02-01T03:00:00Z");
    // Two cases in Kecamatan Jepara, one in Pecangaan; one received long before t0.
    report(&p, 1, "33.20.01.2001", at("2024-01-02T03:00:00Z")).await;
    report(&p, 2, "33.20.01.2002", t0).await;
    report(&p, 3, "33.20.02.2001", t0).await;

    let mut last = None;
    assert!(dash::refresh_if_stale(&p, t0, &mut last).await.unwrap());
    let regency = snap(&p, Some("33.20")).await;
    let province = snap(&p, Some("33")).await;
    let country = snap(&p, None).await;
    let d1 = snap(&p, Some("33.20.01")).await;
    let d2 = snap(&p, Some("33.20.02")).await;
    assert_eq!(regency.figures.cases.total, 3);
    assert_eq!(d1.figures.cases.total + d2.figures.cases.total, 3);
    assert_eq!(regency.figures.cases, province.figures.cases);
    assert_eq!(regency.figures.cases, country.figures.cases);
    assert_eq!(regency.figures.cases.by_state.get("diterima"), Some(&3));
    // The old case is past its legal deadline at t0; the others are not.
    assert_eq!(regency.figures.cases.overdue, 1);
    assert_eq!(d1.figures.cases.overdue, 1);
    assert_eq!(d2.figures.cases.overdue, 0);
    assert_eq!(regency.figures.cases.needs_decision, 1);
    // Per-area lines: districts for the regency, regencies for the province, provinces for
    // the country; the regency's children are every district of Jepara, with counts.
    assert_eq!(regency.figures.districts["33.20.01"].cases, 2);
    assert_eq!(province.figures.districts["33.20"].cases, 3);
    assert_eq!(country.figures.districts["33"].cases, 3);
    assert_eq!(country.figures.districts.len(), 1);
    let child = regency
        .children
        .iter()
        .find(|c| c.code == "33.20.02")
        .unwrap();
    assert_eq!((child.cases, child.open), (1, 1));
    assert!(regency.children.len() >= 16, "every district of Jepara");

    // Nothing changed: no recomputation within five minutes.
    let t1 = t0 + SignedDuration::from_secs(15);
    assert!(!dash::refresh_if_stale(&p, t1, &mut last).await.unwrap());
    // A new report changes the data version: recomputed.
    report(&p, 4, "33.20.02.2001", t1).await;
    let t2 = t0 + SignedDuration::from_secs(30);
    assert!(dash::refresh_if_stale(&p, t2, &mut last).await.unwrap());
    assert_eq!(snap(&p, Some("33.20")).await.figures.cases.total, 4);
    assert_eq!(snap(&p, Some("33.20")).await.computed_at, t2);
    let t3 = t2 + SignedDuration::from_secs(60);
    assert!(!dash::refresh_if_stale(&p, t3, &mut last).await.unwrap());
    // Five minutes on, recomputed anyway (deadline risks move with the clock).
    let t4 = t2 + SignedDuration::from_secs(300);
    assert!(dash::refresh_if_stale(&p, t4, &mut last).await.unwrap());
    assert_eq!(snap(&p, Some("33.20")).await.computed_at, t4);

    // The briefing lists the overdue case, and nothing awaits a follow-up yet.
    let b = dash::briefing(&p, Some(&code("33.20")), jiff::civil::date(2024, 2, 1), t4)
        .await
        .unwrap();
    assert_eq!(b.cases.len(), 1);
    assert_eq!(b.cases[0].tracking_code, "PSK-DSB1-0000-001");
    assert_eq!(b.cases[0].risk, Risk::Overdue);
    assert_eq!(b.digest.counts.open, 0);
    // A past date takes the list at the end of that day: before the case was received, nothing.
    let b = dash::briefing(
        &p,
        Some(&code("33.20")),
        jiff::civil::date(2023, 12, 31),
        t4,
    )
    .await
    .unwrap();
    assert!(b.cases.is_empty(), "{:?}", b.cases);
}

#[tokio::test]
async fn dpt_summary_fills_the_tile_and_bad_codes_are_refused() {
    let (_dir, p) = app().await;
    let json = br#"{"election": "pemilu-2024", "districts": [
        {"code": "33.20.01", "findings": {"nik_ganda": 2, "umur": 1}},
        {"code": "33.20.02", "findings": {}}]}"#;
    let (election, n) = dash::import_dpt_summary(&p, json, at("2024-02-01T03:00:00Z"))
        .await
        .unwrap();
    assert_eq!((election.as_str(), n), ("pemilu-2024", 2));
    dash::refresh(&p, at("2024-02-01T03:00:00Z")).await.unwrap();
    let s = snap(&p, Some("33.20")).await;
    assert_eq!(s.figures.dpt_findings, Some(3));
    assert_eq!(s.figures.districts["33.20.01"].dpt_findings, Some(3));
    assert_eq!(s.figures.districts["33.20.02"].dpt_findings, Some(0));
    // No source for these yet: the tiles say so instead of zero.
    assert_eq!(s.figures.logistics, None);
    assert_eq!(s.figures.turnout, None);
    assert_eq!(s.figures.deployment, None);
    let bad =
        br#"{"election": "pemilu-2024", "districts": [{"code": "33.20.01.2001", "findings": {}}]}"#;
    assert!(dash::import_dpt_summary(&p, bad, Timestamp::now())
        .await
        .is_err());
    assert!(dash::import_dpt_summary(&p, b"not json", Timestamp::now())
        .await
        .is_err());
    // A partial check's summary is refused; a full one that says so is taken.
    for tasks in ["dasar", "ganda"] {
        let partial = format!(
            r#"{{"election": "pemilu-2024", "tasks": "{tasks}",
                "districts": [{{"code": "33.20.01", "findings": {{}}}}]}}"#
        );
        let e = dash::import_dpt_summary(&p, partial.as_bytes(), Timestamp::now())
            .await
            .unwrap_err();
        assert!(matches!(e, dash::DptSummaryError::Partial(_)), "{e}");
        assert!(e.to_string().contains("pemeriksaan sebagian"), "{e}");
    }
    let full = br#"{"election": "pemilu-2024", "tasks": "semua",
        "districts": [{"code": "33.20.01", "findings": {"NIK_GANDA": 5}}]}"#;
    dash::import_dpt_summary(&p, full, at("2024-02-01T04:00:00Z"))
        .await
        .unwrap();
    dash::refresh(&p, at("2024-02-01T04:00:00Z")).await.unwrap();
    let s = snap(&p, Some("33.20")).await;
    assert_eq!(s.figures.districts["33.20.01"].dpt_findings, Some(5));
}

#[test]
fn who_may_see_a_dashboard() {
    let jepara = code("33.20");
    let district = code("33.20.01");
    let koor = user(Role::Koordinator, Some(Agency::Kesbangpol), Some("33.20"));
    assert!(dash::may_view(&koor, Some(&jepara)));
    assert!(dash::may_view(&koor, Some(&district)));
    assert!(
        !dash::may_view(&koor, Some(&code("33"))),
        "not the province"
    );
    assert!(!dash::may_view(&koor, None), "not the country");
    assert!(!dash::may_view(&koor, Some(&code("33.21"))));
    let national = user(Role::Koordinator, None, None);
    assert!(dash::may_view(&national, None));
    assert!(dash::may_view(
        &user(Role::Admin, None, None),
        Some(&jepara)
    ));
    for role in [
        Role::Penindak,
        Role::PetugasPiket,
        Role::OperatorWilayah,
        Role::Pemantau,
    ] {
        let u = user(role, Some(Agency::Polri), Some("33.20"));
        assert!(!dash::may_view(&u, Some(&jepara)), "{role}");
    }
    let mut inactive = koor.clone();
    inactive.active = false;
    assert!(!dash::may_view(&inactive, Some(&jepara)));
}

#[tokio::test]
async fn neutrality_coverage_fills_its_tile_at_every_level() {
    use posko_app::netralitas as netral;
    use posko_core::netralitas::{BriefingDraft, Headcount, OfficialKind, PledgeDraft};
    let (_dir, p) = app().await;
    let t0 = at("2024-09-20T03:00:00Z");
    let mut last = None;
    assert!(dash::refresh_if_stale(&p, t0, &mut last).await.unwrap());
    assert_eq!(snap(&p, Some("33.20")).await.figures.neutrality, None);

    let koor = posko_app::accounts::add_user(
        p.store.as_ref(),
        posko_app::accounts::AccountRequest {
            username: "kesbang".into(),
            display_name: "Kesbangpol Jepara".into(),
            password: "kata-sandi-panjang".into(),
            role: Role::Koordinator,
            agency: Some(Agency::Kesbangpol),
            region: Some(code("33.20")),
        },
    )
    .await
    .unwrap();
    // An office of 40 civil servants, two of whom signed; three village heads of Kedung briefed.
    netral::record_headcount(
        &p,
        &koor,
        &Headcount {
            region: code("33.20"),
            unit: "Dinas Pendidikan".into(),
            kind: OfficialKind::Asn,
            headcount: 40,
        },
        t0,
    )
    .await
    .unwrap();
    for nip in ["198001012005011001", "198001012005011002"] {
        let draft = PledgeDraft {
            kind: OfficialKind::Asn,
            id_number: nip.into(),
            name: String::new(),
            unit: "Dinas Pendidikan".into(),
            region: code("33.20"),
            signed_on: "2024-09-02".parse().unwrap(),
        };
        netral::record_pledge(&p, &koor, &draft, t0).await.unwrap();
    }
    let cov = p.neutrality_coverage(&code("33.20")).await.unwrap();
    let kedung = cov
        .districts
        .iter()
        .find(|d| d.district == Some(code("33.20.01")))
        .unwrap();
    let desa_kedung = kedung.kinds[&OfficialKind::KepalaDesa].briefed.denominator;
    let villages: Vec<RegionCode> = p
        .atlas
        .children(&code("33.20.01"))
        .iter()
        .map(|r| r.code)
        .filter(|c| c.to_string().as_str()[9..].starts_with('2'))
        .take(3)
        .collect();
    assert_eq!(villages.len(), 3, "three desa of Kedung");
    netral::record_briefing(
        &p,
        &koor,
        &BriefingDraft {
            region: code("33.20.01"),
            held_on: "2024-09-10".parse().unwrap(),
            held_by_agency: Agency::Kesbangpol,
            held_by: "Kepala Kesbangpol".into(),
            unit: String::new(),
            villages,
            attendees: vec![(OfficialKind::KepalaDesa, 3)],
        },
        t0,
    )
    .await
    .unwrap();

    // The recordings change the data version, so the refresher recomputes on its next tick.
    let t1 = t0 + SignedDuration::from_secs(15);
    assert!(dash::refresh_if_stale(&p, t1, &mut last).await.unwrap());
    let regency = snap(&p, Some("33.20")).await;
    let n = regency
        .figures
        .neutrality
        .clone()
        .expect("coverage on the regency");
    let asn = n.kinds["asn"];
    assert_eq!((asn.pledged, asn.pledged_of), (2, 40));
    assert_eq!(asn.briefed, 0);
    let kades = n.kinds["kepala_desa"];
    assert_eq!(kades.briefed, 3);
    let all_desa = cov.total(OfficialKind::KepalaDesa).briefed.denominator;
    assert_eq!(kades.briefed_of, all_desa);
    // The district holds its own line, not the regency's offices.
    let district = snap(&p, Some("33.20.01")).await;
    let d = district
        .figures
        .neutrality
        .expect("coverage on the district");
    assert_eq!(
        (
            d.kinds["kepala_desa"].briefed,
            d.kinds["kepala_desa"].briefed_of
        ),
        (3, desa_kedung)
    );
    assert_eq!(d.kinds["asn"].pledged, 0);
    // The province counts every desa of Jawa Tengah, not only Jepara's (where the briefing was);
    // the country (this post's only province) is the same.
    let province_desa = p
        .neutrality_coverage(&code("33"))
        .await
        .unwrap()
        .total(OfficialKind::KepalaDesa)
        .briefed
        .denominator;
    assert!(province_desa > all_desa);
    for up in [Some("33"), None] {
        let up_n = snap(&p, up)
            .await
            .figures
            .neutrality
            .expect("coverage above");
        let kades = up_n.kinds["kepala_desa"];
        assert_eq!(
            (kades.briefed, kades.briefed_of),
            (3, province_desa),
            "{up:?}"
        );
        let asn = up_n.kinds["asn"];
        assert_eq!((asn.pledged, asn.pledged_of), (2, 40), "{up:?}");
    }
}
