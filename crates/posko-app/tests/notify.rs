//! Notifications and deadline alerts through the real app functions over a real SQLite store:
//! who is told (the officers on duty, else every post officer; the assigned officer; an
//! agency's handlers and no other agency's), alerts raised once at chosen instants before and
//! after a deadline, messages without the reporter's personal data, and webhook deliveries
//! retried with back-off and given up after the configured attempts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp, ToSpan};
use posko_app::accounts::{self, AccountRequest};
use posko_app::config::WebhookConfig;
use posko_app::intake::{self, Channel};
use posko_app::notify::{Deliveries, Event};
use posko_app::{alerts, cases, clock, Config, Posko, SecretKey};
use posko_core::case::{Action, Decision};
use posko_core::report::ReportInput;
use posko_core::{Agency, Elections, RegionCode, Role};
use posko_store::{NewShift, Notification, OutboxChannel, User};
use posko_store_sqlite::{Create, SqliteStore};

async fn app_with(config: Config) -> (tempfile::TempDir, Posko) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("p.sqlite3"), Create::Yes)
        .await
        .unwrap();
    let posko = Posko::new(
        Arc::new(store),
        Elections::new(vec![]).unwrap(),
        config,
        SecretKey::random(),
    );
    (dir, posko)
}

async fn app() -> (tempfile::TempDir, Posko) {
    app_with(Config::default()).await
}

async fn officer(p: &Posko, name: &str, role: Role, agency: Agency) -> User {
    accounts::add_user(
        p.store.as_ref(),
        AccountRequest {
            username: name.into(),
            display_name: name.into(),
            password: "kata-sandi-panjang".into(),
            role,
            agency: Some(agency),
            region: Some(RegionCode::parse("33.20").unwrap()),
        },
    )
    .await
    .unwrap()
}

/// The post: an admin, two duty officers, Propam's and BKN's handlers.
struct Post {
    admin: User,
    piket1: User,
    piket2: User,
    propam: User,
    bkn: User,
}

async fn post(p: &Posko) -> Post {
    Post {
        admin: officer(p, "admin.posko", Role::Admin, Agency::Bawaslu).await,
        piket1: officer(p, "piket.satu", Role::PetugasPiket, Agency::Bawaslu).await,
        piket2: officer(p, "piket.dua", Role::PetugasPiket, Agency::Kpu).await,
        propam: officer(p, "penindak.propam", Role::Penindak, Agency::Propam).await,
        bkn: officer(p, "penindak.bkn", Role::Penindak, Agency::Bkn).await,
    }
}

const REPORTER: &str = "Siti Aminah";
const NIK: &str = "3320014507900001";

fn police_report() -> ReportInput {
    let today = jiff::Zoned::now().date().to_string();
    ReportInput {
        subject_category: "polri".into(),
        subject_name: "Brigadir X".into(),
        violation: "aparat_politik_praktis".into(),
        description: "Mengarahkan warga memilih pasangan calon tertentu di pos ronda.".into(),
        region: "33.20.01.2001".into(),
        happened_on: today.clone(),
        learned_on: today,
        reporter_name: REPORTER.into(),
        reporter_address: "Jl. Kartini 1".into(),
        reporter_nik: NIK.into(),
        reporter_phone: "081234567890".into(),
        ..ReportInput::default()
    }
}

/// Submits a report; its id and tracking code.
async fn submit(p: &Posko) -> (i64, String) {
    let receipt = intake::submit(
        &p.intake_context(),
        &police_report(),
        &[],
        Channel::Web,
        None,
    )
    .await
    .unwrap();
    let id = p
        .store
        .list_reports(100)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.tracking_code == receipt.tracking_code)
        .unwrap()
        .id;
    (id, receipt.tracking_code)
}

async fn of_kind(p: &Posko, u: &User, kind: &str) -> Vec<Notification> {
    p.store
        .notifications(u.id, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.kind == kind)
        .collect()
}

