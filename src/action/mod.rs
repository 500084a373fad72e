//! Action mode (`imagegate github`, or `imagegate` with `GITHUB_ACTIONS=true`): the GitHub
//! container action's whole job.
//!
//! Scan inside `GITHUB_WORKSPACE` with the `INPUT_*` settings; write the SARIF file (paths
//! relative to the repository), the step outputs, the job summary and the annotations; keep
//! one sticky comment on the pull request up to date. Only then is the exit code decided, by
//! `fail-on` alone: a comment GitHub refuses (fork pull requests, rate limits, outages) becomes
//! one warning annotation and changes nothing else.

pub mod api;
pub mod comment;
pub mod inputs;
pub mod suggest;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

use crate::config::resolve::{self, Overrides};
use crate::input::diagnostic::Severity;
use crate::input::paths::RepoPaths;
use crate::policy::{Counts, Gate};
use crate::report;
use crate::report::github::{Annotation, Kind};
use crate::report::markdown::{self, Links};
use crate::{ScanOptions, ScanReport};
use api::{Api, ApiError};
use comment::{Posted, PullRequest};
use inputs::{CommentMode, Inputs};

/// Run the action with the process's environment; the exit code (0, 1, or 2 for a wrong
/// input or a file that could not be written).
pub fn run() -> u8 {
    let env: HashMap<String, String> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    let mut stdout = std::io::stdout().lock();
    match run_with(&env, &mut stdout) {
        Ok(code) => code,
        Err(err) => {
            let message = format!("{err:#}");
            let _ = writeln!(
                stdout,
                "{}",
                Annotation::plain(Kind::Error, "imagegate", message.clone()).command()
            );
            eprintln!("imagegate: error: {message}");
            2
        }
    }
}

