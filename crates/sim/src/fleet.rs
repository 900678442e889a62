//! Seeded, realistic-looking VM fleets shared by every dialect (each dialect draws its own).

use crate::util::Rng;

#[derive(Clone, Debug)]
pub(crate) struct Image {
    pub id: u64,
    pub distro: &'static str,
    pub name: &'static str,
    pub windows: bool,
}

pub(crate) const IMAGES: [Image; 6] = [
    Image {
        id: 112_929_454,
        distro: "Ubuntu",
        name: "24.04 (LTS) x64",
        windows: false,
    },
    Image {
        id: 106_569_146,
        distro: "Ubuntu",
        name: "22.04 (LTS) x64",
        windows: false,
    },
    Image {
        id: 106_433_672,
        distro: "Debian",
        name: "12 x64",
        windows: false,
    },
    Image {
        id: 108_124_531,
        distro: "Rocky Linux",
        name: "9 x64",
        windows: false,
    },
    Image {
        id: 108_124_532,
        distro: "AlmaLinux",
        name: "9 x64",
        windows: false,
    },
    Image {
        id: 109_876_001,
        distro: "Windows",
        name: "Server 2022 Standard",
        windows: true,
    },
];

#[derive(Clone, Debug)]
pub(crate) struct Spec {
    pub name: String,
    pub running: bool,
    pub vcpus: u32,
    pub ram_gb: u32,
    pub disk_gb: u32,
    pub created_ms: u64,
    pub image: usize,
    /// Index into a dialect's own region/zone table.
    pub region: usize,
}

struct Role {
    name: &'static str,
    vcpus: &'static [u32],
    ram: &'static [u32],
    disk: &'static [u32],
}

const ROLES: [Role; 15] = [
    Role {
        name: "web",
        vcpus: &[1, 2],
        ram: &[2, 4],
        disk: &[25, 50],
    },
    Role {
        name: "db",
        vcpus: &[4, 8],
        ram: &[8, 16],
        disk: &[100, 200],
    },
    Role {
        name: "cache",
        vcpus: &[2],
        ram: &[4, 8],
        disk: &[25],
    },
    Role {
        name: "worker",
        vcpus: &[2, 4],
        ram: &[4, 8],
        disk: &[50],
    },
    Role {
        name: "api",
        vcpus: &[2],
        ram: &[4],
        disk: &[50],
    },
    Role {
        name: "queue",
        vcpus: &[2],
        ram: &[4],
        disk: &[40],
    },
    Role {
        name: "search",
        vcpus: &[4],
        ram: &[8, 16],
        disk: &[160],
    },
    Role {
        name: "mail",
        vcpus: &[1],
        ram: &[2],
        disk: &[40],
    },
    Role {
        name: "vpn",
        vcpus: &[1],
        ram: &[1],
        disk: &[20],
    },
    Role {
        name: "backup",
        vcpus: &[2],
        ram: &[4],
        disk: &[500],
    },
    Role {
        name: "monitor",
        vcpus: &[1, 2],
        ram: &[2, 4],
        disk: &[40],
    },
    Role {
        name: "build",
        vcpus: &[4],
        ram: &[8],
        disk: &[100],
    },
    Role {
        name: "lb",
        vcpus: &[1],
        ram: &[2],
        disk: &[20],
    },
    Role {
        name: "staging",
        vcpus: &[2],
        ram: &[4],
        disk: &[50],
    },
    Role {
        name: "git",
        vcpus: &[2],
        ram: &[4],
        disk: &[80],
    },
];

/// Weighted role choice after the first four (web, db, cache, worker).
const WEIGHTS: [u64; 15] = [6, 3, 2, 5, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1];

/// `n` VMs: names like web-01, db-01, cache-01, worker-03; mixed running/stopped (at least one
/// of each when n ≥ 2), created between ~2 years and ~1 day before `now_ms`.
pub(crate) fn fleet(rng: &mut Rng, n: usize, now_ms: u64, regions: usize) -> Vec<Spec> {
    let mut counts = [0usize; 15];
    let total_w: u64 = WEIGHTS.iter().sum();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let r = if i < 4 {
            i
        } else {
            let mut x = rng.below(total_w);
            let mut k = 0;
            while x >= WEIGHTS[k] {
                x -= WEIGHTS[k];
                k += 1;
            }
            k
        };
        counts[r] += 1;
        let role = &ROLES[r];
        let day = 86_400_000u64;
        let age = rng.range(day, 700 * day) + rng.below(day);
        let image = if role.name == "build" && rng.chance(0.5) {
            5
        } else {
            rng.below(5) as usize
        };
        out.push(Spec {
            name: format!("{}-{:02}", role.name, counts[r]),
            running: rng.chance(0.7),
            vcpus: *rng.pick(role.vcpus),
            ram_gb: *rng.pick(role.ram),
            disk_gb: *rng.pick(role.disk),
            created_ms: now_ms.saturating_sub(age) / 1000 * 1000,
            image,
            region: rng.below(regions.max(1) as u64) as usize,
        });
    }
    if n >= 2 {
        if out.iter().all(|s| s.running) {
            out[n - 1].running = false;
        }
        if out.iter().all(|s| !s.running) {
            out[0].running = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fleet_is_seeded_and_mixed() {
        let a = fleet(&mut Rng::new(3), 12, 1_800_000_000_000, 3);
        let b = fleet(&mut Rng::new(3), 12, 1_800_000_000_000, 3);
        let names: Vec<_> = a.iter().map(|s| s.name.clone()).collect();
        assert_eq!(names, b.iter().map(|s| s.name.clone()).collect::<Vec<_>>());
        assert_eq!(&names[..4], ["web-01", "db-01", "cache-01", "worker-01"]);
        let mut uniq = names.clone();
        uniq.sort();
        uniq.dedup();
        assert_eq!(uniq.len(), 12, "names must be unique: {names:?}");
        assert!(a.iter().any(|s| s.running) && a.iter().any(|s| !s.running));
        let c = fleet(&mut Rng::new(4), 12, 1_800_000_000_000, 3);
        assert_ne!(
            a.iter()
                .map(|s| (s.running, s.created_ms))
                .collect::<Vec<_>>(),
            c.iter()
                .map(|s| (s.running, s.created_ms))
                .collect::<Vec<_>>()
        );
    }
}
