//! Who is calling: the identity an OAuth access token carries, as the MCP layer sees it. The
//! HTTP transport's OAuth layer checks the token and puts a [`Caller`] into the
//! request's extensions; the MCP layer reads it from there ([`signed_in`]) and knows nothing
//! of tokens or HTTP.

use std::collections::BTreeSet;

use rmcp::service::RequestContext;
use rmcp::RoleServer;

/// Lets a caller use the read tools, prompts and resources.
pub const READ_SCOPE: &str = "prefect:read";
/// Lets a caller use the write tools too (those not declared as reads).
pub const WRITE_SCOPE: &str = "prefect:write";
/// The prefix of a subject taken from a token's client id (no `sub`), so that a client named
/// like a person cannot act as that person.
pub const CLIENT_SUBJECT_PREFIX: &str = "client:";

/// Who is calling, as the access token says. In the HTTP request's extensions (which rmcp hands
/// to the handler inside `http::request::Parts`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The token's subject, else `client:` and its client id: the name that goes into logs and
    /// run labels, and the caller sessions and tasks belong to.
    pub subject: String,
    pub client_id: Option<String>,
    pub scopes: BTreeSet<String>,
}

impl Caller {
    pub fn may_write(&self) -> bool {
        self.scopes.contains(WRITE_SCOPE)
    }

    pub fn may_read(&self) -> bool {
        self.scopes.contains(READ_SCOPE) || self.may_write()
    }

    /// A caller from a token's claims; `None` without any name to hold it to.
    pub fn from_claims(
        sub: Option<String>,
        client_id: Option<String>,
        scopes: BTreeSet<String>,
    ) -> Option<Self> {
        let sub = sub.filter(|s| !s.is_empty());
        let client_id = client_id.filter(|s| !s.is_empty());
        Some(Caller {
            subject: sub.or_else(|| {
                client_id
                    .as_ref()
                    .map(|id| format!("{CLIENT_SUBJECT_PREFIX}{id}"))
            })?,
            client_id,
            scopes,
        })
    }
}

/// A value the HTTP transport put into a request's extensions for the MCP layer ([`Caller`],
/// [`super::credentials::RequestCredentials`]); `None` when it put none, or for a call that came
/// from no HTTP request. rmcp hands the HTTP request's parts to the handler in the request
/// context's extensions: this is the one place the MCP layer opens them.
pub fn from_transport<T: Send + Sync + 'static>(
    context: &RequestContext<RoleServer>,
) -> Option<&T> {
    http_parts(context).and_then(|parts| parts.extensions.get::<T>())
}

/// Whether a request came over HTTP (the transport handed its parts over).
pub fn over_http(context: &RequestContext<RoleServer>) -> bool {
    http_parts(context).is_some()
}

fn http_parts(context: &RequestContext<RoleServer>) -> Option<&axum::http::request::Parts> {
    context.extensions.get::<axum::http::request::Parts>()
}

/// The caller of a request, when the transport signed one in.
pub fn signed_in(context: &RequestContext<RoleServer>) -> Option<&Caller> {
    from_transport(context)
}
