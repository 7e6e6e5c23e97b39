//! The editors' commands besides `build`: `check`, `new`, `init` and `completions`.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, CommandFactory};

use crate::cli::{Cli, ContentArgs, EXIT_CONTENT, EXIT_USAGE, build_date, report};
use crate::scaffold::{self, NewVersion, ScaffoldError};

pub const CHECK_EXAMPLES: &str = "Examples:
  privacy-site check
  privacy-site check --today 2025-09-01 --drafts
  privacy-site check --format github --deny-warnings     (in CI)
  privacy-site check --format json > findings.jsonl

Every finding code is explained in docs/editors-guide.md.";

pub const NEW_EXAMPLES: &str = "Examples:
  privacy-site new privacy-notice --date 2025-09-01   (a new version of an existing policy)
  privacy-site new cookie-policy                      (a new policy, effective today)";

pub const INIT_EXAMPLES: &str = "Examples:
  privacy-site init my-site
  cd my-site && privacy-site check && privacy-site build";

pub const COMPLETIONS_EXAMPLES: &str = "Examples:
  privacy-site completions bash > ~/.local/share/bash-completion/completions/privacy-site
  privacy-site completions zsh > ~/.zfunc/_privacy-site
  privacy-site completions fish > ~/.config/fish/completions/privacy-site.fish";

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub content: ContentArgs,
    /// Check draft versions and pages too, as a preview build would show them.
    #[arg(long)]
    pub drafts: bool,
    /// Fail (exit 1) on warnings as well as errors.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    /// The policy's name in web addresses, e.g. `privacy-notice` (its folder under policies/).
    pub slug: String,
    /// The day the new version takes effect (YYYY-MM-DD); it becomes the file name. Default: today.
    #[arg(long, value_parser = parse_day)]
    pub date: Option<NaiveDate>,
    /// The content folder (holding site.yaml and policies/).
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The folder to create the site in; it must be empty or not exist yet.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    pub shell: clap_complete::Shell,
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date in the form YYYY-MM-DD"))
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

fn plural(count: usize, word: &str) -> String {
    format!("{count} {word}{}", if count == 1 { "" } else { "s" })
}

pub fn run_check(args: &CheckArgs) -> ExitCode {
    let options = match args.content.build_options(args.drafts) {
        Ok(options) => options,
        Err(message) => return usage_error(&message),
    };
    let findings = crate::lint::check_content(&options);
    let (errors, warnings) = (findings.error_count(), findings.warning_count());
    report(findings, args.content.format);
    if errors + warnings == 0 {
        eprintln!("No problems found in {}.", args.content.content.display());
    } else {
        eprintln!(
            "Found {} and {}.",
            plural(errors, "error"),
            plural(warnings, "warning")
        );
    }
    if errors > 0 || (args.deny_warnings && warnings > 0) {
        ExitCode::from(EXIT_CONTENT)
    } else {
        ExitCode::SUCCESS
    }
}

fn scaffold_failure(error: &ScaffoldError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(EXIT_CONTENT)
}

pub fn run_new(args: &NewArgs) -> ExitCode {
    let date = match args.date.map_or_else(|| build_date(None), Ok) {
        Ok(day) => day,
        Err(message) => return usage_error(&message),
    };
    match scaffold::new_version(&args.content, &args.slug, date) {
        Ok(NewVersion::Continued { path, from }) => {
            eprintln!(
                "Created {} as a copy of {}.",
                path.display(),
                from.display()
            );
            eprintln!(
                "Next: edit it, write a one-sentence `summary:` of what changed, then run `privacy-site check`."
            );
            ExitCode::SUCCESS
        }
        Ok(NewVersion::Started { path }) => {
            eprintln!(
                "Created {}, the first version of a new policy, from a template.",
                path.display()
            );
            eprintln!("Next: write the policy, then run `privacy-site check`.");
            ExitCode::SUCCESS
        }
        Err(error) => scaffold_failure(&error),
    }
}

pub fn run_init(args: &InitArgs) -> ExitCode {
    let today = match build_date(None) {
        Ok(day) => day,
        Err(message) => return usage_error(&message),
    };
    match scaffold::init(&args.dir, today) {
        Ok(files) => {
            for file in files {
                eprintln!("Created {}", file.display());
            }
            eprintln!(
                "Next: read EDITING.md, set `title` and `base_url` in content/site.yaml, then run `privacy-site build` in {}.",
                args.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => scaffold_failure(&error),
    }
}

pub fn run_completions(args: &CompletionsArgs) -> ExitCode {
    clap_complete::generate(
        args.shell,
        &mut Cli::command(),
        "privacy-site",
        &mut std::io::stdout(),
    );
    ExitCode::SUCCESS
}
