//! The create form's catalogues.

use serde_json::json;

use super::*;
use crate::catalogue::{Choice, Part, PartData};

fn choices(part: Part, body: serde_json::Value) -> Vec<Choice> {
    match api().parse_catalogue(part, &ok(&body), 0).unwrap() {
        PartData::Choices(c) => c,
        other => panic!("{other:?}"),
    }
}

#[test]
fn flavors_images_zones_and_security_groups() {
    let urls: Vec<(Part, String)> = api()
        .catalogue_requests()
        .into_iter()
        .map(|(p, r)| {
            assert!(r.headers.contains(&auth()));
            (p, r.url)
        })
        .collect();
    assert_eq!(
        urls,
        vec![
            (Part::Sizes, format!("{BASE}/flavors/detail")),
            (Part::Images, format!("{BASE}/images/detail")),
            (Part::Regions, format!("{BASE}/zone")),
            (Part::SecurityGroups, format!("{BASE}/os-security-groups")),
        ]
    );
}

#[test]
fn create_takes_the_self_hrefs_as_given() {
    let flavors = choices(
        Part::Sizes,
        json!({"flavors": [
            {"id": "3", "name": "FlexCloud 2 vCPU / 4 GB", "vcpu": 2, "ram": 4096, "disk": 60,
             "links": [{"href": "https://api.hostway.example/flavors/3", "rel": "self"},
                       {"href": "https://api.hostway.example/bookmark/flavors/3", "rel": "bookmark"}]},
            {"id": "4", "name": "FlexCloud 4 vCPU / 8 GB", "links": []}
        ]}),
    );
    assert_eq!(
        flavors[0],
        Choice {
            id: "https://api.hostway.example/flavors/3".into(),
            label: "FlexCloud 2 vCPU / 4 GB".into(),
            vcpus: Some(2),
            ram_mb: Some(4096),
            disk_gb: Some(60),
            ..Choice::default()
        }
    );
    assert_eq!(
        flavors[1].id,
        format!("{BASE}/flavors/4"),
        "no self link: from the base"
    );
    let images = choices(
        Part::Images,
        json!({"images": [
            {"id": "12", "name": "Ubuntu 24.04", "status": "ACTIVE", "type": "BASE",
             "zones": ["USOTE-0214"], "created": "2025-01-01T00:00:00Z", "updated": null,
             "links": [{"href": "https://api.hostway.example/images/12", "rel": "self"}]},
            {"id": "13", "name": "My snapshot", "status": "SAVING", "type": "SERVER", "links": []}
        ]}),
    );
    assert_eq!(images[0].id, "https://api.hostway.example/images/12");
    assert_eq!(images[0].regions, vec!["USOTE-0214".to_string()]);
    assert!(!images[0].unavailable);
    assert!(images[1].unavailable, "not ACTIVE yet");
    let groups = choices(
        Part::SecurityGroups,
        json!({"security_groups": [{"id": 7, "name": "web",
            "links": [{"href": "https://api.hostway.example/os-security-groups/7", "rel": "self"}]}]}),
    );
    assert_eq!(
        groups[0].id,
        "https://api.hostway.example/os-security-groups/7"
    );
    assert_eq!(groups[0].label, "web");
}

#[test]
fn zones_are_keyed_by_account_number() {
    let zones = choices(
        Part::Regions,
        json!({"100234": [{"zone": "USOTE-0214", "location": "Austin, TX"},
                          {"zone": "USTXA-0301"}],
               "100235": [{"zone": "EUAMS-0101", "location": "Amsterdam"}]}),
    );
    let got: Vec<(&str, &str)> = zones
        .iter()
        .map(|z| (z.id.as_str(), z.label.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("USOTE-0214", "Austin, TX (USOTE-0214)"),
            ("USTXA-0301", "USTXA-0301"),
            ("EUAMS-0101", "Amsterdam (EUAMS-0101)"),
        ]
    );
}

#[test]
fn catalogue_errors_are_errors() {
    let e = api()
        .parse_catalogue(
            Part::Sizes,
            &refused(401, "unauthorized", "Bad credentials"),
            0,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(e.provider_text.as_deref(), Some("Bad credentials"));
    assert_eq!(
        api()
            .parse_catalogue(Part::Images, &ok(&json!({"images": {}})), 0)
            .unwrap_err()
            .kind,
        ErrorKind::BadResponse
    );
    assert_eq!(
        api()
            .parse_catalogue(Part::SshKeys, &ok(&json!({})), 0)
            .unwrap_err()
            .kind,
        ErrorKind::BadResponse,
        "no SSH keys at Hostway"
    );
}
