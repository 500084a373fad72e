//! Findings, their levels and where they are.
//!
//! A finding is built with a location and the subject it is about ([`Finding::new`] for an
//! image use, [`Finding::at`] for anything else), so it cannot exist without a location;
//! rules never compute line numbers.

use std::sync::Arc;

use crate::findings::meta::RuleMeta;
use crate::syntax::source::Span;
use crate::uses::{ImageUse, ObjectId};

pub use crate::findings::meta::Level;
pub use crate::syntax::source::Location;

/// What a finding is about; carried into every report and into its fingerprint.
#[derive(Debug, Clone)]
pub enum Subject {
    /// An image reference (shared by all findings about the same use).
    Image(Arc<ImageUse>),
    /// A place in a Kubernetes object: a Secret's data key, an env entry, an RBAC rule, a
    /// pull-secret reference.
    Object {
        object: ObjectId,
        /// 0-based place of the object's document in its file (tells unnamed objects apart).
        document: usize,
        /// The field, e.g. `data.password` or `spec.template.spec.containers[name=api].env[name=DB_PASSWORD].value`.
        key_path: String,
        /// The container the field belongs to (an env entry's), for reports. Not part of the
        /// identity: `key_path` already names the container.
        container: Option<ContainerPlace>,
    },
    /// A suppression (comment, annotation or configuration entry) that silences nothing.
    Suppression {
        /// The rules it names, as written.
        rules: String,
        /// Which suppression of this file naming these rules it is.
        occurrence: usize,
    },
    /// A command line in a script, CI file or Dockerfile `RUN`.
    Command {
        command: &'static str,
        flag: String,
        /// Which login of this kind in the file it is (line-independent identity).
        occurrence: usize,
    },
}

impl Subject {
    /// A line-independent key for fingerprints.
    pub fn identity(&self) -> String {
        match self {
            Subject::Image(image) => image.site.identity(),
            // NOTE: `container` is left out on purpose: identities (and fingerprints) are
            // what they were before reports named the container.
            Subject::Object {
                object,
                document,
                key_path,
                container: _,
            } => format!("{}|{key_path}", object.identity(*document)),
            Subject::Command {
                command,
                flag,
                occurrence,
            } => format!("{command}|{flag}|{occurrence}"),
            Subject::Suppression { rules, occurrence } => {
                format!("suppression|{rules}|{occurrence}")
            }
        }
    }

    pub fn image(&self) -> Option<&ImageUse> {
        match self {
            Subject::Image(image) => Some(image),
            _ => None,
        }
    }
}

/// The container of a finding about an object's field (an env entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPlace {
    /// The container's `name`, when it has one.
    pub name: Option<String>,
    /// The judged field by index from the object root, e.g.
    /// `spec.template.spec.containers[0].env[2].value`.
    pub field_path: String,
}

/// Another place that explains a finding (the ServiceAccount consulted, the policy nearby).
#[derive(Debug, Clone)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// Why a finding does not count: it is reported as suppressed, never as a problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Written in the scanned files (a comment or an annotation); else in the configuration.
    pub in_source: bool,
    pub reason: String,
    /// Where the suppression is written, e.g. `k8s/web.yaml:12` or `.imagegate.yaml:7`.
    pub by: String,
}

/// One problem a rule found.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub level: Level,
    pub message: String,
    pub location: Location,
    pub subject: Subject,
    pub related: Vec<Related>,
    /// Text that must never be shown, in this or any other finding's source display: the
    /// secret value this finding is about.
    pub redact: Vec<Span>,
    /// For a finding traced out of a rendered object: where in the chart it was rendered
    /// (template, document, key), which identifies it better than the rendered object's name
    /// (charts often add random suffixes).
    pub origin: Option<String>,
    /// Set on the findings of [`crate::ScanReport::suppressed`].
    pub suppression: Option<Suppression>,
    /// For a finding traced out of a rendered object: the render and the place in it.
    pub rendered: Option<RenderedAt>,
    /// What an online rule learnt from the registry (`resolvedDigest`, `registryAnswer`),
    /// carried into SARIF and JSON properties. Never a credential.
    pub properties: Vec<(&'static str, String)>,
    /// The edit that answers this finding, when one is known (`imagegate fix`'s pin, attached
    /// after a scan that resolved digests): SARIF `fixes`, the action's suggested changes.
    pub fix: Option<Fix>,
}

