//! The conformance suite: what every [`Store`](crate::Store) must do, checked the same way for
//! each back end. A back end's test crate calls [`conformance_suite!`](crate::conformance_suite)
//! with a function that makes a fresh, empty store (or `None` to skip, saying why).
//!
//! This is test code that lives in a library so both back ends can run it: it may unwrap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::{Timestamp, ToSpan};
use posko_core::{Agency, GeoPoint, Level, RegionCode, Role, TpsId, TpsNumber, TpsRecord};

use jiff::civil::Date;
use posko_core::report::{ReportKind, SubjectCategory};

use crate::{
    audit_hash, ImportCount, InsertOutcome, NewAuditEntry, NewCustodyEvent, NewEvidence, NewReport,
    NewSession, NewUnsealRequest, NewUser, SealedIdentity, Store, StoreError, Tally, AUDIT_GENESIS,
};

/// A fresh store for one test, with whatever must live as long as it (a temporary folder, a
/// schema to drop).
pub struct TestStore {
    pub store: Box<dyn Store>,
    pub guard: Box<dyn std::any::Any + Send>,
}

/// Expands to one `#[tokio::test]` per conformance check. `$fresh` is an async fn returning
/// `Option<TestStore>`; `None` skips the test (it should print why).
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::conformance_suite!(@each $fresh;
            ping_answers,
            users_round_trip,
            usernames_are_unique,
            sessions_open_expire_and_close,
            inactive_users_have_no_session,
            tps_import_and_tally,
            tps_reimport_replaces,
            tps_import_is_all_or_nothing,
            tps_registers_are_per_election,
            tps_tally_is_exact_at_every_level,
            reports_round_trip,
            report_batches_are_all_or_nothing,
            idempotency_keys_make_one_report,
            evidence_is_content_addressed_with_custody,
            unseal_requests_are_approved_once,
            api_tokens_are_found_by_hash,
            audit_entries_form_a_hash_chain,
            cases_move_once_and_route_to_one_agency,
            inbox_filters_each_narrow,
            handling_extends_once_and_merges_without_chains,
            officials_register_counts_each_official_once,
            duty_roster_and_handover_notes,
            vulnerability_data_round_trips,
            logistics_hand_overs_never_spend_twice,
            logistics_batches_are_all_or_nothing,
            tps_ballot_accounts_match_holdings,
            tps_voters_match_the_register,
            result_forms_round_trip_replace_and_scope,
            previous_turnout_is_replaced_whole
        );
    };
    (@each $fresh:path; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(fixture) = $fresh().await else { return };
                $crate::conformance::$name(fixture.store.as_ref()).await;
                drop(fixture);
            }
        )*
    };
}

fn code(s: &str) -> RegionCode {
    match RegionCode::parse(s) {
        Ok(c) => c,
        Err(e) => panic!("test code {s}: {e}"),
    }
}

fn now() -> Timestamp {
    // Whole seconds: both back ends keep microseconds, a test should not depend on more.
    Timestamp::from_second(Timestamp::now().as_second()).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(crate) fn new_user(username: &str, role: Role) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: format!("Petugas {username}"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role,
        agency: Some(Agency::Propam),
        region: Some(code("33.20")),
        created_at: now(),
    }
}

fn tps(village: &str, n: u32, voters: u32) -> TpsRecord {
    TpsRecord {
        id: TpsId::new(
            code(village),
            TpsNumber::new(n).unwrap_or_else(|e| panic!("{e}")),
        )
        .unwrap_or_else(|e| panic!("{e}")),
        address: format!("RT 001 / RW 00{n}, {village}"),
        location: if n.is_multiple_of(2) {
            GeoPoint::new(-6.59, 110.67).ok()
        } else {
            None
        },
        voters,
    }
}

pub async fn ping_answers(s: &dyn Store) {
    s.ping().await.unwrap();
}

pub async fn users_round_trip(s: &dyn Store) {
    let created = s
        .create_user(&new_user("propam.jepara", Role::Penindak))
        .await
        .unwrap();
    assert!(created.active);
    assert_eq!(created.role, Role::Penindak);
    assert_eq!(created.agency, Some(Agency::Propam));
    assert_eq!(created.region, Some(code("33.20")));
    let (user, hash) = s.user_for_login("propam.jepara").await.unwrap().unwrap();
    assert_eq!(user, created);
    assert!(hash.starts_with("$argon2id$"));
    assert!(s.user_for_login("nobody").await.unwrap().is_none());

    let mut admin = new_user("admin", Role::Admin);
    admin.agency = None;
    admin.region = None;
    s.create_user(&admin).await.unwrap();
    let all = s.list_users().await.unwrap();
    let names: Vec<&str> = all.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["admin", "propam.jepara"], "listed by username");
    assert_eq!(all[0].agency, None);
    assert_eq!(all[0].region, None);
}

pub async fn usernames_are_unique(s: &dyn Store) {
    s.create_user(&new_user("piket1", Role::PetugasPiket))
        .await
        .unwrap();
    let err = s
        .create_user(&new_user("piket1", Role::Pemantau))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(s.list_users().await.unwrap().len(), 1);
}

pub async fn sessions_open_expire_and_close(s: &dyn Store) {
    let user = s
        .create_user(&new_user("koord", Role::Koordinator))
        .await
        .unwrap();
    let t0 = now();
    let live = NewSession {
        token_hash: vec![1; 32],
        user_id: user.id,
        created_at: t0,
        expires_at: t0 + 8.hours(),
    };
    let stale = NewSession {
        token_hash: vec![2; 32],
        user_id: user.id,
        created_at: t0 - 10.hours(),
        expires_at: t0 - 2.hours(),
    };
    s.create_session(&live).await.unwrap();
    s.create_session(&stale).await.unwrap();
    assert_eq!(
        s.session_user(&[1; 32], t0).await.unwrap(),
        Some(user.clone())
    );
    assert_eq!(s.session_user(&[2; 32], t0).await.unwrap(), None, "expired");
    assert_eq!(s.session_user(&[3; 32], t0).await.unwrap(), None, "unknown");
    assert_eq!(
        s.session_user(&[1; 32], t0 + 9.hours()).await.unwrap(),
        None,
        "expires"
    );
    assert_eq!(s.purge_sessions(t0).await.unwrap(), 1);
    s.delete_session(&[1; 32]).await.unwrap();
    assert_eq!(
        s.session_user(&[1; 32], t0).await.unwrap(),
        None,
        "logged out"
    );
}

pub async fn inactive_users_have_no_session(s: &dyn Store) {
    // Deactivation has no API yet; a session of an unknown user id must be refused by the
    // foreign key rather than become a session without an account.
    let t0 = now();
    let orphan = NewSession {
        token_hash: vec![9; 32],
        user_id: 987_654,
        created_at: t0,
        expires_at: t0 + 1.hour(),
    };
    assert!(s.create_session(&orphan).await.is_err());
    assert_eq!(s.session_user(&[9; 32], t0).await.unwrap(), None);
}

pub async fn tps_import_and_tally(s: &dyn Store) {
    let rows = vec![
        tps("33.20.01.2001", 1, 250),
        tps("33.20.01.2001", 2, 240),
        tps("33.20.01.2002", 1, 300),
        tps("33.20.02.2001", 1, 100),
        tps("15.71.01.1001", 1, 500),
    ];
    let n = s.import_tps("pemilu-2024", &rows).await.unwrap();
    assert_eq!(
        n,
        ImportCount {
            added: 5,
            replaced: 0
        }
    );

    let by_province = s
        .tps_tally("pemilu-2024", None, Level::Province)
        .await
        .unwrap();
    assert_eq!(
        by_province,
        [
            Tally {
                region: code("15"),
                tps: 1,
                voters: 500
            },
            Tally {
                region: code("33"),
                tps: 4,
                voters: 890
            },
        ]
    );
    let jepara = s
        .tps_tally("pemilu-2024", Some(&code("33.20")), Level::District)
        .await
        .unwrap();
    assert_eq!(
        jepara,
        [
            Tally {
                region: code("33.20.01"),
                tps: 3,
                voters: 790
            },
            Tally {
                region: code("33.20.02"),
                tps: 1,
                voters: 100
            },
        ]
    );
    let in_village = s
        .tps_tally("pemilu-2024", Some(&code("33.20.01.2001")), Level::Village)
        .await
        .unwrap();
    assert_eq!(
        in_village,
        [Tally {
            region: code("33.20.01.2001"),
            tps: 2,
            voters: 490
        }]
    );

    let listed = s
        .tps_in_village("pemilu-2024", &code("33.20.01.2001"))
        .await
        .unwrap();
    assert_eq!(listed, rows[..2]);
    assert!(s
        .tps_in_village("pemilu-2024", &code("33.20.03.2001"))
        .await
        .unwrap()
        .is_empty());
    // One read of a region gives what the villages give one by one, in village order.
    for within in ["33.20", "33.20.01", "33"] {
        let region = code(within);
        let mut by_village = Vec::new();
        for v in s
            .tps_tally("pemilu-2024", Some(&region), Level::Village)
            .await
            .unwrap()
        {
            by_village.extend(s.tps_in_village("pemilu-2024", &v.region).await.unwrap());
        }
        let at_once = s.tps_in_region("pemilu-2024", &region).await.unwrap();
        assert_eq!(at_once, by_village, "{within}");
    }
    assert!(s
        .tps_in_region("pemilu-2024", &code("51"))
        .await
        .unwrap()
        .is_empty());
}

