//! The images a CI pipeline runs. GitHub workflows: each job's `container` (a string or its
//! `image`), its `services.<name>.image`, and steps that run `uses: docker://IMAGE`. GitLab CI:
//! `image` (a string or its `name`) and `services` (strings or their `name`) at the top level,
//! in `default`, and in every job (hidden `.template` jobs included: they are written there).
//!
//! Values made by the pipeline (`${{ matrix.image }}`, `$CI_REGISTRY_IMAGE`) are not guessed:
//! each is a debug note.

use super::{ImageError, ImageUse, Site, image_value};
use crate::syntax::image_ref::ImageRef;
use crate::syntax::source::Span;
use crate::syntax::yaml::{Node, Value};

/// Which pipeline a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pipeline {
    GithubWorkflow,
    GitlabCi,
}

/// The image uses of a pipeline document; values made at run time go to `notes`.
pub fn pipeline_images(
    pipeline: Pipeline,
    file: usize,
    root: &Node,
    text: &str,
    out: &mut Vec<ImageUse>,
    notes: &mut Vec<(Span, String)>,
) {
    let mut found = Found {
        file,
        text,
        out,
        notes,
        pipeline,
    };
    match pipeline {
        Pipeline::GithubWorkflow => found.workflow(root),
        Pipeline::GitlabCi => found.gitlab(root),
    }
}

/// A registry password written as a literal in a workflow (`container.credentials.password`
/// or a service's), not a `${{ secrets.* }}` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiteralCredential {
    pub job: String,
    /// `jobs.build.container.credentials.password`.
    pub key_path: String,
    /// The password value.
    pub span: Span,
}

/// The literal registry passwords of a GitHub workflow's job containers and services.
pub fn literal_credentials(root: &Node) -> Vec<LiteralCredential> {
    let mut out = Vec::new();
    let jobs = root.get("jobs").and_then(Node::entries).unwrap_or_default();
    for (id, job) in jobs {
        let Some(id) = id.as_str() else {
            continue;
        };
        let mut places: Vec<(String, &Node)> = Vec::new();
        if let Some(container) = job.get("container") {
            places.push((format!("jobs.{id}.container"), container));
        }
        for (name, service) in job
            .get("services")
            .and_then(Node::entries)
            .unwrap_or_default()
        {
            if let Some(name) = name.as_str() {
                places.push((format!("jobs.{id}.services.{name}"), service));
            }
        }
        for (path, node) in places {
            let Some(password) = node.path(&["credentials", "password"]) else {
                continue;
            };
            let literal = password
                .as_str()
                .is_some_and(|p| !p.trim().is_empty() && !p.contains("${{"));
            if literal {
                out.push(LiteralCredential {
                    job: id.to_string(),
                    key_path: format!("{path}.credentials.password"),
                    span: password.span,
                });
            }
        }
    }
    out
}

/// One step of a pipeline, as the pipeline rules read it: a GitHub workflow step (an action
/// with its `with:` inputs, or a `run:` script), or a GitLab job's scripts.
#[derive(Debug, Clone, Default)]
pub struct Step {
    /// The job's id.
    pub job: String,
    /// Where the step is: `jobs.build.steps[2]`, `build.script`.
    pub key_path: String,
    /// The step's `uses:` or `run:` value (GitLab: the job's first script line, else its key);
    /// for a step of a called workflow, the caller's `uses:`.
    pub span: Span,
    /// The action a GitHub step uses (`docker/build-push-action`), lower case, without its
    /// version.
    pub action: Option<String>,
    /// The action's `with:` inputs (values as written, expressions included).
    pub with: Vec<(String, String)>,
    /// The environment the step sees: the workflow's, the job's and its own `env:` (GitLab:
    /// `variables:`), later ones first.
    pub env: Vec<(String, String)>,
    /// The shell commands of its scripts, spans in the file they are written in.
    pub commands: Vec<crate::syntax::shell::Command>,
    /// A reusable workflow the job calls (`uses:` at the job level), or a GitLab `include:`,
    /// as written.
    pub calls: Option<String>,
    /// For a step of a workflow this one calls: that workflow, as the caller names it.
    pub via: Option<String>,
}

