//! # posko-web
//!
//! The HTTP face of Posko: server-rendered pages (askama templates, Bahasa Indonesia first),
//! officer sessions and CSRF checks (`visitor`), one error type that logs the cause and shows a
//! safe message (`error`), security headers, `/healthz` and Prometheus `/metrics`. Handlers are
//! thin: they call posko-app and render; they never build SQL.

mod api_cases;
mod error;
pub mod i18n;
mod kerawanan;
mod lapor;
mod logistik;
mod metrics;
mod netralitas;
mod notifikasi;
pub mod openapi;
mod pages;
mod partisipasi;
mod petugas;
mod piket;
mod rakor;
// dashboard (issue 9)
pub mod briefing_pdf;
pub mod dasbor;
mod ratelimit;
mod terlapor;
mod visitor;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use posko_app::Posko;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

pub use error::AppError;
pub use i18n::Lang;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub posko: Posko,
    metrics: Arc<metrics::Metrics>,
    limits: ratelimit::Limits,
}

impl AppState {
    /// The election a page asked for, or the configured default when it asked for none or an
    /// unknown one.
    pub(crate) fn election_id(&self, asked: Option<&str>) -> String {
        asked
            .and_then(|e| self.posko.elections.get(e))
            .unwrap_or_else(|| self.posko.default_election())
            .id
            .clone()
    }
}

