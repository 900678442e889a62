//! The create form's catalogues: regions, sizes, distribution images, SSH keys, and the
//! account's VM limit. Each list is asked for at DigitalOcean's largest page, so one request
//! each.

use serde_json::Value;

use super::{Cloudsfor, PER_PAGE};
use crate::catalogue::{Choice, Part, PartData};
use crate::dialect::{array, first_text, uint32};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::uint;
use crate::time::Millis;

impl Cloudsfor {
    pub(super) fn catalogue(&self) -> Vec<(Part, HttpRequest)> {
        [
            (Part::Regions, format!("regions?per_page={PER_PAGE}")),
            (Part::Sizes, format!("sizes?per_page={PER_PAGE}")),
            (
                Part::Images,
                format!("images?type=distribution&per_page={PER_PAGE}"),
            ),
            (Part::SshKeys, format!("keys?per_page={PER_PAGE}")),
            (Part::Account, "account".to_string()),
        ]
        .into_iter()
        .map(|(part, path)| (part, self.api.get(&path)))
        .collect()
    }

    pub(super) fn read_catalogue(
        &self,
        part: Part,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<PartData, ApiError> {
        let what = crate::words::part_word(part);
        let v = self.body(resp, what, now)?;
        if part == Part::Account {
            let account = v.get("account").unwrap_or(&v);
            return Ok(PartData::VmLimit(uint(account, "vm_limit")));
        }
        let (key, choice): (&str, fn(&Value) -> Option<Choice>) = match part {
            Part::Regions => ("regions", region),
            Part::Sizes => ("sizes", size),
            Part::Images => ("images", image),
            Part::SshKeys => ("ssh_keys", key),
            _ => return Err(ApiError::bad_response(what, "not a cloudsfor catalogue")),
        };
        Ok(PartData::Choices(
            array(&v, key, what)?.iter().filter_map(choice).collect(),
        ))
    }
}

/// `{country, name, coordinates, description}`: create takes the `name`.
fn region(r: &Value) -> Option<Choice> {
    let name = first_text(r, &["name"])?;
    let label = match (first_text(r, &["description"]), first_text(r, &["country"])) {
        (Some(d), Some(c)) => format!("{d} ({c})"),
        (Some(d), None) => d,
        (None, _) => name.clone(),
    };
    Some(Choice {
        id: name,
        label,
        ..Choice::default()
    })
}

/// `{slug, vcpus, memory (GB), disk (GB), price_monthly, available, regions}`.
fn size(s: &Value) -> Option<Choice> {
    let slug = first_text(s, &["slug"])?;
    Some(Choice {
        label: slug.clone(),
        id: slug,
        vcpus: uint32(s, "vcpus"),
        ram_mb: uint(s, "memory").map(|gb| gb.saturating_mul(1024)),
        disk_gb: uint32(s, "disk"),
        regions: strings(s.get("regions")),
        price: first_text(s, &["price_monthly"]),
        unavailable: s.get("available").and_then(Value::as_bool) == Some(false),
        ..Choice::default()
    })
}

/// `{id, distro, name}`: create takes the `distro`.
fn image(i: &Value) -> Option<Choice> {
    let distro = first_text(i, &["distro"])?;
    Some(Choice {
        label: first_text(i, &["name"]).unwrap_or_else(|| distro.clone()),
        os: Some(distro.clone()),
        id: distro,
        ..Choice::default()
    })
}

/// `{id, fingerprint, public_key, name}`: create takes the `id`.
fn key(k: &Value) -> Option<Choice> {
    let id = first_text(k, &["id"])?;
    Some(Choice {
        label: first_text(k, &["name", "fingerprint"]).unwrap_or_else(|| id.clone()),
        id,
        ..Choice::default()
    })
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}