/// An edit of one scanned file that answers a finding: text inserted at byte offsets of the
/// file as scanned. Only ever an insertion: nothing of the file is removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the edit does, e.g. "Pin `nginx:1.27` to sha256:…".
    pub description: String,
    /// The file edited (an index into [`crate::ScanReport::files`]; may differ from the
    /// finding's own file line, e.g. a Dockerfile `ARG` default above its `FROM`).
    pub file: usize,
    /// In offset order.
    pub insertions: Vec<Insertion>,
}

/// One insertion into a file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insertion {
    /// Byte offset in the file where `text` goes.
    pub at: usize,
    pub text: String,
}

/// The place in a rendered stream (`helm template` output, a kustomize build) that a finding
/// was found at, before it was traced to the file a user edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedAt {
    /// The render, as named in diagnostics: `charts/web (rendered)`.
    pub by: String,
    /// What made the object: the template (`web/templates/deployment.yaml`, as helm's
    /// `# Source:` says), or the source manifest of a kustomize build.
    pub source: String,
    /// The rendered key (`spec.template.spec.containers[name=web].image`); never a value.
    pub key_path: String,
}

impl Finding {
    /// A finding of `rule` at `image`'s location, at the rule's default level.
    pub fn new(rule: &'static RuleMeta, image: &Arc<ImageUse>, message: impl Into<String>) -> Self {
        let location = Location {
            file: image.file,
            span: image.span_of(rule.part),
        };
        Finding::at(rule, location, Subject::Image(Arc::clone(image)), message)
    }

    /// A finding of `rule` at `location` about `subject`, at the rule's default level. Control
    /// characters from the source (`image: |` keeps a line break) are escaped, so a message is
    /// always one line.
    pub fn at(
        rule: &'static RuleMeta,
        location: Location,
        subject: Subject,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            level: rule.level,
            message: one_line(message.into()),
            location,
            subject,
            related: Vec::new(),
            redact: Vec::new(),
            origin: None,
            suppression: None,
            rendered: None,
            properties: Vec::new(),
            fix: None,
        }
    }

    /// Mark `span` (in this finding's file) as a secret value that reports must mask.
    pub fn with_redacted(mut self, span: Span) -> Self {
        self.redact.push(span);
        self
    }

    /// Name the container a [`Subject::Object`] finding's field belongs to (other subjects
    /// are left as they are). The fingerprint does not change.
    pub fn with_container(mut self, name: Option<&str>, field_path: &str) -> Self {
        if let Subject::Object { container, .. } = &mut self.subject {
            *container = Some(ContainerPlace {
                name: name.map(str::to_owned),
                field_path: field_path.to_owned(),
            });
        }
        self
    }

    /// Add a property (see [`Finding::properties`]).
    pub fn with_property(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.properties.push((name, value.into()));
        self
    }

    pub fn with_level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    pub fn with_related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            message: one_line(message.into()),
        });
        self
    }

    /// The finding's stable fingerprint, 32 hex digits: a hash of rule, `repo_path` (the
    /// file's path relative to the repository root, so it does not depend on where the scan
    /// started), object and field, never a line, so it survives edits elsewhere in the file.
    /// The one fingerprint of every report and of the baseline.
    pub fn fingerprint(&self, repo_path: &str) -> String {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(self.fingerprint_key(repo_path).as_bytes());
        digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }

    /// The stable identity of this finding across runs: rule, path, object and field, never a
    /// line number, so edits above a finding keep its identity.
    pub fn fingerprint_key(&self, path: &str) -> String {
        match &self.origin {
            Some(origin) => format!("{}|{}|{origin}", self.rule.id, path),
            None => format!("{}|{}|{}", self.rule.id, path, self.subject.identity()),
        }
    }
}

/// `message` with control characters escaped (`\n`, `\t`, `\u{1b}`).
fn one_line(message: String) -> String {
    if !message.contains(char::is_control) {
        return message;
    }
    let mut out = String::with_capacity(message.len() + 8);
    for c in message.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}
