//! The conformance suite: what every [`Store`](crate::Store) must do, checked the same way for
//! each back end. A back end's test crate calls [`conformance_suite!`](crate::conformance_suite)
//! with a function that makes a fresh, empty store (or `None` to skip, saying why).
//!
//! This is test code that lives in a library so both back ends can run it: it may unwrap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::{Timestamp, ToSpan};
use posko_core::{Agency, GeoPoint, Level, RegionCode, Role, TpsId, TpsNumber, TpsRecord};

use crate::{ImportCount, NewSession, NewUser, Store, StoreError, Tally};

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
            tps_tally_is_exact_at_every_level
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

fn new_user(username: &str, role: Role) -> NewUser {
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
