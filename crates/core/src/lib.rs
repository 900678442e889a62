//! Vigil's core: every decision the console makes, with no IO.
//!
//! Nothing in this crate sends a request, reads a clock, sets a timer or touches the DOM. The shell
//! (the web page, a test, a benchmark) passes `now` in as epoch milliseconds, takes the requests the
//! [`Engine`] wants sent as plain values, carries them however it likes, and hands the responses
//! back. That makes every decision testable natively with a fake clock.
//!
//! - [`model`]: VMs, actions, operations and their lifecycle.
//! - [`dialect`]: one module per provider dialect, building requests and reading responses.
//! - [`engine`]: connections, inventory and the tracker that decides what to send when.

pub mod dialect;
pub mod election;
pub mod engine;
pub mod error;
pub mod http;
pub mod json;
pub mod model;
pub mod policy;
pub mod time;
pub mod view;
pub mod workflow;

pub use dialect::{ConnectionConfig, Credentials, DialectKind};
pub use engine::{Engine, Event, ListState, Outgoing, Pace};
pub use error::{ApiError, ErrorKind};
pub use http::{HttpRequest, HttpResponse, Method, NetError};
pub use model::*;
pub use policy::{PollCtx, PollPolicy};
pub use time::Millis;
pub use workflow::*;
