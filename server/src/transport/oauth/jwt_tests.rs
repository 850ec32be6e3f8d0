//! JWT validation against an issuer served by mockito, with an ES256 key made for each test.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

use super::*;
use crate::errors::oauth::IssuerError;

const AUDIENCE: &str = "https://mcp.example.com/mcp";

pub(crate) struct Signer {
    kid: String,
    key: EncodingKey,
    pub(crate) jwk: Value,
}

impl Signer {
    pub(crate) fn new(kid: &str) -> Self {
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
                .unwrap();
        let pair =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap();
        // An uncompressed point: 0x04, then x and y.
        let point = pair.public_key().as_ref();
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        Signer {
            kid: kid.into(),
            key: EncodingKey::from_ec_der(pkcs8.as_ref()),
            jwk: json!({"kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": kid,
                        "x": b64(&point[1..33]), "y": b64(&point[33..65])}),
        }
    }

    fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("at+jwt".into());
        header.kid = Some(self.kid.clone());
        encode(&header, claims, &self.key).unwrap()
    }
}

fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

fn claims(issuer: &str) -> Value {
    json!({"iss": issuer, "aud": AUDIENCE, "sub": "alice", "client_id": "cli",
           "scope": "prefect:read", "exp": now() + 300, "iat": now()})
}

/// An issuer at a mockito server publishing `keys` (RFC 8414 metadata and a JWKS); the JWKS
/// mock, expecting `fetches` requests.
async fn issuer_with(
    server: &mut mockito::ServerGuard,
    keys: Vec<Value>,
    fetches: usize,
) -> (Issuer, mockito::Mock) {
    let url = server.url();
    server
        .mock("GET", "/.well-known/oauth-authorization-server")
        .with_body(json!({"issuer": url, "jwks_uri": format!("{url}/jwks")}).to_string())
        .create_async()
        .await;
    let jwks = server
        .mock("GET", "/jwks")
        .with_body(json!({"keys": keys}).to_string())
        .expect(fetches)
        .create_async()
        .await;
    (Issuer::new(&url).unwrap(), jwks)
}

/// Make the cached keys look fetched `seconds` ago.
async fn age_keys(issuer: &Issuer, seconds: u64) {
    issuer.keys_for_tests().fetched_at =
        Some(std::time::Instant::now() - std::time::Duration::from_secs(seconds));
}

