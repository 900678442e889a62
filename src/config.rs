//! How the page is set up: the embedded demo provider's behaviour and the demo connections
//! shown when nothing is configured. Imports nothing of the page.

use vigil_core::{demo, words, ConnId, ConnectionConfig, DialectKind};

/// How the embedded demo provider behaves.
#[derive(Clone, Debug, PartialEq)]
pub struct DemoConfig {
    pub seed: u64,
    /// VMs per dialect.
    pub vms: usize,
    pub failure_rate: f64,
    /// Divides every simulated action duration.
    pub speed: f64,
    /// Simulated round trip, min and max.
    pub latency_ms: (u32, u32),
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            seed: 7,
            vms: 12,
            failure_rate: 0.05,
            speed: 1.0,
            latency_ms: (80, 260),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AppConfig {
    pub demo: DemoConfig,
}

/// The demo connections used when nothing is configured: one per dialect, on the simulator
/// inside the page (`demo://` URLs), with its documented demo credentials.
pub fn demo_connections() -> Vec<ConnectionConfig> {
    DialectKind::ALL
        .iter()
        .map(|&d| ConnectionConfig {
            id: ConnId::new(format!("demo-{}", d.slug())),
            name: words::demo_name(d),
            dialect: d,
            base_url: format!("demo://sim{}", demo::prefix(d)),
            credentials: demo::credentials(d),
            demo: true,
        })
        .collect()
}
