//! The conformance checks for notifications: in-app rows per officer (unread first, marked read
//! only by their owner), alert keys raised once even when raised at once, and the outbox —
//! claimed under a lease, retried, given up, fanned out once, and never handed to two claimers.
//! A back end's test crate calls [`notify_conformance_suite!`](crate::notify_conformance_suite)
//! with the same `fresh` function it gives [`conformance_suite!`](crate::conformance_suite).
//!
//! This is test code that lives in a library so both back ends can run it: it may unwrap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use jiff::{Timestamp, ToSpan};
use posko_core::report::{ReportKind, SubjectCategory};
use posko_core::{RegionCode, Role};

use crate::{
    InsertOutcome, NewNotice, NewNotification, NewOutbox, NewReport, NewUser, OutboxChannel, Store,
};

/// Expands to one `#[tokio::test]` per notification check.
#[macro_export]
macro_rules! notify_conformance_suite {
    ($fresh:path) => {
        $crate::notify_conformance_suite!(@each $fresh;
            notifications_are_per_officer_unread_first,
            alert_keys_are_raised_once,
            notices_raised_together_keep_their_keys_and_are_all_or_none,
            outbox_rows_are_leased_retried_and_given_up,
            events_fan_out_once,
            concurrent_claimers_never_share_a_row,
            officers_email_addresses_round_trip
        );
    };
    (@each $fresh:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let Some(fixture) = $fresh().await else { return };
                $crate::conformance_notify::$name(fixture.store.as_ref()).await;
                drop(fixture);
            }
        )*
    };
}

fn now() -> Timestamp {
    Timestamp::from_second(Timestamp::now().as_second()).unwrap_or(Timestamp::UNIX_EPOCH)
}

async fn officer(store: &dyn Store, username: &str) -> i64 {
    store
        .create_user(&NewUser {
            username: username.into(),
            display_name: username.into(),
            password_hash: "$argon2id$test".into(),
            role: Role::PetugasPiket,
            agency: Some(posko_core::Agency::Bawaslu),
            region: None,
            created_at: now(),
        })
        .await
        .unwrap()
        .id
}

