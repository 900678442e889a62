//! The demo providers: where each dialect lives on the simulator (in the page, or
//! `vigil-sim-server`) and the credentials it accepts. Nothing here is a real provider's fact.

use crate::dialect::{Credentials, DialectKind};

/// The path below a demo/simulator host where this dialect lives.
pub fn prefix(kind: DialectKind) -> &'static str {
    match kind {
        DialectKind::ZennoHosting => "/zennohosting",
        DialectKind::Cloudsfor => "/cloudsfor/api/v1",
        DialectKind::Erigones => "/erigones/api",
        DialectKind::OnetSolutions => {
            "/onetsolutions/v1/organizations/demo-org/projects/demo-project"
        }
        DialectKind::Hostway => "/hostway/accounts/demo-account/flexcloud",
    }
}

/// The simulator's documented demo credentials.
pub fn credentials(kind: DialectKind) -> Credentials {
    match kind {
        DialectKind::Cloudsfor | DialectKind::Hostway => Credentials::Basic {
            user: "demo@vigil.test".into(),
            password: "demo".into(),
        },
        DialectKind::ZennoHosting | DialectKind::OnetSolutions => Credentials::Bearer {
            token: "demo-token".into(),
        },
        DialectKind::Erigones => Credentials::ApiKey {
            key: "demo-key".into(),
        },
    }
}
