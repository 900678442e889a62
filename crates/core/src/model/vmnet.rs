//! A VM's own network settings beside its networks (issue 16, ONETSolutions' task types): the
//! firewall rules applied to it, reverse DNS names of its addresses, and console sessions.
//!
//! Firewall rules are typed: a direction, a protocol, a port range, a source and an action,
//! each checked before anything is sent ([`FirewallRule::check`], [`check_rules`]) so a rule
//! the provider would refuse is said in the form. What the provider answers is read back into
//! the same type ([`FirewallRule::read`]); a rule it shows that does not read as one is kept
//! raw and never counts as the rules sent.

use serde::{Deserialize, Serialize};

use crate::model::ResourceKind;
use crate::words::{Refusal, VmNetRefusal};

/// Which traffic a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FwDirection {
    /// Coming into the VM.
    In,
    /// Leaving it.
    Out,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FwProtocol {
    Tcp,
    Udp,
    Icmp,
    /// Every protocol.
    Any,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FwAction {
    Allow,
    Deny,
}

impl FwDirection {
    pub const ALL: [FwDirection; 2] = [FwDirection::In, FwDirection::Out];
    pub fn as_str(self) -> &'static str {
        match self {
            FwDirection::In => "in",
            FwDirection::Out => "out",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == raw.trim())
    }
}

impl FwProtocol {
    pub const ALL: [FwProtocol; 4] = [
        FwProtocol::Tcp,
        FwProtocol::Udp,
        FwProtocol::Icmp,
        FwProtocol::Any,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            FwProtocol::Tcp => "tcp",
            FwProtocol::Udp => "udp",
            FwProtocol::Icmp => "icmp",
            FwProtocol::Any => "any",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }
    /// Whether a rule of this protocol names ports (TCP and UDP do; ICMP has none).
    pub fn has_ports(self) -> bool {
        matches!(self, FwProtocol::Tcp | FwProtocol::Udp)
    }
}

impl FwAction {
    pub const ALL: [FwAction; 2] = [FwAction::Allow, FwAction::Deny];
    pub fn as_str(self) -> &'static str {
        match self {
            FwAction::Allow => "allow",
            FwAction::Deny => "deny",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw.trim())
    }
}

/// One firewall rule: `action` traffic in `direction` of `protocol` to the ports `ports` (a
/// port `"22"` or a range `"1000-2000"`, as typed; empty: every port) from `source` (an
/// address or a CIDR range; `0.0.0.0/0`, `::/0` or `any` for everyone).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FirewallRule {
    pub direction: FwDirection,
    pub protocol: FwProtocol,
    #[serde(default)]
    pub ports: String,
    pub source: String,
    pub action: FwAction,
}

/// The highest port.
pub const MAX_PORT: u32 = 65_535;

/// A port range as typed: `(from, to)`, `None` for none (every port).
pub fn port_range(raw: &str) -> Result<Option<(u16, u16)>, VmNetRefusal> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let port = |p: &str| {
        p.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_PORT).contains(n))
            .map(|n| n as u16)
    };
    let (a, b) = match raw.split_once('-') {
        Some((a, b)) => (port(a), port(b)),
        None => (port(raw), port(raw)),
    };
    match (a, b) {
        (Some(a), Some(b)) if a <= b => Ok(Some((a, b))),
        (Some(_), Some(_)) => Err(VmNetRefusal::PortRangeBackwards),
        _ => Err(VmNetRefusal::PortRange),
    }
}

/// A source as typed: `any`, an address, or an address with a prefix length that fits it.
fn source_ok(raw: &str) -> bool {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("any") {
        return true;
    }
    let (ip, prefix) = match raw.split_once('/') {
        Some((ip, p)) => (ip, Some(p)),
        None => (raw, None),
    };
    let max = match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => 32,
        Ok(std::net::IpAddr::V6(_)) => 128,
        Err(_) => return false,
    };
    prefix.is_none_or(|p| p.parse::<u32>().is_ok_and(|n| n <= max))
}

impl FirewallRule {
    /// The rule as it is sent: its port range in the provider's form (`"22"`, `"1000-2000"`,
    /// nothing for none), its source trimmed.
    pub fn normalized(&self) -> FirewallRule {
        let ports = match port_range(&self.ports) {
            Ok(Some((a, b))) if a == b => a.to_string(),
            Ok(Some((a, b))) => format!("{a}-{b}"),
            _ => self.ports.trim().to_string(),
        };
        FirewallRule {
            ports: if self.protocol.has_ports() {
                ports
            } else {
                String::new()
            },
            source: self.source.trim().to_string(),
            ..self.clone()
        }
    }

    /// What is wrong with this rule as typed, if anything.
    pub fn check(&self) -> Result<(), VmNetRefusal> {
        if !self.protocol.has_ports() && !self.ports.trim().is_empty() {
            return Err(VmNetRefusal::NoPortsFor {
                protocol: self.protocol,
            });
        }
        port_range(&self.ports)?;
        if self.source.trim().is_empty() {
            return Err(VmNetRefusal::SourceMissing);
        }
        if !source_ok(&self.source) {
            return Err(VmNetRefusal::Source {
                source: self.source.trim().to_string(),
            });
        }
        Ok(())
    }

    /// A rule as the provider shows it (`{direction, protocol, port_range, source, action}`);
    /// `None` when a value is not one this version knows.
    pub fn read(v: &serde_json::Value) -> Option<FirewallRule> {
        let s = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
        Some(FirewallRule {
            direction: FwDirection::parse(s("direction")?)?,
            protocol: FwProtocol::parse(s("protocol")?)?,
            ports: s("port_range").unwrap_or_default().trim().to_string(),
            source: s("source")?.trim().to_string(),
            action: FwAction::parse(s("action")?)?,
        })
    }
}

