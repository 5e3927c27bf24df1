//! The conformance checks for neutrality briefings, integrity pledges and the public case facts
//! (issue 9, parts 4 and 5): headcounts are replaced by unit, briefings round-trip with their
//! villages and narrow by region, pledges are one per official (a batch all or nothing, a second
//! pledge of the same official counted as `already`), a case finds the earliest pledge by either
//! identity hash, and the public facts carry codes and instants only, merged duplicates left out.
//! A back end's test crate calls [`netral_conformance_suite!`](crate::netral_conformance_suite)
//! with the same `fresh` function it gives [`conformance_suite!`](crate::conformance_suite).
//!
//! This is test code that lives in a library so both back ends can run it: it may unwrap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use posko_core::case::{Action, CaseState, Decision};
use posko_core::netralitas::{Headcount, OfficialKind};
use posko_core::{Agency, RegionCode, Role};

use crate::conformance::{drive, event, new_user, report, stored_id};
use crate::{NewBriefing, NewPledge, Store, StoreError};

/// Expands to one `#[tokio::test]` per neutrality check.
#[macro_export]
macro_rules! netral_conformance_suite {
    ($fresh:path) => {
        $crate::netral_conformance_suite!(@each $fresh;
            netral_headcounts_and_briefings_round_trip,
            netral_pledges_once_per_official_all_or_nothing,
            netral_public_facts_are_codes_only
        );
    };
    (@each $fresh:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let Some(fixture) = $fresh().await else { return };
                $crate::conformance_netral::$name(&*fixture.store).await;
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

fn briefing(region: &str, held_on: Date, villages: &[&str]) -> NewBriefing {
    NewBriefing {
        region: code(region),
        held_on,
        held_by_agency: Agency::Kesbangpol,
        held_by: "Kepala Kesbangpol".into(),
        unit: "Dinas Pendidikan".into(),
        unit_key: "DINAS PENDIDIKAN".into(),
        villages: villages.iter().map(|v| code(v)).collect(),
        asn: 40,
        camat: 1,
        kepala_desa: villages.len() as u32,
        perangkat_desa: 3,
        created_by: None,
        created_at: now(),
    }
}

fn pledge(mac: u8, name_mac: Option<u8>, region: &str, signed_on: Date) -> NewPledge {
    NewPledge {
        kind: OfficialKind::Asn,
        identity_mac: vec![mac; 32],
        number_mac: Some(vec![mac; 32]),
        name_mac: name_mac.map(|m| vec![m; 32]),
        region: code(region),
        unit: "DINAS PENDIDIKAN".into(),
        signed_on,
        source: "form".into(),
        created_by: None,
        created_at: now(),
    }
}

pub async fn netral_headcounts_and_briefings_round_trip(s: &dyn Store) {
    let t = now();
    let rows = vec![
        Headcount {
            region: code("33.20"),
            unit: "DINAS PENDIDIKAN".into(),
            kind: OfficialKind::Asn,
            headcount: 120,
        },
        Headcount {
            region: code("33.20.01"),
            unit: "PEMERINTAH DESA".into(),
            kind: OfficialKind::PerangkatDesa,
            headcount: 45,
        },
        Headcount {
            region: code("15.71"),
            unit: "DINAS PENDIDIKAN".into(),
            kind: OfficialKind::Asn,
            headcount: 7,
        },
    ];
    assert_eq!(s.set_headcounts(&rows, t).await.unwrap(), 3);
    // Replaced by (region, unit, kind), not added.
    let again = vec![Headcount {
        headcount: 130,
        ..rows[0].clone()
    }];
    s.set_headcounts(&again, t + 1.hour()).await.unwrap();
    let got = s.headcounts(&code("33.20")).await.unwrap();
    assert_eq!(got.len(), 2, "Jepara's two units, not Kota Jambi's");
    let asn = got.iter().find(|h| h.kind == OfficialKind::Asn).unwrap();
    assert_eq!(asn.headcount, 130);
    assert_eq!(s.headcounts(&code("33.20.01")).await.unwrap().len(), 1);

    let d1 = Date::constant(2024, 10, 1);
    let d2 = Date::constant(2024, 10, 8);
    let b1 = briefing("33.20.01", d1, &["33.20.01.2002", "33.20.01.2001"]);
    let id1 = s.add_briefing(&b1).await.unwrap();
    let id2 = s
        .add_briefing(&briefing("33.20.02", d2, &[]))
        .await
        .unwrap();
    let other = s.add_briefing(&briefing("15.71", d2, &[])).await.unwrap();
    let listed = s.briefings(&code("33.20"), 10).await.unwrap();
    assert_eq!(
        listed.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![id2, id1],
        "newest first, Jepara only"
    );
    let got = &listed[1].briefing;
    assert_eq!(
        got.villages,
        vec![code("33.20.01.2001"), code("33.20.01.2002")],
        "villages in code order"
    );
    assert_eq!(
        (got.asn, got.camat, got.kepala_desa, got.perangkat_desa),
        (40, 1, 2, 3)
    );
    assert_eq!(got.held_on, d1);
    assert_eq!(got.held_by_agency, Agency::Kesbangpol);
    assert_eq!(got.unit_key, "DINAS PENDIDIKAN");
    assert_eq!(s.briefings(&code("33.20.01"), 10).await.unwrap().len(), 1);
    assert_eq!(s.briefings(&code("15"), 10).await.unwrap()[0].id, other);
    assert_eq!(s.briefings(&code("33.20"), 1).await.unwrap().len(), 1);
}

pub async fn netral_pledges_once_per_official_all_or_nothing(s: &dyn Store) {
    let jan = Date::constant(2024, 1, 10);
    let feb = Date::constant(2024, 2, 10);
    let count = s
        .add_pledges(&[
            pledge(1, Some(101), "33.20", feb),
            pledge(2, None, "33.20", jan),
            // The same official again in the same batch: kept once.
            pledge(1, None, "33.20", jan),
        ])
        .await
        .unwrap();
    assert_eq!((count.added, count.already), (2, 1));
    // Again later: already signed, the first pledge kept.
    let count = s
        .add_pledges(&[pledge(2, None, "33.20", feb), pledge(3, None, "15.71", feb)])
        .await
        .unwrap();
    assert_eq!((count.added, count.already), (1, 1));
    // A row the database refuses refuses the whole batch: official 4 is not kept either.
    let mut bad = pledge(5, None, "33.20", feb);
    bad.source = String::new();
    let err = s
        .add_pledges(&[pledge(4, None, "33.20", feb), bad])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Rejected(_)), "{err:?}");
    assert!(s.pledge_of_official(&[4; 32]).await.unwrap().is_none());
    s.add_pledges(&[pledge(4, None, "33.20", feb)])
        .await
        .unwrap();
    // Official 1 again, named by name and unit only (no NIP): the same official, already.
    let mut by_name = pledge(201, Some(101), "33.20", jan);
    by_name.identity_mac = vec![101; 32];
    by_name.number_mac = None;
    let c = s.add_pledges(&[by_name]).await.unwrap();
    assert_eq!((c.added, c.already), (0, 1));
    // Another NIP with the same name and unit hash is another person.
    let c = s
        .add_pledges(&[pledge(6, Some(101), "15.71", Date::constant(2024, 3, 1))])
        .await
        .unwrap();
    assert_eq!((c.added, c.already), (1, 0));
    let facts = s.pledge_facts(&code("33.20")).await.unwrap();
    assert_eq!(facts.len(), 3, "officials 1, 2 and 4 in Jepara");
    assert!(facts.iter().all(|f| f.unit == "DINAS PENDIDIKAN"));
    assert_eq!(s.pledge_facts(&code("15")).await.unwrap().len(), 2);

    // A case finds the pledge by either hash; the first pledge of official 2 stays January's.
    let by_number = s.pledge_of_official(&[1; 32]).await.unwrap().unwrap();
    assert_eq!(by_number.signed_on, feb);
    let by_name = s.pledge_of_official(&[101; 32]).await.unwrap().unwrap();
    assert_eq!(by_name.signed_on, feb);
    assert_eq!(by_name.kind, OfficialKind::Asn);
    let second = s.pledge_of_official(&[2; 32]).await.unwrap().unwrap();
    assert_eq!(second.signed_on, jan);
    assert!(s.pledge_of_official(&[99; 32]).await.unwrap().is_none());
}

