//! The effective configuration: built-in defaults, then `.imagegate.yaml`, then the command line
//! (or the action's inputs), in that order. `imagegate config show` prints it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::ScanOptions;
use crate::cli::InputArgs;
use crate::config::file::{self, ConfigFile, FailOnSetting, LevelSetting, Loaded};
use crate::findings::finding::Level;
use crate::online::OnlineOptions;
use crate::policy::{FailOn, IgnoreRule, Policy};
use crate::render::helm::{ChartOverride, HelmOptions};
use crate::rules::{self, Context};
use crate::syntax::image_ref::canonical_registry;
use crate::syntax::registry::RegistryPattern;

/// What the command line (or the action) sets. `None`/empty means "not given": the file's
/// value, else the default, applies.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub allowed_registries: Vec<String>,
    /// `--private-registry` (the action's `private-registries`): replaces `registries.private`.
    pub private_registries: Vec<String>,
    pub namespace: Option<String>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub fail_on: Option<FailOn>,
    pub fail_on_unchecked: Option<bool>,
    pub helm_values: Vec<PathBuf>,
    pub no_helm: bool,
    pub no_kustomize: bool,
    /// `--online` (the action's `online`): on when true, else the file decides.
    pub online: bool,
    pub online_timeout: Option<u64>,
    pub registry_auth: Option<PathBuf>,
    /// `--registry-mirror REGISTRY=MIRROR`, over `registries.mirrors`.
    pub registry_mirrors: Vec<String>,
    pub cache_dir: Option<PathBuf>,
    /// The action's `github-token`, for `ghcr.io` (`Debug` shows `***`).
    pub github_token: Option<crate::online::Masked>,
}

/// Everything a run needs, resolved.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The scan's options, its findings policy (`options.policy`) included.
    pub options: ScanOptions,
    /// The configuration file used, if any.
    pub config: Option<PathBuf>,
}

/// A value from the command line that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{flag} `{value}`: {message}")]
pub struct OverrideError {
    pub flag: &'static str,
    /// The action input that sets the same thing, for the action's message.
    pub input: &'static str,
    pub value: String,
    pub message: String,
}

