//! Snapshots, backups and rebuilds, per dialect (issue 15): each route's documented answers and
//! refusals, the states over virtual time, and the ground truth (`Sim::points`, `Sim::point`,
//! `Sim::vm_image`, `Sim::restored_from`, `Sim::automatic_backups`) agreeing with the API.

#[path = "common/mod.rs"]
mod common;

#[path = "points/hostway.rs"]
mod hostway;

#[path = "points/world.rs"]
mod world;

#[path = "points/zenno.rs"]
mod zenno;

#[path = "points/cloudsfor.rs"]
mod cloudsfor;

#[path = "points/onet.rs"]
mod onet;
