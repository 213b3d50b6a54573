//! `briefing unsubscribe` and `briefing resubscribe`: one request appended to the
//! suppression list, in force from the next send.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::{load_config, write_stdout};
use crate::cli::SubscriptionArgs;
use crate::clock;
use crate::config::{address_key, parse_mailbox};
use crate::suppress::{self, Request};

pub fn run(path: &Path, request: Request, target: &SubscriptionArgs) -> Result<ExitCode> {
    let config = load_config(path)?;
    let mailbox = parse_mailbox(&target.address).map_err(anyhow::Error::msg)?;
    let address = mailbox.email.to_string();
    if let Some(group) = &target.group {
        // A misspelt group would record a request that matches nothing.
        if config.group(group).is_none() {
            let known: Vec<&str> = config.groups.iter().map(|g| g.name.as_str()).collect();
            bail!(
                "--group {group}: no such group in {} (groups: {})",
                config.path.display(),
                known.join(", ")
            );
        }
    }
    let entry = suppress::record(
        &config.state_dir,
        request,
        &address,
        target.group.as_deref(),
        clock::now(),
    )?;
    let what = match request {
        Request::Unsubscribe => "unsubscribed from",
        Request::Resubscribe => "resubscribed to",
    };
    let scope = match &entry.group {
        Some(group) => format!("group {group}"),
        None => "every group".to_owned(),
    };
    write_stdout(|out| writeln!(out, "{}: {what} {scope}", entry.address))?;
    let listed = config
        .groups
        .iter()
        .filter(|g| target.group.as_ref().is_none_or(|name| *name == g.name))
        .any(|g| {
            g.addresses()
                .iter()
                .any(|a| address_key(a) == entry.address)
        });
    if !listed {
        tracing::warn!("{address} is not a recipient of {scope} in the config");
    }
    Ok(ExitCode::SUCCESS)
}
