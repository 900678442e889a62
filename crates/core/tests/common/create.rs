//! A create form filled in from the provider's own catalogues.
#![allow(dead_code)]

use vigil_core::catalogue::{Choice, Part};
use vigil_core::dialect::Sizing;
use vigil_core::{Command, VmSpec};

use super::drive::Drive;
use super::World;

/// Reads the catalogue (and, once a region is chosen, its own parts) and fills in a spec with
/// the first choice the provider offers for each field.
pub fn spec_from_catalogue(w: &mut World, name: &str) -> VmSpec {
    let conn = "c".to_string();
    w.engine
        .cmd(
            Command::LoadCatalogue {
                conn: conn.as_str().into(),
                region: None,
            },
            w.now,
        )
        .unwrap();
    w.run_until(60_000, |e| {
        e.view()
            .catalogue(&"c".into())
            .is_some_and(|c| c.is_loaded())
    });
    let caps = w.engine.view().caps(&"c".into()).unwrap();
    let create = caps.create.expect("creates VMs");
    let first = |w: &World, part: Part| -> Option<Choice> {
        let view = w.engine.view();
        let cat = view.catalogue(&"c".into()).unwrap();
        cat.choices(part).iter().find(|c| !c.unavailable).cloned()
    };
    let mut spec = VmSpec {
        name: name.into(),
        ..VmSpec::default()
    };
    if create.place.is_some() {
        let region = first(w, Part::Regions).expect("a place to put it");
        spec.region = Some(region.id.clone());
        w.engine
            .cmd(
                Command::LoadCatalogue {
                    conn: "c".into(),
                    region: Some(region.id),
                },
                w.now,
            )
            .unwrap();
        w.run_until(60_000, |e| {
            e.view()
                .catalogue(&"c".into())
                .is_some_and(|c| c.is_loaded())
        });
    }
    let view = w.engine.view();
    let cat = view.catalogue(&"c".into()).unwrap();
    let in_region = |c: &&Choice| {
        !c.unavailable
            && (c.regions.is_empty() || spec.region.as_ref().is_none_or(|r| c.regions.contains(r)))
    };
    match create.sizing {
        Sizing::Catalogue => {
            spec.size = cat
                .choices(Part::Sizes)
                .iter()
                .find(in_region)
                .map(|c| c.id.clone())
        }
        Sizing::Amounts { .. } => {
            spec.vcpus = Some(1);
            spec.ram_mb = Some(1024);
        }
    }
    let image = cat
        .choices(Part::Images)
        .iter()
        .find(in_region)
        .expect("an image")
        .clone();
    spec.image = image.id;
    spec.os = image.os;
    if create.network_required {
        spec.network = cat
            .choices(Part::Networks)
            .iter()
            .find(in_region)
            .map(|c| c.id.clone());
    }
    if create.security_group_required {
        spec.security_group = cat
            .choices(Part::SecurityGroups)
            .first()
            .map(|c| c.id.clone());
    }
    let problems = view.check_create(&"c".into(), &spec);
    assert!(problems.is_empty(), "{:?}: {problems:?}", caps.kind);
    spec
}
