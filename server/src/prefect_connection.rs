//! Where the server finds Prefect and how it authenticates.
//!
//! Precedence, as Prefect users expect: command-line flags, then environment variables
//! (`PREFECT_API_URL`, `PREFECT_API_KEY`, `PREFECT_API_AUTH_STRING`), then the active profile in
//! `$PREFECT_HOME/profiles.toml` (`PREFECT_PROFILE`, else the file's `active` key), then the
//! default local server.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use prefect_api::{Auth, DEFAULT_API_URL};

/// Everything needed to talk to Prefect. `Debug` never shows secrets (see [`Auth`]).
#[derive(Clone, Debug)]
pub struct PrefectConnection {
    pub api_url: String,
    pub auth: Auth,
    /// Where `api_url` came from, for the startup log line.
    pub api_url_source: &'static str,
    /// The profile consulted, if a profiles file was found.
    pub profile: Option<String>,
    pub timeout: Duration,
}

/// Requests to Prefect in flight at once by default. Prefect answers one server's requests no
/// faster with more (the bench's throughput is the same at 16 and 64 concurrent calls), and
/// each connection held open costs memory on both sides.
pub const DEFAULT_MAX_PREFECT_REQUESTS: u16 = 16;

/// Values given on the command line (each overrides the environment and the profile). `Debug`
/// never shows the key or the auth string.
#[derive(Clone, Default)]
pub struct Overrides {
    pub api_url: Option<String>,
    pub api_key: Option<String>,
    pub auth_string: Option<String>,
    pub profile: Option<String>,
    pub timeout: Option<Duration>,
}

impl std::fmt::Debug for Overrides {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |secret: &Option<String>| secret.as_ref().map(|_| "<redacted>");
        f.debug_struct("Overrides")
            .field("api_url", &self.api_url)
            .field("api_key", &redacted(&self.api_key))
            .field("auth_string", &redacted(&self.auth_string))
            .field("profile", &self.profile)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A configuration problem the user must fix before the server can start.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SettingsError(String);

/// The settings of one Prefect profile.
type Profile = BTreeMap<String, String>;

impl PrefectConnection {
    /// Resolve the configuration from flags, the process environment and the profiles file.
    pub fn load(overrides: Overrides) -> Result<Self, SettingsError> {
        Self::resolve(overrides, |name| std::env::var(name).ok())
    }

    /// Resolution with an injectable environment, for tests.
    pub fn resolve(
        overrides: Overrides,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        let env = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let home = env("PREFECT_HOME")
            .map(PathBuf::from)
            .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".prefect")));
        let wanted_profile = overrides.profile.clone().or_else(|| env("PREFECT_PROFILE"));
        let (profile_name, profile) = match home {
            Some(home) => load_profile(&home.join("profiles.toml"), wanted_profile.as_deref())?,
            None => (None, Profile::new()),
        };
        let from_profile = |key: &str| profile.get(key).cloned().filter(|v| !v.trim().is_empty());

        let (api_url, api_url_source) = if let Some(url) = overrides.api_url.clone() {
            (url, "--api-url")
        } else if let Some(url) = env("PREFECT_API_URL") {
            (url, "PREFECT_API_URL")
        } else if let Some(url) = from_profile("PREFECT_API_URL") {
            (url, "profile")
        } else {
            (DEFAULT_API_URL.to_string(), "default")
        };
        let pick = |flag: &Option<String>, key: &str| {
            flag.clone()
                .or_else(|| env(key))
                .or_else(|| from_profile(key))
        };
        let api_key = pick(&overrides.api_key, "PREFECT_API_KEY");
        let auth_string = pick(&overrides.auth_string, "PREFECT_API_AUTH_STRING");
        let auth = Auth::from_settings(api_key.as_deref(), auth_string.as_deref());

        let timeout = match overrides.timeout {
            Some(t) => t,
            None => match env("PREFECT_MCP_TIMEOUT_SECONDS") {
                Some(raw) => parse_timeout(&raw)?,
                None => Duration::from_secs(60),
            },
        };
        Ok(PrefectConnection {
            api_url: api_url.trim().to_string(),
            auth,
            api_url_source,
            profile: profile_name,
            timeout,
        })
    }
}

/// Seconds as a positive number (fractions allowed).
pub fn parse_timeout(raw: &str) -> Result<Duration, SettingsError> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            SettingsError(format!(
                "invalid timeout {raw:?}: expected a number of seconds between 0 and 86400, e.g. 30"
            ))
        })
}

