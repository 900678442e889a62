//! Erigones' snapshots and backups (sheet sections "Snapshots" and "Backups"). A point is
//! addressed by its name; statuses are integers (`1` ok, `2` pending, `3` rollback / restore,
//! `4` lost). A rollback is a `PUT` that must never carry `note` (that form only edits the note).

use crate::dialect::{Absent, Avail, PointCaps, PointName, PointOps};

pub const POINTS: PointCaps = PointCaps {
    snapshots: PointOps {
        list: Avail::Offered,
        create: Avail::Offered,
        restore: Avail::Offered,
        delete: Avail::Offered,
        // Definitions (`…/define/snapshot/{snapdef}/`) are an administrator's.
        auto: Avail::Absent(Absent::NeedsAdmin),
        to_image: Avail::Absent(Absent::NotPublished),
        restore_needs_stopped: true,
        needs_addon: false,
    },
    backups: PointOps {
        list: Avail::Offered,
        create: Avail::AdminOnly,
        restore: Avail::AdminOnly,
        // The owner's bulk form, `DELETE /vm/{hostname}/backup/ {"bkpnames": [...]}`.
        delete: Avail::Offered,
        auto: Avail::Absent(Absent::NeedsAdmin),
        to_image: Avail::Absent(Absent::NotPublished),
        restore_needs_stopped: true,
        needs_addon: false,
    },
    restore_keeps_power: true,
    name: Some(PointName {
        max: 24,
        slug: true,
    }),
};
