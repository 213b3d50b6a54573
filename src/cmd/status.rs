//! `briefing status`: who has had which briefing ([`crate::status`]), as text or JSON.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{load_config, write_stdout};
use crate::cli::Format;
use crate::status::{collect, render};

pub fn run(path: &Path, days: usize, format: Format) -> Result<ExitCode> {
    let config = load_config(path)?;
    let briefings = collect(&config, days)?;
    let output = match format {
        Format::Json => serde_json::to_string_pretty(&briefings)? + "\n",
        Format::Text => render(&config, &briefings),
    };
    write_stdout(|out| out.write_all(output.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