/// Waits (up to 5 s) until `u` has `n` notifications of `kind`: new-report notices are
/// recorded by a task of the intake writer, just after the reporter's receipt.
async fn wait_for(p: &Posko, u: &User, kind: &str, n: usize) -> Vec<Notification> {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let got = of_kind(p, u, kind).await;
        if got.len() >= n || std::time::Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn assert_no_personal_data(n: &Notification) {
    for text in [&n.message_id, &n.message_en] {
        assert!(!text.contains("Siti"), "{text}");
        assert!(!text.contains(NIK), "{text}");
        assert!(!text.contains("0812"), "{text}");
    }
}

#[tokio::test]
async fn new_reports_go_to_the_officers_on_duty_or_every_post_officer() {
    let (_dir, p) = app().await;
    let s = post(&p).await;

    // Nobody on duty: every active admin, koordinator and petugas piket is told.
    let (first, code) = submit(&p).await;
    let got = wait_for(&p, &s.piket2, "laporan_baru", 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].report_id, Some(first));
    assert!(got[0].message_id.contains(&code), "{}", got[0].message_id);
    assert!(got[0].message_en.contains(&code));
    assert_no_personal_data(&got[0]);
    for u in [&s.admin, &s.piket1] {
        assert_eq!(wait_for(&p, u, "laporan_baru", 1).await.len(), 1);
    }
    for u in [&s.propam, &s.bkn] {
        assert!(
            of_kind(&p, u, "laporan_baru").await.is_empty(),
            "handlers are not the post"
        );
    }

    // piket.satu is on duty now: only they are told of the next one.
    let now = Timestamp::now();
    p.store
        .add_shift(&NewShift {
            agency: Agency::Bawaslu,
            user_id: s.piket1.id,
            starts_at: now - 1.hour(),
            ends_at: now + 1.hour(),
            created_by: s.admin.id,
            created_at: now,
        })
        .await
        .unwrap();
    let (second, _) = submit(&p).await;
    let got = wait_for(&p, &s.piket1, "laporan_baru", 2).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].report_id, Some(second), "newest first");
    // One report's notices are recorded in one transaction: piket.satu's being there, any
    // other officer's would be too.
    assert_eq!(of_kind(&p, &s.piket2, "laporan_baru").await.len(), 1);
    assert_eq!(of_kind(&p, &s.admin, "laporan_baru").await.len(), 1);
    assert_eq!(p.store.unread_notifications(s.piket1.id).await.unwrap(), 2);
}

#[tokio::test]
async fn a_referral_reaches_only_the_competent_agency_and_its_outcome_returns() {
    let (_dir, p) = app().await;
    let s = post(&p).await;
    // Propam of another regency: same agency, another region.
    let propam_jambi = accounts::add_user(
        p.store.as_ref(),
        AccountRequest {
            username: "penindak.propam.jambi".into(),
            display_name: "Propam Jambi".into(),
            password: "kata-sandi-panjang".into(),
            role: Role::Penindak,
            agency: Some(Agency::Propam),
            region: Some(RegionCode::parse("15.71").unwrap()),
        },
    )
    .await
    .unwrap();
    let (id, code) = submit(&p).await;
    cases::assign(p.store.as_ref(), &s.admin, id, Some(s.piket2.id))
        .await
        .unwrap();
    for action in [
        Action::StartReview,
        Action::Register,
        Action::Examine,
        Action::Decide {
            decision: Decision::HukumLainnya,
        },
    ] {
        cases::act(p.store.as_ref(), &s.admin, id, action)
            .await
            .unwrap();
    }
    assert!(
        of_kind(&p, &s.propam, "kasus_dirujuk").await.is_empty(),
        "not before referral"
    );
    // The officer asks for BKN; the law names Propam for a police officer, and Propam is told.
    cases::act(
        p.store.as_ref(),
        &s.admin,
        id,
        Action::Refer { to: Agency::Bkn },
    )
    .await
    .unwrap();
    let got = of_kind(&p, &s.propam, "kasus_dirujuk").await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].report_id, Some(id));
    assert!(got[0].message_id.contains(&code) && got[0].message_id.contains("Propam"));
    assert_no_personal_data(&got[0]);
    assert!(
        p.store
            .notifications(s.bkn.id, 100)
            .await
            .unwrap()
            .is_empty(),
        "another agency's handler receives nothing"
    );
    assert!(
        of_kind(&p, &propam_jambi, "kasus_dirujuk").await.is_empty(),
        "nor the same agency's handler of another region, who could not open the case"
    );

    // Propam records its outcome: the assigned officer is told, not the rest of the post.
    cases::act(p.store.as_ref(), &s.propam, id, Action::StartFollowUp)
        .await
        .unwrap();
    cases::act(
        p.store.as_ref(),
        &s.propam,
        id,
        Action::RecordOutcome {
            sanction: "Teguran tertulis".into(),
        },
    )
    .await
    .unwrap();
    let back = of_kind(&p, &s.piket2, "hasil_tindak_lanjut").await;
    assert_eq!(back.len(), 1);
    assert!(back[0].message_en.contains(&code));
    assert_no_personal_data(&back[0]);
    for u in [&s.admin, &s.piket1, &s.propam, &s.bkn] {
        assert!(of_kind(&p, u, "hasil_tindak_lanjut").await.is_empty());
    }
    assert!(p
        .store
        .notifications(s.bkn.id, 100)
        .await
        .unwrap()
        .is_empty());

    // The partner systems' events are queued, without personal data.
    let outbox = p.store.outbox_entries(100).await.unwrap();
    let events: Vec<&str> = outbox.iter().map(|o| o.payload.as_str()).collect();
    assert!(
        events.iter().any(|e| e.contains("\"kasus_dirujuk\"")),
        "{events:?}"
    );
    assert!(events.iter().any(|e| e.contains("\"hasil_tindak_lanjut\"")));
    for e in &events {
        assert!(!e.contains("Siti") && !e.contains(NIK), "{e}");
    }
}

