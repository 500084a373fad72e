//! What the registry says about one image: does the reference exist and what digest is it,
//! would an anonymous client be served, which signatures and attestations refer to the
//! digest, and (for `tag@digest`) where the tag points now. Facts only: what they mean for
//! the image is the rules' business (`rules::online`).

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::client::{
    Client, Credential, Endpoint, MAX_MANIFEST_BYTES, MAX_PAYLOAD_BYTES, OnlineError, Referrer,
    digest_of,
};
use super::cosign;

/// One image to inspect: where to ask, and what.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// The registry to ask (a mirror when one is configured for the image's registry).
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Target {
    /// The manifest reference to look up: the digest when pinned, else the tag (`latest`
    /// when neither is written, as a runtime pulls it).
    pub fn reference(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }
}

/// The registry's answer to the lookup of the reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "kebab-case")]
pub enum Lookup {
    /// The manifest exists: its digest (the sha256 of the bytes received) and media type.
    Found { digest: String, media_type: String },
    /// The registry said there is no such tag or digest; `credentialed` when it said so to
    /// a client with credentials.
    NotFound { credentialed: bool },
    /// The registry wants credentials and none were configured.
    CredentialsRequired,
    /// The registry refused the credentials configured for it.
    CredentialsRefused,
    /// Anything else (transport, retries exhausted, a damaged answer): a diagnostic.
    Failed { error: String },
}

/// A cosign signature as stored under `sha256-<hex>.sig`: its payload and the signature over
/// it, kept so that configured keys can be checked without asking again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosignSignature {
    /// The payload bytes, base64.
    pub payload: String,
    /// The DER signature, base64.
    pub signature: String,
    /// The digest the payload names.
    pub names_digest: Option<String>,
}

impl CosignSignature {
    /// Whether `key` verifies this signature and its payload names `digest`.
    pub fn verifies(&self, key: &cosign::PublicKey, digest: &str) -> bool {
        let engine = base64::engine::general_purpose::STANDARD;
        let (Ok(payload), Ok(signature)) =
            (engine.decode(&self.payload), engine.decode(&self.signature))
        else {
            return false;
        };
        self.names_digest.as_deref() == Some(digest) && key.verifies(&payload, &signature)
    }
}

/// The signatures that refer to a digest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatures {
    /// Cosign simple-signing signatures (the `.sig` tag).
    pub cosign: Vec<CosignSignature>,
    /// Artifact types of OCI 1.1 referrers that are signatures (Notary v2, sigstore bundles).
    pub referrers: Vec<String>,
    /// Whether every source was read (the `.sig` tag, each payload, the referrers): an
    /// absence, or "none verifies", counts only then.
    pub complete: bool,
}

impl Signatures {
    pub fn any(&self) -> bool {
        !self.cosign.is_empty() || !self.referrers.is_empty()
    }
}

/// The attestations that refer to a digest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestations {
    /// Predicate types (or artifact types) of vulnerability-scan attestations.
    pub scans: Vec<String>,
    /// When the newest scan finished, as the attestation says (RFC 3339), when it says.
    pub scan_finished: Option<String>,
    /// Whether some scan does not say when it finished (a referrer, a date not given): then
    /// the newest scan's age is not known.
    pub undated_scans: bool,
    /// Predicate or artifact types of SBOMs (SPDX, CycloneDX).
    pub sboms: Vec<String>,
    /// Whether every source was read (the `.att` tag, each scan, the referrers).
    pub complete: bool,
}

/// Everything learnt about one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageFacts {
    pub lookup: Lookup,
    /// Whether an anonymous client is served the manifest (`Some(false)`: refused); `None`
    /// when the registry's answer does not tell.
    pub anonymous: Option<bool>,
    /// For a found digest: its signatures (`None` when they could not be read).
    pub signatures: Option<Signatures>,
    /// For a found digest: its attestations (`None` when they could not be read).
    pub attestations: Option<Attestations>,
    /// For a `tag@digest` reference: the digest the tag points to now.
    pub tag_now: Option<String>,
    /// Errors met while reading signatures, attestations or the tag (the lookup itself
    /// succeeded), for a diagnostic.
    pub partial: Vec<String>,
}

