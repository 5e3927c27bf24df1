//! The case operations an agency's own system needs (issue 4, item 10): list the cases routed to
//! the agency, read one with its timeline and deadline, and record the follow-up and outcome.
//! A token made with `posko token add --instansi X` acts as a handler of agency X and sees
//! exactly what such a handler sees on the pages: only the cases referred to X, never the
//! reporter's identity. Other tokens (report gateways) get 403.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiff::Timestamp;
use posko_app::cases::{self, CaseError};
use posko_core::case::{Action, CaseState};
use posko_store::{CaseFilter, StoredCase, User};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::AppState;

/// The handler account behind an agency's token.
async fn agency_actor(state: &AppState, headers: &HeaderMap) -> Result<User, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    let hash = Sha256::digest(token.trim().as_bytes()).to_vec();
    let store = state.posko.store.as_ref();
    let client = match store.api_token(&hash).await.map_err(AppError::from_store)? {
        Some(c) if c.active => c,
        _ => return Err(AppError::Unauthorized),
    };
    state
        .limits
        .check_token(client.id)
        .map_err(AppError::RateLimited)?;
    if client.agency.is_none() {
        return Err(AppError::Forbidden);
    }
    let username = posko_app::accounts::api_actor_username(client.id);
    match store
        .user_for_login(&username)
        .await
        .map_err(AppError::from_store)?
    {
        Some((u, _)) if u.active && u.agency == client.agency => Ok(u),
        _ => Err(AppError::Forbidden),
    }
}

fn case_json(state: &AppState, c: &StoredCase) -> Value {
    let clock = posko_app::clock::case_clock(&state.posko, c);
    json!({
        "id": c.report_id,
        "state": c.case.state.as_str(),
        "decision": c.case.decision.map(posko_store::decode::decision_name),
        "referred_to": c.case.referred_to.map(|a| a.as_str()),
        "subject_category": c.subject_category.as_str(),
        "region": c.region.to_string(),
        "election": c.election,
        "state_since": c.state_since.to_string(),
        "deadline": clock.as_ref().map(|k| k.deadline.to_string()),
        "overdue": clock.as_ref().is_some_and(|k| k.overdue(Timestamp::now())),
        "allowed_actions": c.case.allowed().into_iter()
            .filter(|a| matches!(*a, "start_follow_up" | "record_outcome"))
            .collect::<Vec<_>>(),
    })
}

#[derive(Deserialize)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<u32>,
}

/// `GET /api/v1/cases`: the cases routed to the token's agency, newest first.
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let me = agency_actor(&state, &headers).await?;
    let filter = CaseFilter {
        referred_to: me.agency,
        state: match q.status.as_deref() {
            None | Some("") => None,
            Some(s) => Some(
                CaseState::ALL
                    .into_iter()
                    .find(|c| c.as_str() == s)
                    .ok_or(AppError::BadRequest)?,
            ),
        },
        limit: q.limit.unwrap_or(100).clamp(1, 500),
        ..Default::default()
    };
    let rows = state
        .posko
        .store
        .list_cases(&filter)
        .await
        .map_err(AppError::from_store)?;
    let cases: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = case_json(&state, &r.case);
            v["tracking_code"] = json!(r.summary.tracking_code);
            v["violation"] = json!(r.summary.violation);
            v["received_at"] = json!(r.summary.received_at.to_string());
            v
        })
        .collect();
    Ok(Json(json!({ "cases": cases })).into_response())
}

fn not_visible(e: CaseError) -> AppError {
    match e {
        CaseError::Store(s) => AppError::from_store(s),
        _ => AppError::NotFound,
    }
}

/// `GET /api/v1/cases/{id}`: one case with what the agency needs to handle it — the reported
/// official, the incident, the evidence files' hashes and the timeline — and nothing of the
/// reporter.
pub async fn get_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let me = agency_actor(&state, &headers).await?;
    let store = state.posko.store.as_ref();
    let c = cases::load(store, &me, id).await.map_err(not_visible)?;
    let d = store
        .report_detail(id)
        .await
        .map_err(AppError::from_store)?
        .ok_or(AppError::NotFound)?;
    let timeline: Vec<Value> = store
        .case_events(id)
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .map(|e| {
            json!({ "at": e.at.to_string(), "action": e.action, "from": e.from_state,
                    "to": e.to_state, "detail": e.detail })
        })
        .collect();
    let mut v = case_json(&state, &c);
    v["tracking_code"] = json!(d.summary.tracking_code);
    v["violation"] = json!(d.summary.violation);
    v["received_at"] = json!(d.summary.received_at.to_string());
    v["subject"] = json!({ "name": d.subject_name, "position": d.subject_position,
                           "unit": d.subject_unit });
    v["incident"] = json!({ "description": d.description, "place": d.place,
        "happened_on": d.happened_on.to_string(), "tps": d.tps.map(|t| t.get()) });
    v["evidence"] = json!(d
        .evidence
        .iter()
        .map(|e| json!({ "sha256": e.sha256, "mime": e.mime, "size": e.size }))
        .collect::<Vec<_>>());
    v["timeline"] = json!(timeline);
    Ok(Json(v).into_response())
}

#[derive(Deserialize)]
pub struct ActionRequest {
    action: String,
    #[serde(default)]
    sanction: String,
}

/// `POST /api/v1/cases/{id}/actions`: the agency's follow-up (`start_follow_up`) and its outcome
/// and sanction (`record_outcome`), which the reporter's status then shows.
pub async fn act(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let me = agency_actor(&state, &headers).await?;
    let req: ActionRequest = serde_json::from_slice(&body).map_err(|_| AppError::BadRequest)?;
    let action = match req.action.as_str() {
        "start_follow_up" => Action::StartFollowUp,
        "record_outcome" => Action::RecordOutcome {
            sanction: req.sanction.trim().to_string(),
        },
        _ => {
            return Ok(refused(
                "unknown_action",
                &format!(
            "langkah '{}' tidak tersedia lewat API instansi; yang tersedia: start_follow_up, \
             record_outcome (not available to an agency's API)", req.action),
            ))
        }
    };
    let store = state.posko.store.as_ref();
    match cases::act(store, &me, id, action).await {
        Ok(_) => {
            let c = cases::load(store, &me, id).await.map_err(not_visible)?;
            Ok(Json(case_json(&state, &c)).into_response())
        }
        Err(CaseError::NotFound) => Err(AppError::NotFound),
        Err(CaseError::Store(s)) => Err(AppError::from_store(s)),
        Err(CaseError::Forbidden) => Err(AppError::Forbidden),
        Err(e @ CaseError::Illegal(_)) => Ok(refused("illegal_transition", &e.to_string())),
        Err(e) => Ok(refused("refused", &e.to_string())),
    }
}

/// 409 with the reason (which names the allowed moves), in the API's error shape.
fn refused(code: &str, message: &str) -> Response {
    (
        StatusCode::CONFLICT,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}
