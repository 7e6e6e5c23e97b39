//! The command line: parses arguments, runs a command, turns the outcome into an exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::build::{self, BuildError, BuildOptions};
use crate::commands;
use crate::diagnostics::{self, Colour, Diagnostics, Format, Severity};
use crate::output::DiskOutput;
use crate::site::Drafts;

/// Exit codes: 0 success, 1 content errors (or failed writes), 2 usage errors.
pub const EXIT_CONTENT: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "privacy-site",
    version,
    about = "Turns versioned Markdown policies into an accessible, cookie-free static website"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder.
    #[command(
        after_help = "Examples:\n  privacy-site build\n  privacy-site build --content content --out site --today 2025-01-31\n  SOURCE_DATE_EPOCH=1735689600 privacy-site build --format github"
    )]
    Build(BuildArgs),
    /// Check the content for mistakes without writing anything.
    #[command(after_help = commands::CHECK_EXAMPLES)]
    Check(commands::CheckArgs),
    /// Start a new version of a policy, or a new policy.
    #[command(after_help = commands::NEW_EXAMPLES)]
    New(commands::NewArgs),
    /// Create a ready-to-edit site in a new folder.
    #[command(after_help = commands::INIT_EXAMPLES)]
    Init(commands::InitArgs),
    /// Print a shell completion script.
    #[command(after_help = commands::COMPLETIONS_EXAMPLES)]
    Completions(commands::CompletionsArgs),
    /// Preview the site: build into memory, serve it locally, rebuild and reload on every save.
    #[command(
        after_help = "Examples:\n  privacy-site serve\n  privacy-site serve --drafts --open\n  privacy-site serve --port 0 --poll   # any free port; polling for Docker volumes"
    )]
    Serve(crate::serve::cli::ServeArgs),
}

/// Options every command that reads content shares.
#[derive(Debug, Clone, Args)]
pub struct ContentArgs {
    /// The content folder (holding site.yaml and policies/).
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
    /// Treat this day as today (YYYY-MM-DD). Otherwise SOURCE_DATE_EPOCH, else the clock.
    #[arg(long, value_parser = parse_day)]
    pub today: Option<NaiveDate>,
    /// How to print errors and warnings.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Whether a broken internal link is an error (the default) or only a warning, e.g. while
    /// migrating old content whose links point at pages not yet moved.
    #[arg(long, value_enum, default_value_t = LinkSeverity::Error)]
    pub broken_links: LinkSeverity,
}

impl ContentArgs {
    /// The options of a build of this content; `Err` holds a usage error (a bad build date).
    pub fn build_options(&self, drafts: bool) -> Result<BuildOptions, String> {
        Ok(BuildOptions {
            content_dir: self.content.clone(),
            today: build_date(self.today)?,
            drafts: if drafts { Drafts::Show } else { Drafts::Hide },
            live_reload_url: None,
            broken_links: self.broken_links.into(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LinkSeverity {
    Error,
    Warn,
}

impl From<LinkSeverity> for Severity {
    fn from(s: LinkSeverity) -> Severity {
        match s {
            LinkSeverity::Error => Severity::Error,
            LinkSeverity::Warn => Severity::Warning,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub content: ContentArgs,
    /// The output folder; it is replaced whole, and only if privacy-site made it.
    #[arg(long, default_value = "site")]
    pub out: PathBuf,
    /// Publish draft versions and pages too (for a preview build).
    #[arg(long)]
    pub drafts: bool,
}

/// Only the exact `YYYY-MM-DD` form, like version file names: chrono alone would also take
/// `2025-1-1`, and a build date that reads differently from every file name invites mistakes.
fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let shaped = text.len() == 10
        && text.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("`{text}` is not a date in the form YYYY-MM-DD"))
}

/// The build date: `--today`, else `SOURCE_DATE_EPOCH` (for reproducible builds), else the clock.
pub fn build_date(today: Option<NaiveDate>) -> Result<NaiveDate, String> {
    if let Some(day) = today {
        return Ok(day);
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = epoch
            .trim()
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH=`{epoch}` is not a number of seconds"))?;
        return chrono::DateTime::from_timestamp(seconds, 0)
            .map(|t| t.date_naive())
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH=`{epoch}` is out of range"));
    }
    Ok(chrono::Utc::now().date_naive())
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cli.command {
        Command::Build(args) => run_build(&args),
        Command::Check(args) => commands::run_check(&args),
        Command::New(args) => commands::run_new(&args),
        Command::Init(args) => commands::run_init(&args),
        Command::Completions(args) => commands::run_completions(&args),
        Command::Serve(args) => crate::serve::cli::run(&args),
    }
}

/// Prints findings in the chosen format.
pub fn report(diagnostics: Diagnostics, format: Format) {
    let sorted = diagnostics.sorted();
    let mut stdout = std::io::stdout();
    let _ = diagnostics::print(&sorted, format, Colour::Auto, &mut stdout);
}

pub(crate) fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

fn run_build(args: &BuildArgs) -> ExitCode {
    let options = match args.content.build_options(args.drafts) {
        Ok(options) => options,
        Err(message) => return usage_error(&message),
    };
    let output = match DiskOutput::prepare(&args.out, &args.content.content) {
        Ok(output) => output,
        Err(refusal) => return usage_error(&refusal.0),
    };
    let started = std::time::Instant::now();
    match build::build(&options, &output) {
        Ok(report) => {
            let (written, unchanged) = output.counts();
            let target = output.target().to_path_buf();
            if let Err(error) = output.commit() {
                eprintln!(
                    "error: could not move the new site into {}: {error}",
                    target.display()
                );
                return ExitCode::from(EXIT_CONTENT);
            }
            let warnings = report.warnings.warning_count();
            if !report.warnings.is_empty() {
                self::report(report.warnings, args.content.format);
            }
            eprintln!(
                "Built {} pages into {} in {} ms ({written} files written, {unchanged} unchanged{}).",
                report.pages_rendered,
                args.out.display(),
                started.elapsed().as_millis(),
                if warnings > 0 {
                    format!(", {warnings} warnings")
                } else {
                    String::new()
                }
            );
            ExitCode::SUCCESS
        }
        Err(BuildError::Content(problems)) => {
            let errors = problems.error_count();
            report(problems, args.content.format);
            eprintln!(
                "Build failed with {errors} error{}; the previous site was left as it was.",
                if errors == 1 { "" } else { "s" }
            );
            ExitCode::from(EXIT_CONTENT)
        }
        Err(BuildError::Io(message)) => {
            eprintln!("error: {message}; the previous site was left as it was.");
            ExitCode::from(EXIT_CONTENT)
        }
    }
}