pub async fn tps_reimport_replaces(s: &dyn Store) {
    s.import_tps("pilkada-2024", &[tps("33.20.01.2001", 1, 250)])
        .await
        .unwrap();
    let mut changed = tps("33.20.01.2001", 1, 410);
    changed.address = "Balai Desa".into();
    let n = s
        .import_tps(
            "pilkada-2024",
            &[changed.clone(), tps("33.20.01.2001", 2, 5)],
        )
        .await
        .unwrap();
    assert_eq!(
        n,
        ImportCount {
            added: 1,
            replaced: 1
        }
    );
    let listed = s
        .tps_in_village("pilkada-2024", &code("33.20.01.2001"))
        .await
        .unwrap();
    assert_eq!(listed[0], changed);
    assert_eq!(listed.len(), 2);
}

pub async fn tps_import_is_all_or_nothing(s: &dyn Store) {
    s.import_tps("pemilu-2024", &[tps("33.20.01.2001", 1, 250)])
        .await
        .unwrap();
    // Many good rows, then one the database must refuse (an address beyond the column's
    // limit): nothing of the batch may stay, and what was there before is untouched.
    let mut batch: Vec<TpsRecord> = (2..=400).map(|n| tps("33.20.01.2001", n, 200)).collect();
    let mut bad = tps("33.20.01.2002", 1, 200);
    bad.address = "x".repeat(5_000);
    batch.push(bad);
    let mut replacing = tps("33.20.01.2001", 1, 1);
    replacing.address = "must not land".into();
    batch.insert(0, replacing);
    let err = s.import_tps("pemilu-2024", &batch).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Rejected(_)),
        "a check violation is Rejected: {err:?}"
    );
    let listed = s
        .tps_in_village("pemilu-2024", &code("33.20.01.2001"))
        .await
        .unwrap();
    assert_eq!(
        listed,
        [tps("33.20.01.2001", 1, 250)],
        "the batch left no trace"
    );
    assert!(s
        .tps_in_village("pemilu-2024", &code("33.20.01.2002"))
        .await
        .unwrap()
        .is_empty());
}

pub async fn tps_registers_are_per_election(s: &dyn Store) {
    s.import_tps("pemilu-2024", &[tps("33.20.01.2001", 1, 250)])
        .await
        .unwrap();
    s.import_tps(
        "pilkada-2024",
        &[tps("33.20.01.2001", 1, 580), tps("33.20.01.2001", 2, 7)],
    )
    .await
    .unwrap();
    let p = s
        .tps_tally("pemilu-2024", None, Level::Regency)
        .await
        .unwrap();
    let k = s
        .tps_tally("pilkada-2024", None, Level::Regency)
        .await
        .unwrap();
    assert_eq!(
        p,
        [Tally {
            region: code("33.20"),
            tps: 1,
            voters: 250
        }]
    );
    assert_eq!(
        k,
        [Tally {
            region: code("33.20"),
            tps: 2,
            voters: 587
        }]
    );
    assert!(s
        .tps_tally("psu-x", None, Level::Regency)
        .await
        .unwrap()
        .is_empty());
}

pub async fn tps_tally_is_exact_at_every_level(s: &dyn Store) {
    // A larger register across several regencies: every level's tally sums to the total, and
    // a region's tally equals the sum of its children's.
    let villages = [
        "33.20.01.2001",
        "33.20.01.2002",
        "33.20.16.2001",
        "33.21.01.2001",
        "33.01.01.2001",
        "15.71.01.1001",
        "15.71.02.1002",
        "91.71.01.1001",
    ];
    let mut rows = Vec::new();
    for (i, v) in villages.iter().enumerate() {
        for n in 1..=(3 + i as u32 * 7) {
            rows.push(tps(v, n, 100 + n * 3 + i as u32));
        }
    }
    s.import_tps("pemilu-2024", &rows).await.unwrap();
    let total_tps = rows.len() as u64;
    let total_voters: u64 = rows.iter().map(|r| r.voters as u64).sum();
    for level in Level::ALL {
        let t = s.tps_tally("pemilu-2024", None, level).await.unwrap();
        assert_eq!(t.iter().map(|x| x.tps).sum::<u64>(), total_tps, "{level:?}");
        assert_eq!(
            t.iter().map(|x| x.voters).sum::<u64>(),
            total_voters,
            "{level:?}"
        );
        assert!(
            t.windows(2).all(|w| w[0].region < w[1].region),
            "sorted by code"
        );
        assert!(t.iter().all(|x| x.region.level() == level));
    }
    let jateng = s
        .tps_tally("pemilu-2024", Some(&code("33")), Level::Province)
        .await
        .unwrap();
    let regencies = s
        .tps_tally("pemilu-2024", Some(&code("33")), Level::Regency)
        .await
        .unwrap();
    assert_eq!(jateng.len(), 1);
    assert_eq!(regencies.iter().map(|x| x.tps).sum::<u64>(), jateng[0].tps);
    assert_eq!(regencies.len(), 3);
}

pub(crate) fn report(code: &str) -> NewReport {
    NewReport {
        tracking_code: code.into(),
        election: "pilkada-2024".into(),
        kind: ReportKind::InformasiAwal,
        channel: "web".into(),
        client_id: None,
        idempotency_key: None,
        subject_category: SubjectCategory::Asn,
        subject_name: "Budi".into(),
        subject_position: "Kepala Seksi".into(),
        subject_unit: "Dinas Pendidikan".into(),
        subject_mac: Some(vec![7; 32]),
        violation: "asn_media_sosial".into(),
        description: "Membagikan unggahan kampanye di grup kantor.".into(),
        region: code_of("33.20.01.2001"),
        tps: TpsNumber::new(3).ok(),
        place: "Balai desa".into(),
        location: GeoPoint::new(-6.59, 110.67).ok(),
        happened_on: Date::constant(2024, 11, 18),
        happened_time: jiff::civil::Time::new(9, 30, 0, 0).ok(),
        learned_on: Date::constant(2024, 11, 19),
        late: false,
        received_at: now(),
        identity: None,
        evidence: Vec::new(),
    }
}

fn code_of(s: &str) -> RegionCode {
    code(s)
}

fn evidence(content: &[u8]) -> NewEvidence {
    use sha2::{Digest, Sha256};
    let sha: String = Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    NewEvidence {
        sha256: sha,
        mime: "image/jpeg".into(),
        bytes: content.to_vec(),
        display: Some(content[..content.len() / 2].to_vec()),
        filename: "foto.jpg".into(),
    }
}

pub(crate) fn stored_id(o: &InsertOutcome) -> i64 {
    match o {
        InsertOutcome::Stored { id, .. } => *id,
        other => panic!("expected a stored report, got {other:?}"),
    }
}

pub async fn reports_round_trip(s: &dyn Store) {
    let plain = report("PSK-AAAA-AAAA-AAA1");
    let mut identified = report("PSK-BBBB-BBBB-BBB2");
    identified.kind = ReportKind::Laporan;
    identified.channel = "api".into();
    identified.identity = Some(SealedIdentity {
        ciphertext: vec![42; 80],
        nik_mac: Some(vec![1; 32]),
        phone_mac: Some(vec![2; 32]),
        email_mac: None,
    });
    identified.evidence = vec![evidence(b"isi-foto-bukti-1")];
    identified.received_at = now() + 1.second();
    let out = s
        .insert_reports(&[plain.clone(), identified.clone()])
        .await
        .unwrap();
    let (a, b) = (stored_id(&out[0]), stored_id(&out[1]));
    assert_eq!(out[1].tracking_code(), "PSK-BBBB-BBBB-BBB2");

    let status = s
        .report_status("PSK-BBBB-BBBB-BBB2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.kind, ReportKind::Laporan);
    assert_eq!(status.status, "diterima");
    assert_eq!(status.region, code("33.20.01.2001"));
    assert_eq!(status.evidence.len(), 1);
    assert_eq!(status.evidence[0].size, 16);
    assert!(s
        .report_status("PSK-ZZZZ-ZZZZ-ZZZ9")
        .await
        .unwrap()
        .is_none());

    let list = s.list_reports(10).await.unwrap();
    assert_eq!(
        list.iter().map(|r| r.id).collect::<Vec<_>>(),
        [b, a],
        "newest first"
    );
    assert!(list[0].has_identity && !list[1].has_identity);

    let d = s.report_detail(a).await.unwrap().unwrap();
    assert_eq!(d.subject_name, "Budi");
    assert_eq!(d.subject_mac, Some(vec![7; 32]));
    assert_eq!(d.tps, TpsNumber::new(3).ok());
    assert_eq!(d.location, plain.location);
    assert_eq!(
        (d.happened_on, d.learned_on, d.happened_time),
        (plain.happened_on, plain.learned_on, plain.happened_time)
    );
    assert_eq!(d.summary.received_at, plain.received_at);
    assert!(s.report_detail(987_654).await.unwrap().is_none());

    assert_eq!(s.sealed_identity(b).await.unwrap(), Some(vec![42; 80]));
    assert_eq!(s.sealed_identity(a).await.unwrap(), None);
    assert_eq!(s.reports_by_identity_mac(&[2; 32]).await.unwrap(), [b]);
    // Both name the same official (the same keyed NIP/NRP hash).
    assert_eq!(s.reports_by_subject_mac(&[7; 32]).await.unwrap(), [a, b]);
    assert!(s.reports_by_subject_mac(&[6; 32]).await.unwrap().is_empty());
    assert!(s
        .reports_by_identity_mac(&[3; 32])
        .await
        .unwrap()
        .is_empty());
}

pub async fn report_batches_are_all_or_nothing(s: &dyn Store) {
    let good = report("PSK-CCCC-CCCC-CCC3");
    let mut bad = report("PSK-DDDD-DDDD-DDD4");
    bad.description = "x".repeat(6_000);
    assert!(s.insert_reports(&[good, bad]).await.is_err());
    assert!(s
        .report_status("PSK-CCCC-CCCC-CCC3")
        .await
        .unwrap()
        .is_none());
    // The same tracking code twice is refused too.
    s.insert_reports(&[report("PSK-EEEE-EEEE-EEE5")])
        .await
        .unwrap();
    let again = s
        .insert_reports(&[report("PSK-EEEE-EEEE-EEE5")])
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict(_)), "{again:?}");
}