/// The most rules one form sends.
pub const MAX_RULES: usize = 100;

/// A whole rule set as typed: each rule checked (the first wrong one named by its row, from
/// 1), no rule twice, at most [`MAX_RULES`].
pub fn check_rules(rules: &[FirewallRule]) -> Result<(), Refusal> {
    if rules.len() > MAX_RULES {
        return Err(Refusal::VmNet(VmNetRefusal::TooManyRules {
            max: MAX_RULES,
        }));
    }
    for (k, r) in rules.iter().enumerate() {
        r.check().map_err(|why| {
            Refusal::VmNet(VmNetRefusal::Rule {
                row: k + 1,
                why: Box::new(why),
            })
        })?;
        let n = r.normalized();
        if rules[..k].iter().any(|o| o.normalized() == n) {
            return Err(Refusal::VmNet(VmNetRefusal::DuplicateRule { row: k + 1 }));
        }
    }
    Ok(())
}

/// A reverse DNS name as typed: a host name (labels of letters, digits and hyphens, none
/// starting or ending with one, at most 63 characters each, 253 in all); a final dot is
/// dropped. `Ok` with the name as sent.
pub fn check_ptr(raw: &str) -> Result<String, VmNetRefusal> {
    let name = raw.trim().trim_end_matches('.');
    if name.is_empty() {
        return Err(VmNetRefusal::PtrMissing);
    }
    let ok = name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    if ok {
        Ok(name.to_ascii_lowercase())
    } else {
        Err(VmNetRefusal::PtrInvalid)
    }
}

/// Two reverse DNS names are the same name (case and a final dot aside).
pub fn same_ptr(a: &str, b: &str) -> bool {
    a.trim()
        .trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim().trim_end_matches('.'))
}

impl crate::model::Action {
    /// The part of a VM this action changes or makes, where it is listed in the VM's own scope
    /// rather than shown on the VM: its firewall (the whole rule set), a console session (its
    /// id learned from the task that made it). Its kind and id where known.
    pub fn vm_res_target(&self) -> Option<(ResourceKind, Option<String>)> {
        match self {
            crate::model::Action::ApplyFirewall { .. } => Some((ResourceKind::Firewall, None)),
            crate::model::Action::OpenConsole => Some((ResourceKind::Console, None)),
            _ => None,
        }
    }
}

/// A console session the provider handed out, ready to open. Held in memory only: never kept
/// in saved state, never logged, never shown as text (the page opens it from a link).
#[derive(Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    pub url: String,
    /// When the provider stops taking it, where it said (milliseconds since the epoch).
    pub expires_at: Option<crate::time::Millis>,
}

impl std::fmt::Debug for ConsoleSession {
    /// Never the URL: it opens the VM's console.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleSession")
            .field("url", &"(hidden)")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(protocol: FwProtocol, ports: &str, source: &str) -> FirewallRule {
        FirewallRule {
            direction: FwDirection::In,
            protocol,
            ports: ports.into(),
            source: source.into(),
            action: FwAction::Allow,
        }
    }

    #[test]
    fn rules_are_checked_before_sending() {
        assert_eq!(rule(FwProtocol::Tcp, "22", "0.0.0.0/0").check(), Ok(()));
        assert_eq!(rule(FwProtocol::Tcp, "1000-2000", "::/0").check(), Ok(()));
        assert_eq!(rule(FwProtocol::Any, "", "any").check(), Ok(()));
        assert_eq!(
            rule(FwProtocol::Tcp, "0", "any").check(),
            Err(VmNetRefusal::PortRange)
        );
        assert_eq!(
            rule(FwProtocol::Tcp, "70000", "any").check(),
            Err(VmNetRefusal::PortRange)
        );
        assert_eq!(
            rule(FwProtocol::Udp, "2000-1000", "any").check(),
            Err(VmNetRefusal::PortRangeBackwards)
        );
        assert_eq!(
            rule(FwProtocol::Icmp, "22", "any").check(),
            Err(VmNetRefusal::NoPortsFor {
                protocol: FwProtocol::Icmp
            })
        );
        assert_eq!(
            rule(FwProtocol::Tcp, "22", " ").check(),
            Err(VmNetRefusal::SourceMissing)
        );
        for bad in ["10.0.0.0/33", "example.com", "10.0.0/8", "::/129"] {
            assert!(
                matches!(
                    rule(FwProtocol::Tcp, "", bad).check(),
                    Err(VmNetRefusal::Source { .. })
                ),
                "{bad}"
            );
        }
        let same = rule(FwProtocol::Tcp, "22-22", "any");
        let rules = [rule(FwProtocol::Tcp, "22", "any"), same];
        assert_eq!(
            check_rules(&rules),
            Err(Refusal::VmNet(VmNetRefusal::DuplicateRule { row: 2 }))
        );
        assert_eq!(rules[1].normalized().ports, "22");
    }

    #[test]
    fn ptr_names_are_host_names() {
        assert_eq!(
            check_ptr("Mail.Example.com."),
            Ok("mail.example.com".into())
        );
        assert_eq!(check_ptr(""), Err(VmNetRefusal::PtrMissing));
        for bad in ["no_underscores.example", "-a.example", "single", "a..b"] {
            assert_eq!(check_ptr(bad), Err(VmNetRefusal::PtrInvalid), "{bad}");
        }
        assert!(same_ptr("a.example.", "A.example"));
    }

    #[test]
    fn a_session_never_shows_its_url() {
        let s = ConsoleSession {
            url: "https://console.example/vnc/secret".into(),
            expires_at: None,
        };
        assert!(!format!("{s:?}").contains("secret"));
    }
}
