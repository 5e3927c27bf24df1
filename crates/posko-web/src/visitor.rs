//! Who is asking: their language, their officer account if they are logged in, and the cookie
//! value their CSRF tokens are bound to (the session token, or before login an anonymous random
//! value that `ensure_visitor_cookie` hands out). Cookies are HttpOnly and SameSite=Lax, and
//! Secure when the post is served over HTTPS.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use posko_app::accounts;
use posko_store::User;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;

pub const SESSION_COOKIE: &str = "posko_sesi";
pub const ANON_COOKIE: &str = "posko_tamu";
pub const LANG_COOKIE: &str = "posko_bahasa";

/// The person behind a request.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    pub user: Option<User>,
    /// What this visitor's CSRF tokens are bound to.
    pub csrf_binding: String,
    /// The session token, when a session cookie was sent.
    pub session_token: Option<String>,
    /// The signed-in officer's unread notifications (0 for anyone else), for the page header.
    pub unread: u64,
}

impl Visitor {
    pub fn csrf(&self, state: &AppState) -> String {
        accounts::csrf_token(&state.posko.key, &self.csrf_binding)
    }

    /// Refuses a form whose CSRF token is not this visitor's.
    pub fn check_csrf(&self, state: &AppState, given: &str) -> Result<(), AppError> {
        if accounts::csrf_valid(&state.posko.key, &self.csrf_binding, given) {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }

    /// A signed-in officer whose region holds `region` (admin: anywhere); another region's
    /// officer is refused.
    pub fn require_user_in(
        &self,
        path: &str,
        region: &posko_core::RegionCode,
    ) -> Result<&User, AppError> {
        let me = self.require_user(path)?;
        if me.region.is_some_and(|r| !r.contains(region)) {
            return Err(AppError::Forbidden);
        }
        Ok(me)
    }

    pub fn require_user(&self, path: &str) -> Result<&User, AppError> {
        self.user
            .as_ref()
            .ok_or_else(|| AppError::LoginRequired(path.to_string()))
    }
}

pub fn lang_of(jar: &CookieJar) -> Lang {
    jar.get(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let lang = lang_of(&jar);
        let session_token = jar.get(SESSION_COOKIE).map(|c| c.value().to_string());
        let user = match &session_token {
            Some(t) => accounts::session_user(state.posko.store.as_ref(), t)
                .await
                .map_err(AppError::from_store)?,
            None => None,
        };
        let anon = jar.get(ANON_COOKIE).map(|c| c.value().to_string());
        let csrf_binding = match (&user, &session_token, anon) {
            (Some(_), Some(t), _) => t.clone(),
            (_, _, Some(a)) => a,
            (_, Some(t), None) => t.clone(),
            (_, None, None) => String::new(),
        };
        // One indexed count, only for a signed-in officer.
        let unread = match &user {
            Some(u) => state
                .posko
                .store
                .unread_notifications(u.id)
                .await
                .map_err(AppError::from_store)?,
            None => 0,
        };
        Ok(Visitor {
            lang,
            user,
            csrf_binding,
            session_token,
            unread,
        })
    }
}

/// Makes sure every visitor has a cookie to bind CSRF tokens to before their first form.
pub async fn ensure_visitor_cookie(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    if jar.get(ANON_COOKIE).is_some() {
        return next.run(req).await;
    }
    let value = accounts::random_token();
    // Let this very request see the cookie too, so its forms get a valid token.
    let mut cookie_header = req
        .headers()
        .get(COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(|s| format!("{s}; "))
        .unwrap_or_default();
    cookie_header.push_str(&format!("{ANON_COOKIE}={value}"));
    if let Ok(v) = HeaderValue::from_str(&cookie_header) {
        req.headers_mut().insert(COOKIE, v);
    }
    let mut resp = next.run(req).await;
    // A session-length cookie: it carries no rights, only a CSRF binding.
    let cookie = Cookie::build((ANON_COOKIE, value))
        .path("/")
        .http_only(true)
        .secure(state.posko.config.secure_cookies)
        .same_site(SameSite::Lax)
        .build();
    if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}

/// A cookie with the house settings.
pub fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age_secs: i64,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build()
}
