//! An officer's notifications (`/petugas/notifikasi`): unread first, each marked read by a
//! CSRF-protected form, or all at once. The unread count in the page header comes from the
//! `Visitor` extractor (one indexed count per signed-in request). Messages are stored in both
//! languages by posko-app's `notify`; this page shows the one the visitor reads.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use jiff::Timestamp;
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

const PATH: &str = "/petugas/notifikasi";

/// Most notifications shown.
const SHOWN: u32 = 200;

struct Item {
    id: i64,
    message: String,
    at: String,
    unread: bool,
    report_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "notifikasi.html")]
struct ListTemplate {
    page: Page,
    items: Vec<Item>,
    unread: u64,
}

fn shown_at(state: &AppState, t: Timestamp) -> String {
    let zone = state
        .posko
        .post_region()
        .and_then(|r| state.posko.atlas.zone(&r))
        .unwrap_or(posko_core::Zone::Wib);
    format!(
        "{} {}",
        t.to_zoned(zone.tz()).strftime("%d-%m-%Y %H:%M"),
        zone.abbreviation()
    )
}

pub async fn list(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    let user = v.require_user(PATH)?;
    let rows = state
        .posko
        .store
        .notifications(user.id, SHOWN)
        .await
        .map_err(AppError::from_store)?;
    let items: Vec<Item> = rows
        .into_iter()
        .map(|n| Item {
            id: n.id,
            message: match v.lang {
                Lang::Id => n.message_id,
                Lang::En => n.message_en,
            },
            at: shown_at(&state, n.created_at),
            unread: n.read_at.is_none(),
            report_id: n.report_id,
        })
        .collect();
    let unread = items.iter().filter(|i| i.unread).count() as u64;
    let html = ListTemplate {
        page: Page::new(&state, &v, "notifikasi.title", PATH),
        items,
        unread,
    }
    .render()
    .map_err(AppError::internal)?;
    Ok(Html(html).into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn mark_read(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    let user = v.require_user(PATH)?;
    v.check_csrf(&state, &form.csrf)?;
    // Only the officer's own: another officer's id changes nothing.
    state
        .posko
        .store
        .mark_notifications_read(user.id, Some(id), Timestamp::now())
        .await
        .map_err(AppError::from_store)?;
    Ok(Redirect::to(PATH).into_response())
}

pub async fn mark_all_read(
    State(state): State<AppState>,
    v: Visitor,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    let user = v.require_user(PATH)?;
    v.check_csrf(&state, &form.csrf)?;
    state
        .posko
        .store
        .mark_notifications_read(user.id, None, Timestamp::now())
        .await
        .map_err(AppError::from_store)?;
    Ok(Redirect::to(PATH).into_response())
}
