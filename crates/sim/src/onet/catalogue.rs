//! ONETSolutions catalogues for the create form, each a paginated list: `GET /compute/sizes`,
//! `GET /compute/locations`, `GET /compute/images`, `GET /compute/vpcs`. Fixed per seed; an
//! inactive size, location or image is listed (`is_active: false`) but refused by a create.

use serde_json::{json, Value};

use super::Onet;
use crate::fleet::IMAGES;
use crate::util::iso;

/// One size: `(id, slug, name, vcpu, RAM MB, disk GB, bandwidth Mbit/s, € per month, active)`.
pub(super) struct Size {
    pub id: u64,
    pub slug: &'static str,
    pub name: &'static str,
    pub vcpu: u32,
    pub ram_mb: u32,
    pub disk_gb: u32,
    bandwidth: u32,
    pub monthly: f64,
    pub active: bool,
}

pub(super) const SIZES: [Size; 7] = [
    Size {
        id: 101,
        slug: "s-1c-1g",
        name: "VPS S",
        vcpu: 1,
        ram_mb: 1024,
        disk_gb: 20,
        bandwidth: 200,
        monthly: 4.99,
        active: true,
    },
    Size {
        id: 102,
        slug: "s-1c-2g",
        name: "VPS M",
        vcpu: 1,
        ram_mb: 2048,
        disk_gb: 40,
        bandwidth: 250,
        monthly: 7.99,
        active: true,
    },
    Size {
        id: 103,
        slug: "s-2c-4g",
        name: "VPS L",
        vcpu: 2,
        ram_mb: 4096,
        disk_gb: 80,
        bandwidth: 500,
        monthly: 14.99,
        active: true,
    },
    Size {
        id: 104,
        slug: "s-4c-8g",
        name: "VPS XL",
        vcpu: 4,
        ram_mb: 8192,
        disk_gb: 160,
        bandwidth: 1000,
        monthly: 27.99,
        active: true,
    },
    Size {
        id: 105,
        slug: "s-8c-16g",
        name: "VPS XXL",
        vcpu: 8,
        ram_mb: 16384,
        disk_gb: 320,
        bandwidth: 1000,
        monthly: 54.99,
        active: true,
    },
    Size {
        id: 106,
        slug: "s-16c-32g",
        name: "VPS 3XL",
        vcpu: 16,
        ram_mb: 32768,
        disk_gb: 640,
        bandwidth: 2000,
        monthly: 104.99,
        active: true,
    },
    Size {
        id: 107,
        slug: "s-1c-512m",
        name: "VPS XS (legacy)",
        vcpu: 1,
        ram_mb: 512,
        disk_gb: 10,
        bandwidth: 100,
        monthly: 2.99,
        active: false,
    },
];

/// The sizes the seeded fleet is drawn onto (the active ones, smallest first).
pub(super) const FLEET_SIZES: usize = 6;

/// `(id, name, slug, country code, active)`
pub(super) const LOCATIONS: [(u64, &str, &str, &str, bool); 4] = [
    (1, "Paris", "par1", "FR", true),
    (2, "Roubaix", "rbx1", "FR", true),
    (3, "Gravelines", "gra1", "FR", true),
    (4, "Strasbourg", "sbg1", "FR", false),
];

/// The locations the seeded fleet lives in.
pub(super) const FLEET_LOCATIONS: usize = 3;

/// `(os_name, version)` of [`IMAGES`], plus a retired image.
const IMAGE_OS: [(&str, &str); 6] = [
    ("ubuntu", "24.04"),
    ("ubuntu", "22.04"),
    ("debian", "12"),
    ("rocky", "9"),
    ("almalinux", "9"),
    ("windows", "2022"),
];

/// An image: the fleet's six (ids 201–206) and a retired CentOS 7 (207, inactive).
pub(super) struct Image {
    pub id: u64,
    pub name: String,
    pub os_name: &'static str,
    pub version: &'static str,
    pub min_disk_gb: u32,
    pub active: bool,
}

