//! How the page is set up: the demo providers' behaviour, the demo connections
//! shown when nothing is configured, and the site's `config.json`. Imports nothing of the page.

use vigil_core::site::{self, SiteConfig, SiteError};
use vigil_core::{demo, words, ConnId, ConnectionConfig, DialectKind};

/// How the demo providers behave.
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
    /// The site's `config.json` as read before the console was mounted ([`fetch_site`]), so the
    /// first render already has its connections; `None`: the console reads it itself.
    pub site: Option<(SiteConfig, Option<SiteError>)>,
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

/// The site's `config.json` beside index.html (vigil-core's [`site`]): fetched once at start,
/// past the browser's cache (a hosting provider's change shows on the next load). Nothing there
/// (`404`, a network error, or an HTML page a host serves for every path) gives the defaults
/// quietly; a file that cannot be used gives the defaults and why.
pub async fn fetch_site() -> (SiteConfig, Option<SiteError>) {
    let body = async {
        let resp = gloo_net::http::RequestBuilder::new("./config.json")
            .cache(web_sys::RequestCache::NoCache)
            .send()
            .await
            .ok()?;
        let html = resp
            .headers()
            .get("content-type")
            .is_some_and(|t| t.contains("html"));
        if !resp.ok() || html {
            return None;
        }
        resp.text().await.ok()
    }
    .await;
    site::load(body.as_deref())
}

/// The page's origin (`https://console.example`): where a preset's path base URL (a relay) goes.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}
