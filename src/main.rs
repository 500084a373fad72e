//! The `imagegate` binary: parse the command line, run the library, map results to exit codes
//! (0 clean, 1 findings at or above `--fail-on`, 2 usage, configuration or I/O error).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Parser;

use imagegate::ScanOptions;
use imagegate::cli::{
    BaselineCommand, Cli, ColorChoice, Command, ConfigCommand, FixArgs, InputArgs, RulesArgs,
    RulesFormat, ScanArgs,
};
use imagegate::config::resolve::{self, Overrides};
use imagegate::input::diagnostic::Severity;
use imagegate::policy;
use imagegate::report::{self, Format};
use imagegate::rules;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    let outcome = match cli.command {
        Some(Command::Scan(args)) => run_scan(*args),
        Some(Command::Fix(args)) => run_fix(*args),
        Some(Command::Rules(args)) => list_rules(&args).map(|()| 0),
        Some(Command::Config(command)) => config_command(&command).map(|()| 0),
        Some(Command::Baseline(BaselineCommand::Write {
            file,
            input,
            verbose,
        })) => write_baseline(&file, &input, verbose).map(|()| 0),
        Some(Command::Github) => return ExitCode::from(imagegate::action::run()),
        None if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") => {
            return ExitCode::from(imagegate::action::run());
        }
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            return ExitCode::from(2);
        }
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("imagegate: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run_scan(args: ScanArgs) -> Result<u8> {
    let mut options = resolve::scan_options(&args.input, (args.fail_on, args.fail_on_unchecked))?;
    if let Some(path) = &args.baseline {
        let baseline = imagegate::findings::baseline::Baseline::read(path)?;
        options.policy.baseline = Some((baseline, imagegate::input::paths::display_path(path)));
    }
    if let Some(reference) = &args.changed_since {
        // git is asked in the (first) scanned folder: the repository the scan is about.
        let dir = match options.paths.first() {
            Some(path) if path.is_dir() => path.clone(),
            Some(path) => path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| ".".into(), Into::into),
            None => ".".into(),
        };
        options.changed = Some(imagegate::input::changed::Changed::from_git(
            reference, &dir,
        )?);
    }
    // Progress on a terminal, outside CI, unless told.
    options.progress = args.progress
        || (!args.no_progress && {
            use std::io::IsTerminal as _;
            std::io::stderr().is_terminal()
                && std::env::var_os("CI").is_none_or(|v| v.is_empty() || v == "false")
        });
    let gate = options.policy.gate();
    let mut report = imagegate::scan(&options)?;
    // With digests resolved, each pinnable finding carries its pin (SARIF `fixes`, JSON `fix`;
    // the other formats do not show it).
    if options.online.is_some() && matches!(args.format, Format::Sarif | Format::Json) {
        imagegate::fix::attach(&mut report, &options, None);
    }
    if !args.verbose {
        report.diagnostics.retain(|d| d.severity > Severity::Debug);
    }

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        // anstream's detection: a terminal that takes colour, `NO_COLOR`, `CLICOLOR`,
        // `CLICOLOR_FORCE`, `TERM=dumb`.
        ColorChoice::Auto => {
            args.output.is_none()
                && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    };
    // Diagnostics go to stderr in every format, so that text on stdout stays parseable.
    let mut stderr = std::io::stderr().lock();
    for d in &report.diagnostics {
        let _ = writeln!(stderr, "imagegate: {d}");
    }
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        match args.format {
            Format::Text => report::text::write(&report, report::text::Style { color }, out)?,
            Format::Json => {
                report::json::write(&report, &imagegate::input::paths::RepoPaths::new(None), out)?
            }
            Format::Sarif => report::sarif::write(&report, "imagegate", None, out)?,
            Format::Markdown => {
                let options = report::markdown::Options {
                    gate,
                    ..Default::default()
                };
                let paths = imagegate::input::paths::RepoPaths::new(None);
                out.write_all(report::markdown::render(&report, &paths, &options).as_bytes())?
            }
            Format::Github => {
                report::github::write(&report, &imagegate::input::paths::RepoPaths::new(None), out)?
            }
        }
        out.flush()
    };
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            write(&mut std::io::BufWriter::new(file))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            if let Err(err) = write(&mut stdout) {
                // A closed pipe (`| head`) is not an error worth a message.
                if err.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(err).context("cannot write to standard output");
                }
            }
        }
    }
    // With the report in a file, the terminal still gets the one-line verdict.
    if args.output.is_some() {
        let _ = writeln!(
            stderr,
            "{}",
            report::text::summary(&report, report::text::Style { color: false })
        );
    }
    if gate.fails_on_unchecked(&report) {
        let files = policy::unchecked_files(&report);
        let _ = writeln!(
            stderr,
            "imagegate: failing: {} file(s) could not be checked (--fail-on-unchecked): {}",
            files.len(),
            files.join(", ")
        );
    }
    let code = gate.exit_code(&report);
    // The process ends here: freeing every finding, file and tree one by one would only
    // delay the exit.
    std::mem::forget(report);
    Ok(code)
}