/// Read the named (or active) profile from a profiles file. A missing file is no profile; a
/// broken file, or a named profile that is not in it, is an error worth stopping for.
fn load_profile(
    path: &std::path::Path,
    wanted: Option<&str>,
) -> Result<(Option<String>, Profile), SettingsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(_) if wanted.is_none() => return Ok((None, Profile::new())),
        Err(e) => {
            return Err(SettingsError(format!(
                "profile {:?} was asked for but {} cannot be read: {e}",
                wanted.unwrap_or_default(),
                path.display()
            )))
        }
    };
    let doc: toml::Table = text
        .parse()
        .map_err(|e| SettingsError(format!("{} is not valid TOML: {e}", path.display())))?;
    let active = doc.get("active").and_then(|v| v.as_str());
    let Some(name) = wanted.or(active) else {
        return Ok((None, Profile::new()));
    };
    let profiles = doc.get("profiles").and_then(|v| v.as_table());
    let Some(settings) = profiles
        .and_then(|p| p.get(name))
        .and_then(|v| v.as_table())
    else {
        let known: Vec<&str> = profiles
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        return Err(SettingsError(format!(
            "profile {name:?} is not in {} (profiles there: {})",
            path.display(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        )));
    };
    let values = settings
        .iter()
        .map(|(k, v)| {
            let value = match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), value)
        })
        .collect();
    Ok((Some(name.to_string()), values))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn profiles_home(contents: &str) -> tempdir::Dir {
        let dir = tempdir::Dir::new();
        std::fs::write(dir.path().join("profiles.toml"), contents).unwrap();
        dir
    }

    /// A tiny self-cleaning temporary directory (avoids a dependency for three tests).
    mod tempdir {
        pub struct Dir(std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let path = std::env::temp_dir().join(format!(
                    "prefect-mcp-config-{}-{}",
                    std::process::id(),
                    uuid::Uuid::new_v4()
                ));
                std::fs::create_dir_all(&path).unwrap();
                Dir(path)
            }
            pub fn path(&self) -> &std::path::Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    const PROFILES: &str = r#"
active = "cloud"
[profiles.cloud]
PREFECT_API_URL = "https://api.prefect.cloud/api/accounts/a/workspaces/w"
PREFECT_API_KEY = "pnu_profile_key"
[profiles.local]
PREFECT_API_URL = "http://127.0.0.1:4200/api"
"#;

    #[test]
    fn defaults_to_local_server_without_auth() {
        let config = PrefectConnection::resolve(Overrides::default(), env_of(&[])).unwrap();
        assert_eq!(config.api_url, DEFAULT_API_URL);
        assert_eq!(config.auth, Auth::None);
        assert_eq!(config.api_url_source, "default");
    }

    #[test]
    fn active_profile_is_used_when_env_is_unset() {
        let home = profiles_home(PROFILES);
        let home_str = home.path().to_str().unwrap();
        let config =
            PrefectConnection::resolve(Overrides::default(), env_of(&[("PREFECT_HOME", home_str)]))
                .unwrap();
        assert_eq!(config.profile.as_deref(), Some("cloud"));
        assert!(config.api_url.starts_with("https://api.prefect.cloud"));
        assert_eq!(config.auth, Auth::ApiKey("pnu_profile_key".into()));
    }

    #[test]
    fn env_beats_profile_and_flags_beat_env() {
        let home = profiles_home(PROFILES);
        let home_str = home.path().to_str().unwrap();
        let env = env_of(&[
            ("PREFECT_HOME", home_str),
            ("PREFECT_PROFILE", "local"),
            ("PREFECT_API_URL", "http://env:1/api"),
            ("PREFECT_API_AUTH_STRING", "admin:pw"),
        ]);
        let config = PrefectConnection::resolve(Overrides::default(), &env).unwrap();
        assert_eq!(config.api_url, "http://env:1/api");
        assert_eq!(config.profile.as_deref(), Some("local"));
        assert_eq!(config.auth, Auth::AuthString("admin:pw".into()));

        let flags = Overrides {
            api_url: Some("http://flag:2/api".into()),
            ..Default::default()
        };
        let config = PrefectConnection::resolve(flags, &env).unwrap();
        assert_eq!(config.api_url, "http://flag:2/api");
        assert_eq!(config.api_url_source, "--api-url");
    }

    #[test]
    fn unknown_profile_is_an_error_naming_the_known_ones() {
        let home = profiles_home(PROFILES);
        let home_str = home.path().to_str().unwrap();
        let err = PrefectConnection::resolve(
            Overrides::default(),
            env_of(&[("PREFECT_HOME", home_str), ("PREFECT_PROFILE", "nope")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("cloud, local"), "{err}");
    }

    #[test]
    fn debug_output_hides_the_key() {
        let config = PrefectConnection::resolve(
            Overrides::default(),
            env_of(&[("PREFECT_API_KEY", "pnu_secret")]),
        )
        .unwrap();
        assert!(!format!("{config:?}").contains("pnu_secret"));
        let flags = Overrides {
            api_key: Some("pnu_flag".into()),
            auth_string: Some("admin:pw".into()),
            ..Default::default()
        };
        let shown = format!("{flags:?}");
        assert!(
            !shown.contains("pnu_flag") && !shown.contains("admin:pw"),
            "{shown}"
        );
    }

    #[test]
    fn timeouts_must_be_positive_seconds() {
        assert_eq!(parse_timeout("2.5").unwrap(), Duration::from_millis(2500));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("soon").is_err());
    }
}
