//! The `serve` command's arguments, kept beside the server so `cli.rs` stays small.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use clap::Args;

use super::{OpenBrowser, ServeOptions, WatchMode};
use crate::cli::{ContentArgs, EXIT_USAGE, build_date, usage_error};
use crate::site::Drafts;

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub content: ContentArgs,
    /// The port to listen on; 0 picks a free one (the URL printed says which).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The address to listen on. Anything but loopback lets other machines read the preview.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Show draft versions and pages, marked "Draft".
    #[arg(long)]
    pub drafts: bool,
    /// Open the site in the default browser once it is built.
    #[arg(long)]
    pub open: bool,
    /// Poll for changes instead of waiting for file events (Docker volumes, network folders).
    #[arg(long)]
    pub poll: bool,
}

pub fn run(args: &ServeArgs) -> ExitCode {
    let today = match build_date(args.content.today) {
        Ok(day) => day,
        Err(message) => return usage_error(&message),
    };
    let options = ServeOptions {
        content_dir: args.content.content.clone(),
        today,
        drafts: if args.drafts {
            Drafts::Show
        } else {
            Drafts::Hide
        },
        broken_links: args.content.broken_links.into(),
        format: args.content.format,
        address: SocketAddr::new(args.bind, args.port),
        open: if args.open {
            OpenBrowser::Yes
        } else {
            OpenBrowser::No
        },
        watch: if args.poll {
            WatchMode::Poll
        } else {
            WatchMode::Native
        },
    };
    match super::run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
