//! The create form's catalogues.

use serde_json::json;

use super::*;
use crate::catalogue::{Choice, Part, PartData};

fn choices(part: Part, body: &str) -> Vec<Choice> {
    match api()
        .parse_catalogue(part, &HttpResponse::new(200, body), 0)
        .unwrap()
    {
        PartData::Choices(c) => c,
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_catalogue_is_one_request() {
    let reqs = api().catalogue_requests();
    let urls: Vec<(Part, &str)> = reqs.iter().map(|(p, r)| (*p, r.url.as_str())).collect();
    let base = "https://cloudsfor.com/api/v1";
    assert_eq!(
        urls,
        vec![
            (Part::Regions, &*format!("{base}/regions?per_page=200")),
            (Part::Sizes, &*format!("{base}/sizes?per_page=200")),
            (
                Part::Images,
                &*format!("{base}/images?type=distribution&per_page=200")
            ),
            (Part::SshKeys, &*format!("{base}/keys?per_page=200")),
            (Part::Account, &*format!("{base}/account")),
        ]
    );
    for (_, req) in &reqs {
        assert_eq!(req.method, Method::Get);
        assert!(has_header(
            req,
            "Authorization",
            "Basic dXNlcm5hbWU6cGFzc3dvcmQ="
        ));
    }
    assert!(api().region_catalogue_requests("moscow_01").is_empty());
}

#[test]
fn regions_and_sizes_as_create_takes_them() {
    // The documented regions example, trailing comma included.
    let regions = choices(
        Part::Regions,
        r#"{"regions": [{"country": "Russia", "name": "moscow_01",
            "coordinates": {"lat": 55.75, "lng": 37.61}, "description": "Moscow, DC 1",},
            {"name": "spb_01"}, {"description": "no name, skipped"}], "meta": {"total": 3}}"#,
    );
    assert_eq!(regions.len(), 2);
    assert_eq!(regions[0].id, "moscow_01");
    assert_eq!(regions[0].label, "Moscow, DC 1 (Russia)");
    assert_eq!(regions[1].label, "spb_01");
    let sizes = choices(
        Part::Sizes,
        &json!({"sizes": [
            {"slug": "s-1vcpu-1gb", "vcpus": 1, "memory": 1, "disk": 25, "price_monthly": 5.0,
             "available": true, "regions": ["moscow_01"]},
            {"slug": "s-8vcpu-16gb", "vcpus": 8, "memory": 16, "disk": 320,
             "price_monthly": "80.00", "available": false, "regions": []}
        ], "meta": {"total": 2}})
        .to_string(),
    );
    assert_eq!(
        sizes[0],
        Choice {
            id: "s-1vcpu-1gb".into(),
            label: "s-1vcpu-1gb".into(),
            vcpus: Some(1),
            ram_mb: Some(1024),
            disk_gb: Some(25),
            regions: vec!["moscow_01".into()],
            price: Some("5.0".into()),
            ..Choice::default()
        }
    );
    assert!(sizes[1].unavailable);
    assert_eq!(sizes[1].price.as_deref(), Some("80.00"));
}

#[test]
fn images_keys_and_the_vm_limit() {
    let images = choices(
        Part::Images,
        r#"{"images": [{"id": 7, "distro": "ubuntu-24-04", "name": "Ubuntu 24.04"},
                       {"id": 8, "name": "no distro, skipped"}], "meta": {"total": 2}}"#,
    );
    assert_eq!(images.len(), 1);
    assert_eq!(
        (images[0].id.as_str(), images[0].label.as_str()),
        ("ubuntu-24-04", "Ubuntu 24.04")
    );
    let keys = choices(
        Part::SshKeys,
        r#"{"ssh_keys": [{"id": 512189, "fingerprint": "3b:16:bf", "public_key": "ssh-rsa AAAA", "name": "laptop"},
                         {"id": 512190, "fingerprint": "aa:bb:cc", "public_key": "ssh-rsa BBBB"}]}"#,
    );
    assert_eq!(
        (keys[0].id.as_str(), keys[0].label.as_str()),
        ("512189", "laptop")
    );
    assert_eq!(keys[1].label, "aa:bb:cc");
    let account = HttpResponse::new(
        200,
        r#"{"account": {"email": "demo@vigil.test", "uuid": "u-1", "vm_limit": 25}}"#,
    );
    assert_eq!(
        api().parse_catalogue(Part::Account, &account, 0).unwrap(),
        PartData::VmLimit(Some(25))
    );
    let unlimited = HttpResponse::new(200, r#"{"account": {"email": "a@b.c", "vm_limit": null}}"#);
    assert_eq!(
        api().parse_catalogue(Part::Account, &unlimited, 0).unwrap(),
        PartData::VmLimit(None)
    );
}

#[test]
fn catalogue_errors_are_errors() {
    let refused = HttpResponse::new(
        401,
        r#"{"id": "unauthorized", "message": "Unable to authenticate you."}"#,
    );
    let e = api().parse_catalogue(Part::Sizes, &refused, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(
        e.provider_text.as_deref(),
        Some("Unable to authenticate you.")
    );
    let odd = HttpResponse::new(200, r#"{"sizes": "none"}"#);
    assert_eq!(
        api()
            .parse_catalogue(Part::Sizes, &odd, 0)
            .unwrap_err()
            .kind,
        ErrorKind::BadResponse
    );
    let ok = HttpResponse::new(200, "{}");
    assert_eq!(
        api()
            .parse_catalogue(Part::Networks, &ok, 0)
            .unwrap_err()
            .kind,
        ErrorKind::BadResponse,
        "not one of its catalogues"
    );
}
