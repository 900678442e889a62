//! The create form's catalogues.

use serde_json::json;

use super::*;
use crate::catalogue::{Choice, Part, PartData};

fn choices(part: Part, body: serde_json::Value) -> Vec<Choice> {
    match api().parse_catalogue(part, &ok(&body), T).unwrap() {
        PartData::Choices(c) => c,
        other => panic!("{other:?}"),
    }
}

#[test]
fn projects_tariffs_images_and_configurations_then_the_projects_keys() {
    let a = api();
    let urls: Vec<(Part, String)> = a
        .catalogue_requests()
        .into_iter()
        .map(|(p, r)| (p, r.url))
        .collect();
    let base = "https://api.zennohosting.com";
    assert_eq!(
        urls,
        vec![
            (Part::Regions, format!("{base}/projects")),
            (Part::Sizes, format!("{base}/vm-tariffs")),
            (Part::Images, format!("{base}/images")),
            (Part::Configurations, format!("{base}/configurations")),
        ]
    );
    let keys = a.region_catalogue_requests(P);
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].0, Part::SshKeys);
    assert_eq!(keys[0].1.method, Method::Get);
    assert_eq!(keys[0].1.url, format!("{base}/projects/{P}/ssh-keys"));
    assert!(keys[0]
        .1
        .headers
        .contains(&("Authorization".into(), "Bearer tok-123".into())));
    assert!(a.region_catalogue_requests(" ").is_empty());
}

#[test]
fn each_catalogue_reads_as_choices() {
    let projects = choices(
        Part::Regions,
        json!({"items": [{"id": P, "name": "Demo project"}, {"name": "no id"}]}),
    );
    assert_eq!(projects.len(), 1);
    assert_eq!(
        (projects[0].id.as_str(), projects[0].label.as_str()),
        (P, "Demo project")
    );
    let tariffs = choices(
        Part::Sizes,
        json!({"items": [{"id": "t-s", "name": "VM S", "cpu": 1, "ramGb": 2, "diskGb": 20,
                          "pricePerMonth": "9.90"}]}),
    );
    assert_eq!(
        tariffs[0],
        Choice {
            id: "t-s".into(),
            label: "VM S".into(),
            vcpus: Some(1),
            ram_mb: Some(2048),
            disk_gb: Some(20),
            price: Some("9.90".into()),
            ..Choice::default()
        }
    );
    let configurations = choices(
        Part::Configurations,
        json!({"items": [{"id": "cfg-web", "name": "Web", "tariffId": "t-s", "cpu": 1,
                          "ramGb": 2, "diskGb": 20}]}),
    );
    assert_eq!(configurations[0].vcpus, Some(1));
    assert_eq!(configurations[0].of.as_deref(), Some("t-s"), "its tariff");
    assert_eq!(tariffs[0].of, None);
    let images = choices(
        Part::Images,
        json!({"items": [{"id": "img-1", "name": "Debian 12", "osFamily": "linux", "minDiskGb": 10}]}),
    );
    assert_eq!(images[0].os.as_deref(), Some("linux"));
    assert_eq!(images[0].min_disk_gb, Some(10));
    let keys = choices(
        Part::SshKeys,
        json!({"items": [{"id": "key-1", "name": "laptop", "fingerprint": "SHA256:abc"},
                         {"id": "key-2", "fingerprint": "SHA256:def"}]}),
    );
    assert_eq!(keys[0].label, "laptop");
    assert_eq!(keys[1].label, "SHA256:def");
}

#[test]
fn catalogue_errors_are_errors() {
    let a = api();
    let refused = HttpResponse::new(
        401,
        r#"{"error": "unauthorized", "message": "Missing or invalid bearer token"}"#,
    );
    let e = a.parse_catalogue(Part::Images, &refused, T).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(
        e.provider_text.as_deref(),
        Some("Missing or invalid bearer token")
    );
    let odd = HttpResponse::new(200, r#"{"items": 3}"#);
    assert_eq!(
        a.parse_catalogue(Part::Sizes, &odd, T).unwrap_err().kind,
        ErrorKind::BadResponse
    );
    assert_eq!(
        a.parse_catalogue(Part::SecurityGroups, &ok(&json!({"items": []})), T)
            .unwrap_err()
            .kind,
        ErrorKind::BadResponse
    );
}