/// The Content-Security-Policy of every response: only our own styles, no scripts yet, no
/// framing, forms post only to us.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Builds the whole application.
pub fn router(posko: Posko) -> Router {
    let secure = posko.config.secure_cookies;
    // Report intake takes evidence files: its body limit is the configured evidence allowance
    // (base64 in JSON is a third larger); everything else stays small.
    let intake_limit = (posko.config.evidence_max_files as usize)
        * (posko.config.evidence_max_mb as usize)
        * 1_048_576
        * 4
        / 3
        + 1_048_576;
    let limits = ratelimit::Limits::new(
        posko.config.rate_limit_per_minute,
        posko.config.api_rate_limit_per_minute,
    );
    let state = AppState {
        posko,
        metrics: Arc::new(metrics::Metrics::new()),
        limits,
    };
    let intake = Router::new()
        .route("/lapor", get(lapor::form).post(lapor::submit))
        .route("/api/v1/reports", post(lapor::api_submit))
        .route("/api/v1/results", post(partisipasi::api_submit))
        .route("/partisipasi/impor", post(partisipasi::upload))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(intake_limit));
    // Hand-over files from a district's office: up to 64 MiB per upload.
    let uploads = Router::new()
        .route("/logistik/impor", post(logistik::import))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(64 << 20));
    let rest = Router::new()
        .route("/lapor/status", get(lapor::status_page))
        .route("/api/v1/reports/{code}/status", get(lapor::api_status))
        .route("/api/v1/openapi.json", get(openapi::serve))
        .route("/api/v1/cases", get(api_cases::list))
        .route("/api/v1/cases/{id}", get(api_cases::get_one))
        .route("/api/v1/cases/{id}/actions", post(api_cases::act))
        .route("/petugas/laporan", get(petugas::list))
        .route("/petugas/laporan/{id}", get(petugas::detail))
        .route(
            "/petugas/laporan/{id}/buka-segel",
            post(petugas::request_unseal),
        )
        .route(
            "/petugas/laporan/{id}/buka-segel/{request}/setujui",
            post(petugas::approve_unseal),
        )
        .route("/petugas/laporan/{id}/langkah", post(petugas::step))
        .route("/petugas/laporan/{id}/tugaskan", post(petugas::assign))
        .route("/petugas/laporan/{id}/perpanjang", post(petugas::extend))
        .route("/petugas/laporan/{id}/gabung", post(petugas::merge))
        .route("/petugas/piket", get(piket::show).post(piket::add))
        .route("/petugas/piket/cetak", get(piket::print))
        .route("/petugas/piket/{id}/hapus", post(piket::delete))
        .route("/petugas/piket/serah-terima", post(piket::hand_over))
        .route("/kerawanan", get(kerawanan::overview))
        .route("/kerawanan/penjelasan/{code}", get(kerawanan::explain))
        .route(
            "/kerawanan/tps/{code}",
            get(kerawanan::village_tps).post(kerawanan::record_tps),
        )
        .route("/logistik/serah-terima", post(logistik::record))
        .route("/logistik/contoh.csv", get(logistik::example))
        .route("/logistik/serah-terima/{id}", get(logistik::receipt))
        .route("/logistik/{code}", get(logistik::show))
        .route("/partisipasi", get(partisipasi::root))
        .route("/partisipasi/{code}", get(partisipasi::show))
        .route("/pengamanan/{code}", get(kerawanan::plan))
        .route("/pengamanan/{code}/penugasan", get(kerawanan::assignment))
        .route("/petugas/terlapor", get(terlapor::register))
        .route("/petugas/terlapor/{key}", get(terlapor::cases))
        .route(
            "/petugas/laporan/{id}/bukti/{sha256}",
            get(petugas::evidence),
        )
        .route("/petugas/notifikasi", get(notifikasi::list))
        .route(
            "/petugas/notifikasi/dibaca-semua",
            post(notifikasi::mark_all_read),
        )
        .route(
            "/petugas/notifikasi/{id}/dibaca",
            post(notifikasi::mark_read),
        )
        .route("/", get(pages::home))
        .route("/wilayah", get(pages::region_root))
        .route("/wilayah/{code}", get(pages::region))
        .route("/masuk", get(pages::login_form).post(pages::login))
        .route("/keluar", post(pages::logout))
        .route("/akun", get(pages::account))
        .route("/bahasa/{lang}", get(pages::switch_language))
        .route("/api/v1/wilayah", get(pages::region_root_json))
        .route("/api/v1/wilayah/{code}", get(pages::region_json))
        .route("/static/posko.css", get(pages::stylesheet))
        .route("/healthz", get(pages::healthz))
        .route("/metrics", get(metrics::endpoint))
        .route("/rakor", get(rakor::list).post(rakor::create))
        .route("/rakor/{id}", get(rakor::show))
        .route("/rakor/{id}/notulen", get(rakor::minutes))
        .route("/rakor/{id}/keputusan", post(rakor::add_decision))
        .route("/rakor/{id}/tindak-lanjut", post(rakor::add_action))
        .route("/tindak-lanjut", get(rakor::console))
        .route("/tindak-lanjut/{id}/langkah", post(rakor::step))
        // dashboard (issue 9)
        .route("/dasbor", get(dasbor::home))
        .route("/dasbor/bantuan", get(dasbor::help))
        .route("/dasbor/{code}", get(dasbor::show))
        .route("/dasbor/{code}/briefing", get(dasbor::briefing))
        .route("/dasbor/{code}/briefing.pdf", get(dasbor::briefing_pdf))
        .route("/dasbor/{code}/briefing.xlsx", get(dasbor::briefing_xlsx))
        .layer(RequestBodyLimitLayer::new(256 * 1024));
    // neutrality and public accountability (issue 9, parts 4–5); pledge files up to 32 MiB.
    let netral = Router::new()
        .route("/netralitas", get(netralitas::show))
        .route("/netralitas/penyuluhan", post(netralitas::record_briefing))
        .route("/netralitas/pakta", post(netralitas::record_pledge))
        .route("/netralitas/unit", post(netralitas::record_headcount))
        .route("/akuntabilitas", get(netralitas::public_page))
        .route("/api/v1/akuntabilitas", get(netralitas::public_json))
        .layer(RequestBodyLimitLayer::new(256 * 1024));
    let netral_uploads = Router::new()
        .route("/netralitas/impor", post(netralitas::import))
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(32 << 20));
    let mut app = rest
        .merge(intake)
        .merge(uploads)
        .merge(netral)
        .merge(netral_uploads)
        .fallback(pages::not_found)
        .layer(middleware::from_fn(error::render_error_pages))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            visitor::ensure_visitor_cookie,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CompressionLayer::new());
    let headers: [(HeaderName, &'static str); 7] = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "geolocation=(self), camera=(), microphone=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        // Pages show officers' data: no shared cache may keep them. Static files set their own.
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in headers {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    if secure {
        app = app.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    app.with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    posko: Posko,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(posko);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
