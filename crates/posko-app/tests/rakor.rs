//! Rakor over a real SQLite store: who records meetings and who sees which follow-up action, the
//! moves each officer may make, the alerts at the exact minute the lead time opens and the due day
//! ends (each once, to the agency's officers; the late one also to the coordinators), and the
//! digest for the next briefing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use posko_app::rakor::{self, ActionRequest, RakorError};
use posko_app::{Config, Posko, SecretKey};
use posko_core::rakor::{ActionMove, ActionState, Attendance, MeetingDraft};
use posko_core::{Agency, Elections, RegionCode, Role};
use posko_store::User;
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

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

async fn user(p: &Posko, name: &str, role: Role, agency: Agency, region: &str) -> User {
    posko_app::accounts::add_user(
        p.store.as_ref(),
        posko_app::accounts::AccountRequest {
            username: name.into(),
            display_name: name.into(),
            password: "kata-sandi-panjang".into(),
            role,
            agency: Some(agency),
            region: Some(code(region)),
        },
    )
    .await
    .unwrap()
}

async fn told(p: &Posko, u: &User) -> Vec<String> {
    p.store
        .notifications(u.id, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

#[tokio::test]
async fn actions_reach_only_their_agency_move_by_rule_and_alert_on_the_minute() {
    let (_dir, p) = app().await;
    let koor = user(
        &p,
        "koor.jepara",
        Role::Koordinator,
        Agency::Kesbangpol,
        "33.20",
    )
    .await;
    let polri = user(&p, "polri.jepara", Role::Penindak, Agency::Polri, "33.20").await;
    let piket_polri = user(
        &p,
        "piket.polri",
        Role::PetugasPiket,
        Agency::Polri,
        "33.20",
    )
    .await;
    let kpu = user(&p, "kpu.jepara", Role::Penindak, Agency::Kpu, "33.20").await;
    let polri_jambi = user(&p, "polri.jambi", Role::Penindak, Agency::Polri, "15.71").await;
    let pemantau = user(&p, "pemantau", Role::Pemantau, Agency::Bawaslu, "33.20").await;
    let koor_jambi = user(
        &p,
        "koor.jambi",
        Role::Koordinator,
        Agency::Kesbangpol,
        "15.71",
    )
    .await;

    let draft = MeetingDraft {
        region: code("33.20"),
        date: jiff::civil::date(2024, 2, 1),
        time: jiff::civil::time(9, 0, 0, 0),
        place: "Pendopo Kabupaten Jepara".into(),
        chair: "Pj Bupati Jepara".into(),
        agenda: vec!["Pengamanan gudang logistik".into()],
        attendance: vec![Attendance {
            agency: Agency::Polri,
            representative: "AKBP Contoh".into(),
            position: "Kapolres Jepara".into(),
        }],
    };
    let t0 = at("2024-02-01T03:00:00Z");
    // Only the region's coordinators record meetings.
    for who in [&polri, &pemantau, &koor_jambi] {
        assert!(matches!(
            rakor::create_meeting(&p, who, &draft, t0).await,
            Err(RakorError::Forbidden)
        ));
    }
    let m = rakor::create_meeting(&p, &koor, &draft, t0).await.unwrap();
    let (stored, _) = rakor::meeting(&p, &koor, m).await.unwrap();
    assert_eq!(stored.held_at, at("2024-02-01T02:00:00Z"), "09:00 WIB");
    assert!(matches!(
        rakor::meeting(&p, &polri, m).await,
        Err(RakorError::Forbidden)
    ));
    let n = rakor::add_decision(&p, &koor, m, "Gudang KPU dijaga 24 jam", t0)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let req = |due| ActionRequest {
        meeting_id: m,
        decision: 1,
        agency: Agency::Polri,
        description: "Patroli gudang KPU".into(),
        due,
    };
    // A due date before the meeting is refused, naming the field.
    let e = rakor::add_action(&p, &koor, &req(jiff::civil::date(2024, 1, 31)), t0)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("tenggat"), "{e}");
    let id = rakor::add_action(&p, &koor, &req(jiff::civil::date(2024, 2, 10)), t0)
        .await
        .unwrap();

    // The agency sees it; another agency, another region, an observer do not.
    assert_eq!(rakor::console(&p, &polri, false).await.unwrap().len(), 1);
    assert_eq!(
        rakor::console(&p, &piket_polri, false).await.unwrap().len(),
        1
    );
    assert_eq!(rakor::console(&p, &koor, false).await.unwrap().len(), 1);
    assert!(rakor::console(&p, &kpu, false).await.unwrap().is_empty());
    assert!(rakor::console(&p, &polri_jambi, false)
        .await
        .unwrap()
        .is_empty());
    assert!(rakor::console(&p, &koor_jambi, false)
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        rakor::console(&p, &pemantau, false).await,
        Err(RakorError::Forbidden)
    ));
    assert!(matches!(
        rakor::action(&p, &kpu, id).await,
        Err(RakorError::Forbidden)
    ));

    // Alerts: the due day ends 2024-02-11 00:00 WIB = 2024-02-10T17:00Z; the lead is 24 hours.
    let end = at("2024-02-10T17:00:00Z");
    let lead = SignedDuration::from_hours(24);
    let minute = SignedDuration::from_mins(1);
    let r = rakor::scan(&p, end - lead - minute).await.unwrap();
    assert_eq!((r.near, r.late), (0, 0), "not a minute early");
    assert!(told(&p, &polri).await.is_empty());
    let r = rakor::scan(&p, end - lead).await.unwrap();
    assert_eq!((r.near, r.late), (1, 0), "due alert on the minute");
    let r = rakor::scan(&p, end - lead + 30 * minute).await.unwrap();
    assert_eq!((r.near, r.late), (0, 0), "once");
    assert_eq!(told(&p, &polri).await, vec!["tindak_lanjut_jatuh_tempo"]);
    assert_eq!(
        told(&p, &piket_polri).await,
        vec!["tindak_lanjut_jatuh_tempo"]
    );
    assert!(told(&p, &kpu).await.is_empty());
    assert!(told(&p, &polri_jambi).await.is_empty());
    assert!(told(&p, &koor).await.is_empty());
    let r = rakor::scan(&p, end - minute).await.unwrap();
    assert_eq!((r.near, r.late), (0, 0), "not late a minute early");
    let r = rakor::scan(&p, end).await.unwrap();
    assert_eq!((r.near, r.late), (0, 1), "late alert on the minute");
    let r = rakor::scan(&p, end + 5 * minute).await.unwrap();
    assert_eq!((r.near, r.late), (0, 0), "once");
    let mut polri_told = told(&p, &polri).await;
    polri_told.sort();
    assert_eq!(
        polri_told,
        vec!["tindak_lanjut_jatuh_tempo", "tindak_lanjut_terlambat"]
    );
    assert_eq!(told(&p, &koor).await, vec!["tindak_lanjut_terlambat"]);
    assert!(told(&p, &koor_jambi).await.is_empty());

    // Moves: another agency may not; the agency may not cancel; done needs a note.
    let t1 = end + SignedDuration::from_hours(2);
    assert!(matches!(
        rakor::move_action(&p, &kpu, id, &ActionMove::Mulai, "", t1).await,
        Err(RakorError::Forbidden)
    ));
    let cancel = ActionMove::Batalkan {
        reason: "Tidak perlu".into(),
    };
    assert!(matches!(
        rakor::move_action(&p, &polri, id, &cancel, "Tidak perlu", t1).await,
        Err(RakorError::Forbidden)
    ));
    assert_eq!(
        rakor::move_action(&p, &polri, id, &ActionMove::Mulai, "", t1)
            .await
            .unwrap(),
        ActionState::Dikerjakan
    );
    let e = rakor::move_action(&p, &polri, id, &ActionMove::Mulai, "", t1)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("tidak boleh") && e.to_string().contains("not allowed"),
        "{e}"
    );
    let e = rakor::move_action(&p, &polri, id, &ActionMove::Selesai, " ", t1)
        .await
        .unwrap_err();
    assert!(e.to_string().starts_with("catatan: wajib diisi"), "{e}");
    let digest_before = p.follow_up_digest(&code("33.20"), t1).await.unwrap();
    assert_eq!(
        (digest_before.counts.late, digest_before.counts.done),
        (1, 0)
    );
    let t2 = t1 + SignedDuration::from_hours(1);
    rakor::move_action(
        &p,
        &piket_polri,
        id,
        &ActionMove::Selesai,
        "Patroli dua kali sehari",
        t2,
    )
    .await
    .unwrap();
    let (a, events) = rakor::action(&p, &polri, id).await.unwrap();
    assert_eq!(a.state, ActionState::Selesai);
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].by, Some(piket_polri.id));
    // Done after the due day: no longer late, no new alert.
    assert_eq!(
        rakor::scan(&p, t2 + minute).await.unwrap(),
        rakor::ScanReport::default()
    );
    // The digest since the previous meeting (2024-02-01 09:00 WIB).
    let d = p.follow_up_digest(&code("33.20"), t2).await.unwrap();
    assert_eq!(d.since, Some(at("2024-02-01T02:00:00Z")));
    assert_eq!((d.counts.done, d.counts.open, d.counts.late), (1, 0, 0));
    assert_eq!(d.done[0].id, id);
    // Jawa Tengah's digest holds Jepara's; Jambi's does not.
    let central = rakor::follow_up_digest(&p, &code("33"), None, t2)
        .await
        .unwrap();
    assert_eq!(central.counts.done, 1);
    let jambi = rakor::follow_up_digest(&p, &code("15"), None, t2)
        .await
        .unwrap();
    assert_eq!(jambi.counts.done + jambi.counts.open + jambi.counts.late, 0);
}
