//! The create form's catalogues: images, VM tariffs (the sizes), configuration profiles, the
//! projects (ZennoHosting has no regions: a VM lives in a project, chosen where the form asks
//! for a region), and a project's SSH keys once it is chosen.

use serde_json::Value;

use super::{items, Zenno};
use crate::catalogue::{Choice, Part, PartData};
use crate::dialect::{first_text, uint32};
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse};
use crate::json::uint;
use crate::time::Millis;

impl Zenno {
    pub(super) fn catalogue(&self) -> Vec<(Part, HttpRequest)> {
        [
            (Part::Regions, "projects"),
            (Part::Sizes, "vm-tariffs"),
            (Part::Images, "images"),
            (Part::Configurations, "configurations"),
        ]
        .into_iter()
        .map(|(part, path)| (part, self.api.get(path)))
        .collect()
    }

    /// The chosen project's SSH keys.
    pub(super) fn project_catalogue(&self, project: &str) -> Vec<(Part, HttpRequest)> {
        let project = project.trim();
        if project.is_empty() {
            return Vec::new();
        }
        let path = format!("projects/{}/ssh-keys", encode_component(project));
        vec![(Part::SshKeys, self.api.get(&path))]
    }

    pub(super) fn read_catalogue(
        &self,
        part: Part,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<PartData, ApiError> {
        let what = crate::words::part_word(part);
        let v = self.body(resp, what, now)?;
        let choice: fn(&Value) -> Option<Choice> = match part {
            Part::Regions => project,
            Part::Sizes => sized,
            Part::Configurations => configuration,
            Part::Images => image,
            Part::SshKeys => key,
            _ => return Err(ApiError::bad_response(what, "not a ZennoHosting catalogue")),
        };
        Ok(PartData::Choices(
            items(&v, what)?.iter().filter_map(choice).collect(),
        ))
    }
}

/// `{id, name}`.
fn project(p: &Value) -> Option<Choice> {
    named(p, &["name"])
}

/// A configuration profile `{id, name, tariffId, cpu, ramGb, diskGb}`: it belongs to its tariff.
fn configuration(c: &Value) -> Option<Choice> {
    Some(Choice {
        of: first_text(c, &["tariffId"]),
        ..sized(c)?
    })
}

/// A tariff `{id, name, cpu, ramGb, diskGb, pricePerMonth}` (or a configuration's numbers).
fn sized(s: &Value) -> Option<Choice> {
    Some(Choice {
        vcpus: uint32(s, "cpu"),
        ram_mb: uint(s, "ramGb").map(|gb| gb.saturating_mul(1024)),
        disk_gb: uint32(s, "diskGb"),
        price: first_text(s, &["pricePerMonth"]),
        ..named(s, &["name"])?
    })
}

/// `{id, name, osFamily, minDiskGb}`.
fn image(i: &Value) -> Option<Choice> {
    Some(Choice {
        min_disk_gb: uint32(i, "minDiskGb"),
        os: first_text(i, &["osFamily"]),
        ..named(i, &["name"])?
    })
}

/// `{id, name, fingerprint}`.
fn key(k: &Value) -> Option<Choice> {
    named(k, &["name", "fingerprint"])
}

/// Its `id`, labelled by the first of `labels` it has (else the id).
fn named(v: &Value, labels: &[&str]) -> Option<Choice> {
    let id = first_text(v, &["id"])?;
    Some(Choice {
        label: first_text(v, labels).unwrap_or_else(|| id.clone()),
        id,
        ..Choice::default()
    })
}