/// Merge `file` and `cli` over `base` (which carries the command line's other settings:
/// paths, limits, jobs, helm binary and timeout).
pub fn resolve(
    mut base: ScanOptions,
    file: Option<&Loaded>,
    cli: &Overrides,
) -> Result<Resolved, OverrideError> {
    let empty = ConfigFile::default();
    let (cfg, dir) = match file {
        Some(loaded) => (&loaded.file, loaded.dir.clone()),
        None => (&empty, PathBuf::from(".")),
    };
    let relative = |p: &str| -> PathBuf {
        let path = Path::new(p);
        if path.is_absolute() || dir == Path::new(".") {
            path.to_path_buf()
        } else {
            dir.join(path)
        }
    };
    let patterns = |list: &[serde_saphyr::Spanned<String>]| -> Vec<RegistryPattern> {
        // Checked when the file was loaded.
        list.iter()
            .filter_map(|p| RegistryPattern::parse(&p.value).ok())
            .collect()
    };

    // The command line's patterns replace the file's list when given.
    let chosen = |given: &[String],
                  file: &[serde_saphyr::Spanned<String>],
                  flag: &'static str,
                  input: &'static str|
     -> Result<Vec<RegistryPattern>, OverrideError> {
        if given.is_empty() {
            return Ok(patterns(file));
        }
        given
            .iter()
            .map(|p| {
                RegistryPattern::parse(p).map_err(|err| OverrideError {
                    flag,
                    input,
                    value: p.clone(),
                    message: err.to_string(),
                })
            })
            .collect()
    };
    let mut context = Context {
        allowed_registries: chosen(
            &cli.allowed_registries,
            &cfg.registries.allowed,
            "--allowed-registry",
            "allowed-registries",
        )?,
        private_registries: chosen(
            &cli.private_registries,
            &cfg.registries.private,
            "--private-registry",
            "private-registries",
        )?,
        ..Context::default()
    };
    if let Some(list) = &cfg.registries.node_credentials {
        context.node_credential_registries = patterns(list);
    }
    let public = &cfg.registries.public;
    if let Some(list) = &public.replace {
        context.public_registries = patterns(list);
    }
    context.public_registries.extend(patterns(&public.add));
    let namespace = cli
        .namespace
        .clone()
        .or_else(|| cfg.namespace.clone())
        .unwrap_or_else(|| "default".to_string());
    context.default_namespace = namespace.clone();

    let mut levels: BTreeMap<&'static str, Option<Level>> = BTreeMap::new();
    for (id, entry) in &cfg.rules.0 {
        let (Some(rule), Some(entry)) = (rules::find(&id.value), entry) else {
            continue;
        };
        if let Some(level) = entry.level {
            levels.insert(
                rule.meta().id,
                match level {
                    LevelSetting::Error => Some(Level::Error),
                    LevelSetting::Warning => Some(Level::Warning),
                    LevelSetting::Note => Some(Level::Note),
                    LevelSetting::Off => None,
                },
            );
        }
        if let Some(options) = &entry.options {
            context.options.insert(rule.options(), options.clone());
        }
    }

    let fail_on = cli.fail_on.unwrap_or(match cfg.fail_on {
        Some(FailOnSetting::Error) | None => FailOn::Error,
        Some(FailOnSetting::Warning) => FailOn::Warning,
        Some(FailOnSetting::Note) => FailOn::Note,
        Some(FailOnSetting::Never) => FailOn::Never,
    });

    let ignores = cfg
        .ignore
        .iter()
        .map(|entry| IgnoreRule {
            rule: entry.rule.value.clone(),
            paths: entry
                .paths
                .iter()
                .filter_map(|p| file::glob_of(&p.value).ok())
                .map(|g| g.compile_matcher())
                .collect(),
            objects: entry
                .objects
                .iter()
                .filter_map(|o| crate::syntax::name_glob::ObjectSelector::parse(&o.value).ok())
                .collect(),
            reason: entry.reason.value.trim().to_string(),
            expires: entry
                .expires
                .as_ref()
                .and_then(|e| crate::syntax::date::parse_date(&e.value)),
            span: {
                let at = entry.rule.referenced.span();
                let start = at.byte_offset().unwrap_or(0) as usize;
                crate::syntax::source::Span::new(start, start + at.byte_len().unwrap_or(0) as usize)
            },
        })
        .collect();

    base.rules = context;
    // The file's globs are relative to its directory, whatever is scanned; the command line's
    // to the scanned directory. `--include` replaces the file's includes.
    base.include = cli.include.clone();
    base.exclude = cli.exclude.clone();
    let include: Vec<String> = if cli.include.is_empty() {
        cfg.paths.include.iter().map(|g| g.value.clone()).collect()
    } else {
        Vec::new()
    };
    let exclude: Vec<String> = cfg.paths.exclude.iter().map(|g| g.value.clone()).collect();
    base.rooted_paths =
        (!include.is_empty() || !exclude.is_empty()).then(|| (dir.clone(), include, exclude));

    let helm = &cfg.helm;
    base.helm = HelmOptions {
        enabled: !cli.no_helm && helm.enabled.unwrap_or(true),
        values: helm
            .values
            .iter()
            .map(|v| relative(&v.value))
            .chain(cli.helm_values.iter().cloned())
            .collect(),
        release: helm.release.clone().unwrap_or_else(|| "imagegate".into()),
        namespace: helm.namespace.clone().unwrap_or_else(|| namespace.clone()),
        charts: helm
            .charts
            .iter()
            .map(|(dir, chart)| ChartOverride {
                dir: relative(dir),
                values: chart.values.iter().map(|v| relative(&v.value)).collect(),
                release: chart.release.clone(),
                namespace: chart.namespace.clone(),
            })
            .collect(),
        cache_dir: cli
            .cache_dir
            .clone()
            .or_else(|| cfg.cache_dir.as_ref().map(|d| relative(&d.value))),
        ..base.helm
    };
    base.kustomize = !cli.no_kustomize && cfg.kustomize.unwrap_or(true);
    base.online = online_options(cfg, cli, &relative)?;
    base.rules.signers = cfg
        .registries
        .signers
        .iter()
        .map(|signer| rules::Signer {
            images: patterns(&signer.images),
            // Checked when the file was loaded.
            keys: signer
                .keys
                .iter()
                .filter_map(|key| file::SignerEntry::key_pem(&key.value, &dir).ok())
                .filter_map(|pem| crate::online::cosign::PublicKey::from_pem(&pem).ok())
                .collect(),
            origin: match file {
                Some(loaded) => format!(
                    "{}:{}",
                    crate::input::paths::display_path(&loaded.path),
                    signer
                        .keys
                        .first()
                        .map_or(0, |k| k.referenced.line() as usize)
                ),
                None => "registries.signers".into(),
            },
        })
        .collect();

    base.policy = Policy {
        fail_on,
        fail_on_unchecked: cli
            .fail_on_unchecked
            .or(cfg.fail_on_unchecked)
            .unwrap_or(false),
        levels,
        ignores,
        config: file.map(|f| (f.path.clone(), f.dir.clone())),
        baseline: None,
        root: base.policy.root.clone(),
    };
    Ok(Resolved {
        options: base,
        config: file.map(|f| f.path.clone()),
    })
}

