//! The citizen's side: the public report page `/lapor` (no login, no JavaScript needed, light
//! enough for a cheap phone on 3G), its receipt, the status page by tracking code, and the intake
//! API for gateways (`/api/v1/reports`) with its OpenAPI document. Both channels go through the
//! same `posko_app::intake::submit`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use base64::Engine;
use posko_app::intake::{self, Channel, Receipt, SubmitError, Upload};
use posko_core::report::{FieldError, ReportInput, SubjectCategory};
use posko_core::{Level, Region, RegionCode, Zone};
use posko_store::ReportStatus;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::i18n::Lang;
use crate::pages::Page;
use crate::visitor::Visitor;
use crate::AppState;

/// The client's address, from the connection (for rate limits; never logged with a report).
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientAddr(ip))
    }
}

// ── the report form ────────────────────────────────────────────────────────────────────────

/// An option of a select: value, label, selected.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A group of violation types under a category.
pub struct ChoiceGroup {
    pub label: String,
    pub choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "lapor.html")]
struct LaporTemplate {
    page: Page,
    input: ReportInput,
    errors: Vec<(String, String)>,
    field_errors: HashMap<String, String>,
    categories: Vec<Choice>,
    violations: Vec<ChoiceGroup>,
    trail: Vec<Region>,
    region_options: Vec<Region>,
    region_level_key: &'static str,
    idempotency_key: String,
    evidence_note: String,
}

impl LaporTemplate {
    /// The message for a field, or "".
    fn fe(&self, field: &str) -> &str {
        self.field_errors
            .get(field)
            .map(String::as_str)
            .unwrap_or("")
    }
}

fn level_key(level: Option<Level>) -> &'static str {
    match level {
        None => "level.province",
        Some(Level::Province) => "level.regency",
        Some(Level::Regency) => "level.district",
        Some(Level::District) => "level.village",
        Some(Level::Village) => "",
    }
}

fn form_page(
    state: &AppState,
    v: &Visitor,
    input: ReportInput,
    errors: &[FieldError],
) -> Result<Response, AppError> {
    let posko = &state.posko;
    let t = v.lang.messages();
    let msg = |e: &FieldError| match v.lang {
        Lang::Id => e.message_id.clone(),
        Lang::En => e.message_en.clone(),
    };
    let field_label = |f: &str| {
        let key = match f {
            "subject_category" => "lapor.category".to_string(),
            other => format!("lapor.{other}"),
        };
        t.get(&key).to_string()
    };
    let root = posko.post_region();
    // The chosen region, kept inside the post's region when one is configured.
    let chosen = RegionCode::parse(&input.region)
        .ok()
        .filter(|c| posko.atlas.contains(c))
        .filter(|c| root.is_none_or(|r| r.contains(c)))
        .or(root);
    let trail: Vec<Region> = match chosen {
        Some(c) => posko.atlas.lineage(&c).into_iter().cloned().collect(),
        None => Vec::new(),
    };
    let region_options: Vec<Region> = match chosen {
        Some(c) => posko.atlas.children(&c).into_iter().cloned().collect(),
        None => posko.atlas.provinces().into_iter().cloned().collect(),
    };
    let mut input = input;
    input.region = chosen.map(|c| c.to_string()).unwrap_or_default();
    let categories = SubjectCategory::ALL
        .iter()
        .map(|c| Choice {
            value: c.as_str().into(),
            label: t.get(&format!("kategori.{}", c.as_str())).into(),
            selected: input.subject_category == c.as_str(),
        })
        .collect();
    let violations = SubjectCategory::ALL
        .iter()
        .map(|c| ChoiceGroup {
            label: t.get(&format!("kategori.{}", c.as_str())).into(),
            choices: posko
                .taxonomy
                .for_category(*c)
                .map(|vt| Choice {
                    value: vt.kode.clone(),
                    label: if v.lang == Lang::En {
                        vt.en.clone()
                    } else {
                        vt.id.clone()
                    },
                    selected: input.violation == vt.kode,
                })
                .collect(),
        })
        .collect();
    let evidence_note = t
        .get("lapor.evidence_note")
        .replace("{files}", &posko.config.evidence_max_files.to_string())
        .replace("{mb}", &posko.config.evidence_max_mb.to_string());
    let tpl = LaporTemplate {
        page: Page::new(state, v, "lapor.title", "/lapor"),
        errors: errors
            .iter()
            .map(|e| (field_label(e.field), msg(e)))
            .collect(),
        field_errors: errors
            .iter()
            .map(|e| (e.field.to_string(), msg(e)))
            .collect(),
        categories,
        violations,
        region_level_key: level_key(chosen.map(|c| c.level())),
        trail,
        region_options,
        idempotency_key: posko_app::accounts::random_token(),
        evidence_note,
        input,
    };
    let html = tpl.render().map_err(AppError::internal)?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(html)).into_response())
}