async fn report(store: &dyn Store, code: &str) -> i64 {
    let r = NewReport {
        tracking_code: code.into(),
        election: "pemilu-2024".into(),
        kind: ReportKind::InformasiAwal,
        channel: "web".into(),
        client_id: None,
        idempotency_key: None,
        subject_category: SubjectCategory::Asn,
        subject_name: "Budi".into(),
        subject_position: "Camat".into(),
        subject_unit: "Kecamatan Jepara".into(),
        subject_mac: None,
        violation: "asn_media_sosial".into(),
        description: "Membagikan unggahan kampanye.".into(),
        region: RegionCode::parse("33.20.01.2001").unwrap(),
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

fn note(user_id: i64, report_id: Option<i64>, text: &str) -> NewNotification {
    NewNotification {
        user_id,
        report_id,
        kind: "kasus_dirujuk".into(),
        message_id: format!("{text} (id)"),
        message_en: format!("{text} (en)"),
    }
}

fn delivery(channel: OutboxChannel, target: &str, n: usize) -> NewOutbox {
    NewOutbox {
        channel,
        target: target.into(),
        payload: format!("{{\"n\":{n}}}"),
    }
}

fn notice(key: Option<&str>, at: Timestamp, notifications: Vec<NewNotification>) -> NewNotice {
    NewNotice {
        dedupe_key: key.map(str::to_string),
        at,
        notifications,
        outbox: Vec::new(),
    }
}

pub async fn notifications_are_per_officer_unread_first(store: &dyn Store) {
    let a = officer(store, "piket.a").await;
    let b = officer(store, "piket.b").await;
    let rep = report(store, "PSK-NTF1-0000-001").await;
    let t0 = now();
    for (i, text) in ["pertama", "kedua", "ketiga"].iter().enumerate() {
        let at = t0 + (i as i64).minutes();
        assert!(store
            .raise_notice(&notice(None, at, vec![note(a, Some(rep), text)]))
            .await
            .unwrap());
    }
    store
        .raise_notice(&notice(None, t0, vec![note(b, None, "untuk b")]))
        .await
        .unwrap();
    let mine = store.notifications(a, 10).await.unwrap();
    assert_eq!(mine.len(), 3, "only a's own");
    assert_eq!(mine[0].message_id, "ketiga (id)", "newest first");
    assert_eq!(mine[0].message_en, "ketiga (en)");
    assert_eq!(mine[0].report_id, Some(rep));
    assert_eq!(mine[0].kind, "kasus_dirujuk");
    assert_eq!(mine[0].created_at, t0 + 2.minutes());
    assert_eq!(mine[0].read_at, None);
    assert_eq!(store.unread_notifications(a).await.unwrap(), 3);

    // b cannot mark a's notification read; a can.
    let newest = mine[0].id;
    assert_eq!(
        store
            .mark_notifications_read(b, Some(newest), t0)
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.unread_notifications(a).await.unwrap(), 3);
    let read_at = t0 + 5.minutes();
    assert_eq!(
        store
            .mark_notifications_read(a, Some(newest), read_at)
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.unread_notifications(a).await.unwrap(), 2);
    let mine = store.notifications(a, 10).await.unwrap();
    assert_eq!(
        mine.iter()
            .map(|n| n.message_id.as_str())
            .collect::<Vec<_>>(),
        ["kedua (id)", "pertama (id)", "ketiga (id)"],
        "unread first, then read"
    );
    assert_eq!(mine[2].read_at, Some(read_at));
    assert_eq!(store.notifications(a, 1).await.unwrap().len(), 1, "limit");

    // Marking all read touches only a's, and only those unread.
    assert_eq!(
        store
            .mark_notifications_read(a, None, read_at)
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.unread_notifications(a).await.unwrap(), 0);
    assert_eq!(store.unread_notifications(b).await.unwrap(), 1);
}

pub async fn alert_keys_are_raised_once(store: &dyn Store) {
    let a = officer(store, "piket.a").await;
    let t = now();
    let key = "tenggat-24j:7:kajian_awal:1705425600";
    let raise = || {
        let mut n = notice(Some(key), t, vec![note(a, None, "tenggat")]);
        n.outbox = vec![delivery(OutboxChannel::Event, "", 0)];
        n
    };
    let (n1, n2, n3, n4) = (raise(), raise(), raise(), raise());
    // Raised at once (as several app servers scanning together would): exactly one records.
    let (r1, r2, r3, r4) = tokio::join!(
        store.raise_notice(&n1),
        store.raise_notice(&n2),
        store.raise_notice(&n3),
        store.raise_notice(&n4),
    );
    let raised = [r1.unwrap(), r2.unwrap(), r3.unwrap(), r4.unwrap()];
    assert_eq!(raised.iter().filter(|r| **r).count(), 1, "{raised:?}");
    assert!(!store.raise_notice(&raise()).await.unwrap(), "and later");
    assert_eq!(store.notifications(a, 10).await.unwrap().len(), 1);
    assert_eq!(store.outbox_entries(10).await.unwrap().len(), 1);
    // Another key is another alert; no key is never deduplicated.
    assert!(store
        .raise_notice(&notice(
            Some("tenggat-lewat:7:kajian_awal:1705425600"),
            t,
            vec![note(a, None, "lewat")]
        ))
        .await
        .unwrap());
    for _ in 0..2 {
        assert!(store
            .raise_notice(&notice(None, t, vec![note(a, None, "biasa")]))
            .await
            .unwrap());
    }
    assert_eq!(store.notifications(a, 10).await.unwrap().len(), 4);

    // A notice is all or none: a bad row leaves its key unraised and nothing behind.
    let mut bad = notice(Some("kunci-buruk"), t, vec![note(a, None, "ok")]);
    bad.notifications.push(note(a, None, &"x".repeat(2_000)));
    assert!(store.raise_notice(&bad).await.is_err());
    assert_eq!(store.notifications(a, 10).await.unwrap().len(), 4);
    assert!(store
        .raise_notice(&notice(Some("kunci-buruk"), t, vec![note(a, None, "ok")]))
        .await
        .unwrap());
}

pub async fn notices_raised_together_keep_their_keys_and_are_all_or_none(store: &dyn Store) {
    let a = officer(store, "piket.a").await;
    let b = officer(store, "piket.b").await;
    let t = now();
    assert!(store
        .raise_notice(&notice(Some("kunci-lama"), t, vec![note(a, None, "lama")]))
        .await
        .unwrap());
    let mut fresh = notice(
        Some("kunci-baru"),
        t,
        vec![note(a, None, "baru"), note(b, None, "baru")],
    );
    fresh.outbox = vec![delivery(OutboxChannel::Event, "", 1)];
    let batch = [
        fresh.clone(),
        notice(Some("kunci-lama"), t, vec![note(a, None, "lama lagi")]),
        // The same key twice in one call: only the first records.
        fresh,
        notice(None, t, vec![note(b, None, "tanpa kunci")]),
    ];
    assert_eq!(
        store.raise_notices(&batch).await.unwrap(),
        [true, false, false, true]
    );
    let texts = |n: Vec<crate::Notification>| {
        let mut t: Vec<String> = n.into_iter().map(|n| n.message_id).collect();
        t.sort();
        t
    };
    assert_eq!(
        texts(store.notifications(a, 10).await.unwrap()),
        ["baru (id)", "lama (id)"]
    );
    assert_eq!(
        texts(store.notifications(b, 10).await.unwrap()),
        ["baru (id)", "tanpa kunci (id)"]
    );
    assert_eq!(store.outbox_entries(10).await.unwrap().len(), 1);
    assert!(store.raise_notices(&[]).await.unwrap().is_empty());

    // One bad notice refuses the call whole: no key raised, nothing written.
    let mut bad = notice(None, t, vec![note(a, None, "ok")]);
    bad.notifications.push(note(a, None, &"x".repeat(2_000)));
    let good = notice(Some("kunci-sesudah"), t, vec![note(b, None, "sesudah")]);
    assert!(store.raise_notices(&[good.clone(), bad]).await.is_err());
    assert_eq!(store.notifications(b, 10).await.unwrap().len(), 2);
    assert_eq!(store.raise_notices(&[good]).await.unwrap(), [true]);
}

pub async fn outbox_rows_are_leased_retried_and_given_up(store: &dyn Store) {
    let t = now();
    let mut n = notice(None, t, Vec::new());
    n.outbox = vec![
        delivery(OutboxChannel::Webhook, "https://mitra.example/hook", 1),
        delivery(OutboxChannel::Email, "piket@bawaslu.example", 2),
        delivery(OutboxChannel::Webhook, "https://mitra.example/hook", 3),
    ];
    assert!(store.raise_notice(&n).await.unwrap());
    assert!(
        store
            .claim_outbox(t - 1.second(), t + 5.minutes(), 10)
            .await
            .unwrap()
            .is_empty(),
        "not due before it was made"
    );
    let lease = t + 5.minutes();
    let got = store.claim_outbox(t, lease, 2).await.unwrap();
    assert_eq!(got.len(), 2, "limit");
    assert_eq!(got[0].channel, OutboxChannel::Webhook);
    assert_eq!(got[0].target, "https://mitra.example/hook");
    assert_eq!(got[0].payload, "{\"n\":1}");
    assert_eq!(got[0].created_at, t);
    assert_eq!(got[0].attempts, 1);
    assert_eq!(got[0].next_attempt_at, Some(lease));
    assert_eq!(got[1].channel, OutboxChannel::Email);
    let rest = store.claim_outbox(t, lease, 10).await.unwrap();
    assert_eq!(rest.len(), 1, "leased rows are not handed out again");
    assert_eq!(rest[0].payload, "{\"n\":3}");
    assert!(store.claim_outbox(t, lease, 10).await.unwrap().is_empty());

    // Delivered: never again. Failed with a retry: due then. Given up: never again.
    store
        .outbox_delivered(got[0].id, t + 1.second())
        .await
        .unwrap();
    store
        .outbox_failed(got[1].id, "550 mailbox unavailable", Some(t + 1.minute()))
        .await
        .unwrap();
    store
        .outbox_failed(rest[0].id, "HTTP 500", None)
        .await
        .unwrap();
    let retry = store
        .claim_outbox(t + 1.minute(), t + 10.minutes(), 10)
        .await
        .unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].id, got[1].id);
    assert_eq!(retry[0].attempts, 2);
    assert_eq!(
        retry[0].last_error.as_deref(),
        Some("550 mailbox unavailable")
    );
    // A lease that ran out (a worker that died) makes the row due again.
    let again = store
        .claim_outbox(t + 10.minutes(), t + 20.minutes(), 10)
        .await
        .unwrap();
    assert_eq!(again.iter().map(|i| i.id).collect::<Vec<_>>(), [got[1].id]);
    assert_eq!(again[0].attempts, 3);
    assert!(store
        .claim_outbox(t + 1.hour(), t + 2.hours(), 10)
        .await
        .unwrap()
        .iter()
        .all(|i| i.id == got[1].id));

    let all = store.outbox_entries(10).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].id, rest[0].id, "newest first");
    let delivered = all.iter().find(|i| i.id == got[0].id).unwrap();
    assert_eq!(delivered.delivered_at, Some(t + 1.second()));
    assert_eq!(delivered.next_attempt_at, None);
    let gave_up = all.iter().find(|i| i.id == rest[0].id).unwrap();
    assert_eq!(
        (gave_up.delivered_at, gave_up.next_attempt_at),
        (None, None)
    );
    assert_eq!(gave_up.last_error.as_deref(), Some("HTTP 500"));
}