/// The online phase's options, when it is on: the command line's over the file's.
fn online_options(
    cfg: &ConfigFile,
    cli: &Overrides,
    relative: &dyn Fn(&str) -> PathBuf,
) -> Result<Option<OnlineOptions>, OverrideError> {
    if !(cli.online || cfg.online.unwrap_or(false)) {
        return Ok(None);
    }
    let mut mirrors: BTreeMap<String, String> = cfg
        .registries
        .mirrors
        .iter()
        .map(|(registry, mirror)| {
            (
                canonical_registry(registry).to_string(),
                mirror.value.clone(),
            )
        })
        .collect();
    for given in &cli.registry_mirrors {
        let (registry, mirror) = given
            .split_once('=')
            .filter(|(r, m)| !r.trim().is_empty() && !m.trim().is_empty())
            .ok_or_else(|| OverrideError {
                flag: "--registry-mirror",
                input: "registry-mirrors",
                value: given.clone(),
                message: "expected REGISTRY=MIRROR, e.g. docker.io=mirror.example.com".into(),
            })?;
        let mirror = mirror.trim();
        if let Err(message) = crate::config::file::check_mirror(mirror) {
            return Err(OverrideError {
                flag: "--registry-mirror",
                input: "registry-mirrors",
                value: given.clone(),
                message,
            });
        }
        mirrors.insert(
            canonical_registry(registry.trim()).to_string(),
            mirror.to_string(),
        );
    }
    let defaults = OnlineOptions::default();
    Ok(Some(OnlineOptions {
        deadline: cli
            .online_timeout
            .or(cfg.online_timeout)
            .map_or(defaults.deadline, std::time::Duration::from_secs),
        auth_file: cli.registry_auth.clone(),
        github_token: cli.github_token.clone(),
        mirrors,
        insecure: cfg
            .registries
            .insecure
            .iter()
            .map(|r| r.value.clone())
            .collect(),
        cache_dir: cli
            .cache_dir
            .clone()
            .or_else(|| cfg.cache_dir.as_ref().map(|d| relative(&d.value))),
        ..defaults
    }))
}

/// The configuration to use: `explicit` (which must exist), else `.imagegate.yaml` at the
/// repository root around `start` (the nearest directory holding `.git`, else `start`).
pub fn load_config(
    explicit: Option<&Path>,
    start: &Path,
) -> Result<Option<Loaded>, file::ConfigError> {
    let path = match explicit {
        Some(path) => path.to_path_buf(),
        None => {
            let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
            let root = start
                .ancestors()
                .find(|dir| dir.join(".git").exists())
                .unwrap_or(&start);
            match file::find(root) {
                // Shown relative to the working directory when it is below it.
                Some(found) => found
                    .strip_prefix(&start)
                    .map(Path::to_path_buf)
                    .unwrap_or(found),
                None => return Ok(None),
            }
        }
    };
    file::load(&path).map(Some)
}

/// The scan's options: the command line over the configuration file.
/// `gate`: `--fail-on` and `--fail-on-unchecked`, for `scan`.
pub fn scan_options(
    input: &InputArgs,
    gate: (Option<FailOn>, Option<bool>),
) -> anyhow::Result<ScanOptions> {
    if let Some(missing) = input.helm_values.iter().find(|p| !p.is_file()) {
        anyhow::bail!("--helm-values {}: no such file", missing.display());
    }
    let cwd = std::env::current_dir().context("the working directory")?;
    let file = if input.no_config {
        None
    } else {
        load_config(input.config.as_deref(), &cwd)?
    };
    let base = ScanOptions {
        paths: input.paths.clone(),
        max_file_size: input.max_file_size,
        jobs: input.jobs,
        helm: HelmOptions {
            bin: input.helm_bin.clone(),
            timeout: std::time::Duration::from_secs(input.helm_timeout),
            rendered: input.rendered.clone(),
            ..Default::default()
        },
        ..Default::default()
    };
    let overrides = Overrides {
        allowed_registries: input.allowed_registries.clone(),
        private_registries: input.private_registries.clone(),
        namespace: input.namespace.clone(),
        include: input.include.clone(),
        exclude: input.exclude.clone(),
        fail_on: gate.0,
        fail_on_unchecked: gate.1,
        helm_values: input.helm_values.clone(),
        no_helm: input.no_helm,
        no_kustomize: input.no_kustomize,
        online: input.online,
        online_timeout: input.online_timeout,
        registry_auth: input.registry_auth.clone(),
        registry_mirrors: input.registry_mirror.clone(),
        cache_dir: input.cache_dir.clone(),
        github_token: None,
    };
    Ok(resolve(base, file.as_ref(), &overrides)?.options)
}