fn refusal(result: Result<Caller, Refusal>) -> TokenError {
    match result {
        Err(Refusal::Token(error)) => error,
        other => panic!("expected a token refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_good_token_names_its_caller_and_scopes() {
    let mut server = mockito::Server::new_async().await;
    let signer = Signer::new("k1");
    let (issuer, _) = issuer_with(&mut server, vec![signer.jwk.clone()], 1).await;
    let token = signer.sign(&claims(&issuer.issuer));
    assert!(looks_like_jwt(&token));
    let caller = validate(&token, &issuer, AUDIENCE).await.unwrap();
    assert_eq!(caller.subject, "alice");
    assert_eq!(caller.client_id.as_deref(), Some("cli"));
    assert!(caller.may_read() && !caller.may_write());
}

#[tokio::test]
async fn audience_issuer_expiry_and_signature_are_enforced() {
    let mut server = mockito::Server::new_async().await;
    let signer = Signer::new("k1");
    let (issuer, _) = issuer_with(&mut server, vec![signer.jwk.clone()], 1).await;
    let base = claims(&issuer.issuer);
    let with = |key: &str, value: Value| {
        let mut c = base.clone();
        c[key] = value;
        signer.sign(&c)
    };
    let check = |token: String| validate_owned(token, &issuer);
    assert!(matches!(
        refusal(check(with("aud", json!("https://other.example.com/mcp"))).await),
        TokenError::Audience { .. }
    ));
    assert!(matches!(
        refusal(check(with("iss", json!("https://evil.example.com"))).await),
        TokenError::Issuer { .. }
    ));
    assert!(matches!(
        refusal(check(with("exp", json!(now() - 120))).await),
        TokenError::Expired
    ));
    assert!(matches!(
        refusal(check(with("nbf", json!(now() + 600))).await),
        TokenError::NotYetValid
    ));
    // Within the leeway, a token that just expired still passes.
    assert!(check(with("exp", json!(now() - 5))).await.is_ok());
    let good = signer.sign(&base);
    let (head, signature) = good.rsplit_once('.').unwrap();
    let flipped: String = signature.chars().rev().collect();
    assert!(matches!(
        refusal(check(format!("{head}.{flipped}")).await),
        TokenError::Signature | TokenError::Malformed { .. }
    ));
    // A token signed by a key the issuer never published.
    let stranger = Signer::new("k1");
    assert!(matches!(
        refusal(check(stranger.sign(&base)).await),
        TokenError::Signature
    ));
}

async fn validate_owned(token: String, issuer: &Issuer) -> Result<Caller, Refusal> {
    validate(&token, issuer, AUDIENCE).await
}

#[tokio::test]
async fn unsigned_hmac_and_foreign_typed_tokens_are_refused_before_any_key() {
    let mut server = mockito::Server::new_async().await;
    let signer = Signer::new("k1");
    let (issuer, jwks) = issuer_with(&mut server, vec![signer.jwk.clone()], 0).await;
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let payload = b64(claims(&issuer.issuer));
    let none = format!(
        "{}.{payload}.",
        b64(json!({"alg": "none", "typ": "at+jwt"}))
    );
    assert!(matches!(
        refusal(validate(&none, &issuer, AUDIENCE).await),
        TokenError::Algorithm { found } if found == "none"
    ));
    // HMAC keyed with the issuer's public key (the classic confusion) never gets as far.
    let hmac = format!(
        "{}.{payload}.c2ln",
        b64(json!({"alg": "HS256", "kid": "k1"}))
    );
    assert!(matches!(
        refusal(validate(&hmac, &issuer, AUDIENCE).await),
        TokenError::Algorithm { .. }
    ));
    let id_token = format!(
        "{}.{payload}.c2ln",
        b64(json!({"alg": "ES256", "typ": "dpop+jwt"}))
    );
    assert!(matches!(
        refusal(validate(&id_token, &issuer, AUDIENCE).await),
        TokenError::Type { .. }
    ));
    assert!(!looks_like_jwt(
        "26C_x73vngn1HepOR8uL7n7uGYn7hFdTzq3coBlaXXq"
    ));
    jwks.assert_async().await;
}

#[tokio::test]
async fn an_unknown_key_fetches_the_keys_again_but_not_on_every_token() {
    let mut server = mockito::Server::new_async().await;
    let old = Signer::new("old");
    let (issuer, first) = issuer_with(&mut server, vec![old.jwk.clone()], 1).await;
    assert!(
        validate(&old.sign(&claims(&issuer.issuer)), &issuer, AUDIENCE)
            .await
            .is_ok()
    );
    first.assert_async().await;
    first.remove_async().await;

    // The issuer rotates to a new key.
    let new = Signer::new("new");
    let second = server
        .mock("GET", "/jwks")
        .with_body(json!({"keys": [new.jwk.clone()]}).to_string())
        .expect(1)
        .create_async()
        .await;
    // Too soon after the last fetch: the unknown key is not looked up again.
    assert!(matches!(
        refusal(validate(&new.sign(&claims(&issuer.issuer)), &issuer, AUDIENCE).await),
        TokenError::UnknownKey { .. }
    ));
    age_keys(&issuer, 11).await;
    let caller = validate(&new.sign(&claims(&issuer.issuer)), &issuer, AUDIENCE)
        .await
        .unwrap();
    assert_eq!(caller.subject, "alice");
    second.assert_async().await;
}

#[tokio::test]
async fn openid_discovery_is_the_fallback_and_the_issuer_must_match() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("GET", "/.well-known/oauth-authorization-server")
        .with_status(404)
        .create_async()
        .await;
    server
        .mock("GET", "/.well-known/openid-configuration")
        .with_body(
            json!({"issuer": url, "jwks_uri": format!("{url}/jwks"),
                          "introspection_endpoint": format!("{url}/introspect")})
            .to_string(),
        )
        .create_async()
        .await;
    let metadata = Issuer::new(&url).unwrap().metadata().await.unwrap();
    assert_eq!(
        metadata.introspection_endpoint,
        Some(format!("{url}/introspect"))
    );

    let mut other = mockito::Server::new_async().await;
    other
        .mock("GET", "/.well-known/oauth-authorization-server")
        .with_body(json!({"issuer": "https://impostor.example.com"}).to_string())
        .create_async()
        .await;
    let error = Issuer::new(&other.url())
        .unwrap()
        .metadata()
        .await
        .unwrap_err();
    assert!(error.to_string().contains("impostor"), "{error}");
}

#[tokio::test]
async fn a_key_set_outage_keeps_the_last_good_keys() {
    let mut server = mockito::Server::new_async().await;
    let signer = Signer::new("k1");
    let (issuer, good) = issuer_with(&mut server, vec![signer.jwk.clone()], 1).await;
    let token = signer.sign(&claims(&issuer.issuer));
    assert!(validate(&token, &issuer, AUDIENCE).await.is_ok());
    good.assert_async().await;
    good.remove_async().await;
    let outage = server
        .mock("GET", "/jwks")
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    age_keys(&issuer, 7200).await;
    // Stale keys, a failed refresh: the token still verifies, and the issuer is not asked
    // again on every token while it is down.
    for _ in 0..3 {
        assert!(validate(&token, &issuer, AUDIENCE).await.is_ok());
    }
    outage.assert_async().await;
}

#[tokio::test]
async fn only_access_token_types_pass_and_an_absent_typ_is_tolerated() {
    let mut server = mockito::Server::new_async().await;
    let signer = Signer::new("k1");
    let (issuer, _jwks) = issuer_with(&mut server, vec![signer.jwk.clone()], 1).await;
    let with_typ = |typ: Option<&str>| {
        let mut header = Header::new(Algorithm::ES256);
        header.typ = typ.map(String::from);
        header.kid = Some(signer.kid.clone());
        encode(&header, &claims(&issuer.issuer), &signer.key).unwrap()
    };
    for typ in [Some("at+jwt"), Some("application/AT+JWT"), None] {
        assert!(
            validate(&with_typ(typ), &issuer, AUDIENCE).await.is_ok(),
            "{typ:?}"
        );
    }
    assert!(matches!(
        refusal(validate(&with_typ(Some("JWT")), &issuer, AUDIENCE).await),
        TokenError::Type { .. }
    ));
}

#[tokio::test]
async fn oversized_answers_and_redirects_elsewhere_are_refused() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("GET", "/.well-known/oauth-authorization-server")
        .with_body(json!({"issuer": url, "jwks_uri": format!("{url}/jwks")}).to_string())
        .create_async()
        .await;
    let huge = format!(
        "{{\"keys\": [], \"pad\": \"{}\"}}",
        "x".repeat(super::super::discovery::MAX_ANSWER_BYTES)
    );
    server
        .mock("GET", "/jwks")
        .with_body(huge)
        .create_async()
        .await;
    let issuer = Issuer::new(&url).unwrap();
    let error = issuer.key(Some("k1"), Algorithm::ES256).await.err();
    assert!(
        matches!(error, Some(IssuerError::TooLarge { .. })),
        "{error:?}"
    );

    let mut elsewhere = mockito::Server::new_async().await;
    let target = elsewhere
        .mock("GET", "/.well-known/oauth-authorization-server")
        .with_body(json!({"issuer": "x"}).to_string())
        .expect(0)
        .create_async()
        .await;
    let mut redirecting = mockito::Server::new_async().await;
    redirecting
        .mock("GET", "/.well-known/oauth-authorization-server")
        .with_status(302)
        .with_header(
            "location",
            &format!("{}/.well-known/oauth-authorization-server", elsewhere.url()),
        )
        .create_async()
        .await;
    let error = Issuer::new(&redirecting.url())
        .unwrap()
        .metadata()
        .await
        .unwrap_err();
    assert!(matches!(error, IssuerError::Status { .. }), "{error:?}");
    target.assert_async().await;
}

#[tokio::test]
async fn what_a_refused_token_makes_the_server_write_is_small_whatever_it_holds() {
    let mut server = mockito::Server::new_async().await;
    let (issuer, _jwks) = issuer_with(&mut server, vec![Signer::new("k1").jwk], 0).await;
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let huge = "A".repeat(200 * 1024);
    for header in [
        json!({"alg": huge}),
        json!({"alg": "ES256", "typ": huge}),
        json!({"alg": "ES256", "kid": huge}),
    ] {
        let token = format!("{}.{}.c2ln", b64(header), b64(claims(&issuer.issuer)));
        let refused = validate(&token, &issuer, AUDIENCE).await.unwrap_err();
        let written = refused.to_string();
        assert!(
            written.len() < 400,
            "{} bytes: {written:.100}",
            written.len()
        );
    }
}
