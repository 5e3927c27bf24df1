//! The conformance checks for rakor meetings and follow-up actions: a meeting round-trips whole
//! (agenda in order, attendance per agency), decisions are numbered 1, 2, … per meeting even when
//! added at once, actions hang only on an existing decision, lists narrow by region, agency,
//! meeting and open state, and a move applies once (compare-and-set on the state) with its history.
//! A back end's test crate calls [`rakor_conformance_suite!`](crate::rakor_conformance_suite) with
//! the same `fresh` function it gives [`conformance_suite!`](crate::conformance_suite).
//!
//! This is test code that lives in a library so both back ends can run it: it may unwrap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use jiff::{Timestamp, ToSpan};
use posko_core::rakor::{ActionState, Attendance};
use posko_core::{Agency, RegionCode, Role};

use crate::{FollowUpFilter, FollowUpMove, NewFollowUp, NewMeeting, NewUser, Store, StoreError};

/// Expands to one `#[tokio::test]` per rakor check.
#[macro_export]
macro_rules! rakor_conformance_suite {
    ($fresh:path) => {
        $crate::rakor_conformance_suite!(@each $fresh;
            rakor_meetings_round_trip_with_numbered_decisions,
            rakor_follow_ups_narrow_and_move_once
        );
    };
    (@each $fresh:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let Some(fixture) = $fresh().await else { return };
                $crate::conformance_rakor::$name(fixture.store).await;
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

fn meeting(region: &str, at: Timestamp) -> NewMeeting {
    NewMeeting {
        region: code(region),
        held_at: at,
        place: "Pendopo".into(),
        chair: "Pj Bupati".into(),
        agenda: vec![
            "Logistik".into(),
            "Netralitas ASN".into(),
            "Keamanan".into(),
        ],
        attendance: vec![
            Attendance {
                agency: Agency::Polri,
                representative: "AKBP Contoh".into(),
                position: "Kapolres".into(),
            },
            Attendance {
                agency: Agency::Kpu,
                representative: "Ketua Contoh".into(),
                position: "Ketua KPU Kabupaten".into(),
            },
        ],
        created_by: None,
        created_at: at,
    }
}

pub async fn rakor_meetings_round_trip_with_numbered_decisions(s: Box<dyn Store>) {
    let s: Arc<dyn Store> = Arc::from(s);
    let t = now();
    let m = meeting("33.20", t);
    let id = s.create_meeting(&m).await.unwrap();
    let other = s
        .create_meeting(&meeting("15.71", t + 1.hour()))
        .await
        .unwrap();
    let got = s.meeting(id).await.unwrap().unwrap();
    assert_eq!(got.region, m.region);
    assert_eq!(got.held_at, t);
    assert_eq!(got.agenda, m.agenda, "agenda in order");
    assert_eq!(got.attendance.len(), 2);
    assert!(got
        .attendance
        .iter()
        .any(|a| a.agency == Agency::Polri && a.position == "Kapolres"));
    assert!(s.meeting(id + other + 100).await.unwrap().is_none());
    // Lists narrow by region: Jepara's meeting from Jawa Tengah, not from Jambi.
    let central_java = s.meetings(&code("33"), 10).await.unwrap();
    assert_eq!(
        central_java.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![id]
    );
    assert_eq!(s.meetings(&code("15"), 10).await.unwrap()[0].id, other);
    assert!(s.meetings(&code("33.20.01"), 10).await.unwrap().is_empty());
    // Numbered 1, 2, … per meeting, each number once even when added at once.
    assert_eq!(s.add_decision(id, "Pertama", t).await.unwrap(), 1);
    assert_eq!(s.add_decision(other, "Lain", t).await.unwrap(), 1);
    let add = |i: u32| {
        let s = s.clone();
        async move {
            s.add_decision(id, &format!("Keputusan {i}"), now())
                .await
                .unwrap()
        }
    };
    let (a, b, c, d) = tokio::join!(add(1), add(2), add(3), add(4));
    let mut numbers = vec![a, b, c, d];
    numbers.sort_unstable();
    assert_eq!(numbers, vec![2, 3, 4, 5]);
    let got = s.meeting(id).await.unwrap().unwrap();
    assert_eq!(got.decisions.len(), 5);
    assert_eq!(got.decisions[0].text, "Pertama");
    assert!(matches!(
        s.add_decision(id + other + 100, "x", t).await,
        Err(StoreError::NotFound(_))
    ));
    let listed = &s.meetings(&code("33.20"), 10).await.unwrap()[0];
    assert_eq!((listed.decisions, listed.actions), (5, 0));
}

pub async fn rakor_follow_ups_narrow_and_move_once(s: Box<dyn Store>) {
    let s: Arc<dyn Store> = Arc::from(s);
    let t = now();
    let officer = s
        .create_user(&NewUser {
            username: "penindak.polri".into(),
            display_name: "Penindak Polri".into(),
            password_hash: "$argon2id$test".into(),
            role: Role::Penindak,
            agency: Some(Agency::Polri),
            region: Some(code("33.20")),
            created_at: t,
        })
        .await
        .unwrap()
        .id;
    let jepara = s.create_meeting(&meeting("33.20", t)).await.unwrap();
    let jambi = s.create_meeting(&meeting("15.71", t)).await.unwrap();
    for m in [jepara, jambi] {
        s.add_decision(m, "Amankan gudang logistik", t)
            .await
            .unwrap();
    }
    let due = jiff::civil::date(2024, 2, 10);
    let new = |meeting_id, agency, description: &str| NewFollowUp {
        meeting_id,
        decision: 1,
        agency,
        description: description.into(),
        due,
        created_by: Some(officer),
        created_at: t,
    };
    let polri = s
        .add_follow_up(&new(jepara, Agency::Polri, "Patroli gudang"))
        .await
        .unwrap();
    let kpu = s
        .add_follow_up(&new(jepara, Agency::Kpu, "Segel gudang"))
        .await
        .unwrap();
    let polri_jambi = s
        .add_follow_up(&new(jambi, Agency::Polri, "Patroli Jambi"))
        .await
        .unwrap();
    // Only under an existing decision.
    let mut bad = new(jepara, Agency::Tni, "Tanpa keputusan");
    bad.decision = 7;
    assert!(matches!(
        s.add_follow_up(&bad).await,
        Err(StoreError::NotFound(_))
    ));
    let got = s.follow_up(polri).await.unwrap().unwrap();
    assert_eq!(
        (got.state, got.due, got.region, got.agency, got.decision),
        (ActionState::Terbuka, due, code("33.20"), Agency::Polri, 1)
    );
    assert_eq!(got.closed_at, None);
    let ids = |f: FollowUpFilter| {
        let s = s.clone();
        async move {
            s.follow_ups(&f)
                .await
                .unwrap()
                .iter()
                .map(|a| a.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        ids(FollowUpFilter {
            within: Some(code("33.20")),
            agency: Some(Agency::Polri),
            ..FollowUpFilter::default()
        })
        .await,
        vec![polri],
        "an agency sees only its own, in its region"
    );
    assert_eq!(
        ids(FollowUpFilter {
            agency: Some(Agency::Polri),
            ..FollowUpFilter::default()
        })
        .await,
        vec![polri, polri_jambi]
    );
    assert_eq!(
        ids(FollowUpFilter {
            meeting: Some(jepara),
            ..FollowUpFilter::default()
        })
        .await,
        vec![polri, kpu]
    );
    // A move applies once: the second claimant of the same state loses.
    let mv = |from, to, note: &str| FollowUpMove {
        action_id: polri,
        from,
        to,
        note: note.into(),
        by: Some(officer),
        at: t + 1.hour(),
    };
    assert!(s
        .move_follow_up(&mv(ActionState::Terbuka, ActionState::Dikerjakan, "Mulai"))
        .await
        .unwrap());
    assert!(!s
        .move_follow_up(&mv(ActionState::Terbuka, ActionState::Dikerjakan, "Lagi"))
        .await
        .unwrap());
    let mut done = mv(
        ActionState::Dikerjakan,
        ActionState::Selesai,
        "Patroli rutin jalan",
    );
    done.at = t + 2.hours();
    assert!(s.move_follow_up(&done).await.unwrap());
    let got = s.follow_up(polri).await.unwrap().unwrap();
    assert_eq!(got.state, ActionState::Selesai);
    assert_eq!(got.closed_at, Some(t + 2.hours()));
    let events = s.follow_up_events(polri).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[0].from, events[0].to, events[0].note.as_str()),
        (ActionState::Terbuka, ActionState::Dikerjakan, "Mulai")
    );
    assert_eq!(events[1].by_name.as_deref(), Some("Penindak Polri"));
    assert_eq!(events[1].at, t + 2.hours());
    assert_eq!(
        ids(FollowUpFilter {
            within: Some(code("33")),
            open_only: true,
            ..FollowUpFilter::default()
        })
        .await,
        vec![kpu]
    );
    let listed = &s.meetings(&code("33.20"), 10).await.unwrap()[0];
    assert_eq!((listed.actions, listed.open_actions), (2, 1));
    assert!(s.follow_up_events(kpu).await.unwrap().is_empty());
}
