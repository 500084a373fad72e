//! The action's inputs, read from the environment exactly as the runner names them: `INPUT_`
//! and the input id upper-cased with hyphens kept (`fail-on` → `INPUT_FAIL-ON`). An empty
//! value means unset (the runner cannot tell the two apart).

use std::collections::HashMap;
use std::path::PathBuf;

use crate::policy::FailOn;

/// Every input of `action.yml`, in its order (a test keeps the two, and the README, in step).
pub const INPUTS: &[&str] = &[
    "paths",
    "config",
    "baseline",
    "fail-on",
    "fail-on-unchecked",
    "sarif-file",
    "comment",
    "summary",
    "annotations",
    "allowed-registries",
    "private-registries",
    "helm-values",
    "namespace",
    "category",
    "online",
    "online-timeout",
    "registry-auth",
    "registry-mirrors",
    "cache-dir",
    "changed-only",
    "suggest",
    "github-token",
];

/// Every output of `action.yml`, in its order.
pub const OUTPUTS: &[&str] = &[
    "sarif-file",
    "findings",
    "errors",
    "warnings",
    "notes",
    "unchecked",
];

/// When to post the sticky pull-request comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentMode {
    /// Post or update it when there are findings; turn an earlier one into "all clear" when
    /// they are gone; otherwise stay quiet.
    OnFindings,
    Always,
    Never,
}

/// A token that never shows itself: not in `Debug`, not in `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// The inputs, checked.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    /// `None` when unset: the configuration file's `fail-on`, else `error`.
    pub fail_on: Option<FailOn>,
    /// `None` when unset: the configuration file's `fail-on-unchecked`, else `false`.
    pub fail_on_unchecked: Option<bool>,
    pub sarif_file: PathBuf,
    pub comment: CommentMode,
    pub summary: bool,
    pub annotations: bool,
    pub allowed_registries: Vec<String>,
    /// Registries that need credentials (`--private-registry`); replaces `registries.private`.
    pub private_registries: Vec<String>,
    pub helm_values: Vec<PathBuf>,
    /// `None` when unset: the configuration file's, else `default`.
    pub namespace: Option<String>,
    pub category: String,
    /// Ask the registries (`--online`); `false` when unset leaves it to the configuration.
    pub online: bool,
    pub online_timeout: Option<u64>,
    /// A Docker `config.json` document (from a secret), never shown.
    pub registry_auth: Option<Token>,
    /// `REGISTRY=MIRROR` entries (`--registry-mirror`).
    pub registry_mirrors: Vec<String>,
    pub cache_dir: Option<PathBuf>,
    /// On a pull request, render and report only what it changes.
    pub changed_only: bool,
    /// Post the digest pins of fixable findings on changed lines as one review of suggested
    /// changes.
    pub suggest: bool,
    pub github_token: Option<Token>,
}

/// A wrong input value: exit 2, with the input's name.
#[derive(Debug, thiserror::Error)]
#[error("input `{name}`: {problem}")]
pub struct InputError {
    pub name: &'static str,
    pub problem: String,
}

/// The environment variable of input `name`.
pub fn variable(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_ascii_uppercase())
}

impl Inputs {
    /// Read and check every input from `env`.
    pub fn read(env: &HashMap<String, String>) -> Result<Inputs, InputError> {
        let get = |name: &'static str| -> Option<&str> {
            debug_assert!(INPUTS.contains(&name), "undeclared input {name}");
            env.get(&variable(name))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        let fail = |name: &'static str, problem: String| InputError { name, problem };
        let boolean = |name: &'static str, default: bool| match get(name) {
            None => Ok(default),
            // As `core.getBooleanInput` of the actions toolkit.
            Some("true" | "True" | "TRUE") => Ok(true),
            Some("false" | "False" | "FALSE") => Ok(false),
            Some(other) => Err(fail(name, format!("`{other}` is not `true` or `false`"))),
        };
        let fail_on = match get("fail-on") {
            None => None,
            Some("error") => Some(FailOn::Error),
            Some("warning") => Some(FailOn::Warning),
            Some("note") => Some(FailOn::Note),
            Some("never") => Some(FailOn::Never),
            Some(other) => {
                return Err(fail(
                    "fail-on",
                    format!("`{other}` is not one of error, warning, note, never"),
                ));
            }
        };
        let comment = match get("comment") {
            None | Some("on-findings") => CommentMode::OnFindings,
            Some("always") => CommentMode::Always,
            Some("never") => CommentMode::Never,
            Some(other) => {
                return Err(fail(
                    "comment",
                    format!("`{other}` is not one of on-findings, always, never"),
                ));
            }
        };
        let category = get("category").unwrap_or("imagegate").trim_end_matches('/');
        if category.is_empty() || category.chars().any(char::is_control) {
            return Err(fail(
                "category",
                "must be a name such as `imagegate` or `images/prod`".into(),
            ));
        }
        let paths: Vec<PathBuf> = get("paths")
            .map(list)
            .unwrap_or_default()
            .into_iter()
            .map(PathBuf::from)
            .collect();
        let fail_on_unchecked = match get("fail-on-unchecked") {
            None => None,
            Some(_) => Some(boolean("fail-on-unchecked", false)?),
        };
        let online_timeout =
            match get("online-timeout") {
                None => None,
                Some(value) => Some(value.parse::<u64>().ok().filter(|&s| s > 0).ok_or_else(
                    || {
                        fail(
                            "online-timeout",
                            format!("`{value}` is not a number of seconds"),
                        )
                    },
                )?),
            };
        Ok(Inputs {
            online: boolean("online", false)?,
            online_timeout,
            registry_auth: get("registry-auth").map(|t| Token(t.to_string())),
            registry_mirrors: get("registry-mirrors").map(list).unwrap_or_default(),
            cache_dir: get("cache-dir").map(PathBuf::from),
            changed_only: boolean("changed-only", false)?,
            suggest: boolean("suggest", false)?,
            paths: if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            },
            config: get("config").map(PathBuf::from),
            baseline: get("baseline").map(PathBuf::from),
            fail_on,
            fail_on_unchecked,
            sarif_file: PathBuf::from(get("sarif-file").unwrap_or("imagegate.sarif")),
            comment,
            summary: boolean("summary", true)?,
            annotations: boolean("annotations", true)?,
            allowed_registries: get("allowed-registries").map(list).unwrap_or_default(),
            private_registries: get("private-registries").map(list).unwrap_or_default(),
            helm_values: get("helm-values")
                .map(list)
                .unwrap_or_default()
                .into_iter()
                .map(PathBuf::from)
                .collect(),
            namespace: get("namespace").map(str::to_string),
            category: category.to_string(),
            github_token: get("github-token").map(|t| Token(t.to_string())),
        })
    }
}

/// `INPUT_*` variables that name no input of the action (a misspelt `with:` key).
pub fn unknown(env: &HashMap<String, String>) -> Vec<String> {
    let known: Vec<String> = INPUTS.iter().map(|n| variable(n)).collect();
    let mut unknown: Vec<String> = env
        .keys()
        .filter(|k| k.starts_with("INPUT_") && !known.contains(k))
        .cloned()
        .collect();
    unknown.sort();
    unknown
}

/// A newline- or comma-separated list, blank items dropped.
fn list(value: &str) -> Vec<String> {
    value
        .split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests;