impl Step {
    /// The value of `name` in the step's `with:` inputs.
    pub fn input(&self, name: &str) -> Option<&str> {
        self.with
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of the environment variable `name` for the step.
    pub fn env(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the pipeline rules read of one pipeline file: its steps and those of the reusable
/// workflows it calls from the repository, and the calls that could not be read.
#[derive(Debug, Clone, Default)]
pub struct PipelineFacts {
    pub steps: Vec<Step>,
    pub unread: Vec<String>,
    /// A reusable workflow that runs only when called (`on: workflow_call`): its steps are
    /// judged where a workflow of the repository calls it.
    pub reusable_only: bool,
}

/// Whether a workflow runs only when another calls it.
pub fn is_reusable_only(root: &Node) -> bool {
    // `on` is a boolean to YAML 1.1 readers; either spelling is the trigger key.
    let on = root.entries().and_then(|entries| {
        entries
            .iter()
            .find(|(k, _)| k.as_str() == Some("on") || k.value == Value::Bool(true))
            .map(|(_, v)| v)
    });
    let Some(on) = on else {
        return false;
    };
    match &on.value {
        Value::String(event) => event == "workflow_call",
        Value::Seq(events) => {
            !events.is_empty() && events.iter().all(|e| e.as_str() == Some("workflow_call"))
        }
        Value::Map(events) => {
            !events.is_empty()
                && events
                    .iter()
                    .all(|(k, _)| k.as_str() == Some("workflow_call"))
        }
        _ => false,
    }
}

/// The `env:` (or GitLab `variables:`) of a node, as scalars.
fn env_of(node: &Node, key: &str) -> Vec<(String, String)> {
    node.get(key)
        .and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| {
            // GitLab's `VAR: {value: …, description: …}`.
            let value = v.get("value").unwrap_or(v);
            Some((k.as_str()?.to_string(), scalar(value)?))
        })
        .collect()
}

/// The steps of a pipeline document (`text` is the file's text, which `root` was read from).
pub fn steps(pipeline: Pipeline, root: &Node, text: &str) -> Vec<Step> {
    let mut out = Vec::new();
    match pipeline {
        Pipeline::GithubWorkflow => {
            let workflow_env = env_of(root, "env");
            let jobs = root.get("jobs").and_then(Node::entries).unwrap_or_default();
            for (id, job) in jobs {
                let Some(id) = id.as_str() else {
                    continue;
                };
                let mut job_env = env_of(job, "env");
                job_env.extend(workflow_env.iter().cloned());
                if let Some(called) = job.get("uses") {
                    out.push(Step {
                        job: id.to_string(),
                        key_path: format!("jobs.{id}"),
                        span: called.span,
                        calls: called.as_str().map(str::to_string),
                        env: job_env.clone(),
                        ..Step::default()
                    });
                }
                let steps = job.get("steps").and_then(Node::items).unwrap_or_default();
                for (index, step) in steps.iter().enumerate() {
                    let mut env = env_of(step, "env");
                    env.extend(job_env.iter().cloned());
                    let key_path = format!("jobs.{id}.steps[{index}]");
                    if let Some(uses) = step.get("uses") {
                        let with = step
                            .get("with")
                            .and_then(Node::entries)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), scalar(v)?)))
                            .collect();
                        out.push(Step {
                            job: id.to_string(),
                            key_path,
                            span: uses.span,
                            action: uses
                                .as_str()
                                .map(|u| u.split('@').next().unwrap_or(u).to_ascii_lowercase()),
                            with,
                            env,
                            ..Step::default()
                        });
                    } else if let Some(run) = step.get("run") {
                        out.push(Step {
                            job: id.to_string(),
                            key_path,
                            span: run.span,
                            env,
                            commands: script_commands(run, text),
                            ..Step::default()
                        });
                    }
                }
            }
        }
        Pipeline::GitlabCi => {
            let variables = env_of(root, "variables");
            // An included file or template is read only when it is GitLab's container
            // scanning; any other is not followed (the pipeline rules say so).
            let includes = match root.get("include") {
                Some(node) => match &node.value {
                    Value::Seq(items) => items.iter().collect(),
                    _ => vec![node],
                },
                None => Vec::new(),
            };
            for include in includes {
                let named = include.as_str().map(str::to_string).or_else(|| {
                    [
                        "template",
                        "component",
                        "local",
                        "remote",
                        "project",
                        "file",
                    ]
                    .iter()
                    .find_map(|k| scalar(include.get(k)?))
                });
                let Some(named) = named else {
                    continue;
                };
                let lower = named.to_ascii_lowercase();
                let scanning =
                    lower.contains("container-scanning") || lower.contains("container_scanning");
                out.push(Step {
                    job: "include".into(),
                    key_path: "include".into(),
                    span: include.span,
                    action: scanning.then(|| GITLAB_CONTAINER_SCANNING.to_string()),
                    calls: (!scanning).then_some(named),
                    ..Step::default()
                });
            }
            for (key, job) in root.entries().unwrap_or_default() {
                let Some(id) = key.as_str() else {
                    continue;
                };
                if GITLAB_KEYWORDS.contains(&id) || job.entries().is_none() {
                    continue;
                }
                let mut env = env_of(job, "variables");
                env.extend(variables.iter().cloned());
                let mut commands = Vec::new();
                for part in ["before_script", "script", "after_script"] {
                    let Some(lines) = job.get(part) else {
                        continue;
                    };
                    match lines.items() {
                        Some(items) => {
                            for line in items {
                                commands.extend(script_commands(line, text));
                            }
                        }
                        None => commands.extend(script_commands(lines, text)),
                    }
                }
                let span = commands
                    .first()
                    .map_or(key.span, |c| Span::new(c.span.start, c.span.end));
                out.push(Step {
                    job: id.to_string(),
                    key_path: format!("{id}.script"),
                    span,
                    env,
                    commands,
                    ..Step::default()
                });
            }
        }
    }
    out
}

