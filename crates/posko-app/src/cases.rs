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
    #[error("petugas tujuan bukan petugas posko yang aktif (assignee is not an active officer of the post)")]
    BadAssignee,
    #[error("alasan perpanjangan wajib diisi (give the reason for the extension)")]
    ReasonRequired,
    #[error(
        "penanganan hanya dapat diperpanjang sekali, selama teregistrasi atau pemeriksaan          (handling can be extended once, while registered or under examination)"
    )]
    NotExtendable,
    #[error(
        "laporan ini tidak dapat digabung: sudah digabung, atau kasus induknya sendiri laporan          gabungan (cannot merge: already merged, or the main case is itself merged)"
    )]
    NotMergeable,
    #[error(transparent)]
    Store(StoreError),
}

/// The post's own officers, who see every case.
fn is_post_officer(u: &User) -> bool {
    matches!(u.role, Role::Admin | Role::Koordinator | Role::PetugasPiket)
}

/// Whether an officer may see a case at all: within their region (every role but admin works
/// within one), and for a handler only what was routed to their agency.
pub fn may_see(u: &User, c: &StoredCase) -> bool {
    let in_scope = u.region.is_none_or(|r| r.contains(&c.region));
    in_scope
        && (is_post_officer(u)
            || (u.role == Role::Penindak && u.agency.is_some() && c.case.referred_to == u.agency))
}

/// The region an officer's list is narrowed to, given the region they asked for: the asked one
/// when it lies inside their scope, their scope when it lies inside the asked one. `Err(OutOfScope)`
/// when the two do not meet (the list is empty).
pub fn narrow(
    u: &User,
    asked: Option<posko_core::RegionCode>,
) -> Result<Option<posko_core::RegionCode>, OutOfScope> {
    match (u.region, asked) {
        (None, a) => Ok(a),
        (Some(r), None) => Ok(Some(r)),
        (Some(r), Some(a)) if r.contains(&a) => Ok(Some(a)),
        (Some(r), Some(a)) if a.contains(&r) => Ok(Some(r)),
        _ => Err(OutOfScope),
    }
}

/// The region asked for lies outside the officer's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfScope;

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
    // Tell the agency of a referral, and the post of the agency's outcome.
    crate::notify::after_case_action(store, report_id, &stored, &next).await;
    Ok(next)
}

/// An event on a case's timeline that does not move its state (assignment, extension, merge).
fn side_event(
    c: &StoredCase,
    actor: i64,
    action: &str,
    detail: String,
    at: Timestamp,
) -> CaseEvent {
    CaseEvent {
        report_id: c.report_id,
        at,
        actor,
        action: action.into(),
        from_state: c.case.state.as_str().into(),
        to_state: c.case.state.as_str().into(),
        detail,
    }
}

async fn audit(
    store: &dyn Store,
    actor: i64,
    action: &str,
    report_id: i64,
    detail: String,
    at: Timestamp,
) -> Result<(), CaseError> {
    store
        .append_audit(&NewAuditEntry {
            at,
            actor: Some(actor),
            action: action.into(),
            subject: format!("report:{report_id}"),
            detail,
        })
        .await
        .map_err(CaseError::Store)
}

/// Assigns a case to an officer of the post (or releases it with `None`). Only the post's own
/// officers assign, and only to an active officer of the post; a handler's agency assigns inside
/// its own system.
pub async fn assign(
    store: &dyn Store,
    officer: &User,
    report_id: i64,
    assignee: Option<i64>,
) -> Result<(), CaseError> {
    let c = load(store, officer, report_id).await?;
    if !is_post_officer(officer) {
        return Err(CaseError::Forbidden);
    }
    let name = match assignee {
        Some(id) => {
            let users = store.list_users().await.map_err(CaseError::Store)?;
            let target = users
                .into_iter()
                .find(|u| u.id == id && u.active && is_post_officer(u))
                .ok_or(CaseError::BadAssignee)?;
            target.display_name
        }
        None => String::new(),
    };
    let now = Timestamp::now();
    let action = if assignee.is_some() {
        "assign"
    } else {
        "unassign"
    };
    store
        .assign_case(
            assignee,
            &side_event(&c, officer.id, action, name.clone(), now),
        )
        .await
        .map_err(CaseError::Store)?;
    audit(
        store,
        officer.id,
        &format!("case_{action}"),
        report_id,
        assignee.map(|a| format!("user:{a}")).unwrap_or_default(),
        now,
    )
    .await
}