pub async fn form(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    form_page(&state, &v, ReportInput::default(), &[])
}

/// Sets one form field of the report by its name; unknown names are ignored.
fn set_field(input: &mut ReportInput, name: &str, value: String) {
    let slot = match name {
        "subject_category" => &mut input.subject_category,
        "subject_name" => &mut input.subject_name,
        "subject_position" => &mut input.subject_position,
        "subject_unit" => &mut input.subject_unit,
        "subject_id_number" => &mut input.subject_id_number,
        "violation" => &mut input.violation,
        "description" => &mut input.description,
        "region" => &mut input.region,
        "tps" => &mut input.tps,
        "place" => &mut input.place,
        "lat" => &mut input.lat,
        "lon" => &mut input.lon,
        "happened_on" => &mut input.happened_on,
        "happened_time" => &mut input.happened_time,
        "learned_on" => &mut input.learned_on,
        "reporter_name" => &mut input.reporter_name,
        "reporter_address" => &mut input.reporter_address,
        "reporter_nik" => &mut input.reporter_nik,
        "reporter_phone" => &mut input.reporter_phone,
        "reporter_email" => &mut input.reporter_email,
        _ => return,
    };
    *slot = value;
}

#[derive(Template)]
#[template(path = "lapor_terima.html")]
struct ReceiptTemplate {
    page: Page,
    receipt: Receipt,
    kind_key: String,
    received: String,
    deadline: String,
}

fn local_time(state: &AppState, t: jiff::Timestamp, region: Option<&RegionCode>) -> String {
    let zone = region
        .and_then(|r| state.posko.atlas.zone(r))
        .unwrap_or(Zone::Wib);
    format!(
        "{} {}",
        t.to_zoned(zone.tz()).strftime("%d-%m-%Y %H:%M"),
        zone.abbreviation()
    )
}

fn receipt_page(
    state: &AppState,
    v: &Visitor,
    receipt: Receipt,
    region: Option<RegionCode>,
) -> Result<Response, AppError> {
    let tpl = ReceiptTemplate {
        page: Page::new(state, v, "lapor.receipt_title", "/lapor"),
        kind_key: format!("lapor.kind_{}", receipt.kind.as_str()),
        received: local_time(state, receipt.received_at, region.as_ref()),
        deadline: receipt.filing_deadline.strftime("%d-%m-%Y").to_string(),
        receipt,
    };
    Ok(Html(tpl.render().map_err(AppError::internal)?).into_response())
}

/// The form posts here: either to move the region picker (`aksi=wilayah`) or to send.
pub async fn submit(
    State(state): State<AppState>,
    v: Visitor,
    ClientAddr(ip): ClientAddr,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let mut input = ReportInput::default();
    let mut uploads = Vec::new();
    let (mut csrf, mut action, mut child, mut key) =
        (String::new(), String::new(), String::new(), String::new());
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest)?
    {
        let name = field.name().unwrap_or("").to_string();
        if name == "bukti" {
            let filename = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|_| AppError::BadRequest)?;
            if !bytes.is_empty() {
                uploads.push(Upload {
                    filename,
                    bytes: bytes.to_vec(),
                });
            }
            continue;
        }
        let value = field.text().await.map_err(|_| AppError::BadRequest)?;
        match name.as_str() {
            "csrf" => csrf = value,
            "aksi" => action = value,
            "region_child" => child = value,
            "kunci" => key = value,
            _ => set_field(&mut input, &name, value),
        }
    }
    v.check_csrf(&state, &csrf)?;
    if !child.trim().is_empty() {
        input.region = child;
    }
    if action == "wilayah" {
        return form_page(&state, &v, input, &[]);
    }
    state
        .limits
        .check_address(ip)
        .map_err(AppError::RateLimited)?;
    let region = RegionCode::parse(&input.region).ok();
    let ctx = state.posko.intake_context();
    match intake::submit(&ctx, &input, &uploads, Channel::Web, Some(key)).await {
        Ok(receipt) => receipt_page(&state, &v, receipt, region),
        Err(SubmitError::Invalid(errors)) => form_page(&state, &v, input, &errors),
        Err(e) => Err(AppError::internal(e)),
    }
}

