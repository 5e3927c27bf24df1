//! Moving a case through its legal steps, with who may do what: the post's own officers
//! (petugas piket, koordinator, admin) triage, examine, decide and refer; a handler (penindak)
//! of the competent agency acts only on cases routed to it, records the follow-up and the
//! outcome, and sees nothing else. Referral goes to the body the law names for the decision and
//! the reported official (`posko_core::case::competent_body`), never to one an officer picks.
//! Every move is an event on the case's timeline and an entry in the audit chain.

use jiff::Timestamp;
use posko_core::case::{apply, competent_body, Action, Case, IllegalTransition};
use posko_core::Role;
use posko_store::{CaseEvent, NewAuditEntry, NewCustodyEvent, Store, StoreError, StoredCase, User};

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("kasus tidak ditemukan (no such case)")]
    NotFound,
    #[error("Anda tidak berwenang atas kasus ini (you may not act on this case)")]
    Forbidden,
    #[error("{0}")]
    Illegal(IllegalTransition),
    #[error(
        "tidak ada instansi berwenang untuk putusan ini (no competent body for this decision)"
    )]
    NoCompetentBody,
    #[error("kasus sudah dipindahkan petugas lain; muat ulang (the case moved meanwhile; reload)")]
    Moved,
    #[error(transparent)]
    Store(StoreError),
}

/// The post's own officers, who see every case.
fn is_post_officer(u: &User) -> bool {
    matches!(u.role, Role::Admin | Role::Koordinator | Role::PetugasPiket)
}

/// Whether an officer may see a case at all.
pub fn may_see(u: &User, c: &StoredCase) -> bool {
    is_post_officer(u)
        || (u.role == Role::Penindak && u.agency.is_some() && c.case.referred_to == u.agency)
}

fn may_do(u: &User, c: &StoredCase, action: &Action) -> bool {
    match action {
        Action::StartFollowUp | Action::RecordOutcome { .. } => {
            u.role == Role::Penindak && u.agency.is_some() && c.case.referred_to == u.agency
        }
        _ => is_post_officer(u),
    }
}

/// Loads a case the officer may see.
pub async fn load(
    store: &dyn Store,
    officer: &User,
    report_id: i64,
) -> Result<StoredCase, CaseError> {
    let c = store
        .case_of(report_id)
        .await
        .map_err(CaseError::Store)?
        .ok_or(CaseError::NotFound)?;
    // A case the officer may not see is "not found": its existence is not disclosed.
    if !may_see(officer, &c) {
        return Err(CaseError::NotFound);
    }
    Ok(c)
}

/// Applies an officer's action; a `Refer` is always to the competent body.
pub async fn act(
    store: &dyn Store,
    officer: &User,
    report_id: i64,
    action: Action,
) -> Result<Case, CaseError> {
    let stored = load(store, officer, report_id).await?;
    let action = match action {
        Action::Refer { .. } => {
            let decision = stored.case.decision.ok_or(CaseError::NoCompetentBody)?;
            let to = competent_body(decision, stored.subject_category)
                .ok_or(CaseError::NoCompetentBody)?;
            Action::Refer { to }
        }
        other => other,
    };
    if !may_do(officer, &stored, &action) {
        return Err(CaseError::Forbidden);
    }
    let next = apply(&stored.case, &action).map_err(CaseError::Illegal)?;
    let detail = match &action {
        Action::RejectRegistration { reason } => reason.clone(),
        Action::RecordOutcome { sanction } => sanction.clone(),
        Action::Decide { decision } => posko_store::decode::decision_name(*decision).to_string(),
        Action::Refer { to } => to.as_str().to_string(),
        _ => String::new(),
    };
    let now = Timestamp::now();
    let event = CaseEvent {
        report_id,
        at: now,
        actor: officer.id,
        action: action.name().to_string(),
        from_state: stored.case.state.as_str().to_string(),
        to_state: next.state.as_str().to_string(),
        detail: detail.clone(),
    };
    store
        .transition_case(stored.case.state, &next, &event)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => CaseError::Moved,
            other => CaseError::Store(other),
        })?;
    // A referral hands the evidence over to the competent body: a step in each file's custody.
    if let Action::Refer { to } = &action {
        let evidence = store
            .report_detail(report_id)
            .await
            .map_err(CaseError::Store)?
            .map(|d| d.evidence)
            .unwrap_or_default();
        for e in evidence {
            store
                .add_custody_event(&NewCustodyEvent {
                    sha256: e.sha256,
                    report_id,
                    at: now,
                    actor: Some(officer.id),
                    action: "handed_over".into(),
                    note: format!("diserahkan bersama kasus kepada {}", to.label()),
                })
                .await
                .map_err(CaseError::Store)?;
        }
    }
    store
        .append_audit(&NewAuditEntry {
            at: now,
            actor: Some(officer.id),
            action: format!("case_{}", action.name()),
            subject: format!("report:{report_id}"),
            detail: format!(
                "{} -> {} {detail}",
                stored.case.state.as_str(),
                next.state.as_str()
            ),
        })
        .await
        .map_err(CaseError::Store)?;
    Ok(next)
}