/// Extends handling once, when more information is needed (UU 7/2017 Pasal 454(8); Pilkada: +2
/// days), with the reason on the timeline.
pub async fn extend(
    store: &dyn Store,
    officer: &User,
    report_id: i64,
    reason: &str,
) -> Result<(), CaseError> {
    let c = load(store, officer, report_id).await?;
    if !is_post_officer(officer) {
        return Err(CaseError::Forbidden);
    }
    let reason = reason.trim();
    if reason.chars().count() < 5 {
        return Err(CaseError::ReasonRequired);
    }
    let now = Timestamp::now();
    store
        .extend_handling(&side_event(
            &c,
            officer.id,
            "extend",
            reason.to_string(),
            now,
        ))
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => CaseError::NotExtendable,
            other => CaseError::Store(other),
        })?;
    audit(
        store,
        officer.id,
        "case_extend",
        report_id,
        String::new(),
        now,
    )
    .await
}

/// Merges report `duplicate` into the case of report `into`, confirmed by an officer. Each
/// reporter keeps their own sealed identity, tracking code and status page (which follows the
/// main case); only the handling is shared.
pub async fn merge(
    store: &dyn Store,
    officer: &User,
    duplicate: i64,
    into: i64,
) -> Result<(), CaseError> {
    if !is_post_officer(officer) {
        return Err(CaseError::Forbidden);
    }
    let dup = load(store, officer, duplicate).await?;
    let main = load(store, officer, into).await?;
    let now = Timestamp::now();
    store
        .merge_case(
            &side_event(&dup, officer.id, "merge_into", format!("#{into}"), now),
            &side_event(
                &main,
                officer.id,
                "merged_from",
                format!("#{duplicate}"),
                now,
            ),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => CaseError::NotMergeable,
            other => CaseError::Store(other),
        })?;
    audit(
        store,
        officer.id,
        "case_merge",
        duplicate,
        format!("into report:{into}"),
        now,
    )
    .await
}

/// A suggested duplicate of a case, with its score and reasons.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub other: posko_store::DedupFacts,
    pub similarity: posko_core::dedup::Similarity,
}

/// Reports that may tell of the same incident as this one: same regency, within the days the
/// score allows, not merged, scored and sorted best first. Only suggestions; an officer decides.
pub async fn duplicate_suggestions(
    store: &dyn Store,
    officer: &User,
    report_id: i64,
) -> Result<Vec<Suggestion>, CaseError> {
    use posko_core::dedup::{similarity, MAX_DAYS_APART, SUGGEST_AT};
    use posko_core::Level;
    load(store, officer, report_id).await?;
    if !is_post_officer(officer) {
        return Ok(Vec::new());
    }
    let me = store
        .dedup_facts_of(report_id)
        .await
        .map_err(CaseError::Store)?
        .ok_or(CaseError::NotFound)?;
    if me.merged_into.is_some() {
        return Ok(Vec::new());
    }
    let area = me.region.ancestor_at(Level::Regency).unwrap_or(me.region);
    let span = jiff::Span::new().days(i64::from(MAX_DAYS_APART));
    let from = me.happened_on.checked_sub(span).unwrap_or(me.happened_on);
    let to = me.happened_on.checked_add(span).unwrap_or(me.happened_on);
    let candidates = store
        .dedup_facts(&area, from, to, 500)
        .await
        .map_err(CaseError::Store)?;
    let mine = facts(&me);
    let mut out: Vec<Suggestion> = candidates
        .iter()
        .filter(|c| c.id != report_id && c.merged_into.is_none())
        .map(|c| (c, similarity(&mine, &facts(c))))
        .filter(|(_, s)| s.score >= SUGGEST_AT)
        .map(|(c, s)| Suggestion {
            other: c.clone(),
            similarity: s,
        })
        .collect();
    out.sort_by(|a, b| {
        b.similarity
            .score
            .cmp(&a.similarity.score)
            .then(a.other.id.cmp(&b.other.id))
    });
    out.truncate(10);
    Ok(out)
}

fn facts(d: &posko_store::DedupFacts) -> posko_core::dedup::DupFacts<'_> {
    posko_core::dedup::DupFacts {
        happened_on: d.happened_on,
        region: &d.region,
        subject_mac: d.subject_mac.as_deref(),
        subject_name: &d.subject_name,
        violation: &d.violation,
        description: &d.description,
    }
}
