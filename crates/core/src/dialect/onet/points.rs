//! ONETSolutions' snapshots and backups (sheet sections "Snapshots" and "Backups"): paid
//! add-ons (`403` without), listed under the instance, every write a `202 Task`.

use crate::dialect::{Absent, Avail, PointCaps, PointOps};

pub const POINTS: PointCaps = PointCaps {
    snapshots: PointOps {
        list: Avail::Offered,
        create: Avail::Offered,
        restore: Avail::Offered,
        delete: Avail::Offered,
        auto: Avail::Absent(Absent::NotPublished),
        to_image: Avail::Offered,
        restore_needs_stopped: true,
        needs_addon: true,
    },
    backups: PointOps {
        list: Avail::Offered,
        create: Avail::Offered,
        restore: Avail::Offered,
        delete: Avail::Offered,
        auto: Avail::Absent(Absent::NeedsAddon),
        to_image: Avail::Absent(Absent::NotPublished),
        restore_needs_stopped: true,
        needs_addon: true,
    },
    restore_keeps_power: true,
    name: None,
};