pub async fn events_fan_out_once(store: &dyn Store) {
    let t = now();
    let mut n = notice(None, t, Vec::new());
    n.outbox = vec![delivery(OutboxChannel::Event, "", 0)];
    store.raise_notice(&n).await.unwrap();
    let event = store.claim_outbox(t, t + 1.minute(), 10).await.unwrap();
    assert_eq!(event.len(), 1);
    assert_eq!(event[0].channel, OutboxChannel::Event);
    let children = [
        delivery(OutboxChannel::Webhook, "https://a.example/h", 1),
        delivery(OutboxChannel::Email, "a@b.example", 2),
    ];
    let later = t + 2.seconds();
    store
        .outbox_fan_out(event[0].id, &children, later)
        .await
        .unwrap();
    // A second worker whose lease ran out fans the same event out again: nothing is added.
    store
        .outbox_fan_out(event[0].id, &children, later)
        .await
        .unwrap();
    let all = store.outbox_entries(10).await.unwrap();
    assert_eq!(all.len(), 3, "{all:?}");
    let ev = all.iter().find(|i| i.id == event[0].id).unwrap();
    assert_eq!(ev.delivered_at, Some(later));
    let due = store
        .claim_outbox(later, later + 1.minute(), 10)
        .await
        .unwrap();
    assert_eq!(
        due.iter().map(|i| i.channel).collect::<Vec<_>>(),
        [OutboxChannel::Webhook, OutboxChannel::Email]
    );
}

