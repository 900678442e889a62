//! A deployment's config.json as a hosting provider writes it, and what its users notice.

use vigil_core::site::{self, BaseUrlProblem, SiteConfig, SiteError};
use vigil_core::{Credentials, DialectKind};

#[test]
fn no_config_json_gives_the_demo_console_and_no_complaint() {
    let (cfg, err) = site::load(None);
    assert_eq!(cfg, SiteConfig::default());
    assert!(cfg.demo && cfg.presets.is_empty() && cfg.target_lag.is_none());
    assert_eq!(err, None);
}

#[test]
fn a_hosters_preset_needs_only_the_users_token() {
    let (cfg, err) = site::load(Some(
        r#"{"presets":[{"name":"Acme Cloud","provider":"erigones","base_url":"https://api.acme.example/api"}],
            "demo":false,"target_lag_s":5}"#,
    ));
    assert_eq!(err, None);
    assert!(!cfg.demo);
    assert_eq!(cfg.target_lag, Some(5_000));
    let p = &cfg.presets[0];
    assert_eq!(
        (p.name.as_str(), p.dialect),
        ("Acme Cloud", DialectKind::Erigones)
    );
    let conn = p.connection(
        "https://console.acme.example",
        Credentials::ApiKey {
            key: "k-123".into(),
        },
    );
    assert_eq!(conn.base_url, "https://api.acme.example/api");
    assert!(!conn.demo);
    // What the user typed is all the connection lacked: it passes the settings form's checks.
    assert_eq!(conn.validate(), Ok(()));
    // The same preset on the next load is the same connection.
    let (again, _) = site::load(Some(
        r#"{"presets":[{"name":"Acme Cloud","provider":"erigones","base_url":"https://api.acme.example/api"}]}"#,
    ));
    assert_eq!(again.presets[0].id, p.id);
}

#[test]
fn a_relay_path_on_the_consoles_own_origin_is_allowed() {
    let cfg = site::parse(
        r#"{"presets":[{"name":"Acme (relay)","provider":"zennohosting","base_url":"/relay/acme/"}]}"#,
    )
    .unwrap();
    let conn = cfg.presets[0].connection(
        "http://127.0.0.1:8443",
        Credentials::Bearer { token: "t".into() },
    );
    assert_eq!(conn.base_url, "http://127.0.0.1:8443/relay/acme/");
    assert_eq!(conn.validate(), Ok(()));
}

