//! Erigones catalogues (the create form's, admin roles): `GET /template/`, `GET /image/`,
//! `GET /network/` (DC admins only: `403` for a VM owner) and `GET /dc/` (any user; an owner sees
//! the DCs it may use). Without `?full=true` each answers names only. Also the compute nodes and
//! users behind the definitions. Fixed per seed.

use serde_json::{json, Value};

use super::auth::{Caller, USERS};
use super::{detail, Erigones, NET};
use crate::net::{self, Pool};
use crate::util::{iso, Ctx};
use crate::Response;

/// `(hostname, colour shown to non-admins)`; each takes VMs up to 64 vCPUs and 256 GB RAM.
pub(super) const NODES: [(&str, &str); 3] = [
    ("cn01.vigil.test", "#2d8c5e"),
    ("cn02.vigil.test", "#3b6bb5"),
    ("cn03.vigil.test", "#b5653b"),
];
/// The largest VM a node has room for.
pub(super) const NODE_MAX_VCPUS: u32 = 64;
pub(super) const NODE_MAX_RAM_MB: u32 = 262_144;

/// `(name, alias, site, owner-users may use it)`
pub(super) const DCS: [(&str, &str, &str, bool); 2] = [
    ("main", "Main datacenter", "cloud.vigil.test", true),
    ("admin", "Admin datacenter", "admin.vigil.test", false),
];

/// One disk image: `(name, alias, version, ostype, size MB, importable)`; an image that is not
/// importable (still `pending` on the image server) makes a deploy using it answer `424`.
pub(super) struct Image {
    pub name: &'static str,
    alias: &'static str,
    version: &'static str,
    pub ostype: u8,
    pub size: u32,
    pub ready: bool,
}

/// The catalogue's images; the first six are the fleet's ([`crate::fleet::IMAGES`] order).
pub(super) const IMAGES: [Image; 7] = [
    Image {
        name: "ubuntu-24.04",
        alias: "Ubuntu 24.04 LTS",
        version: "24.04.1",
        ostype: 1,
        size: 10_240,
        ready: true,
    },
    Image {
        name: "ubuntu-22.04",
        alias: "Ubuntu 22.04 LTS",
        version: "22.04.5",
        ostype: 1,
        size: 10_240,
        ready: true,
    },
    Image {
        name: "debian-12",
        alias: "Debian 12",
        version: "12.8",
        ostype: 1,
        size: 10_240,
        ready: true,
    },
    Image {
        name: "rocky-9",
        alias: "Rocky Linux 9",
        version: "9.5",
        ostype: 1,
        size: 10_240,
        ready: true,
    },
    Image {
        name: "alma-9",
        alias: "AlmaLinux 9",
        version: "9.5",
        ostype: 1,
        size: 10_240,
        ready: true,
    },
    Image {
        name: "win2022",
        alias: "Windows Server 2022",
        version: "21H2",
        ostype: 4,
        size: 40_960,
        ready: true,
    },
    Image {
        name: "freebsd-14",
        alias: "FreeBSD 14",
        version: "14.1",
        ostype: 3,
        size: 10_240,
        ready: false,
    },
];

/// A virtual network: `public` (the dialect's public /18), `lan`, `storage`.
pub(super) struct Network {
    pub name: &'static str,
    alias: &'static str,
    /// Second octet of a private `10.x.0.0/16`; `None`: the public pool.
    private: Option<u8>,
    vlan_id: u32,
}

pub(super) const NETWORKS: [Network; 3] = [
    Network {
        name: "public",
        alias: "Public internet",
        private: None,
        vlan_id: 0,
    },
    Network {
        name: "lan",
        alias: "Private LAN",
        private: Some(48),
        vlan_id: 10,
    },
    Network {
        name: "storage",
        alias: "Storage network",
        private: Some(49),
        vlan_id: 20,
    },
];

impl Network {
    /// `(network, netmask, gateway)`.
    pub fn range(&self, pool: &Pool) -> (String, &'static str, Option<String>) {
        match self.private {
            Some(o) => (
                format!("10.{o}.0.0"),
                "255.255.0.0",
                (o == 48).then(|| format!("10.{o}.0.1")),
            ),
            None => {
                let base = pool.public_block();
                let gw = net::gateway(&base);
                (base, "255.255.192.0", Some(gw))
            }
        }
    }

    /// Address `k` of this network.
    pub fn address(&self, pool: &Pool, k: u64) -> String {
        match self.private {
            Some(o) => net::private_v4(o, k),
            None => pool.public_v4(k),
        }
    }

    /// Whether `ip` lies in this network.
    pub fn holds(&self, pool: &Pool, ip: &str) -> bool {
        let (base, mask, _) = self.range(pool);
        match (parse_v4(ip), parse_v4(&base), parse_v4(mask)) {
            (Some(a), Some(b), Some(m)) => a & m == b & m && a & !m != 0 && a & !m != !m,
            _ => false,
        }
    }
}

