//! `.imagegate.yaml`: the configuration file at the repository root (or `--config FILE`).
//!
//! The file is deserialized into the types below with the same YAML parser as manifests
//! (`serde-saphyr`), which reports every unknown key, wrong type and bad value at its line and
//! column; values the types cannot check (registry patterns, globs, rule ids, dates) keep their
//! position (`Spanned`) and are checked after, so a mistake always points at the config line.
//! The JSON Schema of the file (`imagegate config schema`, `docs/config.schema.json`) is derived
//! from the same types, so it cannot drift from what is accepted.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_saphyr::Spanned;

use crate::rules::options::{OptionValue, null_as_default};
use crate::rules::{self, Rule};
use crate::syntax::registry::RegistryPattern;

pub use crate::input::paths::glob_of;
pub use crate::input::walk::CONFIG_FILE_NAMES as FILE_NAMES;
use crate::syntax::date::parse_date;
use crate::syntax::name_glob::ObjectSelector;

/// The configuration file. Every key is optional; command-line flags override it.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "imagegate configuration (.imagegate.yaml)")]
pub struct ConfigFile {
    /// Which registries images may come from, which are public, which need credentials, and
    /// which the nodes authenticate to.
    #[serde(default, deserialize_with = "null_as_default")]
    pub registries: Registries,
    /// Per rule id: its level, and options for the rules that have them.
    #[serde(default, deserialize_with = "null_as_default")]
    #[schemars(schema_with = "rules_schema")]
    pub rules: RuleMap,
    /// Findings to ignore, each with a reason (and optionally an expiry date).
    #[serde(default, deserialize_with = "null_as_default")]
    pub ignore: Vec<IgnoreEntry>,
    /// How Helm charts are rendered.
    #[serde(default, deserialize_with = "null_as_default")]
    pub helm: HelmSettings,
    /// Build kustomize overlays (default true).
    #[serde(default)]
    pub kustomize: Option<bool>,
    /// Which files are scanned.
    #[serde(default, deserialize_with = "null_as_default")]
    pub paths: PathFilters,
    /// Fail (exit 1) when a finding is at or above this level (default `error`).
    #[serde(default)]
    pub fail_on: Option<FailOnSetting>,
    /// Also fail when a file could not be checked at all: unreadable, over the size limit,
    /// binary, not UTF-8, a manifest that is not valid YAML, or past a parser limit (default
    /// `false`: such files are warnings).
    #[serde(default)]
    pub fail_on_unchecked: Option<bool>,
    /// The namespace of objects that set none (default `default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Ask the registries about every image (`--online`; default false): whether it exists,
    /// its digest, signatures, scan attestations, and whether the registry is private.
    #[serde(default)]
    pub online: Option<bool>,
    /// Seconds the whole online phase may take (`--online-timeout`; default 60).
    #[serde(default)]
    pub online_timeout: Option<u64>,
    /// A directory for answers kept between runs (`--cache-dir`), relative to this file.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub cache_dir: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Registries {
    /// Allow images matching these patterns only: `registry.example.com`,
    /// `registry.example.com/team/*`, `*.dkr.ecr.*.amazonaws.com`, `docker.io/library/*`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub allowed: Vec<Spanned<String>>,
    /// Registries treated as public (`image-registry-public`): added to the built-in list,
    /// or replacing it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub public: PublicRegistries,
    /// Registries (or repositories) that need credentials to pull, patterns as in `allowed`:
    /// `pull-secret-missing` is an error for their images when a pod has no pull secret (a
    /// warning for registries neither public nor private). Node-credential registries still
    /// need none.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub private: Vec<Spanned<String>>,
    /// Registries whose pulls the nodes authenticate, so pods need no pull secret: replaces
    /// the built-in list (ECR, ACR, Artifact Registry, GCR).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub node_credentials: Option<Vec<Spanned<String>>>,
    /// Online lookups for a registry sent to its mirror instead, as container runtimes
    /// configure pull-through caches: `docker.io: mirror.example.com`.
    #[serde(default, deserialize_with = "null_as_default")]
    #[schemars(with = "BTreeMap<String, String>")]
    pub mirrors: BTreeMap<String, Spanned<String>>,
    /// Registries the online mode may reach over plain HTTP (loopback addresses always may).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub insecure: Vec<Spanned<String>>,
    /// Who signs which images, for `image-signature-untrusted` (online).
    #[serde(default, deserialize_with = "null_as_default")]
    pub signers: Vec<SignerEntry>,
}

