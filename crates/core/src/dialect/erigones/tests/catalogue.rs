//! The create form's catalogues (admin roles).

use serde_json::json;

use super::*;
use crate::catalogue::{Choice, Part, PartData};
use crate::dialect::testing::has_header;

fn choices(part: Part, result: serde_json::Value) -> Vec<Choice> {
    let body = json!({"status": "SUCCESS", "result": result, "task_id": "0-c"}).to_string();
    match api()
        .parse_catalogue(part, &HttpResponse::new(200, body), 0)
        .unwrap()
    {
        PartData::Choices(c) => c,
        other => panic!("{other:?}"),
    }
}

#[test]
fn images_networks_and_templates_in_full() {
    let urls: Vec<(Part, String)> = api()
        .catalogue_requests()
        .into_iter()
        .map(|(p, r)| {
            assert!(has_header(&r, "ES-API-KEY", "secret-key"));
            (p, r.url)
        })
        .collect();
    assert_eq!(
        urls,
        vec![
            (Part::Images, format!("{BASE}/image/?full=true")),
            (Part::Networks, format!("{BASE}/network/?full=true")),
            (Part::Configurations, format!("{BASE}/template/?full=true")),
        ]
    );
    let images = choices(
        Part::Images,
        json!([{"name": "centos-7", "alias": "CentOS 7", "version": "20240101", "ostype": 1,
                "size": 10240, "desc": "CentOS 7 KVM"}, "ubuntu-24"]),
    );
    assert_eq!(
        images[0],
        Choice {
            id: "centos-7".into(),
            label: "CentOS 7 20240101".into(),
            os: Some("1".into()),
            min_disk_gb: Some(10),
            ..Choice::default()
        }
    );
    assert_eq!(
        (images[1].id.as_str(), images[1].label.as_str()),
        ("ubuntu-24", "ubuntu-24")
    );
    let networks = choices(
        Part::Networks,
        json!([{"name": "lan", "alias": "LAN", "network": "10.0.0.0", "netmask": "255.255.255.0"},
               {"name": "wan"}]),
    );
    assert_eq!(networks[0].id, "lan");
    assert_eq!(networks[0].label, "LAN (10.0.0.0/255.255.255.0)");
    assert_eq!(networks[1].label, "wan");
    let templates = choices(
        Part::Configurations,
        json!([{"name": "small", "alias": "Small", "ostype": 1,
                "vm_define": {"vcpus": 1, "ram": 1024}}]),
    );
    assert_eq!(templates[0].vcpus, Some(1));
    assert_eq!(templates[0].ram_mb, Some(1024));
    assert!(api().region_catalogue_requests("x").is_empty());
}

#[test]
fn a_role_that_may_not_read_them_gets_the_error() {
    let refused = HttpResponse::new(
        403,
        r#"{"detail": "You do not have permission to perform this action."}"#,
    );
    let e = api()
        .parse_catalogue(Part::Images, &refused, 0)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    assert_eq!(
        e.provider_text.as_deref(),
        Some("You do not have permission to perform this action.")
    );
    let odd = HttpResponse::new(200, r#"{"status": "SUCCESS", "result": {"name": "x"}}"#);
    assert_eq!(
        api()
            .parse_catalogue(Part::Networks, &odd, 0)
            .unwrap_err()
            .kind,
        ErrorKind::BadResponse
    );
    let none = HttpResponse::new(200, r#"{"status": "SUCCESS", "result": []}"#);
    assert_eq!(
        api()
            .parse_catalogue(Part::Sizes, &none, 0)
            .unwrap_err()
            .kind,
        ErrorKind::BadResponse,
        "no sizes: free amounts"
    );
}
