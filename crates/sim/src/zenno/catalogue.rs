//! ZennoHosting catalogues for the create form: `GET /images`, `GET /vm-tariffs`,
//! `GET /configurations` (platform-wide), `GET`/`POST /projects/{p}/ssh-keys`, and
//! `GET /projects/{p}/public-ips` (what `publicIpMode: "existing"` takes). Ids are UUIDs drawn
//! from the seed: the same world has the same catalogue.

use serde_json::{json, Value};

use super::{method_not_allowed, validation, Zenno};
use crate::fleet::IMAGES;
use crate::util::{b64encode, json_response, Ctx, Rng};
use crate::Response;

pub(super) struct Image {
    pub id: String,
    pub name: String,
    os_family: &'static str,
    pub min_disk_gb: u32,
}

pub(super) struct Tariff {
    pub id: String,
    name: &'static str,
    pub cpu: u32,
    pub ram_gb: u32,
    pub disk_gb: u32,
    price_per_month: f64,
}

pub(super) struct Configuration {
    pub id: String,
    name: &'static str,
    pub tariff: usize,
    pub cpu: u32,
    pub ram_gb: u32,
    pub disk_gb: u32,
}

/// `(name, cpu, RAM GB, disk GB, price per month)`
const TARIFFS: [(&str, u32, u32, u32, f64); 5] = [
    ("Start", 1, 1, 20, 4.9),
    ("Basic", 1, 2, 40, 8.9),
    ("Standard", 2, 4, 60, 15.9),
    ("Pro", 4, 8, 120, 29.9),
    ("Power", 8, 16, 240, 59.9),
];

/// `(name, tariff index, cpu, RAM GB, disk GB)`
const CONFIGURATIONS: [(&str, usize, u32, u32, u32); 3] = [
    ("Standard · large disk", 2, 2, 4, 120),
    ("Pro · high memory", 3, 4, 16, 120),
    ("Power · compute", 4, 12, 16, 160),
];

pub(super) struct Catalogue {
    pub images: Vec<Image>,
    pub tariffs: Vec<Tariff>,
    pub configurations: Vec<Configuration>,
}

impl Catalogue {
    pub fn new(seed: u64) -> Catalogue {
        let mut rng = Rng::derive(seed, 0x2E77_CA7A);
        let images = IMAGES
            .iter()
            .map(|i| Image {
                id: rng.uuid(),
                name: format!("{} {}", i.distro, i.name),
                os_family: if i.windows { "windows" } else { "linux" },
                min_disk_gb: if i.windows { 40 } else { 10 },
            })
            .collect();
        let tariffs = TARIFFS
            .iter()
            .map(|&(name, cpu, ram_gb, disk_gb, price_per_month)| Tariff {
                id: rng.uuid(),
                name,
                cpu,
                ram_gb,
                disk_gb,
                price_per_month,
            })
            .collect();
        let configurations = CONFIGURATIONS
            .iter()
            .map(|&(name, tariff, cpu, ram_gb, disk_gb)| Configuration {
                id: rng.uuid(),
                name,
                tariff,
                cpu,
                ram_gb,
                disk_gb,
            })
            .collect();
        Catalogue {
            images,
            tariffs,
            configurations,
        }
    }

    fn images_json(&self) -> Value {
        let items: Vec<Value> = self
            .images
            .iter()
            .map(|i| json!({"id": i.id, "name": i.name, "osFamily": i.os_family, "minDiskGb": i.min_disk_gb}))
            .collect();
        json!({ "items": items })
    }

    fn tariffs_json(&self) -> Value {
        let items: Vec<Value> = self
            .tariffs
            .iter()
            .map(|t| json!({"id": t.id, "name": t.name, "cpu": t.cpu, "ramGb": t.ram_gb, "diskGb": t.disk_gb, "pricePerMonth": t.price_per_month}))
            .collect();
        json!({ "items": items })
    }

    fn configurations_json(&self) -> Value {
        let items: Vec<Value> = self
            .configurations
            .iter()
            .map(|c| json!({"id": c.id, "name": c.name, "tariffId": self.tariffs[c.tariff].id, "cpu": c.cpu, "ramGb": c.ram_gb, "diskGb": c.disk_gb}))
            .collect();
        json!({ "items": items })
    }
}

