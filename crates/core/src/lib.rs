//! Vigil's core: every decision the console makes, with no IO.
//!
//! Nothing in this crate sends a request, reads a clock, sets a timer or touches the DOM. The
//! shell (the web page, a test, a benchmark) drives the [`Engine`] through five verbs in the
//! manner of quinn-proto's `Connection`:
//!
//! - [`Engine::handle_command`]: every user intent, and what other tabs or storage bring;
//! - [`Engine::handle_response`]: the answer (or network failure) of a request it asked for;
//! - [`Engine::handle_timeout`]: time passed ([`Engine::poll_timeout`] said when);
//! - [`Engine::poll_transmit`]: the next request to send;
//! - [`Engine::poll_event`]: what changed, notices, and what to save and share.
//!
//! Queries go through one read-only [`View`]. `now` is always an argument.
//!
//! - [`model`]: VMs, actions, what they target, operations and their lifecycle.
//! - [`dialect`]: one module per provider dialect, building requests and reading responses;
//!   each provider's facts in one [`dialect::Caps`].
//! - [`words`]: every sentence the user reads.
//! - [`engine`]: connections, inventory, the tracker, the round, workflows.
//! - [`saved`]: what survives a reload, entry by entry, versioned.
//! - [`site`]: a deployment's `config.json` (presets, demo, target lag).
//! - [`route`]: the page's hash routes; [`present`]: how the page presents what it shows.

pub mod boot;
pub mod catalogue;
pub mod demo;
pub mod dialect;
pub mod election;
pub mod engine;
pub mod error;
pub mod http;
pub mod ids;
pub mod json;
pub mod model;
pub mod policy;
pub mod present;
pub mod rebuild;
pub mod resize;
pub mod route;
pub mod saved;
pub mod site;
pub mod time;
pub mod words;
pub mod workflow;

pub use dialect::{Caps, ConnectionConfig, Credentials, DialectKind};
pub use engine::{Command, ConsoleState, Engine, Event, ListState, Pace, Transmit, View};
pub use error::{ApiError, ErrorKind};
pub use http::{HttpRequest, HttpResponse, Method, NetError};
pub use ids::{BulkId, ConnId, OpId, ResId, Token, VmId, VmKey, WfId};
pub use model::*;
pub use policy::{PollCtx, PollPolicy};
pub use time::Millis;
pub use words::{Note, Refusal, WfNote};
pub use workflow::*;
