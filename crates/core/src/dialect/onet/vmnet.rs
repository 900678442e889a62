//! ONETSolutions' IP addresses, reverse DNS, firewall, state sync and console (sheet "IP
//! addresses" and "Volumes, VPC, firewall, console"). Every write answers a Task (any 2xx,
//! per the Corrections), followed like the power actions; each is done on what the resource
//! shows afterwards:
//!
//! * `POST /compute/instances/{id}/ips {"version"}` → `assign_ip`: a public address of that
//!   version the instance did not list before, in `ip_addresses`.
//! * `DELETE …/ips/{address}` → `remove_ip`: the address gone from `ip_addresses` (a `404`:
//!   the instance does not hold it, and the instance, read again, tells).
//! * `PUT …/ips/{address}/reverse-dns {"ptr"}` → `update_reverse_dns`: `reverse_dns` equals
//!   the value sent.
//! * `PUT …/firewall {"rules": [{direction, protocol, port_range, source, action}]}` →
//!   `apply_firewall`: `GET …/firewall` returns the rules sent (one item in the VM's scope,
//!   [`ResourceKind::Firewall`]).
//! * `POST …/sync` → `sync_vps_state` (the sheet names the task type, not its path: this one
//!   is assumed, as vigil-sim has it): the task completed and the instance read again.
//! * `POST …/console` → `get_vnc_url`, whose `result` holds `{session_id}`; then
//!   `GET …/console/{session_id}` → `{id, url, expires_at}` ([`ResourceKind::Console`]). The
//!   session's URL is never put in a note, a log or saved state.

use serde_json::{json, Value};

use super::{Onet, ERROR_KEYS};
use crate::dialect::json_body;
use crate::error::ApiError;
use crate::http::{encode_component, HttpRequest, HttpResponse, Method};
use crate::json::text;
use crate::model::{
    Action, ConsoleSession, FirewallRule, Res, ResDetail, ResState, ResourceKind, Scope,
};
use crate::time::{parse_rfc3339, Millis};

impl Onet {
    fn vm_path(id: &str, rest: &str) -> String {
        format!("compute/instances/{}/{rest}", encode_component(id))
    }

    /// The request of one of these writes on instance `id`; `None` for another action.
    pub(super) fn vm_net_request(&self, id: &str, action: &Action) -> Option<HttpRequest> {
        let at = |rest: &str| Self::vm_path(id, rest);
        let addr = |a: &str| encode_component(a.trim());
        Some(match action {
            Action::AssignIp { version } => {
                self.api
                    .send(Method::Post, &at("ips"), &json!({ "version": version }))
            }
            Action::RemoveIp { address } => self
                .api
                .request(Method::Delete, &at(&format!("ips/{}", addr(address)))),
            Action::SetReverseDns { address, ptr } => {
                let ptr = crate::model::check_ptr(ptr).unwrap_or_else(|_| ptr.trim().into());
                let path = at(&format!("ips/{}/reverse-dns", addr(address)));
                self.api.send(Method::Put, &path, &json!({ "ptr": ptr }))
            }
            Action::ApplyFirewall { rules } => {
                let rules: Vec<Value> = rules.iter().map(rule_json).collect();
                self.api
                    .send(Method::Put, &at("firewall"), &json!({ "rules": rules }))
            }
            Action::SyncState => self.api.send(Method::Post, &at("sync"), &json!({})),
            Action::OpenConsole => self.api.send(Method::Post, &at("console"), &json!({})),
            _ => return None,
        })
    }

    /// `GET …/firewall`: the VM's applied rules.
    pub(super) fn firewall_request(
        &self,
        scope: &Scope,
        kind: ResourceKind,
    ) -> Option<HttpRequest> {
        match (scope, kind) {
            (Scope::Vm(vm), ResourceKind::Firewall) => {
                Some(self.api.get(&Self::vm_path(vm.as_str(), "firewall")))
            }
            _ => None,
        }
    }

    /// `GET …/console/{session_id}`: one console session.
    pub(super) fn console_request(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        id: &str,
    ) -> Option<HttpRequest> {
        match (scope, kind) {
            (Scope::Vm(vm), ResourceKind::Console) if !id.trim().is_empty() => {
                let rest = format!("console/{}", encode_component(id.trim()));
                Some(self.api.get(&Self::vm_path(vm.as_str(), &rest)))
            }
            _ => None,
        }
    }