fn parse_v4(s: &str) -> Option<u32> {
    let parts: Vec<u32> = s
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    (parts.len() == 4 && parts.iter().all(|p| *p < 256))
        .then(|| parts.iter().fold(0, |acc, p| acc << 8 | p))
}

/// A template: `(name, alias, ostype, vcpus, ram MB, image, disk MB, networks)`.
pub(super) struct Template {
    pub name: &'static str,
    alias: &'static str,
    pub ostype: u8,
    pub vcpus: u32,
    pub ram: u32,
    pub image: usize,
    pub disk: u32,
    pub nets: &'static [usize],
}

pub(super) const TEMPLATES: [Template; 3] = [
    Template {
        name: "small-linux",
        alias: "Small Linux server",
        ostype: 1,
        vcpus: 1,
        ram: 1024,
        image: 0,
        disk: 20_480,
        nets: &[0],
    },
    Template {
        name: "web-linux",
        alias: "Web server",
        ostype: 1,
        vcpus: 2,
        ram: 4096,
        image: 2,
        disk: 40_960,
        nets: &[0, 1],
    },
    Template {
        name: "windows-server",
        alias: "Windows server",
        ostype: 4,
        vcpus: 4,
        ram: 8192,
        image: 5,
        disk: 81_920,
        nets: &[0],
    },
];

impl Erigones {
    fn image_json(&self, i: &Image) -> Value {
        json!({
            "name": i.name, "uuid": self.catalogue_uuid(i.name), "alias": i.alias, "version": i.version,
            "owner": "admin", "access": 1, "desc": format!("{} server image", i.alias),
            "ostype": i.ostype, "size": i.size, "resize": true, "deploy": false, "tags": [],
            "status": if i.ready { 1 } else { 2 }, "created": iso(self.epoch),
        })
    }

    fn network_json(&self, n: &Network) -> Value {
        let (network, netmask, gateway) = n.range(&self.pool);
        json!({
            "name": n.name, "uuid": self.catalogue_uuid(n.name), "alias": n.alias, "owner": "admin",
            "access": 1, "desc": "", "network": network, "netmask": netmask, "gateway": gateway,
            "nic_tag": if n.private.is_some() { "internal" } else { "external" }, "nic_tag_type": "normal",
            "vlan_id": n.vlan_id, "resolvers": ["198.18.0.53"], "dns_domain": "cust.vigil.test",
            "ptr_domain": if n.private.is_none() { "18.198.in-addr.arpa" } else { "" },
            "dhcp_passthrough": false, "dc_bound": false, "created": iso(self.epoch),
        })
    }

    fn template_json(&self, t: &Template) -> Value {
        let nics: Vec<Value> = t
            .nets
            .iter()
            .map(|&n| json!({"net": NETWORKS[n].name}))
            .collect();
        json!({
            "name": t.name, "alias": t.alias, "owner": "admin", "access": 1, "desc": "",
            "ostype": t.ostype, "dc_bound": false,
            "vm_define": {"vcpus": t.vcpus, "ram": t.ram, "ostype": t.ostype},
            "vm_define_disk": [{"image": IMAGES[t.image].name, "size": t.disk}],
            "vm_define_nic": nics, "vm_define_snapshot": [], "vm_define_backup": [],
            "created": iso(self.epoch),
        })
    }

    fn dc_json(&self, (name, alias, site, _): (&str, &str, &str, bool)) -> Value {
        json!({"name": name, "alias": alias, "site": site, "owner": "admin", "access": 1, "desc": "", "created": iso(self.epoch)})
    }

    /// A stable UUID for a catalogue object.
    fn catalogue_uuid(&self, name: &str) -> String {
        let mut h: u64 = self.seed ^ 0xE416_CA7A;
        for b in name.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        crate::util::Rng::derive(h, u64::from(NET)).uuid()
    }

    /// `GET /template/`, `/image/`, `/network/`, `/dc/` (`what` is the first segment).
    pub(super) fn catalogue(&mut self, what: &str, caller: Caller, ctx: &Ctx) -> Response {
        if what != "dc" && !USERS[caller.user].admin {
            return detail(403, "You do not have permission to perform this action.");
        }
        let full = ctx.q("full").is_some_and(|v| v == "true" || v == "1");
        let items: Vec<(String, Value)> = match what {
            "template" => TEMPLATES
                .iter()
                .map(|t| (t.name.to_string(), self.template_json(t)))
                .collect(),
            "image" => IMAGES
                .iter()
                .map(|i| (i.name.to_string(), self.image_json(i)))
                .collect(),
            "network" => NETWORKS
                .iter()
                .map(|n| (n.name.to_string(), self.network_json(n)))
                .collect(),
            _ => DCS
                .iter()
                .filter(|d| USERS[caller.user].admin || d.3)
                .map(|d| (d.0.to_string(), self.dc_json(*d)))
                .collect(),
        };
        let result: Vec<Value> = items
            .into_iter()
            .map(|(name, obj)| if full { obj } else { json!(name) })
            .collect();
        self.envelope(200, "SUCCESS", Value::Array(result))
    }
}