// ── status by tracking code ────────────────────────────────────────────────────────────────

#[derive(Deserialize)]
pub struct StatusQuery {
    kode: Option<String>,
}

/// What anyone holding the code may see: no personal data, no description.
#[derive(Serialize)]
pub struct PublicStatus {
    pub tracking_code: String,
    pub status: String,
    pub status_label: String,
    pub kind: String,
    pub subject_category: String,
    pub violation: String,
    pub region: String,
    pub region_name: String,
    pub received_at: String,
    pub late: bool,
    pub evidence_files: usize,
}

fn public_status(state: &AppState, lang: Lang, s: &ReportStatus) -> PublicStatus {
    let t = lang.messages();
    PublicStatus {
        tracking_code: s.tracking_code.clone(),
        status: s.status.clone(),
        status_label: t.get(&format!("lapor.status_{}", s.status)).to_string(),
        kind: s.kind.as_str().into(),
        subject_category: s.subject_category.as_str().into(),
        violation: s.violation.clone(),
        region: s.region.to_string(),
        region_name: state
            .posko
            .atlas
            .get(&s.region)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        received_at: local_time(state, s.received_at, Some(&s.region)),
        late: s.late,
        evidence_files: s.evidence.len(),
    }
}

async fn find_status(state: &AppState, code: &str) -> Result<Option<ReportStatus>, AppError> {
    // A code that does not parse cannot exist: answer "not found" without asking the store.
    let Ok(code) = posko_core::tracking::TrackingCode::parse(code) else {
        return Ok(None);
    };
    state
        .posko
        .store
        .report_status(code.as_str())
        .await
        .map_err(AppError::from_store)
}

#[derive(Template)]
#[template(path = "lapor_status.html")]
struct StatusTemplate {
    page: Page,
    code: String,
    asked: bool,
    status: Option<PublicStatus>,
    kind_key: String,
    category_key: String,
    violation_label: String,
}

pub async fn status_page(
    State(state): State<AppState>,
    v: Visitor,
    ClientAddr(ip): ClientAddr,
    Query(q): Query<StatusQuery>,
) -> Result<Response, AppError> {
    let code = q.kode.unwrap_or_default();
    let asked = !code.trim().is_empty();
    let status = if asked {
        // Guessing codes is throttled like submitting.
        state
            .limits
            .check_address(ip)
            .map_err(AppError::RateLimited)?;
        find_status(&state, &code)
            .await?
            .map(|s| public_status(&state, v.lang, &s))
    } else {
        None
    };
    let violation_label = status
        .as_ref()
        .and_then(|s| state.posko.taxonomy.get(&s.violation))
        .map(|vt| {
            if v.lang == Lang::En {
                vt.en.clone()
            } else {
                vt.id.clone()
            }
        })
        .unwrap_or_default();
    let tpl = StatusTemplate {
        page: Page::new(&state, &v, "lapor.status_title", "/lapor/status"),
        kind_key: status
            .as_ref()
            .map(|s| format!("lapor.kind_{}", s.kind))
            .unwrap_or_default(),
        category_key: status
            .as_ref()
            .map(|s| format!("kategori.{}", s.subject_category))
            .unwrap_or_default(),
        violation_label,
        code,
        asked,
        status,
    };
    let code = if tpl.asked && tpl.status.is_none() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    Ok((code, Html(tpl.render().map_err(AppError::internal)?)).into_response())
}

