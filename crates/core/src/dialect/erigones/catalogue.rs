//! The create form's catalogues (admin roles): images (the first disk's), networks (the first
//! NIC's) and templates (the form's configurations, which supply defaults). Sizes are free
//! amounts. A role that may not read them gets `403`, returned as the error
//! ([`crate::ErrorKind::Forbidden`]): the form says so before anything is filled in.

use serde_json::Value;

use super::Erigones;
use crate::catalogue::{Choice, Part, PartData};
use crate::dialect::{first_text, uint32};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::json::uint;
use crate::time::Millis;

impl Erigones {
    pub(super) fn catalogue(&self) -> Vec<(Part, HttpRequest)> {
        [
            (Part::Images, "image/?full=true"),
            (Part::Networks, "network/?full=true"),
            (Part::Configurations, "template/?full=true"),
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
        let result = self.result(resp, what, now)?;
        let items = result
            .as_array()
            .ok_or_else(|| ApiError::bad_response(what, "`result` is not a list"))?;
        let choice: fn(&Value) -> Option<Choice> = match part {
            Part::Images => image,
            Part::Networks => network,
            Part::Configurations => template,
            _ => return Err(ApiError::bad_response(what, "not an Erigones catalogue")),
        };
        Ok(PartData::Choices(items.iter().filter_map(choice).collect()))
    }
}

/// `{name, alias, version, ostype, size (MB), …}`: the disk takes the `name`; the `ostype`
/// goes with the definition.
fn image(i: &Value) -> Option<Choice> {
    let base = named(i)?;
    let label = match first_text(i, &["version"]) {
        Some(v) => format!("{} {v}", base.label),
        None => base.label.clone(),
    };
    Some(Choice {
        label,
        os: first_text(i, &["ostype"]),
        min_disk_gb: uint32(i, "size").map(|mb| mb.div_ceil(1024)),
        // The image's `status`: `1` ready; anything else (pending, importing, unknown) is
        // not offered as ready.
        unavailable: uint32(i, "status").is_some_and(|s| s != 1),
        ..base
    })
}

/// `{name, alias, network, netmask, …}`: the NIC takes the `name`.
fn network(n: &Value) -> Option<Choice> {
    let base = named(n)?;
    let label = match (first_text(n, &["network"]), first_text(n, &["netmask"])) {
        (Some(net), Some(mask)) => format!("{} ({net}/{mask})", base.label),
        (Some(net), None) => format!("{} ({net})", base.label),
        _ => base.label.clone(),
    };
    Some(Choice { label, ..base })
}

/// `{name, alias, ostype, vm_define: {vcpus, ram}, …}`.
fn template(t: &Value) -> Option<Choice> {
    let define = t.get("vm_define").unwrap_or(&Value::Null);
    Some(Choice {
        vcpus: uint32(define, "vcpus"),
        ram_mb: uint(define, "ram"),
        os: first_text(t, &["ostype"]),
        ..named(t)?
    })
}

/// Its `name`, labelled by its alias; a bare name where the answer lists names only.
fn named(v: &Value) -> Option<Choice> {
    let (id, label) = match v {
        Value::String(s) if !s.trim().is_empty() => (s.trim().to_string(), None),
        _ => (first_text(v, &["name"])?, first_text(v, &["alias"])),
    };
    Some(Choice {
        label: label.unwrap_or_else(|| id.clone()),
        id,
        ..Choice::default()
    })
}
