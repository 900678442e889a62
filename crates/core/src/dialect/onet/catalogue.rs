//! The create form's catalogues: sizes, locations (the form's regions), images and VPCs (the
//! form's networks), each the first page of a hundred.

use serde_json::Value;

use super::{Onet, PAGE_SIZE};
use crate::catalogue::{Choice, Part, PartData};
use crate::dialect::{first_text, uint32};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::uint;
use crate::time::Millis;

impl Onet {
    pub(super) fn catalogue(&self) -> Vec<(Part, HttpRequest)> {
        [
            (Part::Sizes, "compute/sizes"),
            (Part::Regions, "compute/locations"),
            (Part::Images, "compute/images"),
            (Part::Networks, "compute/vpcs"),
        ]
        .into_iter()
        .map(|(part, path)| (part, self.api.get(&format!("{path}?page_size={PAGE_SIZE}"))))
        .collect()
    }

    pub(super) fn read_catalogue(
        &self,
        part: Part,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<PartData, ApiError> {
        let what = crate::words::part_word(part);
        let choice: fn(&Value) -> Option<Choice> = match part {
            Part::Sizes => size,
            Part::Regions => location,
            Part::Images => image,
            Part::Networks => vpc,
            _ => {
                return Err(ApiError::bad_response(
                    what,
                    "not an ONETSolutions catalogue",
                ))
            }
        };
        let (results, _) = self.page(resp, what, now)?;
        Ok(PartData::Choices(
            results.iter().filter_map(choice).collect(),
        ))
    }
}

/// `{id, name, slug, vcpu, ram_mb, available_volumes [{disk_gb, is_default}], pricing_options
/// [{billing_cycle, price, is_default}], is_active}`: the disk and price are the default ones.
fn size(s: &Value) -> Option<Choice> {
    let default = |key: &str| -> Option<&Value> {
        let options = s.get(key)?.as_array()?;
        options
            .iter()
            .find(|o| o.get("is_default").and_then(Value::as_bool) == Some(true))
            .or_else(|| options.first())
    };
    let price = default("pricing_options").and_then(|p| {
        let amount = first_text(p, &["price"])?;
        Some(match first_text(p, &["billing_cycle"]) {
            Some(cycle) => format!("{amount} / {cycle}"),
            None => amount,
        })
    });
    Some(Choice {
        vcpus: uint32(s, "vcpu"),
        ram_mb: uint(s, "ram_mb"),
        disk_gb: default("available_volumes").and_then(|v| uint32(v, "disk_gb")),
        price,
        unavailable: inactive(s),
        ..named(s, &["name", "slug"])?
    })
}

/// `{id, name, slug, country_code, is_active}`.
fn location(l: &Value) -> Option<Choice> {
    let base = named(l, &["name", "slug"])?;
    let label = match first_text(l, &["country_code"]) {
        Some(c) => format!("{} ({c})", base.label),
        None => base.label.clone(),
    };
    Some(Choice {
        label,
        unavailable: inactive(l),
        ..base
    })
}

/// `{id, name, os_name, version, min_disk_gb, is_active}`: the create also takes the `os_name`.
fn image(i: &Value) -> Option<Choice> {
    let base = named(i, &["name"])?;
    let label = match first_text(i, &["version"]) {
        Some(v) if !base.label.contains(&v) => format!("{} {v}", base.label),
        _ => base.label.clone(),
    };
    Some(Choice {
        label,
        os: first_text(i, &["os_name"]),
        min_disk_gb: uint32(i, "min_disk_gb"),
        unavailable: inactive(i),
        ..base
    })
}

/// `{id, name, cidr_block, location {…}}`: offered where its location is.
fn vpc(v: &Value) -> Option<Choice> {
    let base = named(v, &["name"])?;
    let label = match first_text(v, &["cidr_block"]) {
        Some(cidr) => format!("{} ({cidr})", base.label),
        None => base.label.clone(),
    };
    let location = v.get("location").and_then(|l| first_text(l, &["id"]));
    Some(Choice {
        label,
        regions: location.into_iter().collect(),
        ..base
    })
}

fn inactive(v: &Value) -> bool {
    v.get("is_active").and_then(Value::as_bool) == Some(false)
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
