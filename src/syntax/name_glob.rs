//! Name patterns of the configuration (env var names, object selector parts): globset globs
//! where `*` matches any run of characters, compared whole. The one glob dialect of
//! user-written patterns besides paths (`config::file::glob_of`, the same crate with `/` kept).

use globset::{Glob, GlobBuilder, GlobMatcher};

/// A compiled name pattern, keeping its text (for `config show` and messages).
#[derive(Debug, Clone)]
pub struct NameGlob {
    text: String,
    matcher: GlobMatcher,
}

impl NameGlob {
    /// Compile `pattern`; `case_insensitive` for names Kubernetes or the shell treat without
    /// regard to case in our checks (env var names, kinds).
    pub fn new(pattern: &str, case_insensitive: bool) -> Result<NameGlob, globset::Error> {
        let escaped: Vec<String> = pattern.split('*').map(globset::escape).collect();
        let glob: Glob = GlobBuilder::new(&escaped.join("*"))
            .case_insensitive(case_insensitive)
            .literal_separator(false)
            .backslash_escape(false)
            .build()?;
        Ok(NameGlob {
            text: pattern.to_string(),
            matcher: glob.compile_matcher(),
        })
    }

    pub fn is_match(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl PartialEq for NameGlob {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for NameGlob {}

/// An env var name pattern in configuration: compared without regard to case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvNameGlob(pub NameGlob);

impl<'de> serde::Deserialize<'de> for EnvNameGlob {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        NameGlob::new(&text, true).map(EnvNameGlob).map_err(|err| {
            serde::de::Error::custom(format!("`{text}` is not a name pattern: {}", err.kind()))
        })
    }
}

impl serde::Serialize for EnvNameGlob {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0.as_str())
    }
}

impl schemars::JsonSchema for EnvNameGlob {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EnvNamePattern".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "An env var name, any case; `*` matches any run of characters, e.g. `*_SIGNING_KEY`."
        })
    }
}

/// `Kind/namespace/name`, each part a name pattern (`*` matches any run of characters; kinds
/// compared without regard to case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSelector {
    parts: [NameGlob; 3],
}

impl ObjectSelector {
    pub fn parse(s: &str) -> Result<ObjectSelector, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let [kind, namespace, name] = parts.as_slice() else {
            return Err(Self::shape(s));
        };
        if parts.iter().any(|p| p.is_empty()) {
            return Err(Self::shape(s));
        }
        let glob = |part: &str, case_insensitive: bool| {
            NameGlob::new(part, case_insensitive)
                .map_err(|err| format!("`{part}` in `{s}` is not a pattern: {}", err.kind()))
        };
        Ok(ObjectSelector {
            parts: [
                glob(kind, true)?,
                glob(namespace, false)?,
                glob(name, false)?,
            ],
        })
    }

    fn shape(s: &str) -> String {
        format!(
            "`{s}` is not `Kind/namespace/name` (use `*` for any part, e.g. `Deployment/*/web`)"
        )
    }

    /// Whether the object `kind`, `namespace`, `name` matches (kinds case-insensitively).
    pub fn matches(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.parts[0].is_match(kind)
            && self.parts[1].is_match(namespace)
            && self.parts[2].is_match(name)
    }
}

#[cfg(test)]
mod tests;