pub async fn concurrent_claimers_never_share_a_row(store: &dyn Store) {
    let t = now();
    let mut n = notice(None, t, Vec::new());
    n.outbox = (0..60)
        .map(|i| delivery(OutboxChannel::Webhook, "https://a.example/h", i))
        .collect();
    store.raise_notice(&n).await.unwrap();
    let lease = t + 5.minutes();
    let mut seen = HashSet::new();
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 50, "claiming never ended");
        let (a, b, c, d) = tokio::join!(
            store.claim_outbox(t, lease, 7),
            store.claim_outbox(t, lease, 7),
            store.claim_outbox(t, lease, 7),
            store.claim_outbox(t, lease, 7),
        );
        let batch: Vec<_> = [a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap()]
            .into_iter()
            .flatten()
            .collect();
        if batch.is_empty() {
            break;
        }
        for item in batch {
            assert_eq!(item.attempts, 1, "claimed once: {item:?}");
            assert!(
                seen.insert(item.id),
                "row {} given to two claimers",
                item.id
            );
        }
    }
    assert_eq!(seen.len(), 60, "every row claimed");
}

pub async fn officers_email_addresses_round_trip(store: &dyn Store) {
    let a = officer(store, "piket.a").await;
    let b = officer(store, "piket.b").await;
    let c = officer(store, "piket.c").await;
    assert!(store.user_emails(&[a, b, c]).await.unwrap().is_empty());
    store
        .set_user_email(a, Some("a@bawaslu.example"))
        .await
        .unwrap();
    store
        .set_user_email(c, Some("c@bawaslu.example"))
        .await
        .unwrap();
    assert_eq!(
        store.user_emails(&[c, a, b]).await.unwrap(),
        [
            (a, "a@bawaslu.example".to_string()),
            (c, "c@bawaslu.example".to_string())
        ]
    );
    assert_eq!(store.user_emails(&[b]).await.unwrap(), []);
    assert_eq!(store.user_emails(&[]).await.unwrap(), []);
    store.set_user_email(c, None).await.unwrap();
    assert_eq!(store.user_emails(&[a, c]).await.unwrap().len(), 1);
    assert!(matches!(
        store.set_user_email(9_999, Some("x@y.example")).await,
        Err(crate::StoreError::NotFound(_))
    ));
}