#[tokio::test]
async fn deadline_alerts_are_raised_once_before_and_once_when_missed() {
    let (_dir, p) = app().await;
    let s = post(&p).await;
    let (id, code) = submit(&p).await;
    let (other, _) = submit(&p).await;
    cases::assign(p.store.as_ref(), &s.admin, id, Some(s.piket1.id))
        .await
        .unwrap();
    cases::act(p.store.as_ref(), &s.admin, id, Action::StartReview)
        .await
        .unwrap();
    let stored = p.store.case_of(id).await.unwrap().unwrap();
    let deadline = clock::case_clock(&p, &stored).unwrap().deadline;
    let other_deadline = clock::case_clock(&p, &p.store.case_of(other).await.unwrap().unwrap())
        .unwrap()
        .deadline;

    // 25 hours before: nothing yet.
    let r = alerts::scan(&p, deadline - SignedDuration::from_hours(25))
        .await
        .unwrap();
    assert_eq!((r.near, r.missed), (0, 0));
    assert!(of_kind(&p, &s.piket1, "tenggat_dekat").await.is_empty());

    // 23 hours before: the assigned officer is told once, however often the scan runs.
    let at = deadline - SignedDuration::from_hours(23);
    let r = alerts::scan(&p, at).await.unwrap();
    assert!(r.near >= 1);
    alerts::scan(&p, at + 10.minutes()).await.unwrap();
    alerts::scan(&p, at + 20.minutes()).await.unwrap();
    let near = of_kind(&p, &s.piket1, "tenggat_dekat").await;
    let mine: Vec<_> = near.iter().filter(|n| n.report_id == Some(id)).collect();
    assert_eq!(mine.len(), 1, "{near:?}");
    assert!(mine[0].message_id.contains(&code) && mine[0].message_id.contains("24 jam"));
    assert!(mine[0].message_en.contains("kajian") || mine[0].message_en.contains("initial review"));
    assert_no_personal_data(mine[0]);
    // Not to the rest of the post: the case has its officer.
    for u in [&s.admin, &s.piket2] {
        assert!(of_kind(&p, u, "tenggat_dekat")
            .await
            .iter()
            .all(|n| n.report_id != Some(id)));
    }

    // Missed: told once more, once.
    let after = deadline + 1.minute();
    let r = alerts::scan(&p, after).await.unwrap();
    assert!(r.missed >= 1);
    let r = alerts::scan(&p, after + 1.hour()).await.unwrap();
    assert_eq!(r.missed, 0, "raised once");
    let missed = of_kind(&p, &s.piket1, "tenggat_terlewat").await;
    assert_eq!(missed.iter().filter(|n| n.report_id == Some(id)).count(), 1);

    // The unassigned case alerts the officers on duty — nobody is, so every post officer —
    // and never a handler.
    alerts::scan(&p, other_deadline - SignedDuration::from_hours(1))
        .await
        .unwrap();
    for u in [&s.admin, &s.piket1, &s.piket2] {
        let got = of_kind(&p, u, "tenggat_dekat").await;
        let got2 = of_kind(&p, u, "tenggat_terlewat").await;
        assert!(
            got.iter()
                .chain(got2.iter())
                .any(|n| n.report_id == Some(other)),
            "{} was not told",
            u.username
        );
    }
    for u in [&s.propam, &s.bkn] {
        assert!(p.store.notifications(u.id, 100).await.unwrap().is_empty());
    }

    // A closed case raises nothing.
    let before = p.store.outbox_entries(1_000).await.unwrap().len();
    cases::act(
        p.store.as_ref(),
        &s.admin,
        id,
        Action::RejectRegistration {
            reason: "Daluwarsa".into(),
        },
    )
    .await
    .unwrap();
    alerts::scan(&p, deadline + SignedDuration::from_hours(24 * 30))
        .await
        .unwrap();
    let all = p.store.outbox_entries(1_000).await.unwrap();
    let fresh = &all[..all.len() - before];
    assert!(
        fresh
            .iter()
            .all(|o| !o.payload.contains(&format!("\"report_id\":{id},"))),
        "{fresh:?}"
    );
}