/// The action, with its environment given (tests pass their own) and its log on `out`.
pub fn run_with(env: &HashMap<String, String>, out: &mut dyn Write) -> Result<u8> {
    let var = |name: &str| env.get(name).map(String::as_str).filter(|v| !v.is_empty());
    let inputs = Inputs::read(env)?;
    for unknown in inputs::unknown(env) {
        let annotation = Annotation::plain(
            Kind::Warning,
            "imagegate: unknown input",
            format!(
                "`{}` is not an input of imagegate (inputs: {})",
                unknown.trim_start_matches("INPUT_").to_ascii_lowercase(),
                inputs::INPUTS.join(", ")
            ),
        );
        writeln!(out, "{}", annotation.command())?;
    }
    let workspace = PathBuf::from(var("GITHUB_WORKSPACE").unwrap_or("."));
    std::env::set_current_dir(&workspace)
        .with_context(|| format!("GITHUB_WORKSPACE {}", workspace.display()))?;
    let workspace = std::env::current_dir().context("the workspace")?;

    // The credentials file lives as long as the scan, and is removed after it.
    let (mut options, registry_auth) = scan_options(&inputs, &workspace)?;
    let gate = options.policy.gate();
    let repository = var("GITHUB_REPOSITORY");
    let event = match (
        var("GITHUB_EVENT_NAME"),
        var("GITHUB_EVENT_PATH"),
        repository,
    ) {
        (Some(name), Some(path), Some(repository)) => read_event(Path::new(path))
            .and_then(|payload| PullRequest::from_event(name, &payload, repository)),
        _ => None,
    };
    let debug = var("RUNNER_DEBUG") == Some("1");
    if inputs.changed_only
        && let Some(pr) = &event
    {
        let api_url = var("GITHUB_API_URL").unwrap_or("https://api.github.com");
        match pull_request_change(&inputs, pr, api_url, &workspace, debug, out) {
            Ok(changed) => options.changed = Some(changed),
            Err(why) => {
                let annotation = Annotation::plain(
                    Kind::Warning,
                    "imagegate: scanning everything",
                    format!(
                        "`changed-only` could not learn what the pull request changes: {why}. Everything was rendered and reported."
                    ),
                );
                writeln!(out, "{}", annotation.command())?;
            }
        }
    }
    let mut report = crate::scan(&options)?;
    // Pins for the findings they answer (SARIF `fixes`, suggestions): the digests the online
    // scan resolved; with `suggest` on a pull request and no online scan, asked now for that
    // alone.
    let ask = match (&options.online, inputs.suggest && event.is_some()) {
        (None, true) => match suggest_online(&inputs, &workspace, registry_auth.as_ref()) {
            Ok(online) => Some(online),
            Err(err) => {
                let annotation = Annotation::plain(
                    Kind::Warning,
                    "imagegate: suggested changes skipped",
                    format!("The registries could not be asked for digests: {err:#}"),
                );
                writeln!(out, "{}", annotation.command())?;
                None
            }
        },
        _ => None,
    };
    if options.online.is_some() || ask.is_some() {
        crate::fix::attach(&mut report, &options, ask.as_ref());
    }
    let paths = RepoPaths::new(Some(&workspace));
    let counts = Counts::of(&report.findings);

    // The log: the text report, with workflow commands switched off around it, since it
    // quotes scanned files.
    log_report(&report, debug, out)?;

    let annotations = report::github::annotations(&report, &paths, true);
    if inputs.annotations {
        annotations.write(out)?;
    }

    let mut failures: Vec<String> = Vec::new();
    let sarif = workspace.join(&inputs.sarif_file);
    if let Err(err) = write_sarif(&report, &inputs.category, &workspace, &sarif) {
        failures.push(format!("{err:#}"));
    }

    let server = var("GITHUB_SERVER_URL").unwrap_or("https://github.com");
    let links = |sha: Option<&str>| {
        Some(Links {
            server: server.to_string(),
            repository: repository?.to_string(),
            sha: sha?.to_string(),
        })
    };
    let run_link = match (repository, var("GITHUB_RUN_ID")) {
        (Some(repo), Some(run)) => Some(format!(
            "[the job summary]({}/{repo}/actions/runs/{run})",
            server.trim_end_matches('/')
        )),
        _ => None,
    };
    let head_sha = event
        .as_ref()
        .and_then(|pr| pr.head_sha.as_deref())
        .or(var("GITHUB_SHA"));

    if inputs.summary
        && let Some(path) = var("GITHUB_STEP_SUMMARY")
    {
        let options = markdown::Options {
            gate,
            links: links(head_sha),
            limit: markdown::SUMMARY_LIMIT,
            full_report: Some("the SARIF report (code scanning)".to_string()),
            annotations_omitted: if inputs.annotations {
                annotations.omitted_total()
            } else {
                0
            },
            ..Default::default()
        };
        let text = markdown::render(&report, &paths, &options);
        if let Err(err) = append(Path::new(path), &text) {
            failures.push(format!("the job summary {path}: {err}"));
        }
    }

    let outputs = [
        (
            "sarif-file",
            crate::input::paths::display_path(&inputs.sarif_file),
        ),
        ("findings", counts.total().to_string()),
        ("errors", counts.error.to_string()),
        ("warnings", counts.warning.to_string()),
        ("notes", counts.note.to_string()),
        (
            "unchecked",
            crate::policy::unchecked_files(&report).len().to_string(),
        ),
    ];
    debug_assert!(
        outputs
            .iter()
            .map(|o| o.0)
            .eq(inputs::OUTPUTS.iter().copied())
    );
    if let Some(path) = var("GITHUB_OUTPUT")
        && let Err(err) = append(Path::new(path), &output_lines(&outputs))
    {
        failures.push(format!("the step outputs {path}: {err}"));
    }

    if let Some(pr) = &event
        && inputs.comment != CommentMode::Never
    {
        let context = CommentContext {
            inputs: &inputs,
            gate,
            api_url: var("GITHUB_API_URL").unwrap_or("https://api.github.com"),
            links: links(pr.head_sha.as_deref()),
            full_report: run_link.clone(),
            debug,
        };
        if let Err(why) = sticky_comment(&report, &paths, pr, &context, out) {
            let annotation = Annotation::plain(
                Kind::Warning,
                "imagegate: pull-request comment skipped",
                format!(
                    "The pull-request comment was not posted: {why}. The findings are in the annotations, the job summary and the SARIF file; the result of this step is unchanged."
                ),
            );
            writeln!(out, "{}", annotation.command())?;
        }
    }

    if let Some(pr) = &event
        && inputs.suggest
    {
        let api_url = var("GITHUB_API_URL").unwrap_or("https://api.github.com");
        if let Err(why) = suggest_review(&report, &paths, pr, &inputs, api_url, debug, out) {
            let annotation = Annotation::plain(
                Kind::Warning,
                "imagegate: suggested changes skipped",
                format!(
                    "The review with suggested digest pins was not posted: {why}. `imagegate fix` makes the same edits locally; the result of this step is unchanged."
                ),
            );
            writeln!(out, "{}", annotation.command())?;
        }
    }

    if !failures.is_empty() {
        bail!("could not write {}", failures.join("; "));
    }
    Ok(gate.exit_code(&report))
}

