//! Listing servers and reading one.

use serde_json::json;

use super::*;

#[test]
fn a_status_list_updates_only_the_power_state_of_the_servers_it_lists() {
    let api = api();
    let req = api.power_list_request(PowerTarget::Stopped).unwrap();
    assert_eq!(req.url, format!("{BASE}/servers?status=STOPPED"));
    let known = vec![
        parse_server(&server("PROCESSING", 100)).unwrap(),
        Vm {
            id: VmId::new("other"),
            ..vm("ACTIVE")
        },
    ];
    let body = json!({"servers": [{"id": known[0].id, "zone": "Z"}, {"id": "unknown"}]});
    let vms = api
        .parse_power_list(PowerTarget::Stopped, &known, &ok(&body), 0)
        .unwrap();
    assert_eq!(vms.len(), 1, "only known servers it lists");
    let vm = &vms[0];
    assert_eq!((vm.power.clone(), vm.locked), (PowerState::Stopped, false));
    assert_eq!(vm.status_raw, "STOPPED");
    assert_eq!(
        Vm {
            power: known[0].power.clone(),
            locked: known[0].locked,
            status_raw: known[0].status_raw.clone(),
            ..vm.clone()
        },
        known[0],
        "everything else is kept"
    );
}

#[test]
fn lists_ids_then_reads_each_server() {
    let a = api();
    assert_eq!(a.list_request(None).url, format!("{BASE}/servers"));
    let list = json!({"servers": [
        {"id": "s1", "zone": "USOTE-0214", "links": [{"href": format!("{BASE}/servers/s1"), "rel": "self"}]},
        {"id": "s2", "zone": "USTXA-0301", "links": []},
        {"zone": "no id, skipped"},
    ]});
    let page = a.parse_list(None, &ok(&list), 0).unwrap();
    assert!(page.vms.is_empty());
    assert_eq!(page.next, vec!["server:s1", "server:s2"]);
    let req = a.list_request(Some("server:s1"));
    assert_eq!(req.url, format!("{BASE}/servers/s1"));
    assert!(req.headers.contains(&auth()));

    let page = a
        .parse_list(Some("server:s1"), &ok(&server("ACTIVE", 100)), 0)
        .unwrap();
    assert!(page.next.is_empty());
    let vm = &page.vms[0];
    assert_eq!(vm.id, SID);
    assert_eq!(vm.name, "web-01");
    assert_eq!(vm.power, PowerState::Running);
    assert_eq!(vm.status_raw, "ACTIVE");
    assert!(!vm.locked);
    assert_eq!(vm.region.as_deref(), Some("USOTE-0214"));
    assert_eq!(vm.image.as_deref(), Some("Ubuntu 24.04"));
    assert_eq!(
        vm.size,
        Size {
            vcpus: Some(2),
            memory_gb: Some(4),
            disk_gb: Some(60),
            flavor: Some("3".into())
        }
    );

    // Gone between the list and the read: not an error for the whole listing.
    let gone = HttpResponse::new(
        404,
        r#"{"itemNotFound": {"message": "Server not found", "code": 404}}"#,
    );
    assert_eq!(
        a.parse_list(Some("server:s1"), &gone, 0).unwrap(),
        VmPage::default()
    );
    // Read for verification: the same endpoint.
    assert_eq!(
        a.read_vm_request(&VmId::new("s1"), None).url,
        format!("{BASE}/servers/s1")
    );
    assert_eq!(
        a.parse_read_vm(&ok(&server("STOPPED", 100)), 0).unwrap()[0].power,
        PowerState::Stopped
    );
}

#[test]
fn every_status_maps_and_unknown_ones_stay_raw() {
    let cases = [
        ("ACTIVE", PowerState::Running, false),
        ("STOPPED", PowerState::Stopped, false),
        ("PROCESSING", PowerState::Busy, true),
        ("BUILD", PowerState::Busy, true),
        ("SUSPENDED", PowerState::Unknown("SUSPENDED".into()), false),
        ("DELETED", PowerState::Unknown("DELETED".into()), false),
        (
            "VERIFY_RESIZE",
            PowerState::Unknown("VERIFY_RESIZE".into()),
            false,
        ),
    ];
    for (status, power, locked) in cases {
        let v = vm(status);
        assert_eq!(v.power, power, "{status}");
        assert_eq!(v.locked, locked, "{status}");
        assert_eq!(v.status_raw, status);
    }
}