impl ImageFacts {
    /// The digest the reference resolved to.
    pub fn digest(&self) -> Option<&str> {
        match &self.lookup {
            Lookup::Found { digest, .. } => Some(digest),
            _ => None,
        }
    }
}

/// Signature artifact types of OCI 1.1 referrers.
const SIGNATURE_ARTIFACTS: [&str; 2] = [
    "application/vnd.cncf.notary.signature",
    "application/vnd.dev.cosign.artifact.sig.v1+json",
];

/// A sigstore bundle (signature or attestation: its `predicateType` annotation says which).
const SIGSTORE_BUNDLE_PREFIX: &str = "application/vnd.dev.sigstore.bundle";

/// The predicate type of a sigstore bundle that is a plain signature.
const SIGSTORE_SIGNATURE_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// Vulnerability-scan predicate types: cosign's, and in-toto's vulns predicate.
const SCAN_PREDICATES: [&str; 2] = [
    "https://cosign.sigstore.dev/attestation/vuln/v1",
    "https://in-toto.io/attestation/vulns",
];

/// SBOM predicate and artifact types (prefixes: versions follow).
const SBOM_TYPES: [&str; 6] = [
    "https://spdx.dev/Document",
    "https://cyclonedx.org/bom",
    "application/spdx",
    "text/spdx",
    "application/vnd.cyclonedx",
    "application/vnd.syft",
];

fn is_scan(predicate: &str) -> bool {
    SCAN_PREDICATES.iter().any(|p| predicate.starts_with(p))
}

fn is_sbom(kind: &str) -> bool {
    SBOM_TYPES.iter().any(|p| kind.starts_with(p))
}

/// Inspect `target` at `endpoint`, with `credential` when one is configured. `known` is a
/// digest reference's resolution from an earlier run (the cache): its manifest is not asked
/// for again.
pub async fn inspect(
    client: &Client,
    endpoint: &Endpoint,
    target: &Target,
    credential: Option<&Credential>,
    known: Option<Lookup>,
) -> ImageFacts {
    let repository = &target.repository;
    let known = known.filter(|k| target.digest.is_some() && matches!(k, Lookup::Found { .. }));
    let reused = known.is_some();
    let lookup = match known {
        Some(found) => found,
        None => match client
            .manifest(endpoint, repository, target.reference(), credential)
            .await
        {
            Ok(manifest) => Lookup::Found {
                digest: manifest.digest,
                media_type: manifest.media_type,
            },
            Err(OnlineError::NotFound) => Lookup::NotFound {
                credentialed: credential.is_some(),
            },
            Err(OnlineError::Unauthorized { anonymous: true }) => Lookup::CredentialsRequired,
            Err(OnlineError::Unauthorized { anonymous: false }) => Lookup::CredentialsRefused,
            Err(err) => Lookup::Failed {
                error: err.to_string(),
            },
        },
    };
    let mut facts = ImageFacts {
        lookup,
        anonymous: None,
        signatures: None,
        attestations: None,
        tag_now: None,
        partial: Vec::new(),
    };
    facts.anonymous = match (&facts.lookup, credential) {
        // Asked anonymously and served; with the manifest known from the cache, the
        // signature tag's answer below tells.
        (Lookup::Found { .. }, None) if !reused => Some(true),
        (Lookup::CredentialsRequired, _) => Some(false),
        // With credentials the answer says nothing about anonymous clients: ask as one.
        (Lookup::Found { .. }, Some(_)) => {
            match client
                .manifest(endpoint, repository, target.reference(), None)
                .await
            {
                Ok(_) => Some(true),
                Err(OnlineError::Unauthorized { .. }) => Some(false),
                Err(_) => None,
            }
        }
        // A 404 says nothing about access: registries hide private repositories behind it.
        _ => None,
    };
    let Some(digest) = facts.digest().map(str::to_string) else {
        return facts;
    };
    let mut signatures = Signatures {
        complete: true,
        ..Signatures::default()
    };
    let mut attestations = Attestations {
        complete: true,
        ..Attestations::default()
    };
    let answered = read_signatures(
        client,
        endpoint,
        target,
        credential,
        &digest,
        &mut signatures,
        &mut facts.partial,
    )
    .await;
    if reused && credential.is_none() {
        facts.anonymous = answered;
    }
    let att_tag = format!("{}.att", digest.replace(':', "-"));
    match client.tag(endpoint, repository, &att_tag, credential).await {
        Ok(Some(manifest)) => {
            read_attestations(
                client,
                endpoint,
                target,
                credential,
                &manifest.bytes,
                &mut attestations,
                &mut facts.partial,
            )
            .await;
        }
        Ok(None) => {}
        Err(err) => {
            attestations.complete = false;
            facts.partial.push(format!("cosign attestation tag: {err}"));
        }
    }
    match client
        .referrers(endpoint, repository, &digest, credential)
        .await
    {
        Ok(referrers) => classify_referrers(&referrers, &mut signatures, &mut attestations),
        Err(err) => {
            signatures.complete = false;
            attestations.complete = false;
            facts.partial.push(format!("referrers: {err}"));
        }
    }
    facts.signatures = Some(signatures);
    facts.attestations = Some(attestations);
    if let (Some(tag), Some(pinned)) = (&target.tag, &target.digest) {
        match client.manifest(endpoint, repository, tag, credential).await {
            Ok(manifest) => {
                // The tag's digest in the pin's algorithm; a pin to one platform's manifest of
                // the tag's index is current too.
                let now = digest_of(&manifest.bytes, pinned).unwrap_or(manifest.digest);
                facts.tag_now = Some(if index_lists(&manifest.bytes, pinned) {
                    pinned.clone()
                } else {
                    now
                });
            }
            Err(OnlineError::NotFound) => {}
            Err(err) => facts.partial.push(format!("tag `{tag}`: {err}")),
        }
    }
    facts
}

