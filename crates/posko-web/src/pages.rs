//! The page handlers: home, the region browser (HTML and JSON), login and logout, the officer's
//! own account, the language switch, health and the stylesheet. Each one gathers what it needs
//! from posko-app and renders one template.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use axum_extra::extract::cookie::CookieJar;
use posko_app::accounts::{self, AccountsError};
use posko_app::regions::{self, BrowseError, RegionView};
use posko_core::region::VillageKind;
use posko_core::{Election, Level, RegionCode};
use posko_store::User;
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::{Lang, Messages};
use crate::visitor::{cookie, Visitor, LANG_COOKIE, SESSION_COOKIE};
use crate::AppState;

/// What the layout needs on every page.
pub struct Page {
    pub lang: Lang,
    pub title: String,
    pub user: Option<User>,
    pub csrf: String,
    /// This page's path, so the language switch can come back to it.
    pub path: String,
    /// The signed-in officer's unread notifications, shown in the header.
    pub unread: u64,
}

impl Page {
    pub fn new(state: &AppState, v: &Visitor, title_key: &str, path: &str) -> Page {
        Page {
            lang: v.lang,
            title: v.lang.messages().get(title_key).to_string(),
            user: v.user.clone(),
            csrf: v.csrf(state),
            path: path.to_string(),
            unread: v.unread,
        }
    }

    /// A page for error responses, where the visitor's session is not looked up.
    pub fn bare(lang: Lang, title: &str, path: &str) -> Page {
        Page {
            lang,
            title: title.to_string(),
            user: None,
            csrf: String::new(),
            path: path.into(),
            unread: 0,
        }
    }

    fn msgs(&self) -> &'static Messages {
        self.lang.messages()
    }

    /// The message for a catalogue key in this page's language.
    pub fn t<'k>(&self, key: &'k str) -> &'k str {
        self.msgs().get(key)
    }

    /// Whether the coordinator's dashboard is in the menu (issue 9): admins and coordinators.
    pub fn sees_dashboard(&self) -> bool {
        self.user.as_ref().is_some_and(|u| {
            matches!(
                u.role,
                posko_core::Role::Admin | posko_core::Role::Koordinator
            )
        })
    }

    pub fn num(&self, n: &u64) -> String {
        self.lang.number(*n)
    }

    pub fn num32(&self, n: &u32) -> String {
        self.lang.number(u64::from(*n))
    }

    pub fn role_label(&self, user: &User) -> String {
        self.msgs()
            .get(&format!("role.{}", user.role.as_str()))
            .to_string()
    }
}

fn render(tpl: &impl Template) -> Result<Response, AppError> {
    let html = tpl.render().map_err(AppError::internal)?;
    Ok(Html(html).into_response())
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomeTemplate {
    page: Page,
}

pub async fn home(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    render(&HomeTemplate {
        page: Page::new(&state, &v, "home.title", "/"),
    })
}

pub async fn not_found() -> AppError {
    AppError::NotFound
}

// ── the region browser ─────────────────────────────────────────────────────────────────────

#[derive(Deserialize)]
pub struct ElectionQuery {
    pemilihan: Option<String>,
}

fn chosen_election<'a>(state: &'a AppState, q: &ElectionQuery) -> &'a Election {
    q.pemilihan
        .as_deref()
        .and_then(|id| state.posko.elections.get(id))
        .unwrap_or_else(|| state.posko.default_election())
}

/// One link in the region trail.
struct Crumb {
    href: String,
    name: String,
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionTemplate<'a> {
    page: Page,
    view: RegionView,
    election: &'a Election,
    elections: Vec<(&'a str, &'a str)>,
    crumbs: Vec<Crumb>,
    heading: String,
    level_key: &'static str,
    child_level_key: &'static str,
    kind_key: &'static str,
    zone: String,
    code: String,
    election_query: String,
}

fn level_key(level: Option<Level>) -> &'static str {
    match level {
        Some(Level::Province) => "level.province",
        Some(Level::Regency) => "level.regency",
        Some(Level::District) => "level.district",
        Some(Level::Village) => "level.village",
        None => "",
    }
}

