//! Unsealing a reporter's identity takes two officers of two agencies: one asks, with a reason;
//! another, of a different agency, approves. Only then may the one who asked read it, and every
//! step, and every read, goes into the audit log. Reporters of police officers and soldiers fear
//! retaliation; no single officer, and no single agency, can expose them.

use jiff::Timestamp;
use posko_core::Role;
use posko_store::{NewAuditEntry, NewUnsealRequest, Store, StoreError, User};

use crate::accounts::SecretKey;
use crate::seal::{self, OpenIdentity};

#[derive(Debug, thiserror::Error)]
pub enum UnsealError {
    #[error("peran Anda tidak boleh meminta atau menyetujui buka segel (your role may not)")]
    RoleNotAllowed,
    #[error("akun Anda tidak terdaftar pada instansi mana pun (your account has no agency)")]
    NoAgency,
    #[error("alasan buka segel 10–1000 karakter (give a reason of 10–1000 characters)")]
    Reason,
    #[error(
        "persetujuan harus dari petugas instansi lain (approval must come from another agency)"
    )]
    SameAgency,
    #[error("permintaan tidak ditemukan atau sudah disetujui (no such pending request)")]
    NotPending,
    #[error("belum ada persetujuan buka segel untuk Anda (no approved request of yours)")]
    NotApproved,
    #[error("laporan ini tidak memuat identitas pelapor (the reporter gave no identity)")]
    NoIdentity,
    #[error("identitas tidak dapat dibuka (cannot open the identity)")]
    Open,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn may_take_part(u: &User) -> Result<posko_core::Agency, UnsealError> {
    // Handlers of other agencies (penindak) never see a reporter's identity.
    if !matches!(u.role, Role::PetugasPiket | Role::Koordinator | Role::Admin) {
        return Err(UnsealError::RoleNotAllowed);
    }
    u.agency.ok_or(UnsealError::NoAgency)
}

async fn audit(
    store: &dyn Store,
    actor: &User,
    action: &str,
    report_id: i64,
    detail: String,
) -> Result<(), StoreError> {
    store
        .append_audit(&NewAuditEntry {
            at: Timestamp::now(),
            actor: Some(actor.id),
            action: action.into(),
            subject: format!("report:{report_id}"),
            detail,
        })
        .await
}

/// An officer asks to unseal a report's reporter identity.
pub async fn request(
    store: &dyn Store,
    officer: &User,
    report_id: i64,
    reason: &str,
) -> Result<i64, UnsealError> {
    may_take_part(officer)?;
    let reason = reason.trim();
    if !(10..=1000).contains(&reason.chars().count()) {
        return Err(UnsealError::Reason);
    }
    if store.sealed_identity(report_id).await?.is_none() {
        return Err(UnsealError::NoIdentity);
    }
    let id = store
        .create_unseal_request(&NewUnsealRequest {
            report_id,
            requested_by: officer.id,
            reason: reason.to_string(),
            at: Timestamp::now(),
        })
        .await?;
    audit(
        store,
        officer,
        "unseal_requested",
        report_id,
        format!("permintaan {id}: {reason}"),
    )
    .await?;
    Ok(id)
}

/// A second officer, of another agency, approves a pending request.
pub async fn approve(
    store: &dyn Store,
    approver: &User,
    report_id: i64,
    request_id: i64,
) -> Result<(), UnsealError> {
    let agency = may_take_part(approver)?;
    let pending = store
        .unseal_requests(report_id)
        .await?
        .into_iter()
        .find(|r| r.id == request_id && r.approved_by.is_none())
        .ok_or(UnsealError::NotPending)?;
    if pending.requested_by == approver.id || pending.requester_agency == Some(agency) {
        return Err(UnsealError::SameAgency);
    }
    store
        .approve_unseal_request(request_id, approver.id, Timestamp::now())
        .await
        .map_err(|e| match e {
            StoreError::NotFound(_) => UnsealError::NotPending,
            other => UnsealError::Store(other),
        })?;
    audit(
        store,
        approver,
        "unseal_approved",
        report_id,
        format!("permintaan {request_id}"),
    )
    .await?;
    Ok(())
}

/// The officer whose request was approved reads the identity; the read is audited first.
pub async fn read_identity(
    store: &dyn Store,
    key: &SecretKey,
    officer: &User,
    report_id: i64,
) -> Result<OpenIdentity, UnsealError> {
    may_take_part(officer)?;
    let approved = store
        .unseal_requests(report_id)
        .await?
        .into_iter()
        .any(|r| r.requested_by == officer.id && r.approved_by.is_some());
    if !approved {
        return Err(UnsealError::NotApproved);
    }
    let sealed = store
        .sealed_identity(report_id)
        .await?
        .ok_or(UnsealError::NoIdentity)?;
    audit(store, officer, "identity_read", report_id, String::new()).await?;
    seal::open(key, &sealed).map_err(|_| UnsealError::Open)
}