pub async fn idempotency_keys_make_one_report(s: &dyn Store) {
    let client = s
        .create_api_token("gateway-wa", &[5; 32], None, now())
        .await
        .unwrap();
    let mut first = report("PSK-FFFF-FFFF-FFF6");
    first.client_id = Some(client);
    first.channel = "api".into();
    first.idempotency_key = Some("retry-123".into());
    let mut retry = first.clone();
    retry.tracking_code = "PSK-GGGG-GGGG-GGG7".into();
    let out = s.insert_reports(&[first.clone()]).await.unwrap();
    let id = stored_id(&out[0]);
    let out = s.insert_reports(&[retry.clone()]).await.unwrap();
    assert_eq!(
        out[0],
        InsertOutcome::Duplicate {
            id,
            tracking_code: "PSK-FFFF-FFFF-FFF6".into()
        }
    );
    assert!(s
        .report_status("PSK-GGGG-GGGG-GGG7")
        .await
        .unwrap()
        .is_none());
    // Within one batch too.
    let mut a = report("PSK-HHHH-HHHH-HHH8");
    a.idempotency_key = Some("tap".into());
    let mut b = a.clone();
    b.tracking_code = "PSK-JJJJ-JJJJ-JJJ9".into();
    let out = s.insert_reports(&[a, b]).await.unwrap();
    assert!(matches!(out[1], InsertOutcome::Duplicate { .. }));
    // The same key from another client is another report.
    let mut web = report("PSK-KKKK-KKKK-KKK0");
    web.idempotency_key = Some("retry-123".into());
    assert!(matches!(
        s.insert_reports(&[web]).await.unwrap()[0],
        InsertOutcome::Stored { .. }
    ));
    assert_eq!(s.list_reports(100).await.unwrap().len(), 3);
}

pub async fn evidence_is_content_addressed_with_custody(s: &dyn Store) {
    let officer = s
        .create_user(&new_user("penyidik", Role::Penindak))
        .await
        .unwrap();
    let shared = evidence(b"foto-yang-sama-dikirim-dua-kali");
    let mut r1 = report("PSK-MMMM-MMMM-MMM1");
    r1.evidence = vec![shared.clone(), evidence(b"video-lain")];
    let mut r2 = report("PSK-NNNN-NNNN-NNN2");
    r2.evidence = vec![shared.clone()];
    let out = s.insert_reports(&[r1, r2]).await.unwrap();
    let (id1, id2) = (stored_id(&out[0]), stored_id(&out[1]));
    let (mime, original) = s
        .evidence_bytes(&shared.sha256, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (mime.as_str(), original.as_slice()),
        ("image/jpeg", shared.bytes.as_slice())
    );
    let (_, copy) = s
        .evidence_bytes(&shared.sha256, true)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(copy, shared.display.clone().unwrap());
    assert!(s
        .evidence_bytes(&"0".repeat(64), false)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        s.report_detail(id1).await.unwrap().unwrap().evidence.len(),
        2
    );

    s.add_custody_event(&NewCustodyEvent {
        sha256: shared.sha256.clone(),
        report_id: id2,
        at: now() + 1.minute(),
        actor: Some(officer.id),
        action: "viewed".into(),
        note: "dilihat untuk kajian awal".into(),
    })
    .await
    .unwrap();
    let events = s.custody_events(&shared.sha256).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(actions, ["received", "received", "viewed"]);
    assert_eq!(events[2].actor_name.as_deref(), Some("Petugas penyidik"));
    assert_eq!(events[2].event.report_id, id2);
}

pub async fn unseal_requests_are_approved_once(s: &dyn Store) {
    let a = s
        .create_user(&new_user("piket.bawaslu", Role::PetugasPiket))
        .await
        .unwrap();
    let mut other = new_user("piket.kpu", Role::PetugasPiket);
    other.agency = Some(Agency::Kpu);
    let b = s.create_user(&other).await.unwrap();
    let id = stored_id(
        &s.insert_reports(&[report("PSK-PPPP-PPPP-PPP3")])
            .await
            .unwrap()[0],
    );
    let req = s
        .create_unseal_request(&NewUnsealRequest {
            report_id: id,
            requested_by: a.id,
            reason: "Klarifikasi pelapor diperlukan".into(),
            at: now(),
        })
        .await
        .unwrap();
    let pending = s.unseal_requests(id).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].requester_agency, Some(Agency::Propam));
    assert_eq!(pending[0].approved_by, None);
    s.approve_unseal_request(req, b.id, now()).await.unwrap();
    let again = s
        .approve_unseal_request(req, b.id, now())
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::NotFound(_)));
    let done = s.unseal_requests(id).await.unwrap();
    assert_eq!(
        (done[0].approved_by, done[0].approved_at),
        (Some(b.id), Some(now()))
    );
    // A reason too short is refused by the database itself.
    let short = NewUnsealRequest {
        report_id: id,
        requested_by: a.id,
        reason: "x".into(),
        at: now(),
    };
    assert!(s.create_unseal_request(&short).await.is_err());
}

pub async fn api_tokens_are_found_by_hash(s: &dyn Store) {
    let id = s
        .create_api_token("sms-gateway", &[9; 32], None, now())
        .await
        .unwrap();
    let c = s.api_token(&[9; 32]).await.unwrap().unwrap();
    assert_eq!((c.id, c.name.as_str(), c.active), (id, "sms-gateway", true));
    assert!(s.api_token(&[8; 32]).await.unwrap().is_none());
    let dup = s
        .create_api_token("lain", &[9; 32], None, now())
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)));
    // An agency's own system carries its agency.
    s.create_api_token("sipropam", &[4; 32], Some(Agency::Propam), now())
        .await
        .unwrap();
    let c = s.api_token(&[4; 32]).await.unwrap().unwrap();
    assert_eq!(c.agency, Some(Agency::Propam));
}

pub async fn audit_entries_form_a_hash_chain(s: &dyn Store) {
    for (i, action) in ["unseal_requested", "unseal_approved", "identity_read"]
        .iter()
        .enumerate()
    {
        s.append_audit(&NewAuditEntry {
            at: now() + (i as i64).seconds(),
            actor: Some(i as i64 + 1),
            action: action.to_string(),
            subject: "report:1".into(),
            detail: format!("langkah {i}"),
        })
        .await
        .unwrap();
    }
    let entries = s.audit_entries().await.unwrap();
    assert_eq!(entries.len(), 3);
    let mut prev = AUDIT_GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as i64 + 1);
        assert_eq!(e.prev_hash, prev);
        assert_eq!(e.hash, audit_hash(&prev, e.seq, &e.entry));
        prev = e.hash.clone();
    }
    assert_eq!(entries[2].entry.action, "identity_read");
    let head = s.audit_head().await.unwrap();
    assert_eq!(
        head,
        Some((3, entries[2].hash.clone())),
        "the head moves with every append"
    );
    assert_eq!(crate::verify_chain(&entries, head), Ok(3));
}

pub async fn cases_move_once_and_route_to_one_agency(s: &dyn Store) {
    use posko_core::case::{apply, Action, CaseState, Decision};
    let officer = s
        .create_user(&new_user("piket", Role::PetugasPiket))
        .await
        .unwrap();
    let new = report("PSK-QQQQ-QQQQ-QQQ4");
    let received = new.received_at;
    let id = stored_id(&s.insert_reports(&[new]).await.unwrap()[0]);
    let stored = s.case_of(id).await.unwrap().unwrap();
    assert_eq!(stored.case.state, CaseState::Diterima);
    assert_eq!(
        stored.state_since, received,
        "a new case is in its state since it was received"
    );
    assert!(s.case_of(987_654).await.unwrap().is_none());

    let mut case = stored.case;
    let mut at = now();
    for action in [
        Action::StartReview,
        Action::TakeUpAsTemuan,
        Action::Examine,
        Action::Decide {
            decision: Decision::HukumLainnya,
        },
        Action::Refer { to: Agency::Propam },
    ] {
        let next = apply(&case, &action).unwrap();
        at += 1.hour();
        let event = crate::CaseEvent {
            report_id: id,
            at,
            actor: officer.id,
            action: action.name().into(),
            from_state: case.state.as_str().into(),
            to_state: next.state.as_str().into(),
            detail: String::new(),
        };
        s.transition_case(case.state, &next, &event).await.unwrap();
        // The same move again, from the state it has left, is refused.
        if action == Action::StartReview {
            let stale = s
                .transition_case(case.state, &next, &event)
                .await
                .unwrap_err();
            assert!(matches!(stale, StoreError::Conflict(_)), "{stale:?}");
        }
        case = next;
    }
    let stored = s.case_of(id).await.unwrap().unwrap();
    assert_eq!(stored.case, case);
    assert!(stored.case.temuan);
    assert_eq!(stored.case.decision, Some(Decision::HukumLainnya));
    assert_eq!(stored.state_since, at);
    let events = s.case_events(id).await.unwrap();
    let names: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        names,
        [
            "start_review",
            "take_up_as_temuan",
            "examine",
            "decide",
            "refer"
        ]
    );
    assert_eq!(events[4].to_state, "diteruskan");
    // Routed to Propam only.
    let propam = s.reports_referred_to(Agency::Propam, 10).await.unwrap();
    assert_eq!(propam.iter().map(|r| r.id).collect::<Vec<_>>(), [id]);
    assert!(s
        .reports_referred_to(Agency::Bkn, 10)
        .await
        .unwrap()
        .is_empty());
    // The reporter's status follows the case.
    assert_eq!(
        s.report_status("PSK-QQQQ-QQQQ-QQQ4")
            .await
            .unwrap()
            .unwrap()
            .status,
        "diteruskan"
    );
}

