//! Erigones users and authentication: `ES-API-KEY`, or `POST /accounts/login/` then
//! `Authorization: Token <token>` (1 h). Two users: `demo`, a DC admin, and `owner`, a VM owner
//! that sees and runs only its own VMs and gets `403` for what needs an admin (create, delete,
//! disk/NIC definitions, the template/image/network catalogues).

use serde_json::{json, Value};

use super::catalogue::DCS;
use super::{detail, Erigones, TOKEN_TTL_MS};
use crate::util::{iso, json_response, Ctx};
use crate::Response;

pub(super) struct User {
    pub name: &'static str,
    pub admin: bool,
    api_key: &'static str,
    password: &'static str,
    /// Also accepted as the login name.
    email: &'static str,
    /// Has SSH keys in its profile (a zone VM it owns cannot be deployed without).
    pub ssh_keys: bool,
}

pub(super) const USERS: [User; 2] = [
    User {
        name: "demo",
        admin: true,
        api_key: crate::DEMO_ES_API_KEY,
        password: crate::DEMO_PASSWORD,
        email: crate::DEMO_EMAIL,
        ssh_keys: true,
    },
    User {
        name: crate::OWNER_USERNAME,
        admin: false,
        api_key: crate::OWNER_ES_API_KEY,
        password: crate::OWNER_PASSWORD,
        email: "owner@vigil.test",
        ssh_keys: false,
    },
];

/// Who asks, and in which datacenter (`?dc=`, default `main`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Caller {
    pub user: usize,
    pub dc: usize,
}

impl Caller {
    pub fn admin(self) -> bool {
        USERS[self.user].admin
    }
}

impl Erigones {
    /// The caller of an authenticated request, or the `401`/`403`/`404` to answer.
    pub(super) fn authenticate(&self, ctx: &Ctx) -> Result<Caller, Response> {
        let key = crate::util::header(ctx.headers, "es-api-key");
        let by_key = key.and_then(|k| USERS.iter().position(|u| u.api_key == k));
        let user = if let Some(u) = by_key {
            u
        } else if let Some(tok) = crate::util::auth_token(ctx.headers, "token") {
            match self.tokens.iter().find(|(t, ..)| *t == tok) {
                Some((_, exp, user)) if *exp > ctx.now => *user,
                Some(_) => return Err(detail(401, "Token has expired.")),
                None => return Err(detail(401, "Invalid token.")),
            }
        } else if key.is_some() {
            return Err(detail(401, "Invalid API key."));
        } else {
            return Err(detail(401, "Authentication credentials were not provided."));
        };
        let dc = match ctx.q("dc").filter(|d| !d.is_empty()) {
            None => 0,
            Some(name) => DCS
                .iter()
                .position(|d| d.0 == name)
                .ok_or_else(|| detail(404, "Datacenter not found"))?,
        };
        if !USERS[user].admin && !DCS[dc].3 {
            return Err(detail(
                403,
                "You do not have permission to perform this action.",
            ));
        }
        Ok(Caller { user, dc })
    }

    pub(super) fn login(&mut self, ctx: &Ctx) -> Response {
        let (user, pass) = match ctx.body_json() {
            Ok(Value::Object(m)) => (
                m.get("username")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                m.get("password")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            ),
            _ => {
                let form = crate::util::parse_url(&format!("/?{}", ctx.body));
                let get = |k: &str| {
                    form.query
                        .iter()
                        .find(|(a, _)| a == k)
                        .map(|(_, v)| v.clone())
                };
                (get("username"), get("password"))
            }
        };
        let (Some(user), Some(pass)) = (user, pass) else {
            return json_response(
                400,
                &json!({"status": "FAILURE", "result": {"username": ["This field is required."], "password": ["This field is required."]}, "detail": "username and password are required"}),
            );
        };
        let Some(ui) = USERS.iter().position(|u| {
            (u.name == user || u.email.eq_ignore_ascii_case(&user)) && u.password == pass
        }) else {
            return detail(400, "Unable to log in with provided credentials.");
        };
        let token = self.ids.hex(40);
        let expires = ctx.now + TOKEN_TTL_MS;
        self.tokens.retain(|(_, e, _)| *e > ctx.now);
        self.tokens.push((token.clone(), expires, ui));
        json_response(
            200,
            &json!({"detail": "Welcome to Danube Cloud API.", "token": token, "expires": iso(expires)}),
        )
    }
}
