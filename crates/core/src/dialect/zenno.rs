//! Placeholder replaced by the dialect's implementation.
use super::{Accepted, Credentials, Dialect, DialectKind, Observation, VmPage};
use crate::error::ApiError;
use crate::http::{HttpRequest, HttpResponse};
use crate::model::{Action, ActionKind, ProviderRef, Vm};
use crate::time::Millis;

pub struct Zenno {
    #[allow(dead_code)]
    base: String,
    #[allow(dead_code)]
    credentials: Credentials,
}

impl Zenno {
    pub fn new(base: &str, credentials: Credentials) -> Self {
        Zenno {
            base: base.to_string(),
            credentials,
        }
    }
}

impl Dialect for Zenno {
    fn kind(&self) -> DialectKind {
        DialectKind::ZennoHosting
    }
    fn actions(&self) -> &'static [ActionKind] {
        &[]
    }
    fn allowed(&self, _vm: &Vm, _kind: ActionKind) -> Result<(), String> {
        Err("not yet".into())
    }
    fn list_request(&self, _cursor: Option<&str>) -> HttpRequest {
        HttpRequest::get(self.base.clone())
    }
    fn parse_list(
        &self,
        _c: Option<&str>,
        _r: &HttpResponse,
        _n: Millis,
    ) -> Result<VmPage, ApiError> {
        Err(ApiError::bad_response("list", "not yet"))
    }
    fn read_vm_request(&self, _id: &str, _c: Option<&str>) -> HttpRequest {
        HttpRequest::get(self.base.clone())
    }
    fn parse_read_vm(&self, _r: &HttpResponse, _n: Millis) -> Result<Vec<Vm>, ApiError> {
        Err(ApiError::bad_response("read", "not yet"))
    }
    fn action_request(&self, _vm: &Vm, _a: &Action) -> HttpRequest {
        HttpRequest::get(self.base.clone())
    }
    fn parse_accepted(
        &self,
        _vm: &Vm,
        _a: &Action,
        _r: &HttpResponse,
        _n: Millis,
    ) -> Result<Accepted, ApiError> {
        Err(ApiError::bad_response("accept", "not yet"))
    }
    fn observe_request(&self, _r: &ProviderRef) -> HttpRequest {
        HttpRequest::get(self.base.clone())
    }
    fn parse_observation(
        &self,
        _r: &ProviderRef,
        _resp: &HttpResponse,
        _n: Millis,
    ) -> Result<Observation, ApiError> {
        Err(ApiError::bad_response("observe", "not yet"))
    }
}
