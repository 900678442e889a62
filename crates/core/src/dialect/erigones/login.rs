//! Erigones' login flow: `POST /accounts/login/` for a token valid about an hour, sent as
//! `Authorization: Token …`.

use serde_json::{json, Value};

use super::ERROR_KEYS;
use crate::dialect::{Credentials, Endpoint};
use crate::error::{ApiError, ErrorKind};
use crate::http::{join, HttpRequest, HttpResponse, Method};
use crate::json::{parse_lenient, text};
use crate::time::{parse_rfc3339, Millis, MINUTE};

/// The login session's documented lifetime, used when the answer has no usable `expires`.
pub const SESSION: Millis = 60 * MINUTE;

/// The login to send first, for login credentials without a session yet.
pub(super) fn login_request(api: &Endpoint) -> Option<HttpRequest> {
    let Credentials::Login { username, password } = &api.credentials else {
        return None;
    };
    if api.session.is_some() {
        return None;
    }
    let body = json!({ "username": username.trim(), "password": password });
    Some(
        HttpRequest::get(join(&api.base, "accounts/login/"))
            .header("Accept", "application/json")
            .with_json(Method::Post, &body),
    )
}

/// The session token and when it ends.
pub(super) fn parse_login(resp: &HttpResponse, now: Millis) -> Result<(String, Millis), ApiError> {
    if !resp.is_success() {
        let mut e = ApiError::from_response(resp, ERROR_KEYS, now);
        // The login answers `400 "Unable to log in with provided credentials."`.
        if matches!(resp.status, 400 | 401 | 403) {
            e.kind = ErrorKind::LoginRefused;
        }
        return Err(e);
    }
    let v = parse_lenient(&resp.body).map_err(|e| ApiError::bad_response("the login", e))?;
    let token = text(&v, "token")
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ApiError::bad_response("the login", "no `token`"))?;
    let expires = match v.get("expires") {
        Some(Value::String(s)) => parse_rfc3339(s),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(|t| if t > 100_000_000_000 { t } else { t * 1000 }),
        _ => None,
    };
    // The provider's clock may differ from ours: an expiry in the past (or absurdly far)
    // would make the engine log in on every turn, so it falls back to the documented hour.
    let until = expires
        .filter(|t| *t > now + 2 * MINUTE && *t <= now + 24 * SESSION)
        .unwrap_or(now + SESSION);
    Ok((token.trim().to_string(), until))
}