async fn browse(
    state: &AppState,
    election: &Election,
    code: Option<&RegionCode>,
) -> Result<RegionView, AppError> {
    regions::view(
        state.posko.store.as_ref(),
        state.posko.atlas,
        &election.id,
        code,
    )
    .await
    .map_err(|e| match e {
        BrowseError::Unknown(_) => AppError::RegionNotFound,
        BrowseError::Store(s) => AppError::from_store(s),
    })
}

fn parse_code(text: &str) -> Result<RegionCode, AppError> {
    RegionCode::parse(text).map_err(|_| AppError::RegionNotFound)
}

async fn region_page(
    state: AppState,
    v: Visitor,
    q: ElectionQuery,
    code: Option<RegionCode>,
) -> Result<Response, AppError> {
    let election = chosen_election(&state, &q);
    let view = browse(&state, election, code.as_ref()).await?;
    let t = v.lang.messages();
    let path = match &code {
        Some(c) => format!("/wilayah/{c}"),
        None => "/wilayah".to_string(),
    };
    let election_query = format!("?pemilihan={}", election.id);
    let mut crumbs = vec![Crumb {
        href: format!("/wilayah{election_query}"),
        name: t.get("region.indonesia").into(),
    }];
    for r in view
        .lineage
        .iter()
        .take(view.lineage.len().saturating_sub(1))
    {
        crumbs.push(Crumb {
            href: format!("/wilayah/{}{election_query}", r.code),
            name: r.name.clone(),
        });
    }
    let heading = view
        .region
        .as_ref()
        .map(|r| r.name.clone())
        .unwrap_or_else(|| t.get("region.indonesia").to_string());
    let kind_key = match code.and_then(|c| c.village_kind()) {
        Some(VillageKind::Kelurahan) => "region.kind_kelurahan",
        Some(VillageKind::Desa) => "region.kind_desa",
        Some(VillageKind::DesaAdat) => "region.kind_desa_adat",
        None => "",
    };
    let mut page = Page::new(
        &state,
        &v,
        "region.title",
        &format!("{path}{election_query}"),
    );
    page.title = heading.clone();
    let tpl = RegionTemplate {
        page,
        election,
        elections: state
            .posko
            .elections
            .all()
            .iter()
            .map(|e| (e.id.as_str(), e.name.as_str()))
            .collect(),
        crumbs,
        heading,
        level_key: level_key(code.map(|c| c.level())),
        child_level_key: level_key(view.child_level),
        kind_key,
        zone: view
            .zone
            .map(|z| format!("{} ({})", z.abbreviation(), z.iana()))
            .unwrap_or_default(),
        code: code.map(|c| c.to_string()).unwrap_or_default(),
        election_query,
        view,
    };
    render(&tpl)
}

pub async fn region_root(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<ElectionQuery>,
) -> Result<Response, AppError> {
    region_page(state, v, q, None).await
}

pub async fn region(
    State(state): State<AppState>,
    v: Visitor,
    Path(code): Path<String>,
    Query(q): Query<ElectionQuery>,
) -> Result<Response, AppError> {
    let code = parse_code(&code)?;
    region_page(state, v, q, Some(code)).await
}

pub async fn region_root_json(
    State(state): State<AppState>,
    Query(q): Query<ElectionQuery>,
) -> Result<Json<RegionView>, AppError> {
    Ok(Json(
        browse(&state, chosen_election(&state, &q), None).await?,
    ))
}

pub async fn region_json(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<ElectionQuery>,
) -> Result<Json<RegionView>, AppError> {
    let code = parse_code(&code)?;
    Ok(Json(
        browse(&state, chosen_election(&state, &q), Some(&code)).await?,
    ))
}

// ── login, logout, account ─────────────────────────────────────────────────────────────────

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only paths on this site may be a `next` target (no open redirect).
fn safe_next(next: Option<&str>, default: &str) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => default.to_string(),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    page: Page,
    next: String,
    failed: bool,
    username: String,
}

