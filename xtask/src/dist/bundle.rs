//! The MCP bundle (`.mcpb`) for Claude Desktop: `dist/manifest.template.json` completed with the
//! version, the launch command, the tool list and the platform, validated and packed by the
//! official `mcpb` CLI together with the binary. One bundle holds one platform's binary; a
//! bundle for another platform's binary (the release workflow's Windows one) is packed from the
//! host's manifest (`cargo xtask dist bundle`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

use super::platform::Platform;
use super::toolchain::Tools;
use super::BINARY;

/// Where the binary sits inside the bundle.
pub fn entry_point(platform: &Platform) -> String {
    format!("server/{BINARY}{}", platform.exe_suffix())
}

/// The complete manifest for this version, tool list and platform.
pub fn manifest(version: &str, tools: &[Value], platform: &Platform) -> Result<Value> {
    let template = crate::workspace_root().join("dist/manifest.template.json");
    let mut manifest = super::read_json(&template)?;
    manifest["version"] = json!(version);
    let entry_point = entry_point(platform);
    manifest["server"]["entry_point"] = json!(entry_point);
    manifest["server"]["mcp_config"]["command"] = json!(format!("${{__dirname}}/{entry_point}"));
    manifest["tools"] = tools
        .iter()
        .map(|tool| json!({ "name": tool["name"], "description": tool["description"] }))
        .collect();
    // The bundle carries one native binary: it runs on that platform only. Hosts read
    // `compatibility.platforms`; people read the platform in the file name and in `_meta`.
    manifest["compatibility"]["platforms"] = json!([platform.bundle_os()]);
    manifest["_meta"] = json!({ "io.github.prefect-mcp": { "target": platform.triple() } });
    Ok(manifest)
}

/// The platform a manifest was completed for (its `_meta` target).
pub fn manifest_platform(manifest: &Value) -> Result<Platform> {
    manifest["_meta"]["io.github.prefect-mcp"]["target"]
        .as_str()
        .map(Platform::new)
        .context("the manifest names no target (_meta.\"io.github.prefect-mcp\".target)")
}

/// The bundle's file name: the platform is in it, as one bundle serves one platform.
pub fn file_name(manifest: &Value, platform: &Platform) -> String {
    format!(
        "{}-{}-{}-{}.mcpb",
        manifest["name"].as_str().unwrap_or("bundle"),
        manifest["version"].as_str().unwrap_or("0"),
        platform.bundle_os(),
        platform.arch()
    )
}

/// `mcpb validate` and `mcpb pack` of the manifest and the binary; the bundle's path.
pub fn pack(
    tools: &Tools,
    manifest: &Value,
    platform: &Platform,
    binary: &Path,
    out: &Path,
) -> Result<PathBuf> {
    let stage = out.join("bundle-stage");
    if stage.exists() {
        fs::remove_dir_all(&stage)?;
    }
    fs::create_dir_all(stage.join("server"))?;
    let manifest_path = stage.join("manifest.json");
    super::write_json(&manifest_path, manifest)?;
    // fs::copy keeps the executable bit, which `mcpb pack` records in the archive.
    super::copy(binary, &stage.join(entry_point(platform)))?;

    validate(tools, &manifest_path)?;
    let bundle = out.join(file_name(manifest, platform));
    let packed = tools
        .mcpb()
        .arg("pack")
        .arg(&stage)
        .arg(&bundle)
        .stdin(Stdio::null())
        .output()
        .context("running mcpb pack")?;
    if !packed.status.success() || !bundle.is_file() {
        bail!(
            "mcpb pack failed ({}):\n{}{}",
            packed.status,
            String::from_utf8_lossy(&packed.stdout),
            String::from_utf8_lossy(&packed.stderr)
        );
    }
    fs::remove_dir_all(&stage).with_context(|| format!("removing {}", stage.display()))?;
    Ok(bundle)
}

/// `mcpb validate <manifest>`: fails with the CLI's own explanation.
pub fn validate(tools: &Tools, manifest: &Path) -> Result<()> {
    let output = tools
        .mcpb()
        .arg("validate")
        .arg(manifest)
        .stdin(Stdio::null())
        .output()
        .context("running mcpb validate")?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if !output.status.success() {
        bail!("mcpb validate {} failed:\n{said}", manifest.display());
    }
    Ok(())
}

