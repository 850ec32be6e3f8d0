//! `server.json` for the MCP registry: `dist/server.template.json` (name, description,
//! repository) plus one package per artifact: the PyPI distribution (pip picks the platform's
//! wheel) and each platform's bundle. Their environment
//! variables are derived from the bundle manifest's `env` and `user_config`, so the registry and
//! Claude Desktop describe the same settings.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub fn server_json(
    version: &str,
    distribution: &str,
    manifest: &Value,
    bundles: &[PathBuf],
) -> Result<Value> {
    if bundles.is_empty() {
        bail!("server.json needs at least one bundle");
    }
    let template = crate::workspace_root().join("dist/server.template.json");
    let mut server = super::read_json(&template)?;
    server["version"] = json!(version);
    let environment = environment_variables(manifest)?;
    let stdio = json!({ "type": "stdio" });
    let mut packages = vec![json!({
        "registryType": "pypi",
        "registryBaseUrl": "https://pypi.org",
        "identifier": distribution,
        "version": version,
        "runtimeHint": "uvx",
        "transport": stdio,
        "environmentVariables": environment,
    })];
    for bundle in bundles {
        packages.push(json!({
            "registryType": "mcpb",
            "identifier": release_url(&server, version, bundle)?,
            "version": version,
            "fileSha256": sha256_hex(bundle)?,
            "transport": stdio,
            "environmentVariables": environment,
        }));
    }
    server["packages"] = json!(packages);
    Ok(server)
}

/// The bundle's download URL as a release asset of the repository (the registry accepts only
/// GitHub and GitLab release assets for bundles).
fn release_url(server: &Value, version: &str, bundle: &Path) -> Result<String> {
    let repository = server["repository"]["url"]
        .as_str()
        .context("dist/server.template.json has no repository.url")?;
    Ok(format!(
        "{}/releases/download/v{version}/{}",
        repository.trim_end_matches('/'),
        super::file_name(bundle)
    ))
}

/// One registry `environmentVariables` entry per manifest `env` entry that takes a user_config
/// value: description, required, secret (the manifest's `sensitive`), default and format.
pub fn environment_variables(manifest: &Value) -> Result<Vec<Value>> {
    let env = manifest["server"]["mcp_config"]["env"]
        .as_object()
        .context("the manifest has no server.mcp_config.env")?;
    let mut variables = Vec::new();
    for (name, value) in env {
        let value = value.as_str().unwrap_or_default();
        let Some(key) = value
            .strip_prefix("${user_config.")
            .and_then(|rest| rest.strip_suffix('}'))
        else {
            bail!("env {name} = {value:?}: expected exactly ${{user_config.<key>}}");
        };
        let config = &manifest["user_config"][key];
        if !config.is_object() {
            bail!("env {name} names user_config.{key}, which the manifest does not declare");
        }
        let mut variable = json!({
            "name": name,
            "description": config["description"],
            "isRequired": config["required"].as_bool().unwrap_or(false),
            "isSecret": config["sensitive"].as_bool().unwrap_or(false),
        });
        if config["type"] == "boolean" {
            variable["format"] = json!("boolean");
        }
        match &config["default"] {
            Value::Null => {}
            Value::String(s) => variable["default"] = json!(s),
            other => variable["default"] = json!(other.to_string()),
        }
        variables.push(variable);
    }
    Ok(variables)
}

pub fn sha256_hex(path: &Path) -> Result<String> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_follows_the_manifest() {
        let manifest = json!({
            "server": { "mcp_config": { "env": {
                "PREFECT_API_KEY": "${user_config.api_key}",
                "PREFECT_MCP_READ_ONLY": "${user_config.read_only}",
            }}},
            "user_config": {
                "api_key": { "type": "string", "description": "Key.", "sensitive": true },
                "read_only": { "type": "boolean", "description": "RO.", "default": false },
            }
        });
        let variables = environment_variables(&manifest).unwrap();
        assert_eq!(
            variables,
            [
                json!({ "name": "PREFECT_API_KEY", "description": "Key.", "isRequired": false, "isSecret": true }),
                json!({ "name": "PREFECT_MCP_READ_ONLY", "description": "RO.", "isRequired": false,
                        "isSecret": false, "format": "boolean", "default": "false" }),
            ]
        );
    }

    #[test]
    fn a_fixed_env_value_is_refused() {
        let manifest = json!({ "server": { "mcp_config": { "env": { "X": "1" } } } });
        assert!(environment_variables(&manifest).is_err());
    }
}