/// Moves a case by `actions`, one event each, an hour apart from `at`.
pub(crate) async fn drive(
    s: &dyn Store,
    id: i64,
    actor: i64,
    actions: &[posko_core::case::Action],
    mut at: Timestamp,
) -> Timestamp {
    let mut case = s.case_of(id).await.unwrap().unwrap().case;
    for action in actions {
        let next = posko_core::case::apply(&case, action).unwrap();
        at += 1.hour();
        let event = event(id, actor, at, action.name(), case.state.as_str());
        let event = crate::CaseEvent {
            to_state: next.state.as_str().into(),
            ..event
        };
        s.transition_case(case.state, &next, &event).await.unwrap();
        case = next;
    }
    at
}

pub(crate) fn event(
    id: i64,
    actor: i64,
    at: Timestamp,
    action: &str,
    state: &str,
) -> crate::CaseEvent {
    crate::CaseEvent {
        report_id: id,
        at,
        actor,
        action: action.into(),
        from_state: state.into(),
        to_state: state.into(),
        detail: String::new(),
    }
}

fn ids(rows: &[crate::CaseRow]) -> Vec<i64> {
    rows.iter().map(|r| r.summary.id).collect()
}

pub async fn inbox_filters_each_narrow(s: &dyn Store) {
    use crate::CaseFilter;
    use posko_core::case::{Action, CaseState};
    let officer = s
        .create_user(&new_user("piket", Role::PetugasPiket))
        .await
        .unwrap();
    // Three reports: an ASN in Jepara, a police officer in Jepara, an ASN in Kota Jambi.
    let mut asn_jepara = report("PSK-FFFF-FFFF-FFF1");
    asn_jepara.received_at = now() - 3.hours();
    let mut polri_jepara = report("PSK-FFFF-FFFF-FFF2");
    polri_jepara.subject_category = SubjectCategory::Polri;
    polri_jepara.region = code_of("33.20.02.2001");
    polri_jepara.received_at = now() - 2.hours();
    let mut asn_jambi = report("PSK-FFFF-FFFF-FFF3");
    asn_jambi.region = code_of("15.71.01.1001");
    asn_jambi.received_at = now() - 1.hours();
    let out = s
        .insert_reports(&[asn_jepara, polri_jepara, asn_jambi])
        .await
        .unwrap();
    let (a, p, j) = (stored_id(&out[0]), stored_id(&out[1]), stored_id(&out[2]));
    drive(s, p, officer.id, &[Action::StartReview], now()).await;
    s.assign_case(
        Some(officer.id),
        &event(a, officer.id, now(), "assign", "diterima"),
    )
    .await
    .unwrap();

    let all = |f: CaseFilter| async move {
        ids(&s.list_cases(&CaseFilter { limit: 50, ..f }).await.unwrap())
    };
    assert_eq!(all(CaseFilter::default()).await, [j, p, a], "newest first");
    assert_eq!(
        all(CaseFilter {
            region: Some(code_of("33.20")),
            ..Default::default()
        })
        .await,
        [p, a]
    );
    assert_eq!(
        all(CaseFilter {
            region: Some(code_of("33.20.02")),
            ..Default::default()
        })
        .await,
        [p]
    );
    assert_eq!(
        all(CaseFilter {
            category: Some(SubjectCategory::Asn),
            ..Default::default()
        })
        .await,
        [j, a]
    );
    assert_eq!(
        all(CaseFilter {
            state: Some(CaseState::KajianAwal),
            ..Default::default()
        })
        .await,
        [p]
    );
    assert_eq!(
        all(CaseFilter {
            assigned_to: Some(officer.id),
            ..Default::default()
        })
        .await,
        [a]
    );
    assert_eq!(
        all(CaseFilter {
            unassigned: true,
            ..Default::default()
        })
        .await,
        [j, p]
    );
    assert_eq!(
        all(CaseFilter {
            received_since: Some(now() - 90.minutes()),
            ..Default::default()
        })
        .await,
        [j]
    );
    assert!(all(CaseFilter {
        referred_to: Some(Agency::Propam),
        ..Default::default()
    })
    .await
    .is_empty());
    let rows = s
        .list_cases(&CaseFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "the limit holds");
    let row = &s
        .list_cases(&CaseFilter {
            assigned_to: Some(officer.id),
            limit: 5,
            ..Default::default()
        })
        .await
        .unwrap()[0];
    assert_eq!(row.case.assigned_to, Some(officer.id));
    assert_eq!(row.case.region, code_of("33.20.01.2001"));
    assert_eq!(row.case.election, "pilkada-2024");
    // Unassigning is an event too.
    s.assign_case(None, &event(a, officer.id, now(), "unassign", "diterima"))
        .await
        .unwrap();
    assert_eq!(s.case_of(a).await.unwrap().unwrap().assigned_to, None);
    let names: Vec<String> = s
        .case_events(a)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(names, ["assign", "unassign"]);
    assert!(matches!(
        s.assign_case(
            None,
            &event(999_999, officer.id, now(), "assign", "diterima")
        )
        .await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn handling_extends_once_and_merges_without_chains(s: &dyn Store) {
    use posko_core::case::Action;
    let officer = s
        .create_user(&new_user("piket", Role::PetugasPiket))
        .await
        .unwrap();
    let out = s
        .insert_reports(&[
            report("PSK-GGGG-GGGG-GGG1"),
            report("PSK-GGGG-GGGG-GGG2"),
            report("PSK-GGGG-GGGG-GGG3"),
        ])
        .await
        .unwrap();
    let (main, dup, third) = (stored_id(&out[0]), stored_id(&out[1]), stored_id(&out[2]));
    // Extension: only while handling runs, and once.
    let refused = s
        .extend_handling(&event(main, officer.id, now(), "extend", "diterima"))
        .await
        .unwrap_err();
    assert!(matches!(refused, StoreError::Conflict(_)), "{refused:?}");
    let registered = drive(
        s,
        main,
        officer.id,
        &[Action::StartReview, Action::TakeUpAsTemuan],
        now(),
    )
    .await;
    let c = s.case_of(main).await.unwrap().unwrap();
    assert_eq!(
        c.registered_at,
        Some(registered),
        "the handling clock starts at registration"
    );
    let examined = drive(s, main, officer.id, &[Action::Examine], registered).await;
    let c = s.case_of(main).await.unwrap().unwrap();
    assert_eq!(
        c.registered_at,
        Some(registered),
        "examination keeps the clock"
    );
    assert_eq!(c.state_since, examined);
    assert!(!c.extended);
    s.extend_handling(&event(main, officer.id, now(), "extend", "pemeriksaan"))
        .await
        .unwrap();
    assert!(s.case_of(main).await.unwrap().unwrap().extended);
    let twice = s
        .extend_handling(&event(main, officer.id, now(), "extend", "pemeriksaan"))
        .await
        .unwrap_err();
    assert!(matches!(twice, StoreError::Conflict(_)), "{twice:?}");

    // Merge `third` into `dup`, then `dup` into `main`: `third` follows, no chain remains.
    s.merge_case(
        &event(third, officer.id, now(), "merge_into", "diterima"),
        &event(dup, officer.id, now(), "merged_from", "diterima"),
    )
    .await
    .unwrap();
    s.merge_case(
        &event(dup, officer.id, now(), "merge_into", "diterima"),
        &event(main, officer.id, now(), "merged_from", "pemeriksaan"),
    )
    .await
    .unwrap();
    assert_eq!(s.merged_reports(main).await.unwrap(), [dup, third]);
    assert!(s.merged_reports(dup).await.unwrap().is_empty());
    assert_eq!(
        s.case_of(third).await.unwrap().unwrap().merged_into,
        Some(main)
    );
    // A merged report cannot be merged again, nor be the main case, nor a case merge into itself.
    for (a, b) in [(dup, main), (main, dup), (main, main)] {
        let e = s
            .merge_case(
                &event(a, officer.id, now(), "merge_into", "diterima"),
                &event(b, officer.id, now(), "merged_from", "diterima"),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{a}->{b}: {e:?}");
    }
    // Merged reports leave the inbox, and keep their own events.
    let inbox = s
        .list_cases(&crate::CaseFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&inbox), [main]);
    let with_merged = s
        .list_cases(&crate::CaseFilter {
            limit: 10,
            include_merged: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(with_merged.len(), 3);
    assert_eq!(s.case_events(third).await.unwrap()[0].action, "merge_into");
    // Duplicate facts: by region and date window.
    let facts = s
        .dedup_facts(
            &code_of("33.20"),
            Date::constant(2024, 11, 17),
            Date::constant(2024, 11, 19),
            10,
        )
        .await
        .unwrap();
    assert_eq!(facts.len(), 3);
    assert!(s
        .dedup_facts(
            &code_of("15.71"),
            Date::constant(2024, 11, 17),
            Date::constant(2024, 11, 19),
            10
        )
        .await
        .unwrap()
        .is_empty());
    assert!(s
        .dedup_facts(
            &code_of("33.20"),
            Date::constant(2024, 11, 19),
            Date::constant(2024, 11, 30),
            10
        )
        .await
        .unwrap()
        .is_empty());
    let one = s.dedup_facts_of(third).await.unwrap().unwrap();
    assert_eq!(one.merged_into, Some(main));
    assert_eq!(one.subject_mac, Some(vec![7; 32]));
    assert_eq!(one.happened_on, Date::constant(2024, 11, 18));
}

pub async fn officials_register_counts_each_official_once(s: &dyn Store) {
    let officer = s
        .create_user(&new_user("piket", Role::PetugasPiket))
        .await
        .unwrap();
    // One instant for the whole check: `now()` read twice can straddle a second.
    let t0 = now();
    let mut reports = Vec::new();
    for (i, mac) in [7u8, 7, 7, 8, 7].iter().enumerate() {
        let mut r = report(&format!("PSK-HHHH-HHHH-HHH{i}"));
        r.subject_mac = Some(vec![*mac; 32]);
        r.subject_name = format!("Nama {i}");
        r.received_at = t0 + (i as i64).minutes();
        reports.push(r);
    }
    let mut anonymous_subject = report("PSK-HHHH-HHHH-HHH9");
    anonymous_subject.subject_mac = None;
    reports.push(anonymous_subject);
    let out = s.insert_reports(&reports).await.unwrap();
    // The last report about official 7 is a duplicate of the first: merged, not counted twice.
    s.merge_case(
        &event(
            stored_id(&out[4]),
            officer.id,
            now(),
            "merge_into",
            "diterima",
        ),
        &event(
            stored_id(&out[0]),
            officer.id,
            now(),
            "merged_from",
            "diterima",
        ),
    )
    .await
    .unwrap();
    drive(
        s,
        stored_id(&out[1]),
        officer.id,
        &[
            posko_core::case::Action::StartReview,
            posko_core::case::Action::RejectRegistration {
                reason: "daluwarsa".into(),
            },
        ],
        now(),
    )
    .await;
    let register = s.official_register(10).await.unwrap();
    assert_eq!(register.len(), 2, "{register:?}");
    assert_eq!(register[0].subject_mac, vec![7; 32]);
    assert_eq!(register[0].reports, 3);
    assert_eq!(register[0].open, 2, "one of the three is closed");
    assert_eq!(register[0].name, "Nama 2", "the latest report's name");
    assert_eq!(register[0].first_at, t0);
    assert_eq!(register[1].reports, 1);
    assert_eq!(s.official_register(1).await.unwrap().len(), 1);
}

pub async fn duty_roster_and_handover_notes(s: &dyn Store) {
    use crate::{NewHandover, NewShift};
    let a = s
        .create_user(&new_user("piket_a", Role::PetugasPiket))
        .await
        .unwrap();
    let b = s
        .create_user(&new_user("piket_b", Role::PetugasPiket))
        .await
        .unwrap();
    let day = now();
    let shift = |user: i64, agency: Agency, from: i64, to: i64| NewShift {
        agency,
        user_id: user,
        starts_at: day + from.hours(),
        ends_at: day + to.hours(),
        created_by: a.id,
        created_at: day,
    };
    let morning = s
        .add_shift(&shift(a.id, Agency::Bawaslu, 0, 8))
        .await
        .unwrap();
    let evening = s
        .add_shift(&shift(b.id, Agency::Propam, 8, 16))
        .await
        .unwrap();
    let night = s
        .add_shift(&shift(a.id, Agency::Bawaslu, 16, 24))
        .await
        .unwrap();
    // A shift must end after it starts.
    assert!(s
        .add_shift(&shift(a.id, Agency::Bawaslu, 5, 5))
        .await
        .is_err());

    let at = |from: i64, to: i64| async move {
        s.shifts_between(day + from.hours(), day + to.hours())
            .await
            .unwrap()
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(at(0, 24).await, [morning, evening, night]);
    assert_eq!(at(7, 9).await, [morning, evening], "overlap at both ends");
    assert_eq!(
        at(8, 9).await,
        [evening],
        "a shift ending at 8 is over at 8"
    );
    let on_duty = s
        .shifts_between(day + 9.hours(), day + 9.hours() + 1.seconds())
        .await
        .unwrap();
    assert_eq!(on_duty[0].officer, "Petugas piket_b");
    assert_eq!(on_duty[0].agency, Agency::Propam);

    s.add_handover(&NewHandover {
        shift_id: Some(morning),
        author: a.id,
        at: day + 8.hours(),
        note: "Dua laporan menunggu kajian awal.".into(),
    })
    .await
    .unwrap();
    s.add_handover(&NewHandover {
        shift_id: Some(evening),
        author: b.id,
        at: day + 16.hours(),
        note: "Kasus Propam diteruskan.".into(),
    })
    .await
    .unwrap();
    let notes = s.recent_handovers(10).await.unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].author_name, "Petugas piket_b", "newest first");
    assert_eq!(notes[1].shift_id, Some(morning));
    assert!(s
        .add_handover(&NewHandover {
            shift_id: None,
            author: a.id,
            at: day,
            note: String::new(),
        })
        .await
        .is_err());
    // A shift with notes stays; one without can go.
    assert!(matches!(
        s.delete_shift(morning).await,
        Err(StoreError::Conflict(_))
    ));
    s.delete_shift(night).await.unwrap();
    assert_eq!(at(0, 24).await, [morning, evening]);
}

pub async fn vulnerability_data_round_trips(s: &dyn Store) {
    use crate::{IkpValue, PersonnelPool, TpsRawan};
    // IKP values: imported, replaced on re-import, per model.
    let v = |region: &str, indicator: &str, value: f64| IkpValue {
        region: code_of(region),
        indicator: indicator.into(),
        value,
    };
    assert_eq!(
        s.import_ikp_values(
            "ikp-2024",
            &[
                v("33.20", "keamanan", 10.0),
                v("33.20", "hak_memilih", 40.0)
            ]
        )
        .await
        .unwrap(),
        2
    );
    s.import_ikp_values("ikp-2024", &[v("33.20", "keamanan", 12.5)])
        .await
        .unwrap();
    s.import_ikp_values("lain", &[v("15.71", "keamanan", 1.0)])
        .await
        .unwrap();
    let got = s.ikp_values("ikp-2024").await.unwrap();
    assert_eq!(
        got,
        vec![
            v("33.20", "hak_memilih", 40.0),
            v("33.20", "keamanan", 12.5)
        ]
    );
    // Out of range: refused, and nothing of the batch is kept.
    assert!(s
        .import_ikp_values(
            "ikp-2024",
            &[
                v("33.21", "keamanan", 5.0),
                v("33.21", "hak_memilih", 101.0)
            ]
        )
        .await
        .is_err());
    assert_eq!(s.ikp_values("ikp-2024").await.unwrap().len(), 2);

    // TPS rawan: per election and TPS, replaced, found by region.
    let t = |village: &str, n: u32, ids: &[&str]| TpsRawan {
        village: code_of(village),
        number: TpsNumber::new(n).unwrap(),
        indicators: ids.iter().map(|i| i.to_string()).collect(),
        updated_at: now(),
        updated_by: None,
    };
    s.set_tps_rawan(
        "pemilu-2024",
        &[
            t("33.20.01.2001", 1, &["internet", "dptb"]),
            t("33.20.02.2001", 3, &[]),
        ],
    )
    .await
    .unwrap();
    s.set_tps_rawan(
        "pemilu-2024",
        &[t("33.20.01.2001", 1, &["riwayat_kekerasan"])],
    )
    .await
    .unwrap();
    let jepara = s.tps_rawan("pemilu-2024", &code_of("33.20")).await.unwrap();
    assert_eq!(jepara.len(), 2);
    assert_eq!(jepara[0].indicators, vec!["riwayat_kekerasan".to_string()]);
    assert!(jepara[1].indicators.is_empty());
    assert_eq!(
        s.tps_rawan("pemilu-2024", &code_of("33.20.02"))
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(s
        .tps_rawan("pilkada-2024", &code_of("33.20"))
        .await
        .unwrap()
        .is_empty());
    // Sorted ids, whatever order they came in.
    s.set_tps_rawan(
        "pemilu-2024",
        &[t("33.20.02.2001", 3, &["listrik", "dptb", "listrik"])],
    )
    .await
    .unwrap();
    let again = s
        .tps_rawan("pemilu-2024", &code_of("33.20.02"))
        .await
        .unwrap();
    assert_eq!(
        again[0].indicators,
        vec!["dptb".to_string(), "listrik".to_string()]
    );

    // Personnel pools: by kind and name, inside a region.
    let p = |kind: &str, name: &str, region: &str, n: u32| PersonnelPool {
        kind: kind.into(),
        name: name.into(),
        region: code_of(region),
        personnel: n,
    };
    s.set_personnel_pool(&p("polsek", "Polsek Kedung", "33.20.01", 30))
        .await
        .unwrap();
    s.set_personnel_pool(&p("polsek", "Polsek Pecangaan", "33.20.02", 25))
        .await
        .unwrap();
    s.set_personnel_pool(&p("polsek", "Polsek Kedung", "33.20.01", 32))
        .await
        .unwrap();
    s.set_personnel_pool(&p("koramil", "Koramil Kota Jambi", "15.71.01", 12))
        .await
        .unwrap();
    let pools = s.personnel_pools(&code_of("33.20")).await.unwrap();
    assert_eq!(
        pools,
        vec![
            p("polsek", "Polsek Kedung", "33.20.01", 32),
            p("polsek", "Polsek Pecangaan", "33.20.02", 25)
        ]
    );

    // Report signals: since an instant, inside a region, merged duplicates left out.
    let mut old = report("PSK-JJJJ-JJJJ-JJJ1");
    old.received_at = now() - 240.hours();
    let recent = report("PSK-JJJJ-JJJJ-JJJ2");
    let recent_at = recent.received_at;
    let dup = report("PSK-JJJJ-JJJJ-JJJ3");
    let mut elsewhere = report("PSK-JJJJ-JJJJ-JJJ4");
    elsewhere.region = code_of("15.71.01.1001");
    let out = s
        .insert_reports(&[old, recent, dup, elsewhere])
        .await
        .unwrap();
    let officer = s
        .create_user(&new_user("piket", Role::PetugasPiket))
        .await
        .unwrap();
    s.merge_case(
        &event(
            stored_id(&out[2]),
            officer.id,
            now(),
            "merge_into",
            "diterima",
        ),
        &event(
            stored_id(&out[1]),
            officer.id,
            now(),
            "merged_from",
            "diterima",
        ),
    )
    .await
    .unwrap();
    // Boundaries: replaced by code, found inside a region (itself included).
    s.set_boundaries(
        &[
            (code_of("33.20"), "110.6,-6.7 110.7,-6.7 110.7,-6.6".into()),
            (code_of("33.20.01"), "1,1 2,2 3,1".into()),
        ],
        now(),
    )
    .await
    .unwrap();
    s.set_boundaries(&[(code_of("33.20.01"), "1,1 2,2 3,3".into())], now())
        .await
        .unwrap();
    let b = s.boundaries(&code_of("33.20")).await.unwrap();
    assert_eq!(b.len(), 2);
    assert_eq!(b[1], (code_of("33.20.01"), "1,1 2,2 3,3".to_string()));
    assert!(s.boundaries(&code_of("15.71")).await.unwrap().is_empty());
    let signals = s
        .report_signals(now() - 24.hours(), &code_of("33.20"))
        .await
        .unwrap();
    assert_eq!(signals.len(), 1, "{signals:?}");
    assert_eq!(signals[0].category, SubjectCategory::Asn);
    assert_eq!(signals[0].received_at, recent_at);
}

pub async fn logistics_hand_overs_never_spend_twice(s: &dyn Store) {
    use crate::NewLogisticsHandover;
    use posko_core::election::BallotType;
    use posko_core::logistics::{Item, Node, Stage};
    let node = |stage, place: &str| Node {
        stage,
        place: place.into(),
    };
    let item = Item {
        kind: "surat_suara".into(),
        ballot: Some(BallotType::Dpr),
    };
    let h = |from: Option<Node>, to: Node, sent: u32, good: u32, damaged: u32, missing: u32| {
        NewLogisticsHandover {
            election: "pemilu-2024".into(),
            from,
            to,
            item: item.clone(),
            sent,
            good,
            damaged,
            missing,
            at: now(),
            handed_by: "Ketua KPU".into(),
            received_by: "Ketua PPK".into(),
            recorded_by: None,
        }
    };
    let kpu = node(Stage::Kpu, "33.20");
    let ppk = node(Stage::Ppk, "33.20.01");
    // Stock, then a hand-over with damage and a missing bundle.
    s.record_handover(&h(None, kpu.clone(), 1_000, 1_000, 0, 0))
        .await
        .unwrap();
    let id = s
        .record_handover(&h(Some(kpu.clone()), ppk.clone(), 600, 590, 8, 2))
        .await
        .unwrap();
    let back = s.handover(id).await.unwrap().unwrap();
    assert_eq!(back.record.from, Some(kpu.clone()));
    // The sender is read back from the receiver's place, so a sender that is not the office
    // above the receiver is refused, whether another regency's or a stage too high.
    for sender in [node(Stage::Kpu, "33.21"), node(Stage::Kpu, "33.20.01")] {
        let e = s
            .record_handover(&h(Some(sender), ppk.clone(), 1, 1, 0, 0))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::Rejected(m) if m.contains("bukan kantor")),
            "{e:?}"
        );
    }
    let e = s
        .record_handover(&h(
            Some(kpu.clone()),
            node(Stage::Pps, "33.20.01.2001"),
            1,
            1,
            0,
            0,
        ))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Rejected(_)), "{e:?}");
    assert_eq!(
        (back.record.good, back.record.damaged, back.record.missing),
        (590, 8, 2)
    );
    // More than held, and counts that do not add up: refused, nothing changes.
    let e = s
        .record_handover(&h(Some(kpu.clone()), ppk.clone(), 401, 401, 0, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Rejected(m) if m.contains("400")),
        "{e:?}"
    );
    let e = s
        .record_handover(&h(Some(kpu.clone()), ppk.clone(), 10, 9, 0, 0))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Rejected(_)));
    // Two hand-overs of 300 at once from a KPU holding 400: exactly one goes through.
    let a = h(
        Some(kpu.clone()),
        node(Stage::Ppk, "33.20.02"),
        300,
        300,
        0,
        0,
    );
    let b = h(
        Some(kpu.clone()),
        node(Stage::Ppk, "33.20.03"),
        300,
        300,
        0,
        0,
    );
    let (ra, rb) = tokio::join!(s.record_handover(&a), s.record_handover(&b));
    assert_eq!(
        usize::from(ra.is_ok()) + usize::from(rb.is_ok()),
        1,
        "{ra:?} {rb:?}"
    );
    let kpu_now = s
        .holdings("pemilu-2024", Stage::Kpu, "33.20")
        .await
        .unwrap();
    assert_eq!(kpu_now.len(), 1);
    assert_eq!((kpu_now[0].good_in, kpu_now[0].sent_out), (1_000, 900));
    let ppks = s
        .holdings("pemilu-2024", Stage::Ppk, "33.20")
        .await
        .unwrap();
    assert_eq!(ppks.len(), 2);
    assert_eq!(ppks[0].node, ppk);
    assert_eq!(
        (ppks[0].good_in, ppks[0].damaged_in, ppks[0].missing_in),
        (590, 8, 2)
    );
    // Hand-overs touching a district: to it and from it.
    s.record_handover(&h(
        Some(ppk.clone()),
        node(Stage::Pps, "33.20.01.2001"),
        100,
        100,
        0,
        0,
    ))
    .await
    .unwrap();
    let touching = s.handovers("pemilu-2024", "33.20.01", 10).await.unwrap();
    assert_eq!(touching.len(), 2, "in from KPU, out to the village");
    assert!(s
        .handovers("pilkada-2024", "33.20", 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        s.handovers("pemilu-2024", "33.20", 50).await.unwrap().len(),
        4
    );
}

