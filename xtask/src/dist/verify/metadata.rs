//! The checks that read the artifacts rather than run a session through them: one version and
//! platform everywhere, server.json against the registry's rules, the bundled manifest, the
//! wheel's manylinux policy (auditwheel), the static binary, and actionlint on the release
//! workflow.

use std::fs;
use std::process::Command;

use anyhow::{anyhow, ensure, Context, Result};
use serde_json::{json, Value};

use super::{Checks, SECRET_VARIABLES};
use crate::dist::{self, bundle, registry, release, wheel, BINARY};

impl Checks<'_> {
    pub(super) fn one_version(&self) -> Result<String> {
        let a = self.artifacts;
        let v = &a.version;
        let wheel = dist::file_name(&a.wheel);
        let wheel_version = wheel.split('-').nth(1).unwrap_or_default();
        ensure!(
            wheel_version == v,
            "the wheel {wheel} has version {wheel_version}, Cargo {v}"
        );
        let printed = super::output(Command::new(&a.binary).arg("--version"))?;
        let expected = self.expected_version();
        ensure!(
            printed.trim() == expected,
            "`{BINARY} --version` printed {printed:?}, expected {expected:?}"
        );
        let manifest = dist::read_json(&a.manifest)?;
        ensure!(
            manifest["version"] == json!(v),
            "manifest.json version {}",
            manifest["version"]
        );
        let server = dist::read_json(&a.server_json)?;
        ensure!(
            server["version"] == json!(v),
            "server.json version {}",
            server["version"]
        );
        for package in server["packages"].as_array().into_iter().flatten() {
            ensure!(
                package["version"] == json!(v),
                "server.json's {} package has version {}",
                package["registryType"],
                package["version"]
            );
        }
        ensure!(
            bundle::manifest_platform(&manifest)? == a.platform,
            "manifest.json names another platform than {}",
            a.platform.triple()
        );
        Ok(format!(
            "{v} in Cargo.toml, --version, the wheel, manifest.json, server.json; \
             platform {} in --version and manifest.json",
            a.platform.triple()
        ))
    }

    pub(super) fn server_json(&self) -> Result<String> {
        let a = self.artifacts;
        let server = dist::read_json(&a.server_json)?;
        let name = server["name"].as_str().context("no name")?;
        let (namespace, short) = name.split_once('/').context("name has no '/'")?;
        let allowed = |s: &str, extra: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
        };
        ensure!(
            allowed(namespace, ".-") && allowed(short, "._-") && namespace.contains('.'),
            "name {name:?} is not reverse-DNS namespace/name"
        );
        let description = server["description"].as_str().context("no description")?;
        ensure!(
            (1..=100).contains(&description.chars().count()),
            "the description has {} characters (1 to 100 allowed)",
            description.chars().count()
        );
        ensure!(server["$schema"].is_string(), "no $schema");
        ensure!(server["repository"]["url"].is_string(), "no repository.url");

        let packages = server["packages"].as_array().context("no packages")?;
        let of_type = |t: &str| {
            packages
                .iter()
                .find(|p| p["registryType"] == t)
                .ok_or_else(|| anyhow!("no {t} package"))
        };
        let pypi = of_type("pypi")?;
        ensure!(
            pypi["identifier"] == json!(a.distribution),
            "the pypi package is {}, pyproject.toml says {}",
            pypi["identifier"],
            a.distribution
        );
        let mcpb = of_type("mcpb")?;
        let url = mcpb["identifier"].as_str().unwrap_or_default();
        let bundle_name = dist::file_name(&a.bundle);
        ensure!(
            url.starts_with("https://github.com/") && url.ends_with(&format!("/{bundle_name}")),
            "the mcpb identifier {url:?} is not a GitHub release URL of {bundle_name}"
        );
        let sha = registry::sha256_hex(&a.bundle)?;
        ensure!(
            mcpb["fileSha256"] == json!(sha),
            "fileSha256 is not the bundle's ({sha})"
        );

        let manifest = dist::read_json(&a.manifest)?;
        let manifest_env: Vec<&String> = manifest["server"]["mcp_config"]["env"]
            .as_object()
            .context("manifest.json has no env")?
            .keys()
            .collect();
        for package in packages {
            ensure!(
                package["transport"]["type"] == "stdio",
                "a package's transport is not stdio"
            );
            let variables = package["environmentVariables"]
                .as_array()
                .context("no environmentVariables")?;
            let names: Vec<&str> = variables
                .iter()
                .filter_map(|v| v["name"].as_str())
                .collect();
            ensure!(
                names
                    .iter()
                    .copied()
                    .eq(manifest_env.iter().map(|s| s.as_str())),
                "environment variables {names:?} differ from manifest.json's env {manifest_env:?}"
            );
            for variable in variables {
                let secret =
                    SECRET_VARIABLES.contains(&variable["name"].as_str().unwrap_or_default());
                ensure!(
                    variable["isSecret"] == json!(secret),
                    "{} has isSecret {}",
                    variable["name"],
                    variable["isSecret"]
                );
            }
        }

        // The registry ties the image and the PyPI package to this name.
        let root = crate::workspace_root();
        let containerfile = fs::read_to_string(root.join("dist/Containerfile"))?;
        let label = format!("io.modelcontextprotocol.server.name=\"{name}\"");
        ensure!(
            containerfile.contains(&label),
            "dist/Containerfile lacks the label {label}"
        );
        let readme = fs::read_to_string(root.join("README.md"))?;
        ensure!(
            readme.contains(&format!("mcp-name: {name}")),
            "README.md (the wheel's description) lacks \"mcp-name: {name}\""
        );
        Ok(format!("{name}; sha256 {}…", &sha[..12]))
    }

    pub(super) fn bundle_manifest(&self) -> Result<String> {
        let a = self.artifacts;
        let dir = self.unpacked_bundle()?;
        let manifest_path = dir.join("manifest.json");
        bundle::validate(self.tools, &manifest_path)?;
        let manifest = dist::read_json(&manifest_path)?;
        ensure!(
            manifest == dist::read_json(&a.manifest)?,
            "the bundled manifest.json differs from target/dist/manifest.json"
        );
        let listed: Vec<&Value> = manifest["tools"]
            .as_array()
            .context("no tools")?
            .iter()
            .collect();
        let names = |tools: &mut dyn Iterator<Item = &Value>| -> Vec<String> {
            tools
                .filter_map(|t| t["name"].as_str().map(str::to_owned))
                .collect()
        };
        ensure!(
            names(&mut listed.iter().copied()) == names(&mut a.tools.iter()),
            "the manifest's tools differ from `{BINARY} tools`"
        );
        for (key, kind, sensitive) in [
            ("api_url", "string", false),
            ("api_key", "string", true),
            ("auth_string", "string", true),
            ("read_only", "boolean", false),
        ] {
            let config = &manifest["user_config"][key];
            ensure!(config["type"] == kind, "user_config.{key} is not a {kind}");
            ensure!(
                config["sensitive"].as_bool().unwrap_or(false) == sensitive,
                "user_config.{key} sensitive should be {sensitive}"
            );
        }
        let platforms = manifest["compatibility"]["platforms"]
            .as_array()
            .map_or(0, Vec::len);
        ensure!(platforms > 0, "compatibility.platforms is empty");
        Ok(format!("{} tools", listed.len()))
    }

    /// `auditwheel show`: the Linux wheel needs no newer glibc than manylinux2014's.
    pub(super) fn manylinux(&self) -> Result<String> {
        let a = self.artifacts;
        ensure!(
            a.platform.is_linux(),
            "not a Linux build: no manylinux policy to check"
        );
        let said = wheel::audit(&self.checkers, &a.wheel)?;
        let name = dist::file_name(&a.wheel);
        ensure!(
            name.contains(&format!("{}_", wheel::MANYLINUX)),
            "the wheel {name} is not tagged {}",
            wheel::MANYLINUX
        );
        Ok(said)
    }

    /// The static binary: names its musl target, lists the tools, links nothing dynamically.
    pub(super) fn static_binary(&self) -> Result<String> {
        let (wheel, binary) = self
            .artifacts
            .static_build
            .as_ref()
            .context("no static build")?;
        let printed = super::output(Command::new(binary).arg("--version"))?;
        ensure!(
            printed.trim().ends_with("-linux-musl)"),
            "the static binary's --version names no musl target: {printed:?}"
        );
        let tools = dist::tool_list(binary, &[])?;
        ensure!(
            tools.len() == self.artifacts.tools.len(),
            "the static binary lists {} tools, the release binary {}",
            tools.len(),
            self.artifacts.tools.len()
        );
        let bytes = fs::read(binary)?;
        ensure!(
            !has_interpreter(&bytes)?,
            "{} asks for a dynamic loader (PT_INTERP): it is not static",
            binary.display()
        );
        Ok(format!(
            "{}; {} in {}",
            printed.trim(),
            dist::file_name(binary),
            dist::file_name(wheel)
        ))
    }

    pub(super) fn workflows(&self) -> Result<String> {
        release::lint(&self.checkers)
    }
}

/// Whether a 64-bit little-endian ELF file has a PT_INTERP program header, i.e. needs a dynamic
/// loader (a static or static-pie executable has none).
fn has_interpreter(elf: &[u8]) -> Result<bool> {
    const PT_INTERP: u32 = 3;
    ensure!(
        elf.len() >= 64 && elf.starts_with(b"\x7fELF") && elf[4] == 2 && elf[5] == 1,
        "not a 64-bit little-endian ELF file"
    );
    let u16_at = |at: usize| u16::from_le_bytes([elf[at], elf[at + 1]]) as usize;
    let mut offset = [0u8; 8];
    offset.copy_from_slice(&elf[0x20..0x28]);
    let table = usize::try_from(u64::from_le_bytes(offset))?;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).try_fold(false, |found, i| {
        let at = table + i * size;
        let kind = elf
            .get(at..at + 4)
            .context("the ELF program header table is cut short")?;
        Ok(found || u32::from_le_bytes([kind[0], kind[1], kind[2], kind[3]]) == PT_INTERP)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dynamic_executable_has_an_interpreter() {
        // The running test binary is a dynamically linked (glibc) executable.
        let me = fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(has_interpreter(&me).unwrap());
        assert!(has_interpreter(b"not an elf").is_err());
    }
}
