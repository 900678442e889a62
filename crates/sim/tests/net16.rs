//! Networks, public IPs, port forwards, volumes, IPs, firewall, console and activity feeds,
//! per dialect (issue 16): each route's documented answers and refusals, the states over
//! virtual time, and the ground truth (`Sim::networks`, `Sim::public_ips`, `Sim::volumes`,
//! `Sim::firewall`, `Sim::reverse_dns`, `Sim::consoles`, `Sim::cdimage`) agreeing with the API.

#[path = "common/mod.rs"]
mod common;

#[path = "net16/zenno.rs"]
mod zenno;

#[path = "net16/onet.rs"]
mod onet;

#[path = "net16/erigones.rs"]
mod erigones;

#[path = "net16/cloudsfor.rs"]
mod cloudsfor;
