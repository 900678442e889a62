//! The rebuild picker's images and the image check, per provider.

use super::*;
use crate::catalogue::Choice;
use crate::dialect::DialectKind;
use crate::ids::VmId;
use crate::model::{PowerState, Size};

fn vm(image_id: Option<&str>, disk_gb: u32) -> Vm {
    Vm {
        id: VmId::new("v1"),
        name: "web-01".into(),
        power: PowerState::Running,
        status_raw: "running".into(),
        locked: false,
        size: Size {
            disk_gb: Some(disk_gb),
            ..Size::default()
        },
        region: None,
        image: Some("Ubuntu 22.04".into()),
        image_id: image_id.map(str::to_string),
        snapshot_count: None,
        project: None,
        addresses: Vec::new(),
        uptime_s: None,
        features: Vec::new(),
        networks: Vec::new(),
        vpc: None,
        status_only: false,
        hostname: None,
    }
}

fn image(id: &str, label: &str) -> Choice {
    Choice {
        id: id.into(),
        label: label.into(),
        ..Choice::default()
    }
}

fn catalogue(images: Vec<Choice>) -> Catalogue {
    let mut c = Catalogue::default();
    c.parts
        .insert(Part::Images, PartState::Ready(PartData::Choices(images)));
    c
}

fn ids(images: &[RebuildImage]) -> Vec<&str> {
    images.iter().map(|i| i.id.as_str()).collect()
}

#[test]
fn the_picker_offers_the_catalogues_images_the_provider_would_take() {
    let caps = DialectKind::OnetSolutions.caps();
    let mut big = image("205", "Windows Server 2022");
    big.min_disk_gb = Some(80);
    let mut retired = image("207", "CentOS 7");
    retired.unavailable = true;
    let cat = catalogue(vec![
        image("201", "Ubuntu 22.04"),
        image("204", "Debian 12"),
        image("204", "Debian 12 (again)"),
        big,
        retired,
    ]);
    let got = rebuild_images(caps, Some(&cat), &vm(Some("201"), 50)).unwrap();
    assert_eq!(ids(&got), ["201", "204"]);
    assert!(got[0].current && !got[1].current);
    assert_eq!(
        rebuild_images(caps, None, &vm(Some("201"), 50)),
        Err(Refusal::CatalogueNotReady)
    );
}

#[test]
fn an_image_named_by_its_version_alone_is_named_with_its_distro() {
    let caps = DialectKind::Cloudsfor.caps();
    let mut newest = image("Ubuntu", "24.04 (LTS) x64");
    newest.os = Some("Ubuntu".into());
    let mut older = image("Ubuntu", "22.04 (LTS) x64");
    older.os = Some("Ubuntu".into());
    let mut debian = image("Debian", "Debian 12 x64");
    debian.os = Some("Debian".into());
    let got = rebuild_images(
        caps,
        Some(&catalogue(vec![newest, older, debian])),
        &vm(None, 25),
    )
    .unwrap();
    // A rebuild by distro takes its newest image: the one the catalogue lists first.
    let labels: Vec<Option<&str>> = got.iter().map(|i| i.label.as_deref()).collect();
    assert_eq!(
        labels,
        [Some("Ubuntu 24.04 (LTS) x64"), Some("Debian 12 x64")]
    );
}

#[test]
fn erigones_offers_only_the_current_image() {
    let caps = DialectKind::Erigones.caps();
    let cat = catalogue(vec![image("centos-7", "CentOS 7")]);
    let got = rebuild_images(caps, Some(&cat), &vm(None, 10)).unwrap();
    assert_eq!(ids(&got), [CURRENT_IMAGE]);
    assert!(got[0].current);
    assert_eq!(check_image(caps, Some(&cat), CURRENT_IMAGE), Ok(()));
    assert_eq!(
        check_image(caps, Some(&cat), "centos-7"),
        Err(Refusal::RebuildsCurrentImageOnly {
            provider: DialectKind::Erigones
        })
    );
}

#[test]
fn hostway_and_zennohosting_say_why_there_is_no_rebuild() {
    for d in [DialectKind::Hostway, DialectKind::ZennoHosting] {
        let caps = d.caps();
        assert!(!caps.offers(crate::model::ActionKind::Rebuild), "{d:?}");
        assert_eq!(
            rebuild_images(caps, Some(&catalogue(vec![image("1", "x")])), &vm(None, 10)),
            Err(Refusal::NoRebuild { provider: d })
        );
        assert_eq!(
            check_image(caps, None, "1"),
            Err(Refusal::NoRebuild { provider: d })
        );
    }
    for d in [
        DialectKind::Cloudsfor,
        DialectKind::OnetSolutions,
        DialectKind::Erigones,
    ] {
        assert!(d.caps().offers(crate::model::ActionKind::Rebuild), "{d:?}");
    }
}

#[test]
fn an_image_is_checked_against_the_catalogue_when_it_lists_images() {
    let caps = DialectKind::Cloudsfor.caps();
    let cat = catalogue(vec![image("Debian", "12 x64")]);
    assert_eq!(check_image(caps, Some(&cat), " Debian "), Ok(()));
    assert_eq!(
        check_image(caps, Some(&cat), "Gentoo"),
        Err(Refusal::NotInCatalogue {
            part: Part::Images,
            value: "Gentoo".into()
        })
    );
    assert_eq!(
        check_image(caps, Some(&cat), " "),
        Err(Refusal::ChooseImage)
    );
    // Not loaded here: the provider has the last word.
    assert_eq!(check_image(caps, None, "Gentoo"), Ok(()));
}

#[test]
fn the_name_typed_back_confirms() {
    let v = vm(None, 10);
    assert_eq!(confirm(&v, " web-01 "), Ok(()));
    assert_eq!(
        confirm(&v, "web-02"),
        Err(Refusal::TypeNameToConfirm {
            name: "web-01".into()
        })
    );
}
