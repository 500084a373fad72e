//! The command line, with clap's derive API. Every flag's help reads as its documentation.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::policy::FailOn;
use crate::report::Format;

/// Gate pull requests on Kubernetes image security: finds every container image in manifests
/// and Dockerfiles and reports each problem at its exact file, line and column.
#[derive(Debug, Parser)]
#[command(name = "imagegate", version, about, long_about = None)]
pub struct Cli {
    /// Without a command, `imagegate` runs as the GitHub action when `GITHUB_ACTIONS=true`.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for image problems.
    Scan(Box<ScanArgs>),
    /// Pin every image the scan reports without a digest to its digest, in place, keeping
    /// the tag (`nginx:1.27` → `nginx:1.27@sha256:…`): asks the registries.
    Fix(Box<FixArgs>),
    /// List the rules: id, default level and summary.
    Rules(RulesArgs),
    /// Baselines: accept today's findings, report only new ones.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// The configuration file: its JSON Schema, or the effective configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Run as the GitHub action: settings from the `INPUT_*` variables, the scan of
    /// `GITHUB_WORKSPACE` written as SARIF, step outputs, job summary, annotations and the
    /// sticky pull-request comment.
    Github,
}

/// What to scan and how: shared by `scan` and `baseline write`.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files or directories to scan. Directories are walked respecting .gitignore and .ignore.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// The configuration file [default: `.imagegate.yaml` at the repository root, if any].
    #[arg(long, short = 'c', value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Do not read `.imagegate.yaml`.
    #[arg(long)]
    pub no_config: bool,

    /// Allow images matching PATTERN only (repeatable). `registry.example.com` (that host),
    /// `registry.example.com/team/*` (a path prefix), `*.dkr.ecr.*.amazonaws.com` (`*` is one
    /// host label), `docker.io/library/*` (official Docker Hub images, e.g. `nginx`).
    #[arg(long = "allowed-registry", value_name = "PATTERN")]
    pub allowed_registries: Vec<String>,

    /// Images matching PATTERN need credentials to pull (repeatable; patterns as for
    /// `--allowed-registry`; replaces `registries.private`): a pod without `imagePullSecrets`
    /// is an error for them, and a warning for registries neither public nor private.
    #[arg(long = "private-registry", value_name = "PATTERN")]
    pub private_registries: Vec<String>,

    /// The namespace of objects that do not set `metadata.namespace` (where their
    /// ServiceAccount and pull secrets are looked up) [default: default].
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Scan only files whose path (relative to the scanned directory) matches GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// Skip files and directories whose relative path matches GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Skip files larger than SIZE (bytes, or with a K, M or G suffix: `10M`, `512KiB`).
    #[arg(long, value_name = "SIZE", default_value = "10MiB", value_parser = parse_size)]
    pub max_file_size: u64,

    /// Do not render Helm charts (their values files are still checked).
    #[arg(long)]
    pub no_helm: bool,

    /// The helm command to render charts with (default: `helm` on PATH).
    #[arg(long, value_name = "PATH")]
    pub helm_bin: Option<PathBuf>,

    /// A values file for every chart of the scan, after the chart's own `values.yaml`
    /// (repeatable; later files win, as with `helm -f`).
    #[arg(long, value_name = "FILE")]
    pub helm_values: Vec<PathBuf>,

    /// Stop a chart's render after SECONDS.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub helm_timeout: u64,

    /// Also scan `helm template` output made elsewhere (`-` for standard input); findings are
    /// traced to the charts in the scanned paths, which are then not rendered again.
    #[arg(long, value_name = "FILE")]
    pub rendered: Option<PathBuf>,

    /// Do not build kustomize overlays (their files are still checked as written).
    #[arg(long)]
    pub no_kustomize: bool,

    /// Worker threads (default: one per CPU).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    /// Ask the registries about every image: does it exist, its digest, is it signed and
    /// scanned, is the registry private (config `online: true`; default: offline).
    #[arg(long)]
    pub online: bool,

    /// Seconds the whole online phase may take; references not answered by then are
    /// diagnostics ("not checked online"), never findings [default: 60].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub online_timeout: Option<u64>,

    /// Registry credentials: a Docker `config.json` [default: `$DOCKER_CONFIG/config.json`,
    /// `$REGISTRY_AUTH_FILE`, `~/.docker/config.json`, the first that exists].
    #[arg(long, value_name = "FILE")]
    pub registry_auth: Option<PathBuf>,

    /// Send online lookups for REGISTRY to MIRROR (repeatable), e.g.
    /// `docker.io=mirror.example.com`; added to `registries.mirrors`.
    #[arg(long, value_name = "REGISTRY=MIRROR")]
    pub registry_mirror: Vec<String>,

    /// Keep registry answers in DIR between runs (for an hour; what a digest resolves to, for
    /// good).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Limit the scan to what changed since the git reference REF (from where the branch
    /// left it, uncommitted and untracked files included): only charts and overlays reading
    /// a changed file are rendered, only findings in changed files reported. Every file is
    /// still read, so facts across files (ServiceAccounts, pull secrets, RBAC) stay whole.
    #[arg(long, value_name = "REF")]
    pub changed_since: Option<String>,

    /// Show progress (charts rendered, overlays built, files checked) on standard error
    /// [default: on a terminal, outside CI].
    #[arg(long, overrides_with = "no_progress")]
    pub progress: bool,

    /// Never show progress.
    #[arg(long, overrides_with = "progress")]
    pub no_progress: bool,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with 1 when a finding is at or above this level [default: error, or `fail-on` of
    /// the configuration file].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Also exit with 1 when a file could not be checked at all (unreadable, over
    /// --max-file-size, binary, not UTF-8, a manifest that is not valid YAML, past a parser
    /// limit) [default: false, or `fail-on-unchecked` of the configuration file].
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub fail_on_unchecked: Option<bool>,

    /// When to colour text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Also show debug notes (skipped templates, files that are not manifests).
    #[arg(long, short = 'v')]
    pub verbose: bool,

    /// Report only findings not in this baseline (`imagegate baseline write`); baseline
    /// entries nothing matches any more are listed as fixed.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Record today's findings in FILE, so that later scans with `--baseline FILE` report only
    /// new ones.
    Write {
        /// The baseline file to write.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        input: Box<InputArgs>,
        /// Also show debug notes.
        #[arg(long, short = 'v')]
        verbose: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the JSON Schema of `.imagegate.yaml` (for editor completion).
    Schema,
    /// Print the effective configuration: defaults, then the file, as a scan would use them.
    Show {
        /// The configuration file [default: `.imagegate.yaml` at the repository root].
        #[arg(long, short = 'c', value_name = "FILE")]
        config: Option<PathBuf>,
    },
}

/// `imagegate fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Print the changes as a unified diff and write nothing.
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,

    /// Write nothing; exit 1 when anything would change (for CI and pre-commit).
    #[arg(long)]
    pub check: bool,

    /// Also pin `latest` and untagged references, to whatever `latest` is today.
    #[arg(long)]
    pub resolve_latest: bool,

    /// Pin the manifest of one platform (`linux/amd64`, `linux/arm64/v8`) instead of the
    /// multi-platform index.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Parse `10485760`, `10M`, `10MiB`, `512k`, `1G`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size (e.g. 10485760, 10M, 512KiB)"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => return Err(format!("unknown size unit `{other}` (use K, M or G)")),
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("`{s}` is too large"))
}

#[cfg(test)]
mod tests;