/// `imagegate baseline write FILE [PATHS]`: today's findings, by fingerprint.
fn write_baseline(file: &std::path::Path, input: &InputArgs, verbose: bool) -> Result<()> {
    let options = resolve::scan_options(input, (None, None))?;
    let report = imagegate::scan(&options)?;
    let mut stderr = std::io::stderr().lock();
    for d in &report.diagnostics {
        if verbose || d.severity > Severity::Debug {
            let _ = writeln!(stderr, "imagegate: {d}");
        }
    }
    let paths = imagegate::input::paths::RepoPaths::new(None);
    let baseline = imagegate::findings::baseline::Baseline::of(&report.findings, |f| {
        paths.shown(&report.file(f).path)
    });
    std::fs::write(file, baseline.render())
        .with_context(|| format!("cannot write {}", file.display()))?;
    let _ = writeln!(
        stderr,
        "imagegate: wrote {} finding{} to {} ({} suppressed not included)",
        baseline.entries.len(),
        if baseline.entries.len() == 1 { "" } else { "s" },
        file.display(),
        report.suppressed.len()
    );
    Ok(())
}

fn config_command(command: &ConfigCommand) -> Result<()> {
    let text = match command {
        ConfigCommand::Schema => {
            serde_json::to_string_pretty(&imagegate::config::file::schema())? + "\n"
        }
        ConfigCommand::Show { config } => {
            let cwd = std::env::current_dir().context("the working directory")?;
            let file = resolve::load_config(config.as_deref(), &cwd)?;
            let resolved =
                resolve::resolve(ScanOptions::default(), file.as_ref(), &Overrides::default())?;
            serde_json::to_string_pretty(&resolved.shown(file.as_ref()))? + "\n"
        }
    };
    std::io::stdout().write_all(text.as_bytes())?;
    Ok(())
}

/// `imagegate fix`: scan (offline), pin what the scan reports, say what was done.
fn run_fix(mut args: FixArgs) -> Result<u8> {
    // The registries are asked for digests whatever `online:` says; the scan itself stays
    // offline (its online rules are not what fix answers).
    args.input.online = true;
    let mut options = resolve::scan_options(&args.input, (None, None))?;
    let online = options.online.take().unwrap_or_default();
    let report = imagegate::scan(&options)?;
    let fix = imagegate::fix::FixOptions {
        dry_run: args.dry_run,
        check: args.check,
        resolve_latest: args.resolve_latest,
        platform: args.platform.clone(),
    };
    let outcome = imagegate::fix::fix(&report, &options, &online, &fix);
    let mut stderr = std::io::stderr().lock();
    for skipped in &outcome.skipped {
        writeln!(
            stderr,
            "imagegate: skipped {} `{}`: {}",
            skipped.at, skipped.image, skipped.reason
        )?;
    }
    for failed in &outcome.failed {
        writeln!(
            stderr,
            "imagegate: not pinned {} `{}`: {}",
            failed.at, failed.image, failed.reason
        )?;
    }
    if args.dry_run {
        std::io::stdout().write_all(outcome.diff().as_bytes())?;
    }
    let write = !args.dry_run && !args.check;
    if write {
        for change in &outcome.changes {
            imagegate::fix::write_atomically(&change.path, &change.after)
                .with_context(|| format!("cannot write {}", change.display))?;
        }
    }
    writeln!(stderr, "imagegate: {}", outcome.summary(write))?;
    for note in &outcome.notes {
        writeln!(stderr, "imagegate: note: {note}")?;
    }
    Ok(u8::from(args.check && !outcome.changes.is_empty()))
}

fn list_rules(args: &RulesArgs) -> Result<()> {
    let metas: Vec<_> = rules::ALL.iter().map(|r| r.meta()).collect();
    let out = match args.format {
        RulesFormat::Json => {
            let list: Vec<_> = metas
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id,
                        "level": m.level.as_str(),
                        "summary": m.summary,
                        "precision": m.precision,
                        "online": m.online,
                        "securitySeverity": m.security_severity,
                        "helpUri": m.help_uri(),
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list)? + "\n"
        }
        RulesFormat::Text => {
            let width = metas.iter().map(|m| m.id.len()).max().unwrap_or(0);
            metas
                .iter()
                .map(|m| {
                    let online = if m.online { "(online) " } else { "" };
                    format!(
                        "{:width$}  {:7}  {online}{}\n",
                        m.id,
                        m.level.as_str(),
                        m.summary
                    )
                })
                .collect()
        }
    };
    std::io::stdout().write_all(out.as_bytes())?;
    Ok(())
}
