//! Carries vigil-core's request values: over the network with gloo-net, or to the
//! demo providers for `demo://` URLs ([`crate::demo`]).

use vigil_core::words::NetFailure;
use vigil_core::{HttpRequest, HttpResponse, NetError};
use web_sys::AbortSignal;

use crate::config::DemoConfig;

#[derive(Clone)]
pub struct Transport {
    demo: crate::demo::Shared,
}

impl Transport {
    /// The demo providers start on the first `demo://` request, not before.
    pub fn new(cfg: &DemoConfig) -> Self {
        Transport {
            demo: crate::demo::Demo::new(cfg),
        }
    }

    pub async fn send(
        &self,
        req: HttpRequest,
        signal: Option<AbortSignal>,
    ) -> Result<HttpResponse, NetError> {
        if req.url.starts_with("demo://") {
            crate::demo::send(&self.demo, req).await
        } else {
            send_http(req, signal).await
        }
    }
}

async fn send_http(
    req: HttpRequest,
    signal: Option<AbortSignal>,
) -> Result<HttpResponse, NetError> {
    use gloo_net::http::{Method, RequestBuilder};
    // Never let a browser-level error text carry the URL's query or credentials: keep it generic.
    let fail = |what: NetFailure| NetError(what.to_string());
    // gloo-net throws on a header the browser refuses: an error on this request instead.
    if !req.headers_sendable() {
        return Err(fail(NetFailure::Unbuildable));
    }
    let method = match req.method {
        vigil_core::Method::Get => Method::GET,
        vigil_core::Method::Post => Method::POST,
        vigil_core::Method::Put => Method::PUT,
        vigil_core::Method::Delete => Method::DELETE,
        vigil_core::Method::Patch => Method::PATCH,
    };
    let mut builder = RequestBuilder::new(&req.url)
        .method(method)
        .abort_signal(signal.as_ref());
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    let request = match req.body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|_| fail(NetFailure::Unbuildable))?;
    let resp = request.send().await.map_err(|e| {
        let text = e.to_string();
        if text.contains("abort") || text.contains("Abort") {
            fail(NetFailure::Cancelled)
        } else {
            fail(NetFailure::Unreachable)
        }
    })?;
    let status = resp.status();
    let headers = resp.headers().entries().collect();
    let body = resp.text().await.map_err(|_| fail(NetFailure::CutOff))?;
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}