/// A batch of hand-overs (an imported file) lands whole, in order, spending only what each
/// sender holds — stock and arrivals earlier in the same batch included, across chunks — and a
/// refused row leaves nothing of the batch behind, naming its index.
pub async fn logistics_batches_are_all_or_nothing(s: &dyn Store) {
    use crate::NewLogisticsHandover;
    use posko_core::election::BallotType;
    use posko_core::logistics::{Item, Node, Stage};
    let node = |stage, place: &str| Node {
        stage,
        place: place.to_string(),
    };
    let h = |from: Option<Node>, to: Node, ballot: BallotType, sent: u32, good: u32| {
        NewLogisticsHandover {
            election: "pemilu-2024".into(),
            from,
            to,
            item: Item {
                kind: "surat_suara".into(),
                ballot: Some(ballot),
            },
            sent,
            good,
            damaged: sent - good,
            missing: 0,
            at: now(),
            handed_by: "Ketua KPU".into(),
            received_by: "Ketua PPK".into(),
            recorded_by: None,
        }
    };
    let kpu = node(Stage::Kpu, "33.20");
    // Some stock already recorded one by one.
    s.record_handover(&h(None, kpu.clone(), BallotType::Dpr, 100, 100))
        .await
        .unwrap();
    // A batch far longer than a back end's chunk: per village one hand-over from its district,
    // each district first supplied by the KPU within the same batch.
    let mut rows = vec![h(None, kpu.clone(), BallotType::Dpr, 30_000, 30_000)];
    for d in 1..=12u32 {
        let ppk = node(Stage::Ppk, &format!("33.20.{d:02}"));
        rows.push(h(
            Some(kpu.clone()),
            ppk.clone(),
            BallotType::Dpr,
            2_500,
            2_500,
        ));
        for v in 0..2_000u32 {
            rows.push(h(
                Some(ppk.clone()),
                node(Stage::Pps, &format!("33.20.{d:02}.{:04}", 2001 + v)),
                BallotType::Dpr,
                1,
                u32::from(v % 100 != 0),
            ));
        }
    }
    let n = rows.len() as u64;
    let mut it = rows.clone().into_iter().map(Ok);
    let file = crate::ImportedFile {
        election: "pemilu-2024".into(),
        sha256: "ab".repeat(32),
        name: "serah-terima.csv".into(),
        rows: 0,
        at: Timestamp::from_second(1_707_000_000).unwrap(),
        imported_by: None,
    };
    assert_eq!(
        s.import_handovers(Some(&file), &mut it).await.unwrap(),
        Ok(n)
    );
    let kept = s
        .imported_file("pemilu-2024", &file.sha256)
        .await
        .unwrap()
        .expect("the file's fingerprint is kept");
    assert_eq!(
        (kept.name.as_str(), kept.rows, kept.at),
        ("serah-terima.csv", n, file.at)
    );
    assert_eq!(
        s.imported_file("pemilu-2029", &file.sha256).await.unwrap(),
        None
    );
    // The same file again is refused whole: no hand-over is recorded twice.
    let before_again = s
        .handovers("pemilu-2024", "33.20", 100_000)
        .await
        .unwrap()
        .len();
    let mut again = rows.clone().into_iter().map(Ok);
    match s.import_handovers(Some(&file), &mut again).await {
        Err(StoreError::Conflict(what)) => assert!(what.contains("serah-terima.csv"), "{what}"),
        other => panic!("a file imported twice must be refused, got {other:?}"),
    }
    assert_eq!(
        s.handovers("pemilu-2024", "33.20", 100_000)
            .await
            .unwrap()
            .len(),
        before_again
    );
    let kpu_now = s
        .holdings("pemilu-2024", Stage::Kpu, "33.20")
        .await
        .unwrap();
    assert_eq!((kpu_now[0].good_in, kpu_now[0].sent_out), (30_100, 30_000));
    let ppks = s
        .holdings("pemilu-2024", Stage::Ppk, "33.20")
        .await
        .unwrap();
    assert_eq!(ppks.len(), 12);
    assert!(ppks
        .iter()
        .all(|p| p.good_in == 2_500 && p.sent_out == 2_000));
    let villages = s
        .holdings("pemilu-2024", Stage::Pps, "33.20.07")
        .await
        .unwrap();
    assert_eq!(villages.len(), 2_000);
    assert_eq!(villages.iter().map(|v| v.damaged_in).sum::<u32>(), 20);
    assert!(villages.iter().all(|v| v.last_at.is_some()));

    // Deliveries to TPS: a TPS's account is the sum of what it received, however many hand-overs
    // brought it (two to TPS 1, one to TPS 2), and the signatories' names come back exactly, with
    // the characters a bulk format would have to escape.
    let pps = node(Stage::Pps, "33.20.07.2002");
    let odd = "Ketua\tPPS\\Desa \\N \"Satu\"\nbaris dua";
    let mut tps_rows = vec![
        h(
            Some(pps.clone()),
            node(Stage::Kpps, "33.20.07.2002/001"),
            BallotType::Dpr,
            0,
            0,
        ),
        h(
            Some(pps.clone()),
            node(Stage::Kpps, "33.20.07.2002/001"),
            BallotType::Dpr,
            1,
            1,
        ),
        h(
            Some(pps.clone()),
            node(Stage::Kpps, "33.20.07.2002/002"),
            BallotType::Dpr,
            0,
            0,
        ),
    ];
    tps_rows[0].handed_by = odd.into();
    tps_rows[0].damaged = 0;
    tps_rows[2].missing = 0;
    let mut it = tps_rows.into_iter().map(Ok);
    assert_eq!(s.import_handovers(None, &mut it).await.unwrap(), Ok(3));
    let tps = s
        .holdings("pemilu-2024", Stage::Kpps, "33.20.07.2002")
        .await
        .unwrap();
    let got: Vec<(&str, u32, u32, u32)> = tps
        .iter()
        .map(|t| (t.node.place.as_str(), t.good_in, t.damaged_in, t.sent_out))
        .collect();
    assert_eq!(
        got,
        [
            ("33.20.07.2002/001", 1, 0, 0),
            ("33.20.07.2002/002", 0, 0, 0)
        ]
    );
    assert!(tps.iter().all(|t| t.last_at.is_some()));
    // The lean read of the status board sums them the same way.
    let lean: Vec<(String, u32)> = s
        .tps_ballot_accounts(
            "pemilu-2024",
            &posko_core::RegionCode::parse("33.20.07.2002").unwrap(),
            "surat_suara",
        )
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.tps.to_string(), a.holding.good_in))
        .collect();
    assert_eq!(
        lean,
        [
            ("33.20.07.2002/001".to_string(), 1),
            ("33.20.07.2002/002".to_string(), 0)
        ]
    );
    let names: Vec<String> = s
        .handovers("pemilu-2024", "33.20.07.2002/001", 10)
        .await
        .unwrap()
        .into_iter()
        .map(|x| x.record.handed_by)
        .collect();
    assert!(names.iter().any(|n| n == odd), "{names:?}");

    // A batch whose last row spends more than the district holds (500 left): nothing lands.
    let before = s
        .handovers("pemilu-2024", "33.20", 100_000)
        .await
        .unwrap()
        .len();
    let ppk = node(Stage::Ppk, "33.20.01");
    let mut bad: Vec<NewLogisticsHandover> = (0..3_000u32)
        .map(|i| {
            h(
                Some(kpu.clone()),
                node(Stage::Ppk, &format!("33.20.{:02}", 13 + i % 5)),
                BallotType::Dpd,
                0,
                0,
            )
        })
        .collect();
    bad.push(h(None, kpu.clone(), BallotType::Dpd, 10, 10));
    bad.push(h(
        Some(ppk.clone()),
        node(Stage::Pps, "33.20.01.2001"),
        BallotType::Dpr,
        501,
        501,
    ));
    let mut it = bad.into_iter().map(Ok);
    let refusal = s
        .import_handovers(None, &mut it)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refusal.index, 3_001);
    assert!(refusal.message.contains("500"), "{}", refusal.message);
    assert_eq!(
        s.handovers("pemilu-2024", "33.20", 100_000)
            .await
            .unwrap()
            .len(),
        before
    );
    let kpu_dpd = s
        .holdings("pemilu-2024", Stage::Kpu, "33.20")
        .await
        .unwrap();
    assert_eq!(
        kpu_dpd.len(),
        1,
        "the DPD stock of the refused batch is gone"
    );
    let ppk_now = s
        .holdings("pemilu-2024", Stage::Ppk, "33.20.01")
        .await
        .unwrap();
    assert_eq!(ppk_now[0].sent_out, 2_000);

    // A row the file could not give (an `Err`) refuses the batch too, with its index.
    let mut it = vec![
        Ok(h(None, kpu.clone(), BallotType::Dpr, 5, 5)),
        Err("baris rusak (broken row)".to_string()),
    ]
    .into_iter();
    let refusal = s
        .import_handovers(None, &mut it)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refusal.index, 1);
    let kpu_now = s
        .holdings("pemilu-2024", Stage::Kpu, "33.20")
        .await
        .unwrap();
    assert_eq!(kpu_now[0].good_in, 30_100);

    // A count past what one hand-over records refuses the batch at its row.
    let over = posko_core::logistics::MAX_HANDOVER_COUNT + 1;
    let mut it = vec![Ok(h(None, kpu.clone(), BallotType::Dpr, over, over))].into_iter();
    let refusal = s
        .import_handovers(None, &mut it)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refusal.index, 0);
    assert!(
        refusal.message.contains("terlalu besar"),
        "{}",
        refusal.message
    );

    // Counts that would take an account past what a u32 holds refuse the batch (not wrap).
    let huge = || {
        h(
            None,
            kpu.clone(),
            BallotType::Dpr,
            posko_core::logistics::MAX_HANDOVER_COUNT,
            posko_core::logistics::MAX_HANDOVER_COUNT,
        )
    };
    let mut it = vec![Ok(huge()), Ok(huge())].into_iter();
    let refusal = s
        .import_handovers(None, &mut it)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refusal.index, 1);
    assert!(refusal.message.contains("33.20"), "{}", refusal.message);
    let kpu_now = s
        .holdings("pemilu-2024", Stage::Kpu, "33.20")
        .await
        .unwrap();
    assert_eq!(kpu_now[0].good_in, 30_100);

    // Two batches at once from the same stock of 100 left: together they cannot spend it twice.
    let spend = |place: &str| {
        vec![Ok(h(
            Some(kpu.clone()),
            node(Stage::Ppk, place),
            BallotType::Dpr,
            80,
            80,
        ))]
        .into_iter()
    };
    let (mut a, mut b) = (spend("33.20.01"), spend("33.20.02"));
    let (ra, rb) = tokio::join!(
        s.import_handovers(None, &mut a),
        s.import_handovers(None, &mut b)
    );
    let landed = [ra.unwrap(), rb.unwrap()]
        .iter()
        .filter(|r| r.is_ok())
        .count();
    assert_eq!(landed, 1, "exactly one of two competing batches lands");
    let kpu_now = s
        .holdings("pemilu-2024", Stage::Kpu, "33.20")
        .await
        .unwrap();
    assert_eq!(kpu_now[0].sent_out, 30_080);
}