/// The name the steps model gives GitLab's container-scanning template when a pipeline
/// includes it.
pub const GITLAB_CONTAINER_SCANNING: &str = "gitlab/container-scanning";

/// A scalar's text (strings, numbers and booleans as written).
fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) | Value::Number(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The commands of a script value: read from the file where the value is written as read (a
/// plain or block scalar), so spans are the file's; else from its text, at the value's start.
fn script_commands(node: &Node, text: &str) -> Vec<crate::syntax::shell::Command> {
    use crate::syntax::shell::{ScriptKind, commands};
    let Some(value) = node.as_str() else {
        return Vec::new();
    };
    let raw = text.get(node.span.range()).unwrap_or_default();
    let quoted = raw.starts_with('"') || raw.starts_with('\'');
    // A folded (`>`) or multi-line plain scalar joins its lines: one command may span them,
    // so its value is read (positions: the value's start).
    let folded = raw.trim_end().matches('\n').count() > value.trim_end().matches('\n').count();
    if quoted || folded || raw.is_empty() {
        return commands(value, ScriptKind::Shell)
            .into_iter()
            .map(|mut c| {
                c.span = node.span.start..node.span.end;
                c
            })
            .collect();
    }
    commands(raw, ScriptKind::Shell)
        .into_iter()
        .map(|mut c| {
            c.span = c.span.start + node.span.start..c.span.end + node.span.start;
            c
        })
        .collect()
}

struct Found<'a> {
    file: usize,
    text: &'a str,
    out: &'a mut Vec<ImageUse>,
    notes: &'a mut Vec<(Span, String)>,
    pipeline: Pipeline,
}

/// GitLab CI's top-level keywords: everything else at the top level is a job.
const GITLAB_KEYWORDS: [&str; 10] = [
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

impl Found<'_> {
    fn workflow(&mut self, root: &Node) {
        let Some(jobs) = root.get("jobs").and_then(Node::entries) else {
            return;
        };
        for (id, job) in jobs {
            let Some(id) = id.as_str() else {
                continue;
            };
            if let Some(container) = job.get("container") {
                self.image_or_block(container, "image", &format!("jobs.{id}.container"));
            }
            for (name, service) in job
                .get("services")
                .and_then(Node::entries)
                .unwrap_or_default()
            {
                let Some(name) = name.as_str() else {
                    continue;
                };
                self.image_or_block(service, "image", &format!("jobs.{id}.services.{name}"));
            }
            let steps = job.get("steps").and_then(Node::items).unwrap_or_default();
            for (index, step) in steps.iter().enumerate() {
                let Some(uses) = step.get("uses") else {
                    continue;
                };
                let Some(image) = uses.as_str().and_then(|u| u.strip_prefix("docker://")) else {
                    continue;
                };
                // The image after `docker://`, when the scalar is written as read (plain, or
                // quoted without escapes); else the whole value.
                let raw = self.text.get(uses.span.range()).unwrap_or_default();
                let quoted = raw.starts_with('"') || raw.starts_with('\'');
                let start = uses.span.start + usize::from(quoted) + "docker://".len();
                let span = match self.text.get(start..start + image.len()) {
                    Some(written) if written == image => Span::new(start, start + image.len()),
                    _ => uses.span,
                };
                self.push(
                    image.to_string(),
                    span,
                    Ok(()),
                    format!("jobs.{id}.steps[{index}].uses"),
                );
            }
        }
    }

    fn gitlab(&mut self, root: &Node) {
        let Some(entries) = root.entries() else {
            return;
        };
        for (key, value) in entries {
            let Some(key) = key.as_str() else {
                continue;
            };
            match key {
                "image" | "services" => self.gitlab_job_part(key, value, key),
                "default" => self.gitlab_job(value, "default"),
                _ if GITLAB_KEYWORDS.contains(&key) => {}
                job => self.gitlab_job(value, job),
            }
        }
    }

    /// A GitLab job (or `default`): its `image` and `services`.
    fn gitlab_job(&mut self, job: &Node, name: &str) {
        for part in ["image", "services"] {
            if let Some(value) = job.get(part) {
                self.gitlab_job_part(part, value, &format!("{name}.{part}"));
            }
        }
    }

    fn gitlab_job_part(&mut self, part: &str, value: &Node, key_path: &str) {
        match part {
            "image" => self.image_or_block(value, "name", key_path),
            _ => {
                // `services: !reference [.base, services]` reads as a list of the job and key
                // it refers to (the YAML tag is not kept): not images.
                let items = value.items().unwrap_or_default();
                if items
                    .first()
                    .and_then(Node::as_str)
                    .is_some_and(|first| first.starts_with('.'))
                {
                    return;
                }
                for (index, service) in items.iter().enumerate() {
                    self.image_or_block(service, "name", &format!("{key_path}[{index}]"));
                }
            }
        }
    }

    /// An image written as a string, or as the `key` of a mapping (`container: {image: …}`,
    /// `image: {name: …}`).
    fn image_or_block(&mut self, node: &Node, key: &str, key_path: &str) {
        let (node, key_path) = match &node.value {
            // GitLab's `image: !reference [.base, image]`: a reference, not an image.
            Value::Seq(_) if self.pipeline == Pipeline::GitlabCi => return,
            Value::Map(_) => match node.get(key) {
                Some(inner) => (inner, format!("{key_path}.{key}")),
                None => return,
            },
            _ => (node, key_path.to_string()),
        };
        if node.is_null() {
            return;
        }
        match image_value(node) {
            Ok(text) => self.push(text, node.span, Ok(()), key_path),
            Err((shown, error)) => self.push(shown, node.span, Err(error), key_path),
        }
    }

    fn push(&mut self, text: String, span: Span, valid: Result<(), ImageError>, key_path: String) {
        if let Some(expression) = self.expression(&text) {
            self.notes.push((
                span,
                format!("pipeline image `{text}` is made by {expression} when the pipeline runs; not checked"),
            ));
            return;
        }
        let reference = valid.and_then(|()| ImageRef::parse(&text).map_err(ImageError::from));
        self.out.push(ImageUse {
            file: self.file,
            span,
            reference,
            text,
            site: Site::Pipeline { key_path },
        });
    }

    /// What in `text` the pipeline fills in at run time, if anything.
    fn expression(&self, text: &str) -> Option<&'static str> {
        match self.pipeline {
            Pipeline::GithubWorkflow if text.contains("${{") => Some("a workflow expression"),
            Pipeline::GitlabCi if text.contains('$') => Some("a CI/CD variable"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
