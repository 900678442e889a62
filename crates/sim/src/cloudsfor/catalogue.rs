//! cloudsfor catalogues for the create form: `GET /regions`, `GET /images?type=distribution`,
//! `GET /sizes`, `GET /keys`. Fixed per seed; a create naming anything else is refused.

use serde_json::{json, Value};

use super::{method_not_allowed, unprocessable, Cloudsfor};
use crate::fleet::IMAGES;
use crate::util::{b64encode, json_response, Ctx, Rng};
use crate::Response;

/// `(name as create takes it, description, country, lat, lng)`
pub(super) const REGIONS: [(&str, &str, &str, f64, f64); 3] = [
    ("moscow_01", "Moscow 1", "RU", 55.7558, 37.6173),
    ("amsterdam_01", "Amsterdam 1", "NL", 52.3676, 4.9041),
    ("frankfurt_01", "Frankfurt 1", "DE", 50.1109, 8.6821),
];

/// One size: `slug`, vCPUs, memory GB, disk GB, price per month, available, regions (indices).
pub(super) struct Size {
    pub slug: &'static str,
    pub vcpus: u32,
    pub memory: u32,
    pub disk: u32,
    price_monthly: f64,
    pub available: bool,
    pub regions: &'static [usize],
}

pub(super) const SIZES: [Size; 6] = [
    Size {
        slug: "s-1vcpu-1gb",
        vcpus: 1,
        memory: 1,
        disk: 25,
        price_monthly: 6.0,
        available: true,
        regions: &[0, 1, 2],
    },
    Size {
        slug: "s-1vcpu-2gb",
        vcpus: 1,
        memory: 2,
        disk: 50,
        price_monthly: 12.0,
        available: true,
        regions: &[0, 1, 2],
    },
    Size {
        slug: "s-2vcpu-4gb",
        vcpus: 2,
        memory: 4,
        disk: 80,
        price_monthly: 24.0,
        available: true,
        regions: &[0, 1, 2],
    },
    Size {
        slug: "s-4vcpu-8gb",
        vcpus: 4,
        memory: 8,
        disk: 160,
        price_monthly: 48.0,
        available: true,
        regions: &[0, 1, 2],
    },
    Size {
        slug: "s-8vcpu-16gb",
        vcpus: 8,
        memory: 16,
        disk: 320,
        price_monthly: 96.0,
        available: true,
        regions: &[0, 1],
    },
    Size {
        slug: "m-16vcpu-64gb",
        vcpus: 16,
        memory: 64,
        disk: 400,
        price_monthly: 336.0,
        available: false,
        regions: &[],
    },
];

/// An SSH key of an account.
#[derive(Clone, Debug)]
pub(super) struct Key {
    pub id: u64,
    pub fingerprint: String,
    public_key: String,
    name: String,
}

impl Key {
    fn json(&self) -> Value {
        json!({"id": self.id, "fingerprint": self.fingerprint, "public_key": self.public_key, "name": self.name})
    }
}

/// An account's SSH keys, drawn from `rng` (a stream of their own).
pub(super) fn keys(rng: &mut Rng, names: &[&str]) -> Vec<Key> {
    names
        .iter()
        .map(|name| {
            let raw: Vec<u8> = (0..32).map(|_| rng.below(256) as u8).collect();
            let fingerprint: Vec<String> = raw[..16].iter().map(|b| format!("{b:02x}")).collect();
            let mut blob = b"\0\0\0\x0bssh-ed25519\0\0\0\x20".to_vec();
            blob.extend_from_slice(&raw);
            Key {
                id: 512_000 + rng.below(400_000),
                fingerprint: fingerprint.join(":"),
                public_key: format!("ssh-ed25519 {} {name}@vigil.test", b64encode(&blob)),
                name: name.to_string(),
            }
        })
        .collect()
}

/// `(slug, description)` of region `i`.
pub(super) fn region(i: usize) -> (&'static str, &'static str) {
    (REGIONS[i].0, REGIONS[i].1)
}

/// A create's or rebuild's `image`: an image id (number or digits), or a distro, which names
/// its newest image (the catalogue lists newest first); `"Ubuntu 22.04 (LTS) x64"` (distro and
/// name) names one exactly. Case does not matter.
pub(super) fn find_image(v: &Value) -> Option<usize> {
    if let Some(id) = crate::util::as_uint(v) {
        return IMAGES.iter().position(|i| i.id == id);
    }
    let s = v.as_str()?.trim();
    IMAGES
        .iter()
        .position(|i| i.distro.eq_ignore_ascii_case(s))
        .or_else(|| {
            IMAGES
                .iter()
                .position(|i| format!("{} {}", i.distro, i.name).eq_ignore_ascii_case(s))
        })
}

fn regions() -> Value {
    let list: Vec<Value> = REGIONS
        .iter()
        .map(|(name, desc, country, lat, lng)| {
            json!({"country": country, "name": name, "coordinates": {"lat": lat, "lng": lng}, "description": desc})
        })
        .collect();
    json!({"regions": list, "meta": {"total": REGIONS.len()}})
}

fn images(ctx: &Ctx) -> Response {
    let list: Vec<Value> = match ctx.q("type").filter(|t| !t.is_empty()) {
        None | Some("distribution") => IMAGES
            .iter()
            .map(|i| json!({"id": i.id, "distro": i.distro, "name": i.name}))
            .collect(),
        Some("application") => Vec::new(),
        Some(t) => {
            return unprocessable(&format!(
                "type '{t}' is not valid; must be distribution or application"
            ))
        }
    };
    let total = list.len();
    json_response(200, &json!({"images": list, "meta": {"total": total}}))
}

fn sizes() -> Value {
    let list: Vec<Value> = SIZES
        .iter()
        .map(|s| {
            let regions: Vec<&str> = s.regions.iter().map(|&r| REGIONS[r].0).collect();
            json!({
                "slug": s.slug, "vcpus": s.vcpus, "memory": s.memory, "disk": s.disk,
                "price_monthly": s.price_monthly, "available": s.available, "regions": regions,
            })
        })
        .collect();
    json!({"sizes": list, "meta": {"total": SIZES.len()}})
}

impl Cloudsfor {
    /// The catalogue endpoints; `None` for any other path.
    pub(super) fn catalogue_route(&self, ai: usize, ctx: &Ctx) -> Option<(String, Response)> {
        let path = match ctx.segs.as_slice() {
            [one] if ["regions", "images", "sizes", "keys"].contains(&one.as_str()) => one.as_str(),
            _ => return None,
        };
        let label = format!("GET /{path}");
        if ctx.method != "GET" {
            return Some((label, method_not_allowed()));
        }
        let resp = match path {
            "regions" => json_response(200, &regions()),
            "images" => images(ctx),
            "sizes" => json_response(200, &sizes()),
            _ => {
                let keys: Vec<Value> = self.accounts[ai].keys.iter().map(Key::json).collect();
                json_response(200, &json!({ "ssh_keys": keys }))
            }
        };
        Some((label, resp))
    }
}