fn result_form(
    village: &str,
    n: u32,
    ballot: posko_core::BallotType,
    dpt: u32,
) -> posko_core::results::ResultForm {
    use posko_core::results::{ByList, Papers, ResultForm};
    ResultForm {
        tps: TpsId::new(code(village), TpsNumber::new(n).unwrap()).unwrap(),
        ballot,
        registered: ByList {
            dpt,
            dptb: 4,
            dpk: 2,
        },
        voted: ByList {
            dpt: 200,
            dptb: 4,
            dpk: 2,
        },
        papers: Papers {
            received: dpt + 9,
            used: 206,
            unused: dpt - 197,
            damaged: 1,
        },
        votes: vec![60, 120, 20],
        valid: 200,
        invalid: 6,
    }
}

pub async fn result_forms_round_trip_replace_and_scope(s: &dyn Store) {
    use posko_core::BallotType;
    let mut forms = vec![
        result_form("33.20.01.2001", 1, BallotType::Ppwp, 250),
        result_form("33.20.01.2001", 1, BallotType::Dpr, 250),
        result_form("33.20.01.2002", 3, BallotType::Ppwp, 240),
        result_form("33.20.02.2001", 2, BallotType::Ppwp, 230),
        result_form("15.71.01.1001", 1, BallotType::Ppwp, 220),
    ];
    // A form with no candidate votes (nothing counted yet) keeps its empty list.
    forms[4].votes.clear();
    assert_eq!(
        s.import_result_forms("pemilu-2024", &forms, "a.csv", now())
            .await
            .unwrap(),
        5
    );
    let jepara = s.result_forms("pemilu-2024", &code("33.20")).await.unwrap();
    assert_eq!(
        jepara,
        forms[..4].to_vec(),
        "in TPS and ballot order, Jepara only"
    );
    let village = s
        .result_forms("pemilu-2024", &code("33.20.01.2001"))
        .await
        .unwrap();
    assert_eq!(village.len(), 2);
    let jambi = s.result_forms("pemilu-2024", &code("15")).await.unwrap();
    assert_eq!(jambi, vec![forms[4].clone()]);
    assert!(s
        .result_forms("pilkada-2024", &code("33.20"))
        .await
        .unwrap()
        .is_empty());
    // A second import of the same TPS and ballot replaces the form.
    let mut fixed = forms[0].clone();
    fixed.invalid = 5;
    fixed.votes = vec![61, 120, 20];
    s.import_result_forms("pemilu-2024", std::slice::from_ref(&fixed), "b.csv", now())
        .await
        .unwrap();
    let again = s
        .result_forms("pemilu-2024", &code("33.20.01.2001"))
        .await
        .unwrap();
    assert_eq!(again[0], fixed);
    assert_eq!(again.len(), 2);
}

