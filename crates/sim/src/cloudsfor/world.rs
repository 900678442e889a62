//! The cloudsfor world: the seeded accounts and their VMs, and a VM as the API shows it.

use serde_json::{json, Value};

use super::{catalogue, locked, Account, Cloudsfor, Image, Phase, Vm, NET};
use crate::fleet;
use crate::net::{self, Pool};
use crate::util::{iso, Env, Rng, Window};
use crate::Scenario;

fn make_vms(
    rng: &mut Rng,
    n: usize,
    now: u64,
    next_addr: &mut u64,
    next_image_id: &mut u64,
) -> Vec<Vm> {
    fleet::fleet(rng, n, now, catalogue::REGIONS.len())
        .into_iter()
        .map(|s| {
            let mut features = vec!["private_networking"];
            let backups = rng.chance(0.5);
            if backups {
                features.insert(0, "backups");
            }
            if rng.chance(0.6) {
                features.push("ipv6");
            }
            if rng.chance(0.5) {
                features.push("monitoring");
            }
            let backup_ids = if backups {
                (0..rng.range(1, 3))
                    .map(|_| {
                        *next_image_id += 1 + rng.below(40);
                        *next_image_id
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let snapshot_ids = (0..rng.below(3))
                .map(|_| {
                    *next_image_id += 1 + rng.below(40);
                    *next_image_id
                })
                .collect();
            *next_addr += 1;
            Vm {
                id: rng.hex(32),
                name: s.name,
                memory: s.ram_gb,
                vcpus: s.vcpus,
                disk: s.disk_gb,
                running: s.running,
                created_ms: s.created_ms,
                backup_ids,
                snapshot_ids,
                image: Image::Catalogue(s.image),
                features,
                region: s.region,
                addr: *next_addr - 1,
                phase: Phase::Active,
                restored_from: None,
            }
        })
        .collect()
}

impl Cloudsfor {
    pub fn new(sc: &Scenario, now: u64) -> Cloudsfor {
        let mut rng = Rng::derive(sc.seed, 0xC10D);
        let mut next_image_id = 170_000_000 + rng.below(1_000_000);
        let mut next_addr = 0;
        let demo_vms = make_vms(&mut rng, sc.vms, now, &mut next_addr, &mut next_image_id);
        let trial_vms = make_vms(
            &mut rng,
            sc.vms.min(3),
            now,
            &mut next_addr,
            &mut next_image_id,
        );
        let mut keys = Rng::derive(sc.seed, 0xC10D_4E15);
        let account = |email, password, uuid, demo_mode, vm_limit, vms, keys| Account {
            email,
            password,
            uuid,
            demo_mode,
            vm_limit,
            vms,
            actions: Vec::new(),
            hits: Window::default(),
            keys,
        };
        let accounts = vec![
            account(
                crate::DEMO_EMAIL,
                crate::DEMO_PASSWORD,
                rng.uuid(),
                false,
                (sc.vms as u32).max(25),
                demo_vms,
                catalogue::keys(&mut keys, &["laptop", "ci-deploy"]),
            ),
            account(
                crate::TRIAL_EMAIL,
                crate::TRIAL_PASSWORD,
                rng.uuid(),
                true,
                3,
                trial_vms,
                catalogue::keys(&mut keys, &["trial-laptop"]),
            ),
        ];
        Cloudsfor {
            accounts,
            env: Env::new(sc.seed, 0xC10D_5EED, sc.failure_rate, sc.speed),
            seq: 0,
            next_image_id,
            pool: Pool::new(sc.seed, NET),
            next_addr,
            ids: Rng::derive(sc.seed, 0xC10D_01D5),
            stored: Default::default(),
            nets: super::networks::Nets::new(sc.seed),
            vols: super::volumes::Volumes::new(sc.seed),
        }
        .with_seeded_points(sc.seed, now)
        .with_seeded_volumes(sc.seed, now)
    }

    /// `networks` of a VM: public and private IPv4 (and IPv6 with the `ipv6` feature) once it
    /// is created; empty lists before and after a failed create.
    pub(super) fn networks(&self, vm: &Vm, now: u64) -> Value {
        if vm.phase != Phase::Active {
            return json!({"v4": [], "v6": []});
        }
        let public = self.pool.public_v4(vm.addr);
        let mut v6 = Vec::new();
        if vm.features.contains(&"ipv6") {
            v6.push(json!({"ip_address": self.pool.v6(vm.addr), "netmask": 64, "gateway": format!("2001:db8:{:x}::1", NET), "type": "public"}));
        }
        let mut v4 = vec![
            json!({"ip_address": public, "netmask": "255.255.255.0", "gateway": net::gateway(&public), "type": "public"}),
            json!({"ip_address": private_v4(vm), "netmask": "255.255.0.0", "gateway": null, "type": "private"}),
        ];
        v4.extend(self.joined_v4(vm, now));
        json!({ "v4": v4, "v6": v6 })
    }

    pub(super) fn vm_json(&self, ai: usize, i: usize, now: u64) -> Value {
        let acc = &self.accounts[ai];
        let vm = &acc.vms[i];
        let status = match (vm.phase, vm.running) {
            (Phase::New | Phase::Failed, _) => "new",
            (_, true) => "running",
            (_, false) => "stopped",
        };
        let (slug, name) = catalogue::region(vm.region);
        json!({
            "id": vm.id,
            "name": vm.name,
            "memory": vm.memory,
            "vcpus": vm.vcpus,
            "disk": vm.disk,
            "locked": locked(acc, i, now),
            "created_at": iso(vm.created_ms),
            "status": status,
            "backup_ids": vm.backup_ids,
            "snapshot_ids": self.shown_snapshot_ids(vm, now),
            "image": vm.image.json(),
            "features": vm.features,
            "networks": self.networks(vm, now),
            "region": {"slug": slug, "name": name},
        })
    }
}

/// The VM's address on its region's private network (`10.16+region.x.y`).
pub(super) fn private_v4(vm: &Vm) -> String {
    net::private_v4(16 + vm.region as u8, vm.addr)
}
