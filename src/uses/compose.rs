//! Compose files: the image of each service (`services.<name>.image`). A service with `build:`
//! and no `image:` builds its image and uses none. Compose interpolates `${VAR}` from the
//! environment where it runs and from the project's `.env` file: variables the `.env` beside
//! the Compose file sets are read from it, `${VAR:-default}` and `${VAR-default}` otherwise as
//! their default when that is literal; anything else is not guessed (a debug note).

use std::collections::BTreeMap;

use super::{ImageError, ImageUse, Site, image_value};
use crate::syntax::image_ref::ImageRef;
use crate::syntax::source::Span;
use crate::syntax::yaml::Node;

/// Whether a file's name is one Compose reads: `compose.yaml`, `compose.override.yml`,
/// `docker-compose.yml`, `docker-compose.prod.yaml`...
pub fn is_compose_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.starts_with("compose.") || lower.starts_with("docker-compose"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
}

/// Whether a YAML document is a Compose file: no Kubernetes `apiVersion`/`kind`, and a
/// `services` mapping whose entries are mappings with an `image` or a `build`.
pub fn is_compose(root: &Node) -> bool {
    if root.get("apiVersion").is_some() || root.get("kind").is_some() {
        return false;
    }
    let Some(services) = root.get("services").and_then(Node::entries) else {
        return false;
    };
    // A Compose image is a string: `services.api.image: {repository: …, tag: …}` is a chart's
    // values (or another tool's), not Compose.
    let string_images = services.iter().all(|(_, service)| {
        service
            .get("image")
            .is_none_or(|image| image.as_str().is_some() || image.is_null())
    });
    !services.is_empty()
        && string_images
        && services
            .iter()
            .all(|(_, service)| service.entries().is_some())
        && services
            .iter()
            .any(|(_, service)| service.get("image").is_some() || service.get("build").is_some())
}

/// The image uses of a Compose document; what cannot be read statically goes to `notes`.
pub fn compose_images(
    file: usize,
    root: &Node,
    dotenv: &BTreeMap<String, String>,
    out: &mut Vec<ImageUse>,
    notes: &mut Vec<(Span, String)>,
) {
    let Some(services) = root.get("services").and_then(Node::entries) else {
        return;
    };
    for (name, service) in services {
        let Some(name) = name.as_str() else {
            continue;
        };
        let Some(node) = service.get("image").filter(|n| !n.is_null()) else {
            continue;
        };
        let key_path = format!("services.{name}.image");
        let (text, resolved, reference) = match image_value(node) {
            Ok(text) => match interpolate(&text, dotenv) {
                Ok(resolved) => {
                    let reference = ImageRef::parse(&resolved).map_err(ImageError::from);
                    (text, resolved, reference)
                }
                Err(variable) => {
                    notes.push((
                        node.span,
                        format!(
                            "Compose image `{text}` takes `{variable}` from the environment it runs in; not checked (give it a default, `${{{variable}:-name:tag}}`, to check it)"
                        ),
                    ));
                    continue;
                }
            },
            Err((shown, error)) => (shown.clone(), shown, Err(error)),
        };
        out.push(ImageUse {
            file,
            span: node.span,
            reference,
            site: Site::Compose {
                service: name.to_string(),
                key_path,
                written: (text != resolved).then_some(text),
            },
            text: resolved,
        });
    }
}

/// A literal entry of a Compose service's `environment` (map form `KEY: value`, list form
/// `- KEY=value`). Values that interpolate (`${DB_PASSWORD}`) are the environment's, not
/// literals, and are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub service: String,
    pub name: String,
    pub value: String,
    /// Where the value is written (for the list form: after the `=`).
    pub span: Span,
    /// `services.db.environment.POSTGRES_PASSWORD`.
    pub key_path: String,
}