pub async fn login_form(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if v.user.is_some() {
        return Ok(Redirect::to("/akun").into_response());
    }
    let next = safe_next(q.next.as_deref(), "/akun");
    let page = Page::new(&state, &v, "login.title", "/masuk");
    render(&LoginTemplate {
        page,
        next,
        failed: false,
        username: String::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    v: Visitor,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &form.csrf)?;
    let hours = state.posko.config.session_hours;
    match accounts::login(
        state.posko.store.as_ref(),
        &form.username,
        &form.password,
        hours,
    )
    .await
    {
        Ok(opened) => {
            tracing::info!(user_id = opened.user.id, "officer logged in");
            let secure = state.posko.config.secure_cookies;
            let jar = jar.add(cookie(
                SESSION_COOKIE,
                opened.token,
                secure,
                i64::from(hours) * 3600,
            ));
            let next = safe_next(Some(&form.next), "/akun");
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Err(AccountsError::BadCredentials) => {
            tracing::info!("failed login");
            let page = Page::new(&state, &v, "login.title", "/masuk");
            let next = safe_next(Some(&form.next), "/akun");
            let html = LoginTemplate {
                page,
                next,
                failed: true,
                username: form.username,
            }
            .render()
            .map_err(AppError::internal)?;
            Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response())
        }
        Err(AccountsError::Store(e)) => Err(AppError::from_store(e)),
        Err(other) => Err(AppError::internal(other)),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    v: Visitor,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    v.check_csrf(&state, &form.csrf)?;
    if let Some(token) = &v.session_token {
        accounts::logout(state.posko.store.as_ref(), token)
            .await
            .map_err(AppError::from_store)?;
    }
    let secure = state.posko.config.secure_cookies;
    let jar = jar.remove(cookie(SESSION_COOKIE, String::new(), secure, 0));
    Ok((jar, Redirect::to("/")).into_response())
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountTemplate {
    page: Page,
    user: User,
    role: String,
    agency: String,
    region: String,
}

pub async fn account(State(state): State<AppState>, v: Visitor) -> Result<Response, AppError> {
    let user = v.require_user("/akun")?.clone();
    let page = Page::new(&state, &v, "account.title", "/akun");
    let t = v.lang.messages();
    let region = match &user.region {
        Some(code) => match state.posko.atlas.get(code) {
            Some(r) => format!("{} ({code})", r.name),
            None => code.to_string(),
        },
        None => t.get("account.national").to_string(),
    };
    let agency = user
        .agency
        .map(|a| a.label().to_string())
        .unwrap_or_else(|| t.get("account.none").into());
    let role = page.role_label(&user);
    render(&AccountTemplate {
        page,
        user,
        role,
        agency,
        region,
    })
}

pub async fn switch_language(
    State(state): State<AppState>,
    Path(lang): Path<String>,
    Query(q): Query<NextQuery>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let lang = Lang::parse(&lang).ok_or(AppError::NotFound)?;
    let secure = state.posko.config.secure_cookies;
    let jar = jar.add(cookie(
        LANG_COOKIE,
        lang.code().to_string(),
        secure,
        365 * 24 * 3600,
    ));
    Ok((jar, Redirect::to(&safe_next(q.next.as_deref(), "/"))).into_response())
}

// ── health and assets ──────────────────────────────────────────────────────────────────────

pub async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.posko.store.backend().as_str();
    match state.posko.store.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "database": backend })).into_response(),
        Err(e) => {
            tracing::error!(error = %crate::error::chain(&e), "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": backend })),
            )
                .into_response()
        }
    }
}

const STYLESHEET: &str = include_str!("../static/posko.css");

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_targets_stay_on_site() {
        assert_eq!(safe_next(Some("/wilayah/33"), "/"), "/wilayah/33");
        assert_eq!(safe_next(Some("//evil.example"), "/"), "/");
        assert_eq!(safe_next(Some("https://evil.example"), "/"), "/");
        assert_eq!(safe_next(Some("/\\evil"), "/"), "/");
        assert_eq!(safe_next(None, "/akun"), "/akun");
    }
}
