//! How a request authenticates: the `Authorization` header, never shown in logs.

use reqwest::header::HeaderValue;

use crate::PrefectError;

/// How a request authenticates.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// No `Authorization` header: a local server without auth.
    #[default]
    None,
    /// `Authorization: Bearer <key>`: Prefect Cloud and servers behind a key-checking proxy.
    ApiKey(String),
    /// `Authorization: Basic base64(<user:pass>)`: a server started with
    /// `PREFECT_SERVER_API_AUTH_STRING`.
    AuthString(String),
}

impl Auth {
    /// Prefect's own precedence: an auth string wins over an API key. Empty values count as unset.
    pub fn from_settings(api_key: Option<&str>, auth_string: Option<&str>) -> Self {
        let set = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        match (set(auth_string), set(api_key)) {
            (Some(auth_string), _) => Auth::AuthString(auth_string),
            (None, Some(key)) => Auth::ApiKey(key),
            (None, None) => Auth::None,
        }
    }

    /// A name for logs and messages that never includes the secret.
    pub fn kind(&self) -> &'static str {
        match self {
            Auth::None => "none",
            Auth::ApiKey(_) => "api key (Bearer)",
            Auth::AuthString(_) => "auth string (Basic)",
        }
    }

    pub(super) fn header_value(&self) -> Result<Option<HeaderValue>, PrefectError> {
        let raw = match self {
            Auth::None => return Ok(None),
            Auth::ApiKey(key) => format!("Bearer {key}"),
            Auth::AuthString(user_pass) => format!("Basic {}", base64_encode(user_pass.as_bytes())),
        };
        let mut value = HeaderValue::from_str(&raw).map_err(|_| PrefectError::InvalidConfig {
            message: format!(
                "the {} contains characters that cannot be sent in an HTTP header",
                self.kind()
            ),
        })?;
        // Keeps the value out of reqwest's and hyper's Debug output.
        value.set_sensitive(true);
        Ok(Some(value))
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Auth::AuthString(_) => f.write_str("AuthString(<redacted>)"),
        }
    }
}

/// Standard base64 (RFC 4648, with padding), for the Basic auth header; small enough not to
/// warrant a dependency.
fn base64_encode(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("admin:pass", "YWRtaW46cGFzcw=="),
        ] {
            assert_eq!(base64_encode(input.as_bytes()), expected);
        }
    }

    #[test]
    fn auth_string_wins_over_api_key_and_empty_values_are_unset() {
        assert_eq!(
            Auth::from_settings(Some("key"), Some("u:p")),
            Auth::AuthString("u:p".into())
        );
        assert_eq!(
            Auth::from_settings(Some("key"), Some(" ")),
            Auth::ApiKey("key".into())
        );
        assert_eq!(Auth::from_settings(Some(""), None), Auth::None);
    }
}
