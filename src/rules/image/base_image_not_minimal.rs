//! `base-image-not-minimal`: the image a Dockerfile ships is a full distribution.

use std::sync::Arc;

use crate::findings::finding::{Finding, Level};
use crate::rules::options::{OptionsKind, OptionsOf};
use crate::rules::{Context, ImagePart, Rule, RuleMeta, quoted};
use crate::syntax::registry::RegistryPattern;
use crate::uses::{ImageUse, Site};

pub(crate) struct BaseImageNotMinimal;

/// `rules.base-image-not-minimal` options.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Options {
    /// Images accepted as minimal bases (patterns as in `registries.allowed`), e.g.
    /// `registry.example.com/base/*`.
    #[serde(default, deserialize_with = "crate::rules::options::null_as_default")]
    pub minimal_images: Vec<RegistryPattern>,
}

static OPTIONS: OptionsOf<Options> = OptionsOf::new();

static META: RuleMeta = RuleMeta {
    id: "base-image-not-minimal",
    name: "BaseImageNotMinimal",
    level: Level::Note,
    summary: "A Dockerfile's final stage is built FROM a full distribution image.",
    hint: "Build in a full image if you must, but ship from a slim, alpine, distroless or scratch base.",
    precision: "medium",
    security_severity: "2.0",
    part: ImagePart::Reference,
    shows_source: true,
    online: false,
    doc: include_str!("../../../docs/rules/base-image-not-minimal.md"),
};

/// Operating system images that are full distributions whatever their tag (unless the tag
/// says slim or minimal).
const DISTRIBUTIONS: &[&str] = &[
    "ubuntu",
    "debian",
    "centos",
    "fedora",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "oraclelinux",
    "opensuse/leap",
    "opensuse/tumbleweed",
    "ubi",
    "ubi8",
    "ubi9",
];

/// Language images whose default variants sit on a full Debian or Ubuntu.
const LANGUAGES: &[&str] = &[
    "node",
    "python",
    "ruby",
    "golang",
    "openjdk",
    "eclipse-temurin",
    "amazoncorretto",
    "php",
    "perl",
    "rust",
    "elixir",
    "erlang",
    "maven",
    "gradle",
];

/// Tag words that mean a small variant.
const SMALL_VARIANTS: &[&str] = &[
    "slim",
    "alpine",
    "distroless",
    "minimal",
    "micro",
    "busybox",
    "chiseled",
];

/// Why `repository:tag` is a full distribution, if it is.
fn full_distribution(repository: &str, tag: Option<&str>) -> Option<&'static str> {
    let name = repository.strip_prefix("library/").unwrap_or(repository);
    // `ubi9/ubi`, `ubi8/ubi-init`: Red Hat's full UBI; `ubi9/ubi-minimal` is fine.
    let last = name.rsplit('/').next().unwrap_or(name);
    // `alpine3.22`, `slim-bookworm`: a variant word may carry a version.
    let small = |s: &str| {
        s.split(['-', '_'])
            .any(|word| SMALL_VARIANTS.iter().any(|v| word.starts_with(v)))
    };
    if small(last) || tag.is_some_and(small) {
        return None;
    }
    if DISTRIBUTIONS.contains(&name) || DISTRIBUTIONS.contains(&last) {
        return Some("a full operating system image");
    }
    if LANGUAGES.contains(&name) {
        return Some("a language image on a full Debian or Ubuntu");
    }
    None
}

impl Rule for BaseImageNotMinimal {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn options(&self) -> &'static dyn OptionsKind {
        &OPTIONS
    }

    fn check_image(&self, image: &Arc<ImageUse>, ctx: &Context, out: &mut Vec<Finding>) {
        let (Ok(reference), Site::DockerfileFrom { is_final: true, .. }) =
            (&image.reference, &image.site)
        else {
            return;
        };
        if OPTIONS
            .get(ctx)
            .minimal_images
            .iter()
            .any(|p| p.matches(reference))
        {
            return;
        }
        let Some(why) = full_distribution(&reference.repository, reference.tag.as_deref()) else {
            return;
        };
        out.push(Finding::new(
            &META,
            image,
            format!(
                "the final stage is built FROM {}, {why}: every package in it ships with your image and must be patched",
                quoted(image)
            ),
        ));
    }
}

#[cfg(test)]
mod tests;