    /// The VM's firewall (`{"rules": [...]}`) as one item known by the VM's id, or a console
    /// session (`{id, url, expires_at}`).
    pub(super) fn vm_net_parse(
        &self,
        scope: &Scope,
        kind: ResourceKind,
        resp: &HttpResponse,
        now: Millis,
    ) -> Result<Vec<Res>, ApiError> {
        match kind {
            ResourceKind::Firewall => {
                let v = json_body(resp, ERROR_KEYS, "the firewall rules", now)?;
                let vm = scope
                    .vm()
                    .map(|v| v.as_str().to_string())
                    .unwrap_or_default();
                Ok(vec![firewall(&v, vm)?])
            }
            _ => {
                let v = json_body(resp, ERROR_KEYS, "the console session", now)?;
                Ok(console(&v).into_iter().collect())
            }
        }
    }
}

/// A rule as the sheet's body has it: `port_range` `null` for none.
fn rule_json(r: &FirewallRule) -> Value {
    let r = r.normalized();
    json!({
        "direction": r.direction.as_str(),
        "protocol": r.protocol.as_str(),
        "port_range": if r.ports.is_empty() { Value::Null } else { json!(r.ports) },
        "source": r.source,
        "action": r.action.as_str(),
    })
}

/// `{"rules": [...]}` (a bare list too): the rules read, and those that do not read as one
/// kept raw (never the rules sent).
fn firewall(v: &Value, vm: String) -> Result<Res, ApiError> {
    let list = match v {
        Value::Array(a) => a,
        _ => v
            .get("rules")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::bad_response("the firewall rules", "no `rules` list"))?,
    };
    let mut rules = Vec::new();
    let mut unread = Vec::new();
    for r in list {
        match FirewallRule::read(r) {
            Some(rule) => rules.push(rule),
            None => unread.push(crate::error::cap_text(
                &r.to_string(),
                crate::error::MAX_PROVIDER_TEXT,
            )),
        }
    }
    Ok(Res {
        kind: ResourceKind::Firewall,
        id: vm,
        name: String::new(),
        state: ResState::Ready,
        status_raw: String::new(),
        created: None,
        detail: ResDetail::Firewall { rules, unread },
    })
}

/// A console session with an `https` URL (anything else is not opened).
fn console(v: &Value) -> Option<Res> {
    let id = text(v, "id").filter(|s| !s.trim().is_empty())?;
    let url = text(v, "url")
        .map(|u| u.trim().to_string())
        .filter(|u| is_https(u));
    let expires_at = text(v, "expires_at").and_then(|t| parse_rfc3339(&t));
    let (state, status_raw) = match &url {
        Some(_) => (ResState::Ready, String::new()),
        None => (ResState::Creating, "no address".to_string()),
    };
    Some(Res {
        kind: ResourceKind::Console,
        id,
        name: String::new(),
        state,
        status_raw,
        created: None,
        detail: ResDetail::Console {
            session: url.map(|url| ConsoleSession { url, expires_at }),
        },
    })
}

/// An `https://host/…` URL without credentials in it (no `user@`).
fn is_https(u: &str) -> bool {
    let Some(rest) = u.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty() && !host.contains('@') && !u.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_https_url_without_credentials_is_opened() {
        assert!(is_https("https://console.example/vnc/abc"));
        for bad in [
            "http://console.example/vnc",
            "javascript:alert(1)",
            "https://user:pw@console.example/",
            "https:///nohost",
            "https://a b/",
        ] {
            assert!(!is_https(bad), "{bad}");
        }
        let v =
            json!({"id": "s1", "url": "javascript:alert(1)", "expires_at": "2026-01-01T00:00:00Z"});
        let r = console(&v).unwrap();
        assert_eq!(r.console(), None);
        assert_ne!(r.state, ResState::Ready);
    }

    #[test]
    fn a_rule_not_read_is_kept_raw_and_never_the_rules_sent() {
        let v = json!({"rules": [
            {"direction": "in", "protocol": "tcp", "port_range": "22", "source": "any", "action": "allow"},
            {"direction": "sideways", "protocol": "tcp", "source": "any", "action": "allow"},
        ]});
        let r = firewall(&v, "vm".into()).unwrap();
        assert_eq!(r.firewall(), None);
        let ResDetail::Firewall { rules, unread } = &r.detail else {
            panic!()
        };
        assert_eq!(rules.len(), 1);
        assert!(unread[0].contains("sideways"));
    }
}
