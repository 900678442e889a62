//! The login flow.

use serde_json::json;

use super::*;

#[test]
fn the_login_flow_gets_a_token_and_sends_it() {
    let mut a = login_api();
    let login = a.login_request().expect("a login first");
    assert_eq!(login.method, Method::Post);
    assert_eq!(login.url, "https://my.erigones.com/api/accounts/login/");
    assert_eq!(
        body(&login),
        json!({"username": "admin", "password": "s3cret"})
    );
    assert!(!login.describe().contains("s3cret"));

    let now = parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
    let resp = HttpResponse::new(
        200,
        r#"{"detail": "Welcome to Danube Cloud API.", "token": "a1b2c3", "expires": "2026-01-01T01:00:00Z"}"#,
    );
    let (token, until) = a.parse_login(&resp, now).unwrap();
    assert_eq!(token, "a1b2c3");
    assert_eq!(until, now + SESSION);
    a.set_session(Some(token));
    assert!(a.login_request().is_none());
    let req = a.list_request(None);
    assert!(req
        .headers
        .contains(&("Authorization".into(), "Token a1b2c3".into())));
    a.set_session(None);
    assert!(a.login_request().is_some(), "a lost session logs in again");

    // No `expires`, or one our clock already passed: the documented hour.
    let bare = HttpResponse::new(200, r#"{"token": "t"}"#);
    assert_eq!(a.parse_login(&bare, now).unwrap().1, now + SESSION);
    let skewed = HttpResponse::new(200, r#"{"token": "t", "expires": "2025-12-31T22:00:00Z"}"#);
    assert_eq!(a.parse_login(&skewed, now).unwrap().1, now + SESSION);
    let shorter = HttpResponse::new(200, r#"{"token": "t", "expires": "2026-01-01T00:30:00Z"}"#);
    assert_eq!(a.parse_login(&shorter, now).unwrap().1, now + 30 * MINUTE);

    // API keys need no login.
    assert!(api().login_request().is_none());
}

#[test]
fn a_refused_login_is_a_credentials_problem_with_the_providers_words() {
    let a = login_api();
    let resp = HttpResponse::new(
        400,
        r#"{"detail": "Unable to log in with provided credentials."}"#,
    );
    let e = a.parse_login(&resp, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LoginRefused);
    assert_eq!(
        e.provider_text.as_deref(),
        Some("Unable to log in with provided credentials.")
    );
    assert!(!e.to_string().contains("s3cret"));
    let e = a
        .parse_login(&HttpResponse::new(502, "<html>bad gateway</html>"), 0)
        .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Server,
        "a broken server is not a wrong password"
    );
    let e = a
        .parse_login(&HttpResponse::new(200, r#"{"detail": "Welcome"}"#), 0)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
}
