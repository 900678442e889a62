//! What a user pastes or types that a request cannot carry, or that would change how the page
//! reads, is refused where it is typed — with what and where — and never thrown at send time.

use vigil_core::dialect::CredentialKind;
use vigil_core::{check_name, ConnectionConfig, Credentials, DialectKind, HttpRequest, Refusal};

fn conn(credentials: Credentials) -> ConnectionConfig {
    ConnectionConfig {
        id: "c".into(),
        name: "Prod".into(),
        dialect: DialectKind::OnetSolutions,
        base_url: "https://api.example.com/v1".into(),
        credentials,
        demo: false,
    }
}

#[test]
fn a_token_pasted_with_a_zero_width_space_is_refused_with_its_place() {
    let cfg = conn(Credentials::Bearer {
        token: "abc\u{200B}def".into(),
    });
    assert_eq!(
        cfg.validate(),
        Err(Refusal::CredentialCharacter {
            kind: CredentialKind::Bearer,
            secret: true,
            code: 0x200B,
            position: 4,
        })
    );
}

#[test]
fn a_token_pasted_with_a_line_break_around_it_is_taken_trimmed_and_sendable() {
    let cfg = conn(Credentials::Bearer {
        token: "\n abc-def_123 \r\n".into(),
    });
    assert_eq!(cfg.validate(), Ok(()));
    let req = cfg
        .credentials
        .authorize(HttpRequest::get("https://api.example.com/v1/vms"), None);
    assert!(req.headers_sendable());
    assert!(req
        .headers
        .iter()
        .any(|(n, v)| n == "Authorization" && v == "Bearer abc-def_123"));
}

#[test]
fn a_line_break_inside_a_key_is_refused() {
    let cfg = conn(Credentials::ApiKey {
        key: "abc\ndef".into(),
    });
    assert!(matches!(
        cfg.validate(),
        Err(Refusal::CredentialCharacter {
            code: 0x0A,
            position: 4,
            ..
        })
    ));
}

#[test]
fn a_basic_user_name_with_a_colon_is_refused_but_a_password_may_hold_anything_printable() {
    let user_colon = conn(Credentials::Basic {
        user: "me:you@example.com".into(),
        password: "pw".into(),
    });
    assert_eq!(user_colon.validate(), Err(Refusal::ColonInUser));
    let odd_password = conn(Credentials::Basic {
        user: "me@example.com".into(),
        password: "pä:ss wörd€".into(),
    });
    assert_eq!(odd_password.validate(), Ok(()));
    let req = odd_password
        .credentials
        .authorize(HttpRequest::get("https://api.example.com/v1/vms"), None);
    assert!(
        req.headers_sendable(),
        "Basic credentials go base64-encoded"
    );
}

#[test]
fn a_header_a_browser_refuses_is_known_before_sending() {
    let with = |name: &str, value: &str| HttpRequest {
        headers: vec![(name.into(), value.into())],
        ..HttpRequest::get("https://x/")
    };
    assert!(with("Authorization", "Token abc").headers_sendable());
    assert!(!with("Authorization", "Token a\u{200B}b").headers_sendable());
    assert!(!with("Authorization", "Token a\r\nX-Evil: 1").headers_sendable());
    assert!(!with("Bad Name", "x").headers_sendable());
}

#[test]
fn names_with_bidi_overrides_or_zero_width_characters_are_refused() {
    assert_eq!(
        check_name("invoice\u{202E}fdp.exe"),
        Err(Refusal::NameHasInvisible { code: 0x202E })
    );
    assert_eq!(
        check_name("web\u{2066}01"),
        Err(Refusal::NameHasInvisible { code: 0x2066 })
    );
    assert_eq!(
        check_name("db\u{200B}-1"),
        Err(Refusal::NameHasInvisible { code: 0x200B })
    );
    assert_eq!(
        check_name("web\u{7}"),
        Err(Refusal::NameHasControlCharacters)
    );
    assert_eq!(check_name("сервер-01 (prod) ✓"), Ok(()));
    assert_eq!(
        check_name("خادم-١"),
        Ok(()),
        "right-to-left scripts are names"
    );
}

#[test]
fn a_providers_name_cannot_reorder_or_flood_the_sentence_it_is_in() {
    use vigil_core::words::{self, NAME_IN_SENTENCE};
    use vigil_core::Action;
    let flipping = "web\u{202E}10-bew";
    let title = words::op_title(&Action::Reboot, flipping);
    // The override is closed before the words that follow it.
    let open = title.find('\u{2068}').expect("isolated");
    let close = title.find('\u{2069}').expect("closed");
    assert!(open < title.find('\u{202E}').unwrap() && title.find('\u{202E}').unwrap() < close);
    let huge = "a".repeat(10_000);
    let title = words::op_title(&Action::Reboot, &huge);
    assert!(
        title.chars().count() <= NAME_IN_SENTENCE + 20,
        "{}",
        title.len()
    );
    assert!(title.ends_with('…'));
    let arabic = words::op_title(
        &Action::Rename {
            name: "خادم".into(),
        },
        "web-01",
    );
    assert!(arabic.contains("\u{2068}خادم\u{2069}"));
    // A plain name is left as it is: nothing invisible added around it.
    let plain = words::op_title(&Action::Reboot, "web-01");
    assert!(plain.ends_with("web-01") && !plain.contains(['\u{2068}', '\u{2069}']));
}
