//! `imagegate config show`: the effective configuration of a run, as the file would write it
//! (defaults, then the file, then the command line or the action's inputs).

use std::collections::BTreeMap;

use serde::Serialize;

use super::file::Loaded;
use super::resolve::Resolved;
use crate::rules;
use crate::syntax::registry::RegistryPattern;

/// The effective configuration as `imagegate config show` prints it (YAML keys as in the file).
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Shown {
    pub config_file: Option<String>,
    pub registries: ShownRegistries,
    pub rules: BTreeMap<&'static str, &'static str>,
    /// The options in effect of each rule that takes some.
    pub rule_options: BTreeMap<&'static str, serde_json::Value>,
    pub ignore: Vec<ShownIgnore>,
    pub helm: ShownHelm,
    pub kustomize: bool,
    pub paths: ShownPaths,
    pub fail_on: &'static str,
    pub fail_on_unchecked: bool,
    pub namespace: String,
    pub online: bool,
    /// Seconds, when online.
    pub online_timeout: Option<u64>,
    pub cache_dir: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ShownRegistries {
    pub allowed: Vec<String>,
    pub public: Vec<String>,
    pub private: Vec<String>,
    pub node_credentials: Vec<String>,
    /// When online: lookups sent to mirrors, and registries reached over plain HTTP.
    pub mirrors: BTreeMap<String, String>,
    pub insecure: Vec<String>,
    pub signers: Vec<ShownSigner>,
}

/// A `registries.signers` entry: its patterns and how many keys it trusts (keys are public,
/// but long; `config show` names the entry's place instead).
#[derive(Debug, Serialize)]
pub struct ShownSigner {
    pub images: Vec<String>,
    pub keys: usize,
    pub at: String,
}

#[derive(Debug, Serialize)]
pub struct ShownIgnore {
    pub rule: String,
    pub paths: Vec<String>,
    pub objects: Vec<String>,
    pub reason: String,
    pub expires: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ShownHelm {
    pub enabled: bool,
    pub release: String,
    pub namespace: String,
    pub values: Vec<String>,
    pub charts: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct ShownPaths {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Resolved {
    pub fn shown(&self, file: Option<&Loaded>) -> Shown {
        let ctx = &self.options.rules;
        let online = self.options.online.as_ref();
        let names =
            |list: &[RegistryPattern]| list.iter().map(|p| p.as_str().to_string()).collect();
        Shown {
            config_file: self
                .config
                .as_deref()
                .map(crate::input::paths::display_path),
            registries: ShownRegistries {
                allowed: names(&ctx.allowed_registries),
                public: names(&ctx.public_registries),
                private: names(&ctx.private_registries),
                node_credentials: names(&ctx.node_credential_registries),
                mirrors: online.map(|o| o.mirrors.clone()).unwrap_or_default(),
                insecure: online.map(|o| o.insecure.clone()).unwrap_or_default(),
                signers: ctx
                    .signers
                    .iter()
                    .map(|s| ShownSigner {
                        images: names(&s.images),
                        keys: s.keys.len(),
                        at: s.origin.clone(),
                    })
                    .collect(),
            },
            rules: rules::ALL
                .iter()
                .map(|r| {
                    let meta = r.meta();
                    let level = match self.options.policy.levels.get(meta.id) {
                        Some(None) => "off",
                        Some(Some(level)) => level.as_str(),
                        None => meta.level.as_str(),
                    };
                    (meta.id, level)
                })
                .collect(),
            rule_options: rules::ALL
                .iter()
                .filter(|r| !r.options().fields().is_empty())
                .map(|r| (r.meta().id, r.options().shown(ctx)))
                .collect(),
            ignore: file
                .map(|f| {
                    f.file
                        .ignore
                        .iter()
                        .map(|e| ShownIgnore {
                            rule: e.rule.value.clone(),
                            paths: e.paths.iter().map(|p| p.value.clone()).collect(),
                            objects: e.objects.iter().map(|o| o.value.clone()).collect(),
                            reason: e.reason.value.clone(),
                            expires: e.expires.as_ref().map(|d| d.value.clone()),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            helm: ShownHelm {
                enabled: self.options.helm.enabled,
                release: self.options.helm.release.clone(),
                namespace: self.options.helm.namespace.clone(),
                values: self
                    .options
                    .helm
                    .values
                    .iter()
                    .map(|p| crate::input::paths::display_path(p))
                    .collect(),
                charts: self
                    .options
                    .helm
                    .charts
                    .iter()
                    .map(|c| {
                        (
                            crate::input::paths::display_path(&c.dir),
                            c.values
                                .iter()
                                .map(|p| crate::input::paths::display_path(p))
                                .collect(),
                        )
                    })
                    .collect(),
            },
            kustomize: self.options.kustomize,
            paths: {
                let (include, exclude) = self
                    .options
                    .rooted_paths
                    .as_ref()
                    .map(|(_, include, exclude)| (include.clone(), exclude.clone()))
                    .unwrap_or_default();
                ShownPaths { include, exclude }
            },
            fail_on: self.options.policy.fail_on.as_str(),
            fail_on_unchecked: self.options.policy.fail_on_unchecked,
            namespace: ctx.default_namespace.clone(),
            online: online.is_some(),
            online_timeout: online.map(|o| o.deadline.as_secs()),
            cache_dir: online
                .and_then(|o| o.cache_dir.as_deref())
                .map(crate::input::paths::display_path),
        }
    }
}
