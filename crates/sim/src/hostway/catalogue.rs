//! Hostway FlexCloud catalogues for the create form: `GET /flavors?minDisk=&minRam=`,
//! `/flavors/detail`, `/flavors/detail/{id}` (and `/flavors/{id}`, the `self` link),
//! `GET /images?name=&status=&type=&zone=`, `/images/detail`, `/images/{id}`, `GET /zone`
//! (keyed by the account number: this simulator's account id) and `GET /os-security-groups`.
//! A create takes the `self` hrefs of these as `imageRef`, `flavorRef`, `securityGroupRef`.

use serde_json::{json, Value};

use super::{fault, Hostway, ACCOUNT};
use crate::fleet::IMAGES;
use crate::util::{iso, json_response, Ctx};
use crate::Response;

/// `(zone id, location)`
pub(super) const ZONES: [(&str, &str); 3] = [
    ("USOTE-0214", "Oakbrook Terrace, IL"),
    ("USTXA-0301", "Austin, TX"),
    ("USILC-0107", "Chicago, IL"),
];

/// (id, name, vcpus, ram GB, disk GB)
pub(super) const FLAVORS: [(&str, &str, u32, u32, u32); 6] = [
    ("1", "FlexCloud 1 vCPU / 1 GB", 1, 1, 20),
    ("2", "FlexCloud 1 vCPU / 2 GB", 1, 2, 40),
    ("3", "FlexCloud 2 vCPU / 4 GB", 2, 4, 60),
    ("4", "FlexCloud 4 vCPU / 8 GB", 4, 8, 80),
    ("5", "FlexCloud 8 vCPU / 16 GB", 8, 16, 160),
    ("6", "FlexCloud 16 vCPU / 32 GB", 16, 32, 320),
];

/// `(id, name)`
pub(super) const SECURITY_GROUPS: [(&str, &str); 3] =
    [("101", "default"), ("102", "web"), ("103", "ssh-only")];

/// One image: the fleet's base images (ids from [`IMAGES`]) and two of the account's own
/// (`SERVER`): one `ACTIVE`, one still `SAVING` (a create from it is refused).
pub(super) struct Image {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub zones: Vec<usize>,
    pub min_disk: u32,
}

pub(super) fn images() -> Vec<Image> {
    let mut out: Vec<Image> = IMAGES
        .iter()
        .map(|i| Image {
            id: i.id.to_string(),
            name: format!("{} {}", i.distro, i.name),
            kind: "BASE",
            status: "ACTIVE",
            // Windows is licensed in two of the three zones
            zones: if i.windows { vec![0, 2] } else { vec![0, 1, 2] },
            min_disk: if i.windows { 40 } else { 10 },
        })
        .collect();
    for (id, name, status) in [
        ("img-web-golden", "web-golden-2025", "ACTIVE"),
        ("img-db-template", "db-template", "SAVING"),
    ] {
        out.push(Image {
            id: id.into(),
            name: name.into(),
            kind: "SERVER",
            status,
            zones: vec![0],
            min_disk: 20,
        });
    }
    out
}

