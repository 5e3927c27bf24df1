//! The register of reported officials: each official recognised by the keyed hash of their
//! NIP/NRP (or name and unit), with how often and how recently they were reported, so repeat
//! offenders show up; and the cases about one official. For the post's own officers only.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use posko_core::Role;
use posko_store::{ReportSummary, User};

use crate::error::AppError;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

fn post_officer(u: &User) -> bool {
    matches!(u.role, Role::Admin | Role::Koordinator | Role::PetugasPiket)
}

fn day(t: jiff::Timestamp) -> String {
    t.to_zoned(posko_core::Zone::Wib.tz())
        .strftime("%d-%m-%Y")
        .to_string()
}

struct Entry {
    key: String,
    name: String,
    position: String,
    unit: String,
    category_key: String,
    reports: u32,
    open: u32,
    first: String,
    last: String,
}

#[derive(Template)]
#[template(path = "terlapor.html")]
struct RegisterTemplate {
    page: Page,
    entries: Vec<Entry>,
}

pub async fn register(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    let me = v.require_user("/petugas/terlapor")?;
    if !post_officer(me) {
        return Err(AppError::Forbidden);
    }
    let entries = state
        .posko
        .store
        .official_register(500)
        .await
        .map_err(AppError::from_store)?
        .into_iter()
        .map(|o| Entry {
            key: hex::encode(&o.subject_mac),
            name: o.name,
            position: o.position,
            unit: o.unit,
            category_key: format!("kategori.{}", o.category.as_str()),
            reports: o.reports,
            open: o.open,
            first: day(o.first_at),
            last: day(o.last_at),
        })
        .collect();
    let tpl = RegisterTemplate {
        page: Page::new(&state, &v, "terlapor.title", "/petugas/terlapor"),
        entries,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

#[derive(Template)]
#[template(path = "terlapor_kasus.html")]
struct CasesTemplate {
    page: Page,
    rows: Vec<(ReportSummary, String, String)>,
}

/// The reports about one official, by the hex of their keyed hash.
pub async fn cases(
    State(state): State<AppState>,
    v: Visitor,
    Path(key): Path<String>,
) -> Result<Response, AppError> {
    let path = format!("/petugas/terlapor/{key}");
    let me = v.require_user(&path)?;
    if !post_officer(me) {
        return Err(AppError::Forbidden);
    }
    let mac = hex::decode(&key).map_err(|_| AppError::NotFound)?;
    let store = state.posko.store.as_ref();
    let ids = store
        .reports_by_subject_mac(&mac)
        .await
        .map_err(AppError::from_store)?;
    if ids.is_empty() {
        return Err(AppError::NotFound);
    }
    let mut rows = Vec::new();
    for id in ids {
        if let Some(d) = store
            .report_detail(id)
            .await
            .map_err(AppError::from_store)?
        {
            let state_key = format!("lapor.status_{}", d.summary.status);
            rows.push((d.summary, state_key, d.subject_name));
        }
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0.received_at));
    let tpl = CasesTemplate {
        page: Page::new(&state, &v, "terlapor.cases", &path),
        rows,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}