#[test]
fn read_errors_keep_their_meaning() {
    let a = api();
    let e = a
        .parse_list(
            None,
            &refused(
                401,
                "unauthorized",
                "This server could not verify that you are authorized to access the resource.",
            ),
            0,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized);
    assert_eq!(
        e.provider_text.as_deref(),
        Some("This server could not verify that you are authorized to access the resource.")
    );
    // Another account's URL: credentials that may not, not a state conflict.
    let e = a
        .parse_list(
            None,
            &refused(403, "forbidden", "Access to this account is not allowed."),
            0,
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Forbidden);
    let limited = HttpResponse::new(
        429,
        r#"{"overLimit": {"message": "Rate limit exceeded", "code": 429, "retryAfter": "4"}}"#,
    );
    let e = a.parse_list(None, &limited, 0).unwrap_err();
    assert_eq!(e.kind, ErrorKind::RateLimited);
    assert_eq!(e.retry_after, Some(4_000));
    let e = a
        .parse_list(None, &HttpResponse::new(200, "<html/>"), 0)
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::BadResponse);
}

#[test]
fn a_retry_delay_in_the_fault_body_is_capped_as_a_retry_after_header_is() {
    // No `Retry-After` header: the body's `retryAfter` is all there is, however large.
    for huge in [
        "9223372036854775807",
        "18446744073709551615",
        "10000000000000000000",
        "1e300",
    ] {
        let body = format!(
            r#"{{"overLimit": {{"message": "Rate limit exceeded", "code": 429, "retryAfter": "{huge}"}}}}"#
        );
        let e = api()
            .parse_list(None, &HttpResponse::new(429, body), 0)
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimited);
        assert!(
            e.retry_after
                .is_none_or(|ms| (0..=crate::error::MAX_RETRY_AFTER).contains(&ms)),
            "{huge}: {:?}",
            e.retry_after
        );
    }
}

#[test]
fn reads_public_and_private_addresses_and_the_access_ips() {
    let mut v = server("ACTIVE", 100);
    v["server"]["addresses"] = json!({
        "private": [{"version": 4, "addr": "10.176.42.16"}],
        "public": [{"version": 4, "addr": "203.0.113.10"}, {"version": 6, "addr": "2001:db8::10"}]
    });
    v["server"]["accessIPv4"] = json!("198.51.100.10");
    v["server"]["accessIPv6"] = json!("");
    let vm = parse_server(&v).unwrap();
    let ips: Vec<(&str, u8, bool)> = vm
        .addresses
        .iter()
        .map(|a| (a.ip.as_str(), a.version, a.public))
        .collect();
    assert_eq!(
        ips,
        vec![
            ("203.0.113.10", 4, true),
            ("2001:db8::10", 6, true),
            ("10.176.42.16", 4, false),
            // An access address listed nowhere else: shown, but `addresses.public` is what
            // the sheet calls public.
            ("198.51.100.10", 4, false),
        ]
    );
    // One that is listed there is shown once, as public.
    v["server"]["accessIPv4"] = json!("203.0.113.10");
    let vm = parse_server(&v).unwrap();
    assert_eq!(vm.addresses.len(), 3);
    assert!(vm.addresses[0].public);
    // While it builds: none yet.
    let mut building = server("BUILD", 0);
    building["server"]["addresses"] = json!({"public": [], "private": []});
    assert!(parse_server(&building).unwrap().addresses.is_empty());
    // The observation's server carries them too.
    let r = ProviderRef::HostwayServer {
        server_id: SID.into(),
    };
    let o = api().parse_observation(&r, &ok(&v), 0).unwrap();
    assert_eq!(o.vm.unwrap().addresses.len(), 3);
}