pub async fn previous_turnout_is_replaced_whole(s: &dyn Store) {
    use crate::PreviousTurnout;
    use posko_core::results::{Area, Turnout};
    use posko_core::BallotType;
    assert_eq!(s.previous_turnout("pemilu-2024").await.unwrap(), None);
    let rows = vec![
        PreviousTurnout {
            area: Area::Country,
            ballot: BallotType::Ppwp,
            turnout: Turnout {
                registered: 192_770_611,
                voted: 158_012_506,
            },
        },
        PreviousTurnout {
            area: Area::Region(code("33.20")),
            ballot: BallotType::Ppwp,
            turnout: Turnout {
                registered: 10_000,
                voted: 8_300,
            },
        },
    ];
    assert_eq!(
        s.set_previous_turnout("pemilu-2024", "Pemilu 2019", &rows)
            .await
            .unwrap(),
        2
    );
    let (label, got) = s.previous_turnout("pemilu-2024").await.unwrap().unwrap();
    assert_eq!(label, "Pemilu 2019");
    assert_eq!(got.len(), 2);
    assert!(got.contains(&rows[0]) && got.contains(&rows[1]));
    s.set_previous_turnout("pemilu-2024", "Pemilu 2019 (perbaikan)", &rows[1..])
        .await
        .unwrap();
    let (label, got) = s.previous_turnout("pemilu-2024").await.unwrap().unwrap();
    assert_eq!(label, "Pemilu 2019 (perbaikan)");
    assert_eq!(got, rows[1..].to_vec());
    assert_eq!(s.previous_turnout("pilkada-2024").await.unwrap(), None);
}

