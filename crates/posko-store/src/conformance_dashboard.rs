//! The conformance checks for the coordinator's dashboard: case counts are grouped in the
//! database, narrow by region and leave merged duplicates out; snapshots round-trip and replace;
//! the data fingerprint stays put when nothing changes and moves when a report arrives, a case
//! moves or a hand-over is recorded; voter-list findings replace per district and narrow.
//! A back end's test crate calls
//! [`dashboard_conformance_suite!`](crate::dashboard_conformance_suite) with its `fresh`.
//!
//! This is test code that lives in a library so both back ends can run it: it may unwrap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::{Timestamp, ToSpan};
use posko_core::case::{Case, CaseState, Decision};
use posko_core::report::{ReportKind, SubjectCategory};
use posko_core::{Agency, RegionCode, Role};

use crate::{
    CaseCount, CaseEvent, DashboardSnapshot, DptFindings, InsertOutcome, NewReport, NewUser, Store,
};

/// Expands to one `#[tokio::test]` per dashboard check.
#[macro_export]
macro_rules! dashboard_conformance_suite {
    ($fresh:path) => {
        $crate::dashboard_conformance_suite!(@each $fresh;
            dashboard_case_counts_group_narrow_and_skip_merged,
            dashboard_snapshots_round_trip_and_fingerprint_moves,
            dashboard_dpt_findings_replace_and_narrow
        );
    };
    (@each $fresh:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let Some(fixture) = $fresh().await else { return };
                $crate::conformance_dashboard::$name(fixture.store.as_ref()).await;
            }
        )*
    };
}

