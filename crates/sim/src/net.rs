//! Addresses. Every VM of a world gets addresses no other VM of that world holds: each dialect
//! numbers its VMs `k = 0, 1, 2, …` (the seeded fleet first, then each accepted create, so a
//! replayed journal hands out the same ones) and maps `k` into pools of its own:
//!
//! * public IPv4: the dialect's /18 of `198.18.0.0/15` (RFC 2544's benchmarking range, never
//!   routed), 64 /24s of hosts `.2`–`.254` (`.1` is each /24's gateway), in an order drawn from
//!   the seed: 16,192 addresses, then `240+d.x.y.z` (reserved space) for VMs beyond those;
//! * private IPv4: `.2`–`.254` of each /24 of a private /16 the dialect chose for the VM's
//!   network (64,768 hosts per network; the dialects' networks never overlap);
//! * IPv6: `2001:db8:d::/48` (RFC 3849's documentation prefix), one /64 per VM.

use crate::util::Rng;

/// Hosts per /24 (`.2`–`.254`).
const PER_24: u64 = 253;
/// Public /24s per dialect.
const PUBLIC_24S: u64 = 64;
const PUBLIC_HOSTS: u64 = PER_24 * PUBLIC_24S;

/// One dialect's public pools, seeded.
#[derive(Clone, Debug)]
pub(crate) struct Pool {
    dialect: u64,
    mult: u64,
    offset: u64,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

impl Pool {
    /// `dialect` 0–4 (its place in [`crate::PREFIXES`]); the order of public addresses comes from
    /// a stream of its own, so drawing it changes no other number of the world.
    pub fn new(seed: u64, dialect: u8) -> Pool {
        let mut rng = Rng::derive(seed, 0x1B_AD_D7 ^ u64::from(dialect) << 32);
        let mult = loop {
            let m = rng.range(1, PUBLIC_HOSTS - 1);
            if gcd(m, PUBLIC_HOSTS) == 1 {
                break m;
            }
        };
        Pool {
            dialect: u64::from(dialect),
            mult,
            offset: rng.below(PUBLIC_HOSTS),
        }
    }

    /// The public IPv4 address of VM `k`.
    pub fn public_v4(&self, k: u64) -> String {
        if k < PUBLIC_HOSTS {
            let i = (self.mult.wrapping_mul(k) + self.offset) % PUBLIC_HOSTS;
            let net = self.dialect * PUBLIC_24S + i / PER_24;
            format!("198.{}.{}.{}", 18 + net / 256, net % 256, 2 + i % PER_24)
        } else {
            let j = k - PUBLIC_HOSTS;
            format!(
                "{}.{}.{}.{}",
                240 + self.dialect,
                (j / (256 * PER_24)) % 256,
                (j / PER_24) % 256,
                2 + j % PER_24
            )
        }
    }

    /// The network address of the dialect's public /18 (`198.18.x.0`, netmask `255.255.192.0`).
    pub fn public_block(&self) -> String {
        let net = self.dialect * PUBLIC_24S;
        format!("198.{}.{}.0", 18 + net / 256, net % 256)
    }

    /// The IPv6 address of VM `k` (its /64's `::a`).
    pub fn v6(&self, k: u64) -> String {
        format!("2001:db8:{:x}:{:x}::a", self.dialect, (k + 0x100) & 0xffff)
    }
}

/// Host `k` of the private /16 `10.{second}.0.0/16`.
pub(crate) fn private_v4(second: u8, k: u64) -> String {
    let k = k % (256 * PER_24);
    format!("10.{second}.{}.{}", k / PER_24, 2 + k % PER_24)
}

/// The gateway of an address's /24 (`a.b.c.1`).
pub(crate) fn gateway(addr: &str) -> String {
    match addr.rsplit_once('.') {
        Some((net, _)) => format!("{net}.1"),
        None => String::new(),
    }
}

/// A locally administered MAC address for VM `k`, NIC `nic`, of dialect `dialect`.
pub(crate) fn mac(dialect: u8, k: u64, nic: u8) -> String {
    format!(
        "02:5e:{dialect:02x}:{:02x}:{:02x}:{nic:02x}",
        (k >> 8) & 0xff,
        k & 0xff
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn public_addresses_are_unique_seeded_and_never_a_gateway() {
        let a = Pool::new(1, 2);
        let mut seen = BTreeSet::new();
        for k in 0..PUBLIC_HOSTS + 1000 {
            let ip = a.public_v4(k);
            assert!(!ip.ends_with(".1") && !ip.ends_with(".0") && !ip.ends_with(".255"));
            assert!(seen.insert(ip), "k = {k}");
        }
        assert!(a.public_v4(0).starts_with("198.1"));
        assert!(a.public_v4(PUBLIC_HOSTS).starts_with("242."));
        assert_eq!(a.public_block(), "198.18.128.0");
        assert!(seen.iter().take(100).all(|ip| ip.starts_with("198.18.1")));
        let b = Pool::new(2, 2);
        assert_ne!(
            (0..5).map(|k| a.public_v4(k)).collect::<Vec<_>>(),
            (0..5).map(|k| b.public_v4(k)).collect::<Vec<_>>()
        );
        assert_eq!(Pool::new(1, 2).public_v4(7), a.public_v4(7));
        // the dialects' /18s do not overlap
        let other = Pool::new(1, 3);
        assert!((0..2000).all(|k| !seen.contains(&other.public_v4(k))));
    }

    #[test]
    fn private_v6_gateway_and_mac() {
        assert_eq!(private_v4(16, 0), "10.16.0.2");
        assert_eq!(private_v4(16, 253), "10.16.1.2");
        assert_eq!(gateway("198.18.3.77"), "198.18.3.1");
        assert_eq!(Pool::new(1, 0).v6(1), "2001:db8:0:101::a");
        assert_eq!(mac(1, 0x1234, 1), "02:5e:01:12:34:01");
    }
}