/// The scan's options: the inputs over `.imagegate.yaml` (the `config` input, else the one at
/// the workspace root).
fn scan_options(
    inputs: &Inputs,
    workspace: &Path,
) -> Result<(ScanOptions, Option<tempfile::NamedTempFile>)> {
    if let Some(missing) = inputs.helm_values.iter().find(|p| !p.is_file()) {
        bail!("input `helm-values`: {}: no such file", missing.display());
    }
    if let Some(config) = &inputs.config
        && !config.is_file()
    {
        bail!("input `config`: {}: no such file", config.display());
    }
    let file = resolve::load_config(inputs.config.as_deref(), workspace)?;
    let registry_auth = match &inputs.registry_auth {
        Some(document) => Some(write_registry_auth(document)?),
        None => None,
    };
    let overrides = overrides(inputs, registry_auth.as_ref());
    let base = ScanOptions {
        paths: inputs.paths.clone(),
        ..ScanOptions::default()
    };
    let mut options = resolve::resolve(base, file.as_ref(), &overrides)
        .map_err(|err| anyhow::anyhow!("input `{}`: `{}`: {}", err.input, err.value, err.message))?
        .options;
    options.policy.root = Some(workspace.to_path_buf());
    if let Some(path) = &inputs.baseline {
        let baseline = crate::findings::baseline::Baseline::read(path)
            .map_err(|err| anyhow::anyhow!("input `baseline`: {err}"))?;
        options.policy.baseline = Some((baseline, crate::input::paths::display_path(path)));
    }
    Ok((options, registry_auth))
}

/// The registry settings `suggest` asks for digests with when the scan itself is offline:
/// the same configuration and inputs, online.
fn suggest_online(
    inputs: &Inputs,
    workspace: &Path,
    registry_auth: Option<&tempfile::NamedTempFile>,
) -> Result<crate::online::OnlineOptions> {
    let file = resolve::load_config(inputs.config.as_deref(), workspace)?;
    let overrides = Overrides {
        online: true,
        ..overrides(inputs, registry_auth)
    };
    let options = resolve::resolve(ScanOptions::default(), file.as_ref(), &overrides)
        .map_err(|err| anyhow::anyhow!("input `{}`: `{}`: {}", err.input, err.value, err.message))?
        .options;
    Ok(options.online.unwrap_or_default())
}

/// The inputs that override the configuration file.
fn overrides(inputs: &Inputs, registry_auth: Option<&tempfile::NamedTempFile>) -> Overrides {
    Overrides {
        allowed_registries: inputs.allowed_registries.clone(),
        private_registries: inputs.private_registries.clone(),
        namespace: inputs.namespace.clone(),
        fail_on: inputs.fail_on,
        fail_on_unchecked: inputs.fail_on_unchecked,
        helm_values: inputs.helm_values.clone(),
        online: inputs.online,
        online_timeout: inputs.online_timeout,
        registry_auth: registry_auth.map(|f| f.path().to_path_buf()),
        registry_mirrors: inputs.registry_mirrors.clone(),
        cache_dir: inputs.cache_dir.clone(),
        github_token: inputs
            .github_token
            .as_ref()
            .map(|t| crate::online::Masked(t.expose().to_string())),
        ..Overrides::default()
    }
}

/// Write the `registry-auth` document where the online phase reads it: a file only this user
/// may read (tempfile creates it with mode 0600), in the runner's temporary directory,
/// removed when the returned handle is dropped.
fn write_registry_auth(document: &inputs::Token) -> Result<tempfile::NamedTempFile> {
    use std::io::Write as _;
    let dir = std::env::var_os("RUNNER_TEMP").map_or_else(std::env::temp_dir, Into::into);
    let mut file = tempfile::Builder::new()
        .prefix("imagegate-registry-auth-")
        .suffix(".json")
        .tempfile_in(&dir)
        .map_err(|err| {
            anyhow::anyhow!(
                "input `registry-auth`: cannot write it to {}: {err}",
                dir.display()
            )
        })?;
    file.write_all(document.expose().as_bytes())
        .map_err(|err| anyhow::anyhow!("input `registry-auth`: cannot write it: {err}"))?;
    Ok(file)
}

