// placeholder while the demo is written; replaced before commit
pub fn run(_prefect_version: &str) -> anyhow::Result<()> {
    anyhow::bail!("not written yet")
}