/// A webhook receiver that answers `status` and counts calls.
async fn receiver(status: u16) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits)
}

#[tokio::test]
async fn webhook_failures_back_off_then_give_up_and_filters_apply() {
    let (failing, failing_hits) = receiver(500).await;
    let (ok, ok_hits) = receiver(204).await;
    let (_dir, p) = app_with(Config {
        delivery_max_attempts: 3,
        webhook: vec![
            WebhookConfig {
                url: failing.clone(),
                secret: "rahasia-bersama-16-karakter".into(),
                events: vec!["kasus_dirujuk".into()],
            },
            WebhookConfig {
                url: ok.clone(),
                secret: "rahasia-lain-16-karakter".into(),
                events: Vec::new(),
            },
        ],
        ..Config::default()
    })
    .await;
    let s = post(&p).await;
    let (id, code) = submit(&p).await;
    wait_for(&p, &s.admin, "laporan_baru", 1).await;
    for action in [
        Action::StartReview,
        Action::Register,
        Action::Examine,
        Action::Decide {
            decision: Decision::HukumLainnya,
        },
        Action::Refer { to: Agency::Propam },
    ] {
        cases::act(p.store.as_ref(), &s.admin, id, action)
            .await
            .unwrap();
    }
    let worker = Deliveries::new(p.store.clone(), &p.config).unwrap();
    let t0 = Timestamp::now();
    // Fan out both events, then send: the "all events" webhook gets both, the filtered one only
    // the referral.
    let mut passes = 0;
    while worker.pass(t0).await.unwrap() != Default::default() {
        passes += 1;
        assert!(passes < 10);
    }
    assert_eq!(ok_hits.load(Ordering::SeqCst), 2);
    assert_eq!(failing_hits.load(Ordering::SeqCst), 1);
    let rows = p.store.outbox_entries(100).await.unwrap();
    let to_failing: Vec<_> = rows
        .iter()
        .filter(|o| o.channel == OutboxChannel::Webhook && o.target == failing)
        .collect();
    assert_eq!(to_failing.len(), 1);
    let body: Event = serde_json::from_str(&to_failing[0].payload).unwrap();
    assert_eq!(body.event, "kasus_dirujuk");
    assert_eq!(body.case.as_ref().unwrap().tracking_code, code);
    assert_eq!(
        body.case.as_ref().unwrap().agency.as_deref(),
        Some("propam")
    );
    let failed = to_failing[0];
    assert_eq!(failed.attempts, 1);
    assert!(failed.last_error.as_deref().unwrap().contains("HTTP 500"));
    assert!(
        !failed.last_error.as_deref().unwrap().contains("/hook"),
        "no path in errors"
    );
    let retry_at = failed.next_attempt_at.unwrap();
    assert!(retry_at >= t0 + SignedDuration::from_secs(29), "backs off");

    // Not before its time; then twice more, and given up after the third attempt.
    worker
        .pass(t0 + SignedDuration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        failing_hits.load(Ordering::SeqCst),
        1,
        "not before its time"
    );
    let mut at = retry_at;
    for expected in [2, 3] {
        worker.pass(at).await.unwrap();
        assert_eq!(failing_hits.load(Ordering::SeqCst), expected);
        let row = p
            .store
            .outbox_entries(100)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.id == failed.id)
            .unwrap();
        match row.next_attempt_at {
            Some(next) => at = next,
            None => assert_eq!(expected, 3, "given up only after the last attempt"),
        }
    }
    worker
        .pass(at + SignedDuration::from_hours(10))
        .await
        .unwrap();
    assert_eq!(failing_hits.load(Ordering::SeqCst), 3, "given up");
    let row = p
        .store
        .outbox_entries(100)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.id == failed.id)
        .unwrap();
    assert_eq!(
        (row.delivered_at, row.next_attempt_at, row.attempts),
        (None, None, 3)
    );
    assert_eq!(
        ok_hits.load(Ordering::SeqCst),
        2,
        "delivered ones are not sent again"
    );
}