pub async fn netral_public_facts_are_codes_only(s: &dyn Store) {
    let officer = s
        .create_user(&new_user("piket.netral", Role::PetugasPiket))
        .await
        .unwrap();
    let mut a = report("PSK-NETR-ALAA-AA1");
    a.region = code("33.20.01.2001");
    let mut b = report("PSK-NETR-ALBB-BB2");
    b.region = code("33.20.02.2001");
    b.subject_category = posko_core::report::SubjectCategory::KepalaDesa;
    let mut c = report("PSK-NETR-ALCC-CC3");
    c.region = code("15.71.01.1001");
    let received = a.received_at;
    let out = s.insert_reports(&[a, b, c]).await.unwrap();
    let (ia, ib) = (stored_id(&out[0]), stored_id(&out[1]));
    let done = drive(
        s,
        ia,
        officer.id,
        &[
            Action::StartReview,
            Action::TakeUpAsTemuan,
            Action::Examine,
            Action::Decide {
                decision: Decision::HukumLainnya,
            },
            Action::Refer { to: Agency::Bkn },
        ],
        received,
    )
    .await;
    let facts = s.public_case_facts(&code("33.20")).await.unwrap();
    assert_eq!(facts.len(), 2, "Jepara's two cases");
    let fa = facts
        .iter()
        .find(|f| f.region == code("33.20.01.2001"))
        .unwrap();
    assert_eq!(fa.state, CaseState::Diteruskan);
    assert_eq!(fa.decision, Some(Decision::HukumLainnya));
    assert_eq!(fa.referred_to, Some(Agency::Bkn));
    assert_eq!(fa.received_at, received);
    assert_eq!(fa.resolved_at, None, "referred is not resolved");
    let fb = facts
        .iter()
        .find(|f| f.region == code("33.20.02.2001"))
        .unwrap();
    assert_eq!(fb.state, CaseState::Diterima);
    // Resolved: the instant it reached `selesai`.
    let end = drive(
        s,
        ia,
        officer.id,
        &[
            Action::StartFollowUp,
            Action::RecordOutcome {
                sanction: "teguran tertulis".into(),
            },
        ],
        done,
    )
    .await;
    let facts = s.public_case_facts(&code("33.20.01")).await.unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].state, CaseState::Selesai);
    assert_eq!(facts[0].resolved_at, Some(end));
    // A merged duplicate counts once: report b merged into report a leaves the facts.
    s.merge_case(
        &event(ib, officer.id, now(), "merge_into", "diterima"),
        &event(ia, officer.id, now(), "merged_from", "selesai"),
    )
    .await
    .unwrap();
    let facts = s.public_case_facts(&code("33.20")).await.unwrap();
    assert_eq!(facts.len(), 1);
    assert_eq!(facts[0].region, code("33.20.01.2001"));
    assert_eq!(s.public_case_facts(&code("15")).await.unwrap().len(), 1);
    // Closed days later: still resolved when it reached `selesai`, not when it was closed.
    let closed = drive(s, ia, officer.id, &[Action::Close], end + 72.hours()).await;
    let facts = s.public_case_facts(&code("33.20.01")).await.unwrap();
    assert_eq!(facts[0].state, CaseState::Ditutup);
    assert!(closed > end);
    assert_eq!(facts[0].resolved_at, Some(end));
}