// ── the intake API ─────────────────────────────────────────────────────────────────────────

/// An evidence file in a JSON request.
#[derive(Deserialize, Serialize)]
pub struct ApiEvidence {
    pub filename: String,
    pub content_base64: String,
}

/// The request body of `POST /api/v1/reports`: the page's fields, plus evidence.
#[derive(Deserialize)]
pub struct ApiReport {
    #[serde(flatten)]
    pub report: ReportInput,
    #[serde(default)]
    pub evidence: Vec<ApiEvidence>,
}

#[derive(Serialize)]
struct ApiReceipt {
    tracking_code: String,
    kind: String,
    late: bool,
    filing_deadline: String,
    received_at: String,
    status_url: String,
    evidence: Vec<ApiStoredEvidence>,
}

#[derive(Serialize)]
struct ApiStoredEvidence {
    filename: String,
    sha256: String,
}

fn invalid_response(lang: Lang, errors: &[FieldError]) -> Response {
    let body = serde_json::json!({
        "error": { "code": "invalid", "message": lang.messages().get("error.invalid") },
        "fields": errors,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

async fn api_client(state: &AppState, headers: &HeaderMap) -> Result<i64, AppError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    let hash = Sha256::digest(token.trim().as_bytes()).to_vec();
    match state
        .posko
        .store
        .api_token(&hash)
        .await
        .map_err(AppError::from_store)?
    {
        Some(c) if c.active => Ok(c.id),
        _ => Err(AppError::Unauthorized),
    }
}

pub async fn api_submit(
    State(state): State<AppState>,
    v: Visitor,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    state
        .limits
        .check_address(ip)
        .map_err(AppError::RateLimited)?;
    let client_id = api_client(&state, &headers).await?;
    state
        .limits
        .check_token(client_id)
        .map_err(AppError::RateLimited)?;
    let req: ApiReport = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            let err = FieldError {
                field: "body",
                code: "json",
                message_id: format!("isi permintaan bukan JSON yang sah: {e}"),
                message_en: format!("the request body is not valid JSON: {e}"),
            };
            return Ok(invalid_response(v.lang, &[err]));
        }
    };
    let mut uploads = Vec::new();
    for (i, ev) in req.evidence.iter().enumerate() {
        match base64::engine::general_purpose::STANDARD.decode(ev.content_base64.trim()) {
            Ok(bytes) => uploads.push(Upload {
                filename: ev.filename.clone(),
                bytes,
            }),
            Err(_) => {
                let err = FieldError {
                    field: "evidence",
                    code: "base64",
                    message_id: format!("bukti ke-{}: content_base64 bukan base64", i + 1),
                    message_en: format!("evidence {}: content_base64 is not base64", i + 1),
                };
                return Ok(invalid_response(v.lang, &[err]));
            }
        }
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|h| h.to_str().ok())
        .map(str::to_string);
    let ctx = state.posko.intake_context();
    match intake::submit(&ctx, &req.report, &uploads, Channel::Api { client_id }, key).await {
        Ok(r) => {
            let status = if r.duplicate {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            let body = ApiReceipt {
                status_url: format!("/api/v1/reports/{}/status", r.tracking_code),
                tracking_code: r.tracking_code,
                kind: r.kind.as_str().into(),
                late: r.late,
                filing_deadline: r.filing_deadline.to_string(),
                received_at: r.received_at.to_string(),
                evidence: r
                    .evidence
                    .into_iter()
                    .map(|(filename, sha256)| ApiStoredEvidence { filename, sha256 })
                    .collect(),
            };
            Ok((status, Json(body)).into_response())
        }
        Err(SubmitError::Invalid(errors)) => Ok(invalid_response(v.lang, &errors)),
        Err(e) => Err(AppError::internal(e)),
    }
}

pub async fn api_status(
    State(state): State<AppState>,
    v: Visitor,
    ClientAddr(ip): ClientAddr,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    state
        .limits
        .check_address(ip)
        .map_err(AppError::RateLimited)?;
    match find_status(&state, &code).await? {
        Some(s) => Ok(Json(public_status(&state, v.lang, &s)).into_response()),
        None => Err(AppError::ReportNotFound),
    }
}