/// Most signature or attestation layers read from one manifest.
const MAX_LAYERS: usize = 32;

/// The cosign signatures of `digest` (the `.sig` tag), each with its payload. Returns whether
/// the registry answered the tag's request (`Some(false)`: it wanted credentials it was not
/// given; `None`: another failure).
async fn read_signatures(
    client: &Client,
    endpoint: &Endpoint,
    target: &Target,
    credential: Option<&Credential>,
    digest: &str,
    signatures: &mut Signatures,
    partial: &mut Vec<String>,
) -> Option<bool> {
    let sig_tag = format!("{}.sig", digest.replace(':', "-"));
    let manifest = match client
        .tag(endpoint, &target.repository, &sig_tag, credential)
        .await
    {
        Ok(Some(manifest)) => manifest,
        Ok(None) => return Some(true),
        Err(err) => {
            signatures.complete = false;
            partial.push(format!("cosign signature tag: {err}"));
            return matches!(err, OnlineError::Unauthorized { .. }).then_some(false);
        }
    };
    let Some(layers) = cosign::signature_layers(&manifest.bytes) else {
        signatures.complete = false;
        partial.push("cosign signature tag: not an image manifest".into());
        return Some(true);
    };
    if layers.len() > MAX_LAYERS {
        signatures.complete = false;
        partial.push(format!(
            "cosign signature tag: more than {MAX_LAYERS} signatures"
        ));
    }
    for layer in layers.into_iter().take(MAX_LAYERS) {
        match client
            .blob(
                endpoint,
                &target.repository,
                &layer.payload_digest,
                credential,
                MAX_PAYLOAD_BYTES,
            )
            .await
        {
            Ok(payload) => signatures.cosign.push(CosignSignature {
                names_digest: cosign::payload_digest(&payload),
                payload: base64::engine::general_purpose::STANDARD.encode(&payload),
                signature: base64::engine::general_purpose::STANDARD.encode(&layer.signature),
            }),
            Err(err) => {
                signatures.complete = false;
                partial.push(format!("signature payload: {err}"));
            }
        }
    }
    Some(true)
}

