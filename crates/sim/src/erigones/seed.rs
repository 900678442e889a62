//! The seeded snapshots, backups and backup definitions of the demo fleet, from a random stream
//! of their own (the fleet's ids and names stay as they were):
//!
//! * the first running and the first stopped VM, and about half the others, have 1–2 manual
//!   snapshots (`initial`, `pre-upgrade`); the second stopped VM also a lost one (`old-lost`,
//!   status `4`);
//! * the first running VM and about a third of the others have an active backup definition
//!   `daily` (`0 4 * * *`, retention 7, on [`BACKUP_NODES`]) with 1–2 backups taken by it.

use super::model::{Define, Point};
use super::schedules::BACKUP_NODES;
use super::Erigones;
use crate::util::Rng;

const DAY: u64 = 86_400_000;

pub(super) fn seed(e: &mut Erigones, seed: u64, now: u64) {
    let mut rng = Rng::derive(seed, 0xE416_5A95);
    let mut seen: Vec<String> = Vec::new();
    let mut stopped = 0;
    for vi in 0..e.vms.len() {
        let status = e.vms[vi].status.clone();
        if status == "notcreated" {
            continue;
        }
        let first = !seen.contains(&status);
        seen.push(status.clone());
        let disk_size = e.vms[vi].disks[0].size;
        let bytes = u64::from(disk_size) << 20;
        let point = |e: &mut Erigones, name: String, at: u64, backup: bool| {
            e.points.push(Point {
                vm: vi,
                backup,
                id: e.next_point_id,
                name,
                disk_id: 1,
                note: String::new(),
                define: backup.then(|| "daily".to_string()),
                kind: if backup { 1 } else { 2 },
                created: at,
                size: if backup { bytes * 2 / 5 } else { bytes / 20 },
                disk_size,
                time: if backup { 240 } else { 0 },
                ready_at: at + if backup { 240_000 } else { 5_000 },
                lost: false,
                gone: false,
                node: if backup { BACKUP_NODES[0] } else { "" },
                zpool: "zones",
            });
            e.next_point_id += 1;
        };
        if first || rng.chance(0.5) {
            let n = rng.range(1, 2);
            let mut at = now.saturating_sub(rng.range(20, 60) * DAY) / 1000 * 1000;
            for name in ["initial", "pre-upgrade"].into_iter().take(n as usize) {
                point(e, name.to_string(), at, false);
                at += rng.range(1, 15) * DAY;
            }
        }
        if status == "stopped" {
            stopped += 1;
            if stopped == 2 {
                let at = now.saturating_sub(90 * DAY) / 1000 * 1000;
                point(e, "old-lost".to_string(), at, false);
                if let Some(p) = e.points.last_mut() {
                    p.lost = true;
                }
            }
        }
        if (first && status == "running") || rng.chance(0.34) {
            e.defines.push(Define {
                vm: vi,
                backup: true,
                name: "daily".into(),
                disk_id: 1,
                schedule: "0 4 * * *".into(),
                retention: 7,
                active: true,
                desc: "Nightly backup".into(),
                fsfreeze: false,
                kind: 1,
                node: BACKUP_NODES[0],
                zpool: "zones",
                compression: 0,
                bwlimit: None,
            });
            for k in (1..=rng.range(1, 2)).rev() {
                let at = (now / DAY - k) * DAY + 4 * 3_600_000;
                let (y, mo, d, ..) = crate::util::civil(at);
                point(e, format!("daily-{y:04}{mo:02}{d:02}_040000"), at, true);
            }
        }
    }
}