#[test]
fn credentials_in_config_json_are_refused_whole_naming_the_key() {
    for (json, path) in [
        (
            r#"{"presets":[{"name":"A","provider":"erigones","base_url":"https://a.example","api_key":"x"}]}"#,
            "presets[0].api_key",
        ),
        (r#"{"token":"abc"}"#, "token"),
        (
            r#"{"presets":[{"name":"A","provider":"cloudsfor","base_url":"https://a.example","Password":"p"}]}"#,
            "presets[0].Password",
        ),
        (
            r#"{"demo":true,"Authorization":"Bearer x"}"#,
            "Authorization",
        ),
        (
            r#"{"presets":[{"name":"A","provider":"hostway","base_url":"https://a.example","user":"me"}]}"#,
            "presets[0].user",
        ),
    ] {
        let (cfg, err) = site::load(Some(json));
        assert_eq!(
            err,
            Some(SiteError::Credentials { path: path.into() }),
            "{json}"
        );
        // Nothing of such a file is used.
        assert_eq!(cfg, SiteConfig::default());
        let said = err.unwrap().to_string();
        assert!(said.contains(path) && !said.contains("abc"), "{said}");
    }
    // Credentials inside a base URL too.
    assert!(matches!(
        site::parse(
            r#"{"presets":[{"name":"A","provider":"erigones","base_url":"https://me:pw@a.example"}]}"#
        ),
        Err(SiteError::BaseUrl {
            why: BaseUrlProblem::Credentials,
            ..
        })
    ));
    assert!(matches!(
        site::parse(
            r#"{"presets":[{"name":"A","provider":"erigones","base_url":"https://a.example/?token=x"}]}"#
        ),
        Err(SiteError::BaseUrl {
            why: BaseUrlProblem::Query,
            ..
        })
    ));
}

#[test]
fn a_provider_vigil_does_not_know_is_named_in_the_notice() {
    let err = site::parse(
        r#"{"presets":[{"name":"A","provider":"aws","base_url":"https://a.example"}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        err,
        SiteError::Provider {
            index: 0,
            given: "aws".into()
        }
    );
    let said = err.to_string();
    assert!(said.contains("aws") && said.contains("erigones"), "{said}");
    // The provider's name is not case-sensitive.
    let ok = site::parse(
        r#"{"presets":[{"name":"A","provider":"Hostway","base_url":"https://a.example"}]}"#,
    )
    .unwrap();
    assert_eq!(ok.presets[0].dialect, DialectKind::Hostway);
}

#[test]
fn base_urls_that_would_go_somewhere_unexpected_are_refused() {
    for (base, why) in [
        ("api.acme.example", BaseUrlProblem::Scheme),
        ("relay/acme", BaseUrlProblem::Scheme),
        ("ftp://a.example", BaseUrlProblem::Scheme),
        ("demo://sim/erigones", BaseUrlProblem::Scheme),
        ("https://", BaseUrlProblem::Scheme),
        ("//evil.example/api", BaseUrlProblem::ProtocolRelative),
        ("https://a.example/ api", BaseUrlProblem::Spaces),
    ] {
        let json =
            format!(r#"{{"presets":[{{"name":"A","provider":"erigones","base_url":"{base}"}}]}}"#);
        match site::parse(&json) {
            Err(SiteError::BaseUrl { why: got, .. }) => assert_eq!(got, why, "{base}"),
            other => panic!("{base}: {other:?}"),
        }
    }
}

#[test]
fn typos_wrong_types_and_broken_json_fall_back_to_the_defaults_with_a_reason() {
    let cases = [
        r#"{"dmeo":false}"#,
        r#"{"demo":"no"}"#,
        r#"{"presets":{"name":"A"}}"#,
        r#"{"presets":[{"name":"","provider":"erigones","base_url":"https://a.example"}]}"#,
        r#"{"presets":[{"name":"A","provider":"erigones","base_url":"https://a.example"},
                        {"name":"a","provider":"cloudsfor","base_url":"https://b.example"}]}"#,
        r#"{"target_lag_s":0.1}"#,
        r#"{"target_lag_s":600}"#,
        r#"["presets"]"#,
        r#"{"presets":[}"#,
    ];
    for json in cases {
        let (cfg, err) = site::load(Some(json));
        assert_eq!(cfg, SiteConfig::default(), "{json}");
        let err = err.unwrap_or_else(|| panic!("{json} was accepted"));
        assert!(!err.to_string().is_empty());
    }
    assert!(matches!(
        site::parse(r#"{"dmeo":false}"#),
        Err(SiteError::UnknownKey { path }) if path == "dmeo"
    ));
    assert!(matches!(
        site::parse(r#"{"presets":[}"#),
        Err(SiteError::NotJson { .. })
    ));
}

#[test]
fn the_target_lag_is_read_in_seconds() {
    assert_eq!(
        site::parse(r#"{"target_lag_s":0.5}"#).unwrap().target_lag,
        Some(500)
    );
    assert_eq!(
        site::parse(r#"{"target_lag_s":60}"#).unwrap().target_lag,
        Some(60_000)
    );
    assert_eq!(site::parse("{}").unwrap(), SiteConfig::default());
}

#[test]
fn the_demo_shows_only_where_the_site_offers_it_and_beside_connections_only_when_asked() {
    let offered = SiteConfig::default();
    assert!(
        offered.shows_demo(0, false),
        "nothing configured: the demo is the console"
    );
    assert!(
        !offered.shows_demo(2, false),
        "the user's connections alone"
    );
    assert!(offered.shows_demo(2, true), "asked to see the demo too");
    let (hoster, err) = site::load(Some(r#"{"demo":false}"#));
    assert_eq!(err, None);
    assert!(
        !hoster.shows_demo(0, false),
        "not even with nothing configured (or signed out)"
    );
    assert!(!hoster.shows_demo(2, true));
}