/// A project SSH key.
pub(super) struct Key {
    pub id: String,
    name: String,
    fingerprint: String,
}

impl Key {
    fn json(&self) -> Value {
        json!({"id": self.id, "name": self.name, "fingerprint": self.fingerprint})
    }
}

/// `SHA256:…` of a public key (a deterministic stand-in: 32 bytes drawn from the key's text).
fn fingerprint(public_key: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in public_key.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut rng = Rng::derive(h, 0xF1);
    let raw: Vec<u8> = (0..32).map(|_| rng.below(256) as u8).collect();
    format!("SHA256:{}", b64encode(&raw).trim_end_matches('='))
}

/// An OpenSSH public key line (`ssh-ed25519 AAAA… comment` and the like).
pub(super) fn valid_public_key(s: &str) -> bool {
    let mut parts = s.split_whitespace();
    let kind = parts.next().unwrap_or("");
    let blob = parts.next().unwrap_or("");
    [
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
    ]
    .contains(&kind)
        && blob.len() >= 16
        && blob
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
}

/// The project's two SSH keys at the start.
pub(super) fn seeded_keys(rng: &mut Rng) -> Vec<Key> {
    ["laptop", "ci-deploy"]
        .iter()
        .map(|name| {
            let raw: Vec<u8> = (0..32).map(|_| rng.below(256) as u8).collect();
            let key = format!("ssh-ed25519 {} {name}", b64encode(&raw));
            Key {
                id: rng.uuid(),
                name: name.to_string(),
                fingerprint: fingerprint(&key),
            }
        })
        .collect()
}

impl Zenno {
    /// The platform-wide catalogues; `None` for any other path.
    pub(super) fn catalogue_route(&self, ctx: &Ctx) -> Option<(String, Response)> {
        let path = match ctx.segs.as_slice() {
            [one] if ["images", "vm-tariffs", "configurations"].contains(&one.as_str()) => one,
            _ => return None,
        };
        let label = format!("GET /{path}");
        if ctx.method != "GET" {
            return Some((label, method_not_allowed()));
        }
        let body = match path.as_str() {
            "images" => self.catalogue.images_json(),
            "vm-tariffs" => self.catalogue.tariffs_json(),
            _ => self.catalogue.configurations_json(),
        };
        Some((label, json_response(200, &body)))
    }

    /// `GET`/`POST /projects/{p}/ssh-keys`, `GET /projects/{p}/public-ips`.
    pub(super) fn project_catalogue(&mut self, what: &str, ctx: &Ctx) -> (String, Response) {
        match (ctx.method.as_str(), what) {
            ("GET", "ssh-keys") => {
                let items: Vec<Value> = self.keys.iter().map(Key::json).collect();
                (
                    "GET /projects/{p}/ssh-keys".into(),
                    json_response(200, &json!({ "items": items })),
                )
            }
            ("POST", "ssh-keys") => ("POST /projects/{p}/ssh-keys".into(), self.add_key(ctx)),
            _ => (format!("/projects/{{p}}/{what}"), method_not_allowed()),
        }
    }

    /// `POST /projects/{p}/ssh-keys {name, publicKey}` → `201` key.
    fn add_key(&mut self, ctx: &Ctx) -> Response {
        let body = match ctx.body_json() {
            Ok(Value::Object(m)) => m,
            Ok(_) => return validation("body must be a JSON object {name, publicKey}"),
            Err(e) => return validation(&format!("invalid JSON: {e}")),
        };
        let name = match body.get("name").and_then(Value::as_str).map(str::trim) {
            Some(n) if !n.is_empty() && n.len() <= 64 => n.to_string(),
            _ => return validation("name is required (1-64 characters)"),
        };
        let Some(public_key) = body
            .get("publicKey")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|k| valid_public_key(k))
        else {
            return validation(
                "publicKey must be an OpenSSH public key (ssh-ed25519, ssh-rsa or ecdsa-sha2-*)",
            );
        };
        let fingerprint = fingerprint(public_key);
        if self.keys.iter().any(|k| k.fingerprint == fingerprint) {
            return super::err(409, "conflict", "This key is already in the project");
        }
        self.keys.push(Key {
            id: self.ids.uuid(),
            name,
            fingerprint,
        });
        json_response(201, &self.keys.last().unwrap().json())
    }
}