fn now() -> Timestamp {
    Timestamp::from_second(Timestamp::now().as_second()).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

async fn officer(store: &dyn Store) -> i64 {
    store
        .create_user(&NewUser {
            username: "piket.dasbor".into(),
            display_name: "Piket".into(),
            password_hash: "$argon2id$test".into(),
            role: Role::PetugasPiket,
            agency: Some(Agency::Bawaslu),
            region: None,
            created_at: now(),
        })
        .await
        .unwrap()
        .id
}

async fn report(store: &dyn Store, n: u32, region: &str, category: SubjectCategory) -> i64 {
    let r = NewReport {
        tracking_code: format!("PSK-DSB{n}-0000-001"),
        election: "pemilu-2024".into(),
        kind: ReportKind::Laporan,
        channel: "web".into(),
        client_id: None,
        idempotency_key: None,
        subject_category: category,
        subject_name: "Budi".into(),
        subject_position: "Camat".into(),
        subject_unit: "Kecamatan".into(),
        subject_mac: None,
        violation: "asn_media_sosial".into(),
        description: "Membagikan unggahan kampanye.".into(),
        region: code(region),
        tps: None,
        place: "Balai desa".into(),
        location: None,
        happened_on: jiff::civil::date(2024, 1, 10),
        happened_time: None,
        learned_on: jiff::civil::date(2024, 1, 10),
        late: false,
        received_at: now(),
        identity: None,
        evidence: Vec::new(),
    };
    match store.insert_reports(&[r]).await.unwrap().remove(0) {
        InsertOutcome::Stored { id, .. } => id,
        other => panic!("{other:?}"),
    }
}

fn event(report_id: i64, actor: i64, action: &str, from: &str, to: &str) -> CaseEvent {
    CaseEvent {
        report_id,
        at: now(),
        actor,
        action: action.into(),
        from_state: from.into(),
        to_state: to.into(),
        detail: String::new(),
    }
}

fn count_of(rows: &[CaseCount], pred: impl Fn(&CaseCount) -> bool) -> u64 {
    rows.iter().filter(|r| pred(r)).map(|r| r.count).sum()
}

pub async fn dashboard_case_counts_group_narrow_and_skip_merged(s: &dyn Store) {
    let actor = officer(s).await;
    let v1 = "33.20.01.2001";
    let a = report(s, 1, v1, SubjectCategory::Asn).await;
    let _b = report(s, 2, v1, SubjectCategory::Asn).await;
    let c = report(s, 3, "33.20.02.2001", SubjectCategory::KepalaDesa).await;
    let d = report(s, 4, "33.21.01.2001", SubjectCategory::Asn).await;
    let dup = report(s, 5, v1, SubjectCategory::Asn).await;
    // One case decided and referred to Propam, one merged as a duplicate.
    let referred = Case {
        state: CaseState::Diteruskan,
        kind: ReportKind::Laporan,
        temuan: false,
        decision: Some(Decision::KodeEtik),
        referred_to: Some(Agency::Propam),
    };
    s.transition_case(
        CaseState::Diterima,
        &referred,
        &event(c, actor, "refer", "diterima", "diteruskan"),
    )
    .await
    .unwrap();
    s.merge_case(
        &event(dup, actor, "merge", "diterima", "diterima"),
        &event(a, actor, "merge", "diterima", "diterima"),
    )
    .await
    .unwrap();

    let all = s.case_counts(None).await.unwrap();
    assert_eq!(count_of(&all, |_| true), 4, "{all:?}");
    let jepara = s.case_counts(Some(&code("33.20"))).await.unwrap();
    assert_eq!(count_of(&jepara, |_| true), 3, "{jepara:?}");
    // Grouped: the two identical open ASN cases of one village are one row counting 2.
    let asn_v1: Vec<&CaseCount> = jepara
        .iter()
        .filter(|r| r.region == code(v1) && r.category == SubjectCategory::Asn)
        .collect();
    assert_eq!(asn_v1.len(), 1, "{jepara:?}");
    assert_eq!(asn_v1[0].count, 2);
    assert_eq!(asn_v1[0].state, CaseState::Diterima);
    assert_eq!(asn_v1[0].referred_to, None);
    let propam = count_of(&jepara, |r| {
        r.referred_to == Some(Agency::Propam)
            && r.state == CaseState::Diteruskan
            && r.decision == Some(Decision::KodeEtik)
            && r.category == SubjectCategory::KepalaDesa
    });
    assert_eq!(propam, 1);
    let district = s.case_counts(Some(&code("33.21.01"))).await.unwrap();
    assert_eq!(count_of(&district, |_| true), 1);
    assert_eq!(district[0].region, code("33.21.01.2001"));
    let _ = d;
    assert!(s.case_counts(Some(&code("11"))).await.unwrap().is_empty());
}

pub async fn dashboard_snapshots_round_trip_and_fingerprint_moves(s: &dyn Store) {
    let f0 = s.data_fingerprint().await.unwrap();
    assert_eq!(s.data_fingerprint().await.unwrap(), f0, "stable when idle");
    assert!(s.dashboard_snapshot("33.20").await.unwrap().is_none());
    let t = now();
    let snap = |region: &str, at: Timestamp, fp: &str, json: &str| DashboardSnapshot {
        region: region.into(),
        computed_at: at,
        fingerprint: fp.into(),
        figures: json.into(),
    };
    s.put_dashboard_snapshots(&[
        snap("33.20", t, &f0, "{\"a\":1}"),
        snap(crate::NATIONAL, t, &f0, "{\"n\":1}"),
    ])
    .await
    .unwrap();
    assert_eq!(
        s.dashboard_snapshot("33.20").await.unwrap(),
        Some(snap("33.20", t, &f0, "{\"a\":1}"))
    );
    let later = t.checked_add(15.seconds()).unwrap();
    s.put_dashboard_snapshots(&[snap("33.20", later, "x", "{\"a\":2}")])
        .await
        .unwrap();
    assert_eq!(
        s.dashboard_snapshot("33.20").await.unwrap(),
        Some(snap("33.20", later, "x", "{\"a\":2}"))
    );
    assert_eq!(
        s.dashboard_snapshot(crate::NATIONAL)
            .await
            .unwrap()
            .unwrap()
            .figures,
        "{\"n\":1}"
    );
    // Writing snapshots is not a data change.
    assert_eq!(s.data_fingerprint().await.unwrap(), f0);

    let actor = officer(s).await;
    let id = report(s, 9, "33.20.01.2001", SubjectCategory::Asn).await;
    let f1 = s.data_fingerprint().await.unwrap();
    assert_ne!(f1, f0, "a new report changes the version");
    let review = Case {
        state: CaseState::KajianAwal,
        ..Case::new(ReportKind::Laporan)
    };
    s.transition_case(
        CaseState::Diterima,
        &review,
        &event(id, actor, "start_review", "diterima", "kajian_awal"),
    )
    .await
    .unwrap();
    let f2 = s.data_fingerprint().await.unwrap();
    assert_ne!(f2, f1, "a case move changes the version");
    s.set_dpt_findings(&[DptFindings {
        election: "pemilu-2024".into(),
        district: code("33.20.01"),
        findings: 3,
        imported_at: now(),
    }])
    .await
    .unwrap();
    assert_ne!(s.data_fingerprint().await.unwrap(), f2, "DPT findings too");
}

pub async fn dashboard_dpt_findings_replace_and_narrow(s: &dyn Store) {
    let t = now();
    let row = |d: &str, n: u64| DptFindings {
        election: "pemilu-2024".into(),
        district: code(d),
        findings: n,
        imported_at: t,
    };
    assert_eq!(
        s.set_dpt_findings(&[row("33.20.01", 5), row("33.20.02", 7), row("33.21.01", 1)])
            .await
            .unwrap(),
        3
    );
    s.set_dpt_findings(&[row("33.20.01", 6)]).await.unwrap();
    let mut jepara = s
        .dpt_findings("pemilu-2024", Some(&code("33.20")))
        .await
        .unwrap();
    jepara.sort_by_key(|r| r.district);
    assert_eq!(jepara, vec![row("33.20.01", 6), row("33.20.02", 7)]);
    assert_eq!(s.dpt_findings("pemilu-2024", None).await.unwrap().len(), 3);
    assert!(s.dpt_findings("pilkada", None).await.unwrap().is_empty());
    // A district code is required: a village is refused.
    let bad = DptFindings {
        district: code("33.20.01.2001"),
        ..row("33.20.01", 1)
    };
    assert!(s.set_dpt_findings(&[bad]).await.is_err());
}