/// Whether `bytes` is an image index that lists the manifest `digest`.
fn index_lists(bytes: &[u8], digest: &str) -> bool {
    #[derive(Deserialize)]
    struct Index {
        #[serde(default)]
        manifests: Vec<Entry>,
    }
    #[derive(Deserialize)]
    struct Entry {
        digest: String,
    }
    serde_json::from_slice::<Index>(bytes)
        .is_ok_and(|index| index.manifests.iter().any(|m| m.digest == digest))
}

/// Signatures and attestations among OCI 1.1 referrers.
fn classify_referrers(
    referrers: &[Referrer],
    signatures: &mut Signatures,
    attestations: &mut Attestations,
) {
    for referrer in referrers {
        let kind = referrer.artifact_type.as_str();
        let predicate = referrer
            .annotations
            .get("dev.sigstore.bundle.predicateType")
            .map(String::as_str);
        if SIGNATURE_ARTIFACTS.contains(&kind)
            || (kind.starts_with(SIGSTORE_BUNDLE_PREFIX)
                && predicate.is_none_or(|p| p == SIGSTORE_SIGNATURE_PREDICATE))
        {
            signatures.referrers.push(kind.to_string());
        } else if let Some(predicate) = predicate.filter(|p| is_scan(p)) {
            attestations.scans.push(predicate.to_string());
            attestations.undated_scans = true;
        } else if let Some(predicate) = predicate.filter(|p| is_sbom(p)) {
            attestations.sboms.push(predicate.to_string());
        } else if is_sbom(kind) {
            attestations.sboms.push(kind.to_string());
        }
    }
}

/// The predicates of a cosign `.att` manifest (each layer a DSSE envelope with a
/// `predicateType` annotation); for a scan, its finish time from the envelope.
async fn read_attestations(
    client: &Client,
    endpoint: &Endpoint,
    target: &Target,
    credential: Option<&Credential>,
    manifest: &[u8],
    attestations: &mut Attestations,
    partial: &mut Vec<String>,
) {
    #[derive(Deserialize)]
    struct Manifest {
        #[serde(default)]
        layers: Vec<Layer>,
    }
    #[derive(Deserialize)]
    struct Layer {
        digest: String,
        #[serde(default)]
        annotations: std::collections::BTreeMap<String, String>,
    }
    let Ok(manifest) = serde_json::from_slice::<Manifest>(manifest) else {
        attestations.complete = false;
        partial.push("cosign attestation tag: not an image manifest".into());
        return;
    };
    if manifest.layers.len() > MAX_LAYERS {
        attestations.complete = false;
        partial.push(format!(
            "cosign attestation tag: more than {MAX_LAYERS} attestations"
        ));
    }
    for layer in manifest.layers.into_iter().take(MAX_LAYERS) {
        let Some(predicate) = layer.annotations.get("predicateType") else {
            continue;
        };
        if is_scan(predicate) {
            attestations.scans.push(predicate.clone());
            match client
                .blob(
                    endpoint,
                    &target.repository,
                    &layer.digest,
                    credential,
                    MAX_MANIFEST_BYTES,
                )
                .await
            {
                Ok(envelope) => match scan_finished(&envelope) {
                    Some(finished) => {
                        if attestations
                            .scan_finished
                            .as_ref()
                            .is_none_or(|known| *known < finished)
                        {
                            attestations.scan_finished = Some(finished);
                        }
                    }
                    None => attestations.undated_scans = true,
                },
                Err(err) => {
                    attestations.complete = false;
                    partial.push(format!("scan attestation: {err}"));
                }
            }
        } else if is_sbom(predicate) {
            attestations.sboms.push(predicate.clone());
        }
    }
}

/// `predicate.metadata.scanFinishedOn` of the in-toto statement in a DSSE envelope.
fn scan_finished(envelope: &[u8]) -> Option<String> {
    let envelope: serde_json::Value = serde_json::from_slice(envelope).ok()?;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope.get("payload")?.as_str()?)
        .ok()?;
    let statement: serde_json::Value = serde_json::from_slice(&payload).ok()?;
    let finished = statement
        .pointer("/predicate/metadata/scanFinishedOn")?
        .as_str()?;
    Some(finished.to_string())
}

#[cfg(test)]
mod tests;