/// Public keys trusted to sign the images some patterns match.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SignerEntry {
    /// Image patterns, as in `registries.allowed`.
    #[schemars(with = "Vec<String>")]
    pub images: Vec<Spanned<String>>,
    /// Public keys (ECDSA P-256, PEM, as `cosign generate-key-pair` writes `cosign.pub`):
    /// a path relative to this file, or the PEM text itself.
    #[schemars(with = "Vec<String>")]
    pub keys: Vec<Spanned<String>>,
}

impl SignerEntry {
    /// The PEM text of `key` (inline, or the file it names under `dir`).
    pub fn key_pem(key: &str, dir: &Path) -> Result<String, String> {
        if key.trim_start().starts_with("-----BEGIN") {
            return Ok(key.to_string());
        }
        let path = if Path::new(key).is_absolute() {
            PathBuf::from(key)
        } else {
            dir.join(key)
        };
        std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read the key file `{}`: {err}", path.display()))
    }
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PublicRegistries {
    /// Hosts added to the built-in list of public registries.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub add: Vec<Spanned<String>>,
    /// Hosts that replace the built-in list (give `[]` to treat no registry as public).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub replace: Option<Vec<Spanned<String>>>,
}

/// A rule's level in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LevelSetting {
    Error,
    Warning,
    Note,
    /// The rule does not run.
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FailOnSetting {
    Error,
    Warning,
    Note,
    Never,
}

/// One rule's entry: its level, and the options of that rule (its `Options` type in its file,
/// read through its [`OptionsKind`]: an option of another rule is an error at its line).
#[derive(Debug)]
pub struct RuleEntry {
    pub level: Option<LevelSetting>,
    /// The rule's options, when the entry gives any.
    pub options: Option<OptionValue>,
}

/// `rules:` — rule ids (with where each was written) and their entries; an id that names no
/// rule has no entry (it is reported by [`check`] at its line).
#[derive(Debug, Default)]
pub struct RuleMap(pub Vec<(Spanned<String>, Option<RuleEntry>)>);

impl<'de> Deserialize<'de> for RuleMap {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RuleMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map from rule id to its settings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RuleMap, A::Error> {
                let mut entries = Vec::new();
                while let Some(id) = map.next_key::<Spanned<String>>()? {
                    let entry = match rules::find(&id.value) {
                        Some(rule) => Some(map.next_value_seed(EntrySeed { rule })?),
                        None => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            None
                        }
                    };
                    entries.push((id, entry));
                }
                Ok(RuleMap(entries))
            }
            fn visit_unit<E>(self) -> Result<RuleMap, E> {
                Ok(RuleMap::default())
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// Reads one rule's entry: `level` here, every other key through the rule's options type.
struct EntrySeed {
    rule: &'static dyn Rule,
}

impl<'de> serde::de::DeserializeSeed<'de> for EntrySeed {
    type Value = RuleEntry;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<RuleEntry, D::Error> {
        // `rules: {image-tag-latest: }` (null) is an entry that sets nothing.
        deserializer.deserialize_option(self)
    }
}

impl<'de> serde::de::Visitor<'de> for EntrySeed {
    type Value = RuleEntry;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "the settings of `{}` (level and options)",
            self.rule.meta().id
        )
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<RuleEntry, E> {
        Ok(RuleEntry {
            level: None,
            options: None,
        })
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<RuleEntry, E> {
        self.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<RuleEntry, D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RuleEntry, A::Error> {
        let mut keys = EntryKeys {
            map,
            rule: self.rule,
            fields: self.rule.options().fields(),
            level: None,
            options_given: false,
        };
        let options = {
            let access = serde::de::value::MapAccessDeserializer::new(&mut keys);
            let mut erased = <dyn erased_serde::Deserializer>::erase(access);
            self.rule
                .options()
                .parse(&mut erased)
                .map_err(serde::de::Error::custom)?
        };
        Ok(RuleEntry {
            level: keys.level,
            options: keys.options_given.then_some(options),
        })
    }
}

/// The keys of one rule's entry as its options type sees them: `level` taken out, an option
/// the rule does not take rejected (naming the rule it belongs to) at its key.
struct EntryKeys<A> {
    map: A,
    rule: &'static dyn Rule,
    fields: &'static [String],
    level: Option<LevelSetting>,
    options_given: bool,
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for &mut EntryKeys<A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        use serde::de::IntoDeserializer;
        loop {
            let Some(key) = self.map.next_key::<Spanned<String>>()? else {
                return Ok(None);
            };
            let (at, key) = (key.referenced, key.value);
            if key == "level" {
                self.level = Some(self.map.next_value()?);
                continue;
            }
            if !self.fields.contains(&key) {
                // The parser places an error made here at the entry; the key's place goes in
                // the text, where `first_line` finds it (as it does for errors of the options'
                // own reader).
                let message = misplaced_option(self.rule, &key);
                return Err(serde::de::Error::custom(if at.line() == 0 {
                    message
                } else {
                    format!("{message} at line {}, column {}", at.line(), at.column())
                }));
            }
            self.options_given = true;
            return seed.deserialize(key.into_deserializer()).map(Some);
        }
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// The message for an option `key` that `rule` does not take.
fn misplaced_option(rule: &dyn Rule, key: &str) -> String {
    let id = rule.meta().id;
    let owners: Vec<&str> = rules::ALL
        .iter()
        .filter(|other| other.options().fields().iter().any(|f| f == key))
        .map(|other| other.meta().id)
        .collect();
    if !owners.is_empty() {
        let owners = owners
            .iter()
            .map(|o| format!("`{o}`"))
            .collect::<Vec<_>>()
            .join(", ");
        return format!("`{key}` is an option of {owners}, not of `{id}`");
    }
    let fields = rule.options().fields();
    if fields.is_empty() {
        format!("unknown key `{key}`: `{id}` takes `level` only")
    } else {
        let fields = fields
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        format!("unknown key `{key}`: `{id}` takes `level`, {fields}")
    }
}

/// The schema of `rules:`: each rule id with `level` and exactly the options of that rule.
fn rules_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let level = generator.subschema_for::<LevelSetting>();
    let mut properties = serde_json::Map::new();
    for rule in rules::ALL {
        let meta = rule.meta();
        let mut entry = rule.options().schema(generator).to_value();
        let object = entry.as_object_mut();
        if let Some(object) = object {
            object.remove("title");
            object.insert(
                "description".into(),
                format!("`{}`: {}", meta.id, meta.summary).into(),
            );
            object.insert("type".into(), serde_json::json!(["object", "null"]));
            object.insert("additionalProperties".into(), false.into());
            let props = object
                .entry("properties")
                .or_insert_with(|| serde_json::json!({}));
            if let Some(props) = props.as_object_mut() {
                let mut level = level.clone().to_value();
                if let Some(level) = level.as_object_mut() {
                    level.insert(
                        "description".into(),
                        "`error`, `warning`, `note`, or `off`.".into(),
                    );
                }
                props.insert("level".into(), level);
            }
        }
        properties.insert(meta.id.to_string(), entry);
    }
    schemars::json_schema!({
        "type": ["object", "null"],
        "properties": properties,
        "additionalProperties": false,
    })
}

/// Findings to ignore: those of `rule` in files matching `paths` and/or objects matching
/// `objects`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IgnoreEntry {
    /// The rule id.
    #[schemars(with = "String")]
    pub rule: Spanned<String>,
    /// Globs on repository-relative paths, e.g. `legacy/**` or `charts/*/values-dev.yaml`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub paths: Vec<Spanned<String>>,
    /// Object selectors `Kind/namespace/name`; each part may use `*`, e.g.
    /// `Deployment/monitoring/*` or `*/kube-system/*`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub objects: Vec<Spanned<String>>,
    /// Why these findings are acceptable (required).
    #[schemars(with = "String")]
    pub reason: Spanned<String>,
    /// `YYYY-MM-DD`: from this day on the entry no longer applies and is reported.
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub expires: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HelmSettings {
    /// Render charts with `helm template` (default true).
    #[serde(default)]
    pub enabled: Option<bool>,
    /// The release name charts are rendered with (default `imagegate`).
    #[serde(default)]
    pub release: Option<String>,
    /// The namespace charts are rendered into (default: `namespace`, else `default`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Values files for every chart, after its own `values.yaml`.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub values: Vec<Spanned<String>>,
    /// Per chart directory (relative to the repository root): values files, release name and
    /// namespace for that chart.
    #[serde(default)]
    pub charts: BTreeMap<String, ChartSettings>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ChartSettings {
    /// Values files for this chart, after the ones for every chart.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub values: Vec<Spanned<String>>,
    #[serde(default)]
    pub release: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PathFilters {
    /// Scan only files matching these globs (relative to the repository root).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub include: Vec<Spanned<String>>,
    /// Skip files and directories matching these globs.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub exclude: Vec<Spanned<String>>,
}

/// A configuration mistake, at its place in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// A loaded, checked configuration file.
#[derive(Debug)]
pub struct Loaded {
    /// As given or found (shown in messages).
    pub path: PathBuf,
    /// The directory paths in the file are relative to.
    pub dir: PathBuf,
    pub file: ConfigFile,
}

/// The configuration file in `root`, if there is one.
pub fn find(root: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|name| root.join(name))
        .find(|path| path.is_file())
}

/// Read, parse and check the configuration file at `path`.
pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
    let shown = crate::input::paths::display_path(path);
    let text = std::fs::read_to_string(path).map_err(|err| ConfigError {
        path: shown.clone(),
        line: 1,
        column: 1,
        message: format!("cannot read the configuration file: {err}"),
    })?;
    let file = parse(&text, &shown)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    // Signers' keys are read now, so that a wrong one is an error at its line.
    for key in file.registries.signers.iter().flat_map(|s| &s.keys) {
        let checked = SignerEntry::key_pem(&key.value, &dir)
            .and_then(|pem| crate::online::cosign::PublicKey::from_pem(&pem).map(|_| ()));
        if let Err(message) = checked {
            return Err(ConfigError {
                path: shown,
                line: key.referenced.line() as usize,
                column: key.referenced.column() as usize,
                message: format!("registries.signers: {message}"),
            });
        }
    }
    Ok(Loaded {
        path: path.to_path_buf(),
        dir,
        file,
    })
}

/// Parse and check configuration text; `shown` names it in errors.
pub fn parse(text: &str, shown: &str) -> Result<ConfigFile, ConfigError> {
    let empty = text.lines().all(|line| {
        let line = line.trim();
        line.is_empty() || line.starts_with('#') || line == "---" || line == "..."
    });
    let file: ConfigFile = if empty {
        ConfigFile::default()
    } else {
        serde_saphyr::from_str(text).map_err(|err| {
            let (message, inner) = first_line(&err.without_snippet().to_string());
            // An error inside a rule's options crosses the options' type-erased reader, which
            // keeps the inner place in the text only: that place is the exact one.
            let lines = text.lines().count().max(1);
            let (line, column) = inner
                .filter(|&(line, column)| (1..=lines).contains(&line) && column >= 1)
                .or_else(|| {
                    err.location()
                        .map(|l| (l.line() as usize, l.column() as usize))
                        .filter(|&(line, column)| line >= 1 && column >= 1)
                })
                .unwrap_or((1, 1));
            ConfigError {
                path: shown.to_string(),
                line,
                column,
                message,
            }
        })?
    };
    check(&file, shown)?;
    Ok(file)
}

/// serde-saphyr's message without its own `line N column M:` prefix and the ` at line N,
/// column M` suffixes it adds each time an error crosses a nesting level (we print the place),
/// and the innermost place those suffixes name. Only trailing suffixes are read, so a place
/// written inside a quoted value of the file is never taken for one.
fn first_line(message: &str) -> (String, Option<(usize, usize)>) {
    let line = message.lines().next().unwrap_or(message);
    let line = line.trim_start_matches("error: ");
    // Advice about the parser's API is not for users.
    let line = line
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(line);
    let mut line = match line.split_once(": ") {
        Some((place, rest)) if place.starts_with("line ") => rest,
        _ => line,
    };
    let mut innermost = None;
    while let Some((rest, place)) = strip_place(line) {
        line = rest;
        innermost = Some(place);
    }
    (line.to_string(), innermost)
}

/// `text` without a trailing ` at line N, column M`, and that place.
fn strip_place(text: &str) -> Option<(&str, (usize, usize))> {
    let (rest, column) = text.rsplit_once(", column ")?;
    let column: usize = column.parse().ok()?;
    let (rest, line) = rest.rsplit_once(" at line ")?;
    let line: usize = line.parse().ok()?;
    Some((rest, (line, column)))
}

/// A mirror is a registry host, with a port if any: `mirror.example.com`, `127.0.0.1:5000`.
pub(crate) fn check_mirror(mirror: &str) -> Result<(), String> {
    let host = mirror.rsplit_once(':').map_or(mirror, |(host, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) && !port.is_empty() {
            host
        } else {
            mirror
        }
    });
    let valid = !host.is_empty()
        && host
            .split('.')
            .all(crate::syntax::image_ref::is_domain_component);
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{mirror}` is not a registry host (host or host:port, no scheme or path)"
        ))
    }
}

/// The checks the types cannot make, each at the value's place.
fn check(file: &ConfigFile, shown: &str) -> Result<(), ConfigError> {
    let at = |spanned_line: usize, column: usize, message: String| ConfigError {
        path: shown.to_string(),
        line: spanned_line,
        column,
        message,
    };
    let place = |s: &serde_saphyr::Location| (s.line() as usize, s.column() as usize);
    let pattern = |s: &Spanned<String>, what: &str| -> Result<(), ConfigError> {
        RegistryPattern::parse(&s.value).map(|_| ()).map_err(|err| {
            let (l, c) = place(&s.referenced);
            at(l, c, format!("{what}: {err}"))
        })
    };
    let glob = |s: &Spanned<String>, what: &str| -> Result<(), ConfigError> {
        glob_of(&s.value).map(|_| ()).map_err(|err| {
            let (l, c) = place(&s.referenced);
            at(
                l,
                c,
                format!("{what}: `{}` is not a glob: {}", s.value, err.kind()),
            )
        })
    };
    for p in &file.registries.allowed {
        pattern(p, "registries.allowed")?;
    }
    for p in file.registries.node_credentials.iter().flatten() {
        pattern(p, "registries.node-credentials")?;
    }
    for p in &file.registries.private {
        pattern(p, "registries.private")?;
    }
    for mirror in file.registries.mirrors.values() {
        check_mirror(&mirror.value).map_err(|message| {
            let (l, c) = place(&mirror.referenced);
            at(l, c, format!("registries.mirrors: {message}"))
        })?;
    }
    for signer in &file.registries.signers {
        for p in &signer.images {
            pattern(p, "registries.signers")?;
        }
    }
    let public = &file.registries.public;
    for host in public.add.iter().chain(public.replace.iter().flatten()) {
        pattern(host, "registries.public")?;
    }
    if let (Some(first), false) = (
        public.replace.as_ref().and_then(|r| r.first()),
        public.add.is_empty(),
    ) {
        let (l, c) = place(&first.referenced);
        return Err(at(
            l,
            c,
            "registries.public: give `add` or `replace`, not both".into(),
        ));
    }
    for (id, entry) in &file.rules.0 {
        if entry.is_none() {
            let (l, c) = place(&id.referenced);
            return Err(at(
                l,
                c,
                format!("unknown rule `{}` (`imagegate rules` lists them)", id.value),
            ));
        }
    }
    for entry in &file.ignore {
        let (l, c) = place(&entry.rule.referenced);
        if rules::find(&entry.rule.value).is_none() {
            return Err(at(
                l,
                c,
                format!(
                    "unknown rule `{}` (`imagegate rules` lists them)",
                    entry.rule.value
                ),
            ));
        }
        if entry.paths.is_empty() && entry.objects.is_empty() {
            return Err(at(l, c, "an ignore entry needs `paths` or `objects` (to turn a rule off everywhere, set its level to `off`)".into()));
        }
        if entry.reason.value.trim().is_empty() {
            let (l, c) = place(&entry.reason.referenced);
            return Err(at(l, c, "the reason must not be empty".into()));
        }
        for p in &entry.paths {
            glob(p, "ignore.paths")?;
        }
        for o in &entry.objects {
            if let Err(message) = ObjectSelector::parse(&o.value) {
                let (l, c) = place(&o.referenced);
                return Err(at(l, c, format!("ignore.objects: {message}")));
            }
        }
        if let Some(expires) = &entry.expires
            && parse_date(&expires.value).is_none()
        {
            let (l, c) = place(&expires.referenced);
            return Err(at(
                l,
                c,
                format!("expires: `{}` is not a date (YYYY-MM-DD)", expires.value),
            ));
        }
    }
    for p in file.paths.include.iter().chain(&file.paths.exclude) {
        glob(p, "paths")?;
    }
    for v in file
        .helm
        .values
        .iter()
        .chain(file.helm.charts.values().flat_map(|c| &c.values))
    {
        if v.value.trim().is_empty() {
            let (l, c) = place(&v.referenced);
            return Err(at(l, c, "helm.values: an empty path".into()));
        }
    }
    Ok(())
}

/// The JSON Schema of the configuration file.
pub fn schema() -> serde_json::Value {
    let mut schema = schemars::schema_for!(ConfigFile).to_value();
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "$id".into(),
            "https://github.com/imagegate/imagegate/blob/main/docs/config.schema.json".into(),
        );
    }
    schema
}

#[cfg(test)]
mod tests;
