//! One error type for every handler. It logs the whole cause chain (never personal data: causes
//! are database and I/O errors) and gives the user a stable code and a safe message from the
//! catalogue, in their language: `render_error_pages` turns the marker a failed handler leaves
//! into an HTML page, or into JSON under `/api/`.

use askama::Template;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use axum_extra::extract::cookie::CookieJar;
use posko_store::StoreError;

use crate::pages::Page;
use crate::visitor::lang_of;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("region not found")]
    RegionNotFound,
    #[error("report not found")]
    ReportNotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("login required")]
    LoginRequired(String),
    #[error("csrf token missing or wrong")]
    Csrf,
    #[error("bad request")]
    BadRequest,
    #[error("rate limited")]
    RateLimited(std::time::Duration),
    #[error("api token missing or wrong")]
    Unauthorized,
    #[error("database unavailable")]
    Unavailable(#[source] StoreError),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What a failed handler leaves for `render_error_pages`: a stable code and a catalogue key.
#[derive(Debug, Clone, Copy)]
pub struct ErrorMarker {
    pub code: &'static str,
    pub message_key: &'static str,
}

impl AppError {
    pub fn from_store(e: StoreError) -> AppError {
        match e {
            StoreError::Backend(_) => AppError::Unavailable(e),
            other => AppError::Internal(Box::new(other)),
        }
    }

    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> AppError {
        AppError::Internal(Box::new(e))
    }

    fn status_and_marker(&self) -> (StatusCode, ErrorMarker) {
        let m = |code, message_key| ErrorMarker { code, message_key };
        match self {
            AppError::NotFound => (StatusCode::NOT_FOUND, m("not_found", "error.not_found")),
            AppError::RegionNotFound => (
                StatusCode::NOT_FOUND,
                m("region_not_found", "region.not_found"),
            ),
            AppError::ReportNotFound => (
                StatusCode::NOT_FOUND,
                m("report_not_found", "lapor.status_not_found"),
            ),
            AppError::Forbidden => (StatusCode::FORBIDDEN, m("forbidden", "error.forbidden")),
            AppError::LoginRequired(_) => (
                StatusCode::UNAUTHORIZED,
                m("login_required", "error.login_required"),
            ),
            AppError::Csrf => (StatusCode::FORBIDDEN, m("csrf_invalid", "error.csrf")),
            AppError::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                m("rate_limited", "error.rate_limited"),
            ),
            AppError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                m("unauthorized", "error.unauthorized"),
            ),
            AppError::BadRequest => (
                StatusCode::BAD_REQUEST,
                m("bad_request", "error.bad_request"),
            ),
            AppError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                m("database_unavailable", "error.unavailable"),
            ),
            AppError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                m("internal", "error.internal"),
            ),
        }
    }
}

/// The error and all its causes on one line, for the log.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::LoginRequired(next) = &self {
            let target = format!("/masuk?next={}", urlencode(next));
            return Redirect::to(&target).into_response();
        }
        let (status, marker) = self.status_and_marker();
        match &self {
            AppError::Unavailable(_) | AppError::Internal(_) => {
                tracing::error!(code = marker.code, error = %chain(&self), "request failed");
            }
            _ => tracing::debug!(code = marker.code, "request refused"),
        }
        let mut resp = status.into_response();
        if let AppError::RateLimited(wait) = &self {
            // Whole seconds, rounded up, never 0: clients retry after at least this long.
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            if let Ok(v) = header::HeaderValue::from_str(&secs.max(1).to_string()) {
                resp.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if let AppError::Unauthorized = &self {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        resp.extensions_mut().insert(marker);
        resp
    }
}

fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    page: Page,
    message: &'a str,
    code: &'a str,
}

/// Gives every error response its body, in the visitor's language; unmatched routes too.
pub async fn render_error_pages(req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let lang = lang_of(&jar);
    let is_api = req.uri().path().starts_with("/api/");
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    let Some(marker) = resp.extensions().get::<ErrorMarker>().copied() else {
        return resp;
    };
    let status = resp.status();
    let kept: Vec<(header::HeaderName, header::HeaderValue)> =
        [header::RETRY_AFTER, header::WWW_AUTHENTICATE]
            .into_iter()
            .filter_map(|h| resp.headers().get(&h).cloned().map(|v| (h, v)))
            .collect();
    let mut resp = render_marker(marker, status, lang, is_api, &path);
    for (h, v) in kept {
        resp.headers_mut().insert(h, v);
    }
    resp
}

fn render_marker(
    marker: ErrorMarker,
    status: StatusCode,
    lang: crate::i18n::Lang,
    is_api: bool,
    path: &str,
) -> Response {
    let t = lang.messages();
    if is_api {
        let body = serde_json::json!({
            "error": { "code": marker.code, "message": t.get(marker.message_key) }
        });
        return (status, Json(body)).into_response();
    }
    let page = Page::bare(lang, t.get("error.title"), path);
    let tpl = ErrorTemplate {
        page,
        message: t.get(marker.message_key),
        code: marker.code,
    };
    match tpl.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            Html(html),
        )
            .into_response(),
        Err(_) => (status, t.get(marker.message_key).to_string()).into_response(),
    }
}