/// The environment the manifest's `mcp_config` gives the server, with `${user_config.KEY}`
/// replaced by `values[KEY]` (booleans as "true"/"false"; a value not given and without a default
/// becomes "", as the host leaves an optional field empty), and the command with `${__dirname}`
/// replaced by the unpacked bundle's directory: what Claude Desktop launches.
pub fn launch(
    manifest: &Value,
    dir: &Path,
    values: &Value,
) -> Result<(String, Vec<String>, Value)> {
    let config = &manifest["server"]["mcp_config"];
    let dirname = dir.to_string_lossy();
    let substitute = |text: &str| -> Result<String> {
        let mut result = text.replace("${__dirname}", &dirname);
        while let Some(start) = result.find("${user_config.") {
            let end = result[start..]
                .find('}')
                .map(|i| start + i)
                .with_context(|| format!("unterminated ${{user_config.…}} in {text:?}"))?;
            let key = &result[start + "${user_config.".len()..end];
            let declared = &manifest["user_config"][key];
            if declared.is_null() {
                bail!("{text:?} names user_config.{key}, which the manifest does not declare");
            }
            let value = match values.get(key).unwrap_or(&declared["default"]) {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            result.replace_range(start..=end, &value);
        }
        Ok(result)
    };
    let command = substitute(
        config["command"]
            .as_str()
            .context("mcp_config has no command")?,
    )?;
    let args = config["args"]
        .as_array()
        .map(|args| {
            args.iter()
                .filter_map(Value::as_str)
                .map(&substitute)
                .collect()
        })
        .transpose()?
        .unwrap_or_default();
    let mut env = serde_json::Map::new();
    for (name, value) in config["env"].as_object().into_iter().flatten() {
        let value = value
            .as_str()
            .with_context(|| format!("env {name} is not a string"))?;
        env.insert(name.clone(), json!(substitute(value)?));
    }
    Ok((command, args, Value::Object(env)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        json!({
            "server": { "mcp_config": {
                "command": "${__dirname}/server/x",
                "args": ["--flag"],
                "env": {
                    "URL": "${user_config.url}",
                    "KEY": "${user_config.key}",
                    "RO": "${user_config.read_only}",
                }
            }},
            "user_config": {
                "url": { "type": "string", "default": "http://default/api" },
                "key": { "type": "string", "sensitive": true },
                "read_only": { "type": "boolean", "default": false },
            }
        })
    }

    #[test]
    fn launch_substitutes_dirname_values_and_defaults() {
        let (command, args, env) = launch(
            &sample(),
            Path::new("/tmp/b"),
            &json!({ "url": "http://127.0.0.1:1/api", "read_only": true }),
        )
        .unwrap();
        assert_eq!(command, "/tmp/b/server/x");
        assert_eq!(args, ["--flag"]);
        assert_eq!(
            env,
            json!({ "URL": "http://127.0.0.1:1/api", "KEY": "", "RO": "true" })
        );
        let (_, _, env) = launch(&sample(), Path::new("/b"), &json!({})).unwrap();
        assert_eq!(env["URL"], "http://default/api");
        assert_eq!(env["RO"], "false");
    }

    #[test]
    fn launch_rejects_an_undeclared_user_config_key() {
        let mut manifest = sample();
        manifest["server"]["mcp_config"]["env"]["X"] = json!("${user_config.nope}");
        let error = launch(&manifest, Path::new("/b"), &json!({})).unwrap_err();
        assert!(error.to_string().contains("user_config.nope"), "{error}");
    }

    #[test]
    fn manifest_is_completed_from_the_template() {
        let tools =
            [json!({ "name": "list_flows", "description": "List flows.", "inputSchema": {} })];
        let windows = Platform::new("x86_64-pc-windows-msvc");
        let manifest = manifest("9.8.7", &tools, &windows).unwrap();
        assert_eq!(manifest["version"], "9.8.7");
        assert_eq!(
            manifest["tools"],
            json!([{ "name": "list_flows", "description": "List flows." }])
        );
        assert_eq!(
            manifest["server"]["mcp_config"]["command"],
            "${__dirname}/server/prefect-mcp-server.exe"
        );
        assert_eq!(manifest["compatibility"]["platforms"], json!(["win32"]));
        assert_eq!(manifest_platform(&manifest).unwrap(), windows);
        assert_eq!(
            file_name(&manifest, &windows),
            "prefect-mcp-9.8.7-win32-x86_64.mcpb"
        );
    }
}