pub(super) fn images() -> Vec<Image> {
    let mut out: Vec<Image> = IMAGES
        .iter()
        .zip(IMAGE_OS)
        .enumerate()
        .map(|(i, (img, (os_name, version)))| Image {
            id: 201 + i as u64,
            name: format!("{} {}", img.distro, img.name),
            os_name,
            version,
            min_disk_gb: if img.windows { 40 } else { 10 },
            active: true,
        })
        .collect();
    out.push(Image {
        id: 207,
        name: "CentOS 7 x64".into(),
        os_name: "centos",
        version: "7",
        min_disk_gb: 10,
        active: false,
    });
    out
}

/// A VPC: `(name, location, second octet of its 10.x.0.0/16)`; one default per active
/// location and a second one in Paris.
pub(super) const VPCS: [(&str, usize, u8); 4] = [
    ("default-par1", 0, 64),
    ("default-rbx1", 1, 65),
    ("default-gra1", 2, 66),
    ("backend-par1", 0, 67),
];

/// The pricing options of a size: hourly (the default), monthly, annually (10 % off).
pub(super) const BILLING_CYCLES: [&str; 3] = ["hourly", "monthly", "annually"];

impl Onet {
    pub(super) fn size_json(&self, i: usize) -> Value {
        let s = &SIZES[i];
        let prices = [
            (s.monthly / 730.0 * 10_000.0).round() / 10_000.0,
            s.monthly,
            (s.monthly * 12.0 * 0.9 * 100.0).round() / 100.0,
        ];
        let pricing: Vec<Value> = BILLING_CYCLES
            .iter()
            .zip(prices)
            .enumerate()
            .map(|(k, (cycle, price))| {
                json!({"id": s.id * 10 + k as u64, "billing_cycle": cycle, "price": price,
                       "discount_percent": if k == 2 { 10 } else { 0 }, "is_default": k == 0, "is_active": true})
            })
            .collect();
        json!({
            "id": s.id, "name": s.name, "slug": s.slug, "vcpu": s.vcpu, "ram_mb": s.ram_mb,
            "bandwidth_mbps": s.bandwidth, "cpu_model": "AMD EPYC 7443P",
            "available_volumes": [{"id": s.id * 10, "volume_type": "ssd", "disk_gb": s.disk_gb, "is_default": true, "is_active": true}],
            "pricing_options": pricing,
            "available_addons": [
                {"id": 1, "name": "Snapshots", "slug": "snapshots", "price": 1.5},
                {"id": 2, "name": "Automatic backups", "slug": "backups", "price": (s.monthly * 0.2 * 100.0).round() / 100.0},
            ],
            "is_active": s.active,
            "description": format!("{} vCPU, {} GB RAM, {} GB NVMe SSD", s.vcpu, s.ram_mb / 1024, s.disk_gb),
        })
    }

    pub(super) fn location_json(&self, i: usize) -> Value {
        let (id, name, slug, country, active) = LOCATIONS[i];
        json!({"id": id, "name": name, "slug": slug, "country_code": country, "is_active": active,
               "created": iso(self.epoch), "modified": iso(self.epoch)})
    }

    pub(super) fn image_json(&self, i: usize) -> Value {
        let img = &self.images[i];
        json!({"id": img.id, "name": img.name, "os_name": img.os_name, "version": img.version,
               "min_disk_gb": img.min_disk_gb, "is_active": img.active})
    }

    pub(super) fn vpc_json(&self, i: usize) -> Value {
        let (name, loc, octet) = VPCS[i];
        json!({"id": self.vpc_ids[i], "name": name, "cidr_block": format!("10.{octet}.0.0/16"),
               "location": self.location_json(loc)})
    }

    /// The list a catalogue path answers, or `None` for another path.
    pub(super) fn catalogue(&self, what: &str) -> Option<Vec<Value>> {
        Some(match what {
            "sizes" => (0..SIZES.len()).map(|i| self.size_json(i)).collect(),
            "locations" => (0..LOCATIONS.len())
                .map(|i| self.location_json(i))
                .collect(),
            "images" => (0..self.images.len()).map(|i| self.image_json(i)).collect(),
            "vpcs" => (0..VPCS.len()).map(|i| self.vpc_json(i)).collect(),
            _ => return None,
        })
    }
}