/// The last path segment of a reference (an absolute `self` href, a relative one, or an id).
pub(super) fn ref_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => s
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .map(str::to_string),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Hostway {
    fn links(&self, ctx: &Ctx, path: &str) -> Value {
        json!([
            {"href": self.href(ctx, path), "rel": "self"},
            {"href": format!("{}/hostway{path}", ctx.origin), "rel": "bookmark"},
        ])
    }

    fn flavor_json(&self, i: usize, detail: bool, ctx: &Ctx) -> Value {
        let (id, name, vcpus, ram, disk) = FLAVORS[i];
        let mut v =
            json!({"id": id, "name": name, "links": self.links(ctx, &format!("/flavors/{id}"))});
        if detail {
            v["vcpu"] = json!(vcpus);
            v["ram"] = json!(ram * 1024);
            v["disk"] = json!(disk);
        }
        v
    }

    fn image_json(&self, i: usize, detail: bool, ctx: &Ctx) -> Value {
        let img = &self.images[i];
        let zones: Vec<&str> = img.zones.iter().map(|&z| ZONES[z].0).collect();
        let mut v = json!({"id": img.id, "name": img.name, "links": self.links(ctx, &format!("/images/{}", img.id)), "zones": zones});
        if detail {
            v["status"] = json!(img.status);
            v["type"] = json!(img.kind);
            v["minDisk"] = json!(img.min_disk);
            v["created"] = json!(iso(self.epoch));
            v["updated"] = Value::Null;
        }
        v
    }

    fn group_json(&self, i: usize, ctx: &Ctx) -> Value {
        let (id, name) = SECURITY_GROUPS[i];
        json!({"id": id, "name": name, "links": self.links(ctx, &format!("/os-security-groups/{id}"))})
    }

    fn flavors(&self, detail: bool, ctx: &Ctx) -> Response {
        let min = |k: &str| ctx.q(k).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
        let (min_disk, min_ram) = (min("minDisk"), min("minRam"));
        let list: Vec<Value> = (0..FLAVORS.len())
            .filter(|&i| FLAVORS[i].4 >= min_disk && FLAVORS[i].3 * 1024 >= min_ram)
            .map(|i| self.flavor_json(i, detail, ctx))
            .collect();
        json_response(200, &json!({ "flavors": list }))
    }

    fn images_list(&self, detail: bool, ctx: &Ctx) -> Response {
        let q = |k: &str| ctx.q(k).filter(|v| !v.is_empty());
        let list: Vec<Value> = (0..self.images.len())
            .filter(|&i| {
                let img = &self.images[i];
                q("name").is_none_or(|n| img.name.to_lowercase().contains(&n.to_lowercase()))
                    && q("status").is_none_or(|s| img.status.eq_ignore_ascii_case(s))
                    && q("type").is_none_or(|t| img.kind.eq_ignore_ascii_case(t))
                    && q("zone").is_none_or(|z| img.zones.iter().any(|&i| ZONES[i].0 == z))
            })
            .map(|i| self.image_json(i, detail, ctx))
            .collect();
        json_response(200, &json!({ "images": list }))
    }

    /// The catalogue endpoints (`segs` after the base); `None` for any other path.
    pub(super) fn catalogue(&self, segs: &[&str], ctx: &Ctx) -> Option<(String, Response)> {
        let label = match segs {
            ["flavors"] => "GET /flavors",
            ["flavors", "detail"] => "GET /flavors/detail",
            ["flavors", "detail", _] | ["flavors", _] => "GET /flavors/{id}",
            ["images"] => "GET /images",
            ["images", "detail"] => "GET /images/detail",
            ["images", _] => "GET /images/{id}",
            ["zone"] => "GET /zone",
            ["os-security-groups"] => "GET /os-security-groups",
            ["os-security-groups", _] => "GET /os-security-groups/{id}",
            _ => return None,
        };
        if ctx.method != "GET" {
            return Some((label.into(), fault(405, "Method not allowed")));
        }
        let resp = match segs {
            ["flavors"] => self.flavors(false, ctx),
            ["flavors", "detail"] => self.flavors(true, ctx),
            ["flavors", "detail", id] | ["flavors", id] => match FLAVORS
                .iter()
                .position(|f| f.0 == *id)
            {
                Some(i) => json_response(200, &json!({"flavor": self.flavor_json(i, true, ctx)})),
                None => fault(404, "Flavor not found"),
            },
            ["images"] => self.images_list(false, ctx),
            ["images", "detail"] => self.images_list(true, ctx),
            ["images", id] => match self.images.iter().position(|i| i.id == *id) {
                Some(i) => json_response(200, &json!({"image": self.image_json(i, true, ctx)})),
                None => fault(404, "Image not found"),
            },
            ["zone"] => {
                let zones: Vec<Value> = ZONES
                    .iter()
                    .map(|(z, l)| json!({"zone": z, "location": l}))
                    .collect();
                json_response(200, &json!({ ACCOUNT: zones }))
            }
            ["os-security-groups", id] => match SECURITY_GROUPS.iter().position(|g| g.0 == *id) {
                Some(i) => json_response(200, &json!({"security_group": self.group_json(i, ctx)})),
                None => fault(404, "Security group not found"),
            },
            _ => {
                let groups: Vec<Value> = (0..SECURITY_GROUPS.len())
                    .map(|i| self.group_json(i, ctx))
                    .collect();
                json_response(200, &json!({ "security_groups": groups }))
            }
        };
        Some((label.into(), resp))
    }
}
