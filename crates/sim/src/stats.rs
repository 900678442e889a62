//! Request and fault counts: [`crate::Sim::stats`].

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::iso;

#[derive(Default, Debug, Clone)]
pub(crate) struct FaultStats {
    pub(crate) server_error: u64,
    pub(crate) throttle: u64,
    pub(crate) dropped_before: u64,
    pub(crate) dropped_after: u64,
    pub(crate) malformed: u64,
    pub(crate) unknown_enum: u64,
    pub(crate) garbled: u64,
    pub(crate) delayed: u64,
    pub(crate) delay_ms_total: u64,
}

#[derive(Default, Debug)]
pub(crate) struct DialectStats {
    pub(crate) requests: u64,
    pub(crate) endpoints: BTreeMap<String, u64>,
    pub(crate) statuses: BTreeMap<u16, u64>,
}

impl crate::Sim {
    /// Request counts per dialect, endpoint and status code, plus injected faults.
    pub fn stats(&self) -> Value {
        let mut dialects = serde_json::Map::new();
        let mut total = 0;
        let mut stuck = 0;
        for d in &self.dialects {
            stuck += d.stuck_count();
            let s = self.stats.get(d.name());
            let requests = s.map(|s| s.requests).unwrap_or(0);
            total += requests;
            let endpoints: serde_json::Map<String, Value> = s
                .map(|s| {
                    s.endpoints
                        .iter()
                        .map(|(k, v)| (k.clone(), json!(v)))
                        .collect()
                })
                .unwrap_or_default();
            let statuses: serde_json::Map<String, Value> = s
                .map(|s| {
                    s.statuses
                        .iter()
                        .map(|(k, v)| (k.to_string(), json!(v)))
                        .collect()
                })
                .unwrap_or_default();
            dialects.insert(
                d.name().to_string(),
                json!({"prefix": d.prefix(), "requests": requests, "endpoints": endpoints, "statuses": statuses}),
            );
        }
        let fs = &self.fault_stats;
        json!({
            "total": total + self.unrouted,
            "unrouted": self.unrouted,
            "now": iso(self.last_now),
            "scenario": {
                "seed": self.scenario.seed,
                "vms": self.scenario.vms,
                "failure_rate": self.scenario.failure_rate,
                "speed": self.scenario.speed,
            },
            "faults": {
                "spec": self.faults.to_string(),
                "5xx": fs.server_error,
                "429": fs.throttle,
                "dropped_before": fs.dropped_before,
                "dropped_after": fs.dropped_after,
                "malformed": fs.malformed,
                "unknown_enum": fs.unknown_enum,
                "garbled": fs.garbled,
                "delayed": fs.delayed,
                "delay_ms_total": fs.delay_ms_total,
                "stuck": stuck,
            },
            "dialects": dialects,
        })
    }
}
