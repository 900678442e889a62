//! The create form's catalogues.

use serde_json::json;

use super::*;
use crate::catalogue::{Choice, Part, PartData};
use crate::dialect::testing::has_header;

fn choices(part: Part, results: serde_json::Value) -> Vec<Choice> {
    let body = json!({"count": 2, "next": null, "previous": null, "results": results});
    match api()
        .parse_catalogue(part, &HttpResponse::new(200, body.to_string()), 0)
        .unwrap()
    {
        PartData::Choices(c) => c,
        other => panic!("{other:?}"),
    }
}

#[test]
fn sizes_locations_images_and_vpcs() {
    let urls: Vec<(Part, String)> = api()
        .catalogue_requests()
        .into_iter()
        .map(|(p, r)| {
            assert!(has_header(
                &r,
                "Authorization",
                "Bearer sk-onetsolutions-abc"
            ));
            (p, r.url)
        })
        .collect();
    assert_eq!(
        urls,
        vec![
            (Part::Sizes, format!("{BASE}/compute/sizes?page_size=100")),
            (
                Part::Regions,
                format!("{BASE}/compute/locations?page_size=100")
            ),
            (Part::Images, format!("{BASE}/compute/images?page_size=100")),
            (Part::Networks, format!("{BASE}/compute/vpcs?page_size=100")),
        ]
    );
    let sizes = choices(
        Part::Sizes,
        json!([{"id": "size-s2", "name": "VPS S", "slug": "vps-s", "vcpu": 1, "ram_mb": 2048,
                "bandwidth_mbps": 1000, "cpu_model": "EPYC",
                "available_volumes": [{"id": "v1", "volume_type": "ssd", "disk_gb": 20, "is_default": false, "is_active": true},
                                      {"id": "v2", "volume_type": "ssd", "disk_gb": 40, "is_default": true, "is_active": true}],
                "pricing_options": [{"id": "p1", "billing_cycle": "hourly", "price": "0.01", "is_default": false},
                                    {"id": "p2", "billing_cycle": "monthly", "price": "6.00", "is_default": true}],
                "available_addons": [], "is_active": true, "description": ""},
               {"id": "size-old", "slug": "vps-old", "is_active": false}]),
    );
    assert_eq!(
        sizes[0],
        Choice {
            id: "size-s2".into(),
            label: "VPS S".into(),
            vcpus: Some(1),
            ram_mb: Some(2048),
            disk_gb: Some(40),
            price: Some("6.00 / monthly".into()),
            ..Choice::default()
        }
    );
    assert_eq!(sizes[1].label, "vps-old");
    assert!(sizes[1].unavailable);
    let locations = choices(
        Part::Regions,
        json!([{"id": "loc-par1", "name": "Paris", "slug": "par1", "country_code": "FR", "is_active": true}]),
    );
    assert_eq!(locations[0].label, "Paris (FR)");
    let images = choices(
        Part::Images,
        json!([{"id": "img-1", "name": "Debian", "os_name": "debian", "version": "12", "min_disk_gb": 10, "is_active": true}]),
    );
    assert_eq!(images[0].label, "Debian 12");
    assert_eq!(images[0].os.as_deref(), Some("debian"));
    assert_eq!(images[0].min_disk_gb, Some(10));
    let vpcs = choices(
        Part::Networks,
        json!([{"id": "vpc-1", "name": "default", "cidr_block": "10.20.0.0/16", "location": {"id": "loc-par1"}}]),
    );
    assert_eq!(vpcs[0].label, "default (10.20.0.0/16)");
    assert_eq!(vpcs[0].regions, vec!["loc-par1".to_string()]);
}

#[test]
fn catalogue_errors_are_errors() {
    let refused = HttpResponse::new(
        403,
        r#"{"detail": "You do not have permission to perform this action."}"#,
    );
    let e = api().parse_catalogue(Part::Sizes, &refused, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    let odd = HttpResponse::new(200, r#"{"count": 0}"#);
    assert_eq!(
        api()
            .parse_catalogue(Part::Images, &odd, 0)
            .unwrap_err()
            .kind,
        ErrorKind::BadResponse
    );
    assert_eq!(
        api()
            .parse_catalogue(
                Part::SshKeys,
                &HttpResponse::new(200, r#"{"results": []}"#),
                0
            )
            .unwrap_err()
            .kind,
        ErrorKind::BadResponse,
        "no key list is published"
    );
}