/// The text report in a collapsed group, commands stopped around it (a scanned file's line
/// such as `::add-mask::` or `::error::` must stay text).
fn log_report(report: &ScanReport, debug: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let token = stop_token();
    writeln!(out, "::group::imagegate report")?;
    writeln!(out, "::stop-commands::{token}")?;
    for d in &report.diagnostics {
        if d.severity > Severity::Debug || debug {
            writeln!(out, "imagegate: {d}")?;
        }
    }
    report::text::write(report, report::text::Style { color: false }, out)?;
    writeln!(out, "::{token}::")?;
    writeln!(out, "::endgroup::")
}

/// A token no scanned file can guess.
fn stop_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    format!("imagegate-{:016x}", hasher.finish())
}

fn write_sarif(report: &ScanReport, category: &str, workspace: &Path, path: &Path) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("the SARIF file's folder {}", parent.display()))?;
    }
    let file = std::fs::File::create(path)
        .with_context(|| format!("the SARIF file {}", path.display()))?;
    let mut writer = std::io::BufWriter::new(file);
    report::sarif::write(report, category, Some(workspace), &mut writer)
        .and_then(|()| writer.flush())
        .with_context(|| format!("the SARIF file {}", path.display()))?;
    give_to_workspace_owner(workspace, path);
    Ok(())
}

/// Files the container (root) makes in the workspace belong to root on the runner, where
/// later steps run as another user and could not delete them: hand them to the workspace's
/// owner.
#[cfg(unix)]
fn give_to_workspace_owner(workspace: &Path, path: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(owner) = std::fs::metadata(workspace) else {
        return;
    };
    let _ = std::os::unix::fs::chown(path, Some(owner.uid()), Some(owner.gid()));
}

#[cfg(not(unix))]
fn give_to_workspace_owner(_: &Path, _: &Path) {}

fn read_event(path: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// `name=value` lines for `GITHUB_OUTPUT`; a value with a line break uses the heredoc form.
fn output_lines(outputs: &[(&str, String)]) -> String {
    let mut text = String::new();
    for (name, value) in outputs {
        if value.contains(['\n', '\r']) {
            let delimiter = stop_token();
            let _ = writeln!(text, "{name}<<{delimiter}\n{value}\n{delimiter}");
        } else {
            let _ = writeln!(text, "{name}={value}");
        }
    }
    text
}

struct CommentContext<'a> {
    inputs: &'a Inputs,
    gate: Gate,
    api_url: &'a str,
    links: Option<Links>,
    full_report: Option<String>,
    debug: bool,
}