/// The lean read of the TPS's ballot accounts gives exactly the KPPS ballot accounts that
/// `holdings` gives, per region at every level: no other item, no other election, nothing
/// outside the region, nothing without a ballot type, nothing under a non-canonical TPS key.
pub async fn tps_ballot_accounts_match_holdings(s: &dyn Store) {
    use crate::{NewLogisticsHandover, TpsBallotAccount};
    use posko_core::election::BallotType;
    use posko_core::logistics::{Holding, Item, Node, Stage};
    let node = |stage, place: &str| Node {
        stage,
        place: place.to_string(),
    };
    let h = |election: &str, from: Option<Node>, to: Node, kind: &str, ballot, counts| {
        let (sent, good, damaged, missing) = counts;
        NewLogisticsHandover {
            election: election.into(),
            from,
            to,
            item: Item {
                kind: kind.into(),
                ballot,
            },
            sent,
            good,
            damaged,
            missing,
            at: now(),
            handed_by: "Ketua PPS".into(),
            received_by: "Ketua KPPS".into(),
            recorded_by: None,
        }
    };
    // Down the chain to each village, for every (election, item) the test uses.
    let villages = [
        "33.20.01.2001",
        "33.20.01.2002",
        "33.20.02.2001",
        "33.21.01.2001",
    ];
    let items: [(&str, &str, Option<BallotType>); 6] = [
        ("pemilu-2024", "surat_suara", Some(BallotType::Ppwp)),
        ("pemilu-2024", "surat_suara", Some(BallotType::Dpr)),
        ("pemilu-2024", "surat_suara", Some(BallotType::Dpd)),
        ("pemilu-2024", "surat_suara", None),
        ("pemilu-2024", "kotak_suara", Some(BallotType::Dpr)),
        ("pilkada-2024", "surat_suara", Some(BallotType::Dpr)),
    ];
    for (election, kind, ballot) in items {
        for v in villages {
            let regency = &v[..5];
            let district = &v[..8];
            let (kpu, ppk, pps) = (
                node(Stage::Kpu, regency),
                node(Stage::Ppk, district),
                node(Stage::Pps, v),
            );
            for (from, to) in [
                (None, kpu.clone()),
                (Some(kpu), ppk.clone()),
                (Some(ppk), pps),
            ] {
                s.record_handover(&h(election, from, to, kind, ballot, (1_000, 1_000, 0, 0)))
                    .await
                    .unwrap();
            }
        }
    }
    // To the TPS: counts that differ per TPS and ballot, some damaged or missing.
    let mut i = 0u32;
    for (election, kind, ballot) in items {
        for (v, tps) in [
            ("33.20.01.2001", "001"),
            ("33.20.01.2001", "002"),
            ("33.20.01.2001", "7"), // a key the store took as given: not canonical
            ("33.20.01.2002", "001"),
            ("33.20.02.2001", "003"),
            ("33.21.01.2001", "001"),
        ] {
            i += 1;
            let (damaged, missing) = (i % 3, i % 2);
            s.record_handover(&h(
                election,
                Some(node(Stage::Pps, v)),
                node(Stage::Kpps, &format!("{v}/{tps}")),
                kind,
                ballot,
                (100 + i, 100 + i - damaged - missing, damaged, missing),
            ))
            .await
            .unwrap();
        }
    }
    let expected = |within: &str, holdings: Vec<crate::NodeHolding>| -> Vec<TpsBallotAccount> {
        holdings
            .into_iter()
            .filter(|n| n.node.stage == Stage::Kpps && n.item.kind == "surat_suara")
            .filter_map(|n| {
                Some(TpsBallotAccount {
                    tps: TpsId::parse_canonical(&n.node.place)?,
                    ballot: n.item.ballot?,
                    holding: Holding {
                        good_in: n.good_in,
                        damaged_in: n.damaged_in,
                        missing_in: n.missing_in,
                        sent_out: n.sent_out,
                    },
                })
            })
            .inspect(|a| assert!(a.tps.to_string().starts_with(within)))
            .collect()
    };
    for (within, n) in [
        ("33", 15),
        ("33.20", 12),
        ("33.20.01", 9),
        ("33.20.01.2001", 6),
        ("33.21.01.2001", 3),
        ("15", 0),
    ] {
        let all = s
            .holdings("pemilu-2024", Stage::Kpps, within)
            .await
            .unwrap();
        let lean = s
            .tps_ballot_accounts("pemilu-2024", &code(within), "surat_suara")
            .await
            .unwrap();
        // In TPS order; the order of one TPS's ballot types is not promised.
        assert!(lean.windows(2).all(|w| w[0].tps <= w[1].tps), "{within}");
        let mut want = expected(within, all);
        let mut got = lean.clone();
        want.sort_by_key(|a| (a.tps, a.ballot));
        got.sort_by_key(|a| (a.tps, a.ballot));
        assert_eq!(got, want, "{within}");
        assert_eq!(lean.len(), n, "{within}: 3 ballot types per canonical TPS");
    }
    // What was skipped was there to skip: the key "…/7" and the account without a ballot type.
    let village = s
        .holdings("pemilu-2024", Stage::Kpps, "33.20.01.2001")
        .await
        .unwrap();
    assert!(village.iter().any(|n| n.node.place == "33.20.01.2001/7"));
    assert!(village.iter().any(|n| n.item.ballot.is_none()));
    // The counts are the TPS's own: the first TPS's presidential ballots (i = 1: 1 missing).
    let first = s
        .tps_ballot_accounts("pemilu-2024", &code("33.20.01.2001"), "surat_suara")
        .await
        .unwrap();
    let tps1 = TpsId::parse("33.20.01.2001/001").unwrap();
    let pres = first
        .iter()
        .find(|a| a.tps == tps1 && a.ballot == BallotType::Ppwp)
        .unwrap();
    assert_eq!(
        pres.holding,
        Holding {
            good_in: 99,
            damaged_in: 1,
            missing_in: 1,
            sent_out: 0
        }
    );
    // Another item and another election have their own accounts.
    let boxes = s
        .tps_ballot_accounts("pemilu-2024", &code("33"), "kotak_suara")
        .await
        .unwrap();
    assert_eq!(boxes.len(), 5);
    assert!(boxes.iter().all(|a| a.ballot == BallotType::Dpr));
    let pilkada = s
        .tps_ballot_accounts("pilkada-2024", &code("33.20"), "surat_suara")
        .await
        .unwrap();
    assert_eq!(pilkada.len(), 4);
}

/// The lean register read gives each TPS of a region with its voters, as `tps_in_region` does.
pub async fn tps_voters_match_the_register(s: &dyn Store) {
    let rows = vec![
        tps("33.20.01.2001", 1, 250),
        tps("33.20.01.2001", 2, 240),
        tps("33.20.01.2002", 1, 300),
        tps("33.20.02.2001", 1, 100),
        tps("33.21.01.2001", 12, 0),
        tps("15.71.01.1001", 1, 500),
    ];
    s.import_tps("pemilu-2024", &rows).await.unwrap();
    s.import_tps("pilkada-2024", &[tps("33.20.01.2001", 3, 77)])
        .await
        .unwrap();
    for (within, n) in [("33", 5), ("33.20", 4), ("33.20.01.2001", 2), ("16", 0)] {
        let full: Vec<(TpsId, u32)> = s
            .tps_in_region("pemilu-2024", &code(within))
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.id, t.voters))
            .collect();
        let lean = s
            .tps_voters_in_region("pemilu-2024", &code(within))
            .await
            .unwrap();
        assert_eq!(lean, full, "{within}");
        assert_eq!(lean.len(), n, "{within}");
    }
    assert_eq!(
        s.tps_voters_in_region("pilkada-2024", &code("33"))
            .await
            .unwrap(),
        vec![(TpsId::parse("33.20.01.2001/003").unwrap(), 77)]
    );
}
