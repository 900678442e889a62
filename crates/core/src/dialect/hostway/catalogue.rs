//! The create form's catalogues: flavors (the sizes) and images with details, the account's
//! zones (the regions) and security groups. Create takes the chosen flavor, image and security
//! group as absolute URLs: each choice's id is its `self` href as given (made from the base
//! where an object has none).

use serde_json::Value;

use super::links::self_link;
use super::{Call, Hostway};
use crate::catalogue::{Choice, Part, PartData};
use crate::dialect::{array, first_text, uint32};
use crate::error::ApiError;
use crate::http::{encode_component, join, HttpRequest, HttpResponse};
use crate::json::uint;
use crate::time::Millis;

impl Hostway {
    pub(super) fn catalogue(&self) -> Vec<(Part, HttpRequest)> {
        [
            (Part::Sizes, "flavors/detail"),
            (Part::Images, "images/detail"),
            (Part::Regions, "zone"),
            (Part::SecurityGroups, "os-security-groups"),
        ]
        .into_iter()
        .map(|(part, path)| (part, self.api.get(path)))
        .collect()
    }

    pub(super) fn read_catalogue(
        &self,
        part: Part,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<PartData, ApiError> {
        let what = crate::words::part_word(part);
        let v = self.body(resp, Call::Read, what, now)?;
        let href = |kind: &str, item: &Value| -> Option<String> {
            self_link(item).or_else(|| {
                let id = first_text(item, &["id"])?;
                Some(join(
                    &self.api.base,
                    &format!("{kind}/{}", encode_component(&id)),
                ))
            })
        };
        let choices: Vec<Choice> = match part {
            Part::Sizes => array(&v, "flavors", what)?
                .iter()
                .filter_map(|f| flavor(f, href("flavors", f)?))
                .collect(),
            Part::Images => array(&v, "images", what)?
                .iter()
                .filter_map(|i| image(i, href("images", i)?))
                .collect(),
            Part::SecurityGroups => array(&v, "security_groups", what)?
                .iter()
                .filter_map(|g| named(g, href("os-security-groups", g)?))
                .collect(),
            Part::Regions => zones(&v),
            _ => return Err(ApiError::bad_response(what, "not a Hostway catalogue")),
        };
        Ok(PartData::Choices(choices))
    }
}

/// `{id, name, links, vcpu, ram (MB), disk (GB)}`.
fn flavor(f: &Value, href: String) -> Option<Choice> {
    Some(Choice {
        vcpus: uint32(f, "vcpu").or_else(|| uint32(f, "vcpus")),
        ram_mb: uint(f, "ram"),
        disk_gb: uint32(f, "disk"),
        ..named(f, href)?
    })
}

/// `{id, name, links, zones, status: ACTIVE/SAVING/DELETED, type: BASE/SERVER, …}`: offered
/// in its zones, and only once `ACTIVE`.
fn image(i: &Value, href: String) -> Option<Choice> {
    let zones = i
        .get("zones")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|z| match z {
            Value::String(s) => Some(s.clone()),
            other => first_text(other, &["zone", "id"]),
        })
        .collect();
    let status = first_text(i, &["status"]);
    Some(Choice {
        regions: zones,
        unavailable: status.is_some_and(|s| !s.eq_ignore_ascii_case("ACTIVE")),
        ..named(i, href)?
    })
}

/// `{"<accountNumber>": [{"zone", "location"}]}`: every account's zones.
fn zones(v: &Value) -> Vec<Choice> {
    let lists = v.as_object().into_iter().flat_map(|m| m.values());
    lists
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|z| {
            let zone = first_text(z, &["zone"])?;
            let label = match first_text(z, &["location"]) {
                Some(l) => format!("{l} ({zone})"),
                None => zone.clone(),
            };
            Some(Choice {
                id: zone,
                label,
                ..Choice::default()
            })
        })
        .collect()
}

/// `href`, labelled by the object's `name` (else its id).
fn named(v: &Value, href: String) -> Option<Choice> {
    Some(Choice {
        label: first_text(v, &["name", "id"])?,
        id: href,
        ..Choice::default()
    })
}