/// Post, update or leave the sticky comment; `Err` says why it was skipped.
fn sticky_comment(
    report: &ScanReport,
    paths: &RepoPaths,
    pr: &PullRequest,
    context: &CommentContext,
    out: &mut dyn Write,
) -> Result<(), String> {
    let result = with_api(
        context.inputs,
        context.api_url,
        context.debug,
        out,
        async |api| {
            let mode = context.inputs.comment;
            let marker = comment::marker(&context.inputs.category);
            let existing = comment::find(api, pr, &marker).await?;
            if mode == CommentMode::OnFindings && report.findings.is_empty() && existing.is_none() {
                return Ok::<Option<Posted>, ApiError>(None);
            }
            let changed: HashSet<String> = comment::changed_files(api, pr).await?;
            let options = markdown::Options {
                gate: context.gate,
                links: context.links.clone(),
                changed: Some(&changed),
                by_rule: false,
                marker: Some(&marker),
                limit: markdown::COMMENT_LIMIT,
                full_report: context.full_report.clone(),
                annotations_omitted: 0,
            };
            let body = markdown::render(report, paths, &options);
            comment::post(api, pr, existing.as_ref(), &body)
                .await
                .map(Some)
        },
    )?;
    match result {
        Ok(Some(posted)) => {
            let what = match posted {
                Posted::Created(id) => format!("created comment {id}"),
                Posted::Updated(id) => format!("updated comment {id}"),
                Posted::Unchanged(id) => format!("comment {id} is up to date"),
            };
            let _ = writeln!(out, "imagegate: pull request #{}: {what}", pr.number);
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(ApiError::ReadOnly) if pr.from_fork => Err(format!(
            "this pull request comes from a fork, so {}",
            ApiError::ReadOnly
        )),
        Err(err) => Err(err.to_string()),
    }
}

/// Most files GitHub lists for a pull request: a list this long may be cut short.
const MAX_LISTED_FILES: usize = 3000;

/// The files pull request `pr` changes (both names of a renamed file), as the change a
/// `changed-only` scan is limited to; `Err` says why it could not be known.
fn pull_request_change(
    inputs: &Inputs,
    pr: &PullRequest,
    api_url: &str,
    workspace: &Path,
    debug: bool,
    out: &mut dyn Write,
) -> Result<crate::input::changed::Changed, String> {
    let files = with_api(inputs, api_url, debug, out, async |api| {
        comment::pull_files(api, pr).await
    })?
    .map_err(|err| err.to_string())?;
    if files.len() >= MAX_LISTED_FILES {
        return Err(format!(
            "it changes {} files or more, more than GitHub lists",
            MAX_LISTED_FILES
        ));
    }
    let names = files.iter().flat_map(|file| {
        ["filename", "previous_filename"]
            .into_iter()
            .filter_map(|key| file.get(key).and_then(Value::as_str))
    });
    Ok(crate::input::changed::Changed::from_list(
        format!("the files pull request #{} changes", pr.number),
        workspace,
        names,
    ))
}

/// `call` with a GitHub API client (the `github-token` input) on a runtime of its own; the
/// calls are logged to `out` with `debug`. `Err` says why no call could be made.
fn with_api<T>(
    inputs: &Inputs,
    api_url: &str,
    debug: bool,
    out: &mut dyn Write,
    call: impl AsyncFnOnce(&Api) -> Result<T, ApiError>,
) -> Result<Result<T, ApiError>, String> {
    let Some(token) = &inputs.github_token else {
        return Err("the `github-token` input is empty".to_string());
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("no async runtime: {e}"))?;
    let log = ApiLog::default();
    let result = runtime.block_on(async {
        let api = Api::new(api_url, token, log.trace(debug))?;
        call(&api).await
    });
    log.write(out);
    Ok(result)
}

/// The API calls made, kept for the log (`RUNNER_DEBUG`) as `::debug::` lines.
#[derive(Default)]
struct ApiLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl ApiLog {
    /// A trace into this log when `debug`.
    fn trace(&self, debug: bool) -> Option<api::Trace> {
        let log = std::sync::Arc::clone(&self.0);
        debug.then(|| {
            Box::new(move |line: &str| {
                if let Ok(mut log) = log.lock() {
                    log.push(line.to_string());
                }
            }) as api::Trace
        })
    }

    fn write(&self, out: &mut dyn Write) {
        if let Ok(log) = self.0.lock() {
            for line in log.iter() {
                let _ = writeln!(out, "::debug::{}", report::github::escape_data(line));
            }
        }
    }
}

/// Post the review of suggested changes; `Err` says why it was not.
fn suggest_review(
    report: &ScanReport,
    paths: &RepoPaths,
    pr: &PullRequest,
    inputs: &Inputs,
    api_url: &str,
    debug: bool,
    out: &mut dyn Write,
) -> Result<(), String> {
    let result = with_api(inputs, api_url, debug, out, async |api| {
        suggest::review(api, pr, report, paths, &inputs.category).await
    })?;
    let said = match result {
        Ok(suggest::Reviewed::Posted { id, suggestions }) => format!(
            "posted review {id} with {suggestions} suggested change{}",
            if suggestions == 1 { "" } else { "s" }
        ),
        Ok(suggest::Reviewed::AlreadyPosted(n)) => {
            format!(
                "the {n} suggested change{} already posted",
                if n == 1 { " is" } else { "s are" }
            )
        }
        Ok(suggest::Reviewed::NothingOnChangedLines) => {
            "no pin to suggest on a line this pull request adds".to_string()
        }
        Err(ApiError::ReadOnly) if pr.from_fork => {
            return Err(format!(
                "this pull request comes from a fork, so {}",
                ApiError::ReadOnly
            ));
        }
        Err(err) => return Err(err.to_string()),
    };
    let _ = writeln!(out, "imagegate: pull request #{}: {said}", pr.number);
    Ok(())
}

#[cfg(test)]
mod tests;