/// The literal environment entries of a Compose document's services.
pub fn environment(root: &Node, text: &str) -> Vec<EnvEntry> {
    let mut out = Vec::new();
    let services = root
        .get("services")
        .and_then(Node::entries)
        .unwrap_or_default();
    for (service, body) in services {
        let Some(service) = service.as_str() else {
            continue;
        };
        let Some(environment) = body.get("environment") else {
            continue;
        };
        let mut push = |name: &str, value: &str, span: Span| {
            if value.contains('$') {
                return;
            }
            out.push(EnvEntry {
                service: service.to_string(),
                name: name.to_string(),
                value: value.to_string(),
                span,
                key_path: format!("services.{service}.environment.{name}"),
            });
        };
        match &environment.value {
            crate::syntax::yaml::Value::Map(entries) => {
                for (name, value) in entries {
                    if let (Some(name), Some(text)) = (name.as_str(), value.as_str()) {
                        push(name, text, value.span);
                    }
                }
            }
            crate::syntax::yaml::Value::Seq(items) => {
                for item in items {
                    let Some((name, value)) = item.as_str().and_then(|t| t.split_once('=')) else {
                        continue;
                    };
                    // The value's place when the item is written as read (plain, or quoted
                    // without escapes): the text there must be the value itself; else the
                    // whole item (never less than the value, so masking covers it).
                    let raw = text.get(item.span.range()).unwrap_or_default();
                    let quoted = raw.starts_with('"') || raw.starts_with('\'');
                    let start = item.span.start + usize::from(quoted) + name.len() + 1;
                    let end = start + value.len();
                    let span = if text.get(start..end) == Some(value) {
                        Span::new(start, end)
                    } else {
                        item.span
                    };
                    push(name, value, span);
                }
            }
            _ => {}
        }
    }
    out
}

/// `text` with Compose's interpolation applied: `$$` is a `$`; `${VAR}` and `$VAR` the value
/// `env` (the `.env` file) gives; `${VAR:-default}` that value when set and not empty, else
/// the default; `${VAR-default}` that value when set, else the default. `Err` names the first
/// variable neither gives (a default that refers to a variable is not followed).
pub fn interpolate(text: &str, env: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
            continue;
        }
        if let Some(inner) = after.strip_prefix('{') {
            let Some(end) = inner.find('}') else {
                return Err(after.to_string());
            };
            let expression = &inner[..end];
            let split = expression
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(expression.len());
            let (variable, operator) = expression.split_at(split);
            let set = env.get(variable);
            let value = match operator {
                "" => set.cloned(),
                _ if operator.starts_with(":-") => set
                    .filter(|v| !v.is_empty())
                    .cloned()
                    .or_else(|| literal(&operator[2..])),
                _ if operator.starts_with('-') => set.cloned().or_else(|| literal(&operator[1..])),
                // `:+alt`: `alt` when set and not empty, else nothing; `+alt`: when set.
                _ if operator.starts_with(":+") => match set {
                    Some(v) if !v.is_empty() => literal(&operator[2..]),
                    _ => Some(String::new()),
                },
                _ if operator.starts_with('+') => match set {
                    Some(_) => literal(&operator[1..]),
                    None => Some(String::new()),
                },
                // `:?`, `?` (required): only a value `.env` sets.
                _ => set.cloned(),
            };
            match value {
                Some(value) => out.push_str(&value),
                None => return Err(variable.to_string()),
            }
            rest = &inner[end + 1..];
            continue;
        }
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if name_len == 0 {
            // A lone `$` is itself.
            out.push('$');
            rest = after;
            continue;
        }
        match env.get(&after[..name_len]) {
            Some(value) => out.push_str(value),
            None => return Err(after[..name_len].to_string()),
        }
        rest = &after[name_len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A default that is literal (no variable of its own).
fn literal(default: &str) -> Option<String> {
    (!default.contains('$')).then(|| default.to_string())
}

/// The variables of a `.env` file: `KEY=VALUE` lines (`export ` allowed, quotes removed,
/// comments and blank lines skipped).
pub fn dotenv(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let value = value.trim();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'');
        let value = match quote.and_then(|q| value[1..].find(q)) {
            // A quoted value ends at its closing quote (a comment may follow).
            Some(end) => &value[1..1 + end],
            // An unquoted value ends at a comment.
            None => value.split(" #").next().unwrap_or(value).trim_end(),
        };
        out.insert(key.to_string(), value.to_string());
    }
    out
}

#[cfg(test)]
mod tests;
