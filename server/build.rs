//! Records the target triple the binary is built for, so `--version` can name the platform (a
//! wheel or bundle holds one platform's binary; a bug report then says which one ran).

fn main() {
    // Cargo always sets TARGET for build scripts.
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".to_owned());
    println!("cargo:rustc-env=PREFECT_MCP_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
