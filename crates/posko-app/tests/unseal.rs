//! Unsealing a reporter's identity needs two officers of two agencies; every step is audited.
//! Runs the real app functions over a real SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use posko_app::accounts::{self, AccountRequest};
use posko_app::intake::{self, Channel};
use posko_app::unseal::{self, UnsealError};
use posko_app::{Config, Posko, SecretKey};
use posko_core::report::ReportInput;
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

async fn officer(p: &Posko, name: &str, role: Role, agency: Option<Agency>) -> User {
    accounts::add_user(
        p.store.as_ref(),
        AccountRequest {
            username: name.into(),
            display_name: name.into(),
            password: "kata-sandi-panjang".into(),
            role,
            agency,
            region: Some(RegionCode::parse("33.20").unwrap()),
        },
    )
    .await
    .unwrap()
}

fn identified_report() -> ReportInput {
    let today = jiff::Zoned::now().date().to_string();
    ReportInput {
        subject_category: "polri".into(),
        subject_name: "Brigadir X".into(),
        violation: "aparat_politik_praktis".into(),
        description: "Mengarahkan warga memilih pasangan calon tertentu di pos ronda.".into(),
        region: "33.20.01.2001".into(),
        happened_on: today.clone(),
        learned_on: today,
        reporter_name: "Siti Aminah".into(),
        reporter_address: "Jl. Kartini 1".into(),
        reporter_nik: "3320014507900001".into(),
        reporter_phone: "081234567890".into(),
        ..ReportInput::default()
    }
}

#[tokio::test]
async fn two_officers_of_two_agencies_are_needed() {
    let (_dir, p) = app().await;
    let receipt = intake::submit(
        &p.intake_context(),
        &identified_report(),
        &[],
        Channel::Web,
        None,
    )
    .await
    .unwrap();
    let id = p.store.list_reports(1).await.unwrap()[0].id;
    assert_eq!(
        p.store
            .report_status(&receipt.tracking_code)
            .await
            .unwrap()
            .unwrap()
            .kind
            .as_str(),
        "laporan"
    );

    let bawaslu = officer(
        &p,
        "piket.bawaslu",
        Role::PetugasPiket,
        Some(Agency::Bawaslu),
    )
    .await;
    let bawaslu2 = officer(
        &p,
        "piket.bawaslu2",
        Role::PetugasPiket,
        Some(Agency::Bawaslu),
    )
    .await;
    let kpu = officer(&p, "piket.kpu", Role::PetugasPiket, Some(Agency::Kpu)).await;
    let observer = officer(&p, "pemantau", Role::Pemantau, None).await;
    let s = p.store.as_ref();

    // One officer alone cannot read it, and cannot ask without a reason.
    assert!(matches!(
        unseal::read_identity(s, &p.key, &bawaslu, id).await,
        Err(UnsealError::NotApproved)
    ));
    assert!(matches!(
        unseal::request(s, &bawaslu, id, "perlu").await,
        Err(UnsealError::Reason)
    ));
    assert!(matches!(
        unseal::request(s, &observer, id, "ingin tahu siapa pelapornya").await,
        Err(UnsealError::RoleNotAllowed)
    ));
    let req = unseal::request(s, &bawaslu, id, "Klarifikasi pelapor untuk kajian awal")
        .await
        .unwrap();

    // Not by themselves, not by a colleague of the same agency.
    assert!(matches!(
        unseal::approve(s, &bawaslu, id, req).await,
        Err(UnsealError::SameAgency)
    ));
    assert!(matches!(
        unseal::approve(s, &bawaslu2, id, req).await,
        Err(UnsealError::SameAgency)
    ));
    assert!(matches!(
        unseal::read_identity(s, &p.key, &bawaslu, id).await,
        Err(UnsealError::NotApproved)
    ));

    // An officer of another agency approves; then, and only then, the requester reads.
    unseal::approve(s, &kpu, id, req).await.unwrap();
    assert!(matches!(
        unseal::approve(s, &kpu, id, req).await,
        Err(UnsealError::NotPending)
    ));
    let identity = unseal::read_identity(s, &p.key, &bawaslu, id)
        .await
        .unwrap();
    assert_eq!(identity.nik.as_deref(), Some("3320014507900001"));
    assert_eq!(identity.phone.as_deref(), Some("+6281234567890"));
    // The approver did not ask, so cannot read.
    assert!(matches!(
        unseal::read_identity(s, &p.key, &kpu, id).await,
        Err(UnsealError::NotApproved)
    ));

    let audit = s.audit_entries().await.unwrap();
    let actions: Vec<(&str, Option<i64>)> = audit
        .iter()
        .map(|e| (e.entry.action.as_str(), e.entry.actor))
        .collect();
    assert_eq!(
        actions,
        [
            ("unseal_requested", Some(bawaslu.id)),
            ("unseal_approved", Some(kpu.id)),
            ("identity_read", Some(bawaslu.id))
        ]
    );
    assert!(audit
        .iter()
        .all(|e| e.entry.subject == format!("report:{id}")));
}

#[tokio::test]
async fn an_anonymous_report_has_nothing_to_unseal() {
    let (_dir, p) = app().await;
    let mut input = identified_report();
    input.reporter_name.clear();
    input.reporter_address.clear();
    input.reporter_nik.clear();
    input.reporter_phone.clear();
    let r = intake::submit(&p.intake_context(), &input, &[], Channel::Web, None)
        .await
        .unwrap();
    assert_eq!(r.kind.as_str(), "informasi_awal");
    let id = p.store.list_reports(1).await.unwrap()[0].id;
    let a = officer(&p, "piket.a", Role::PetugasPiket, Some(Agency::Bawaslu)).await;
    assert!(matches!(
        unseal::request(p.store.as_ref(), &a, id, "Klarifikasi pelapor").await,
        Err(UnsealError::NoIdentity)
    ));
}
