//! A VM's hostname, as the user types it for [`crate::Action::SetHostname`].

use crate::words::Refusal;

/// The longest hostname (DNS name) and its longest label.
pub const HOSTNAME_MAX: usize = 253;
pub const HOSTNAME_LABEL_MAX: usize = 63;

/// A hostname a user typed (surrounding spaces aside): a DNS name of 1 to [`HOSTNAME_MAX`]
/// characters, labels of 1 to [`HOSTNAME_LABEL_MAX`] letters, digits and hyphens (not at either
/// end of a label) separated by dots.
pub fn check_hostname(hostname: &str) -> Result<(), Refusal> {
    let h = hostname.trim();
    if h.is_empty() {
        return Err(Refusal::EnterHostname);
    }
    if h.chars().count() > HOSTNAME_MAX {
        return Err(Refusal::HostnameTooLong { max: HOSTNAME_MAX });
    }
    if let Some(c) = h
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '.'))
    {
        return Err(Refusal::HostnameCharacter { c });
    }
    for label in h.split('.') {
        if label.is_empty() {
            return Err(Refusal::HostnameEmptyLabel);
        }
        if label.len() > HOSTNAME_LABEL_MAX {
            return Err(Refusal::HostnameLabelTooLong {
                max: HOSTNAME_LABEL_MAX,
            });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(Refusal::HostnameHyphenAtEnd);
        }
    }
    Ok(())
}

/// A hostname as it is sent and as the VM must then show it: trimmed, lowercase (DNS names do
/// not tell case apart; providers keep them lowercase).
pub fn normal_hostname(hostname: &str) -> String {
    hostname.trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostname_is_a_dns_name() {
        assert_eq!(check_hostname(" web-01.example.com "), Ok(()));
        assert_eq!(check_hostname("  "), Err(Refusal::EnterHostname));
        assert_eq!(
            check_hostname("web_01"),
            Err(Refusal::HostnameCharacter { c: '_' })
        );
        assert_eq!(
            check_hostname("web 01"),
            Err(Refusal::HostnameCharacter { c: ' ' })
        );
        assert_eq!(check_hostname("web..x"), Err(Refusal::HostnameEmptyLabel));
        assert_eq!(check_hostname("-web"), Err(Refusal::HostnameHyphenAtEnd));
        assert_eq!(
            check_hostname(&"a".repeat(64)),
            Err(Refusal::HostnameLabelTooLong { max: 63 })
        );
        assert_eq!(check_hostname(&"a".repeat(63)), Ok(()));
        let long = vec!["a".repeat(63); 4].join(".");
        assert_eq!(long.len(), 255);
        assert_eq!(
            check_hostname(&long),
            Err(Refusal::HostnameTooLong { max: 253 })
        );
        assert_eq!(normal_hostname(" Web-01 "), "web-01");
    }
}
