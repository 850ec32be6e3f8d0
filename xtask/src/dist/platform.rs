//! The platform a package is for, named by its Rust target triple (as the binary's `--version`
//! names it), and the names the MCP bundle format uses for it.

use std::process::Command;

use anyhow::{Context, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    triple: String,
}

impl Platform {
    pub fn new(triple: &str) -> Self {
        Self {
            triple: triple.to_owned(),
        }
    }

    /// The host's triple, as rustc reports it (what cargo and maturin build for by default).
    pub fn host() -> Result<Self> {
        let printed = super::capture(Command::new("rustc").arg("-vV"))?;
        printed
            .lines()
            .find_map(|line| line.strip_prefix("host: "))
            .map(|triple| Self::new(triple.trim()))
            .context("`rustc -vV` printed no host line")
    }

    pub fn triple(&self) -> &str {
        &self.triple
    }

    /// The CPU: the triple's first part (x86_64, aarch64).
    pub fn arch(&self) -> &str {
        self.triple.split('-').next().unwrap_or(&self.triple)
    }

    /// The operating system as MCP bundles (Node's `process.platform`) name it.
    pub fn bundle_os(&self) -> &'static str {
        if self.triple.contains("-apple-darwin") {
            "darwin"
        } else if self.triple.contains("-windows") {
            "win32"
        } else {
            "linux"
        }
    }

    pub fn is_linux(&self) -> bool {
        self.triple.contains("-linux-")
    }

    pub fn exe_suffix(&self) -> &'static str {
        if self.bundle_os() == "win32" {
            ".exe"
        } else {
            ""
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_triple() {
        let windows = Platform::new("x86_64-pc-windows-msvc");
        assert_eq!(
            (windows.bundle_os(), windows.arch(), windows.exe_suffix()),
            ("win32", "x86_64", ".exe")
        );
        let mac = Platform::new("aarch64-apple-darwin");
        assert_eq!((mac.bundle_os(), mac.arch()), ("darwin", "aarch64"));
        assert!(!mac.is_linux());
        let musl = Platform::new("aarch64-unknown-linux-musl");
        assert_eq!((musl.bundle_os(), musl.exe_suffix()), ("linux", ""));
        assert!(musl.is_linux());
    }
}
