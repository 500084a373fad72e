//! Cosign signatures stored the classic way: the tag `sha256-<hex>.sig` holds a manifest whose
//! layers are simple-signing payloads, each with its signature in the annotation
//! `dev.cosignproject.cosign/signature` (base64 DER ECDSA). A signature counts for an image
//! only when it verifies with a configured key *and* its payload names the image's digest
//! (a signature copied from another image names another one).

use base64::Engine as _;
use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};

/// The annotation that holds a layer's signature.
pub const SIGNATURE_ANNOTATION: &str = "dev.cosignproject.cosign/signature";

/// The media type of a simple-signing payload layer.
pub const PAYLOAD_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// One signature of a `.sig` manifest: the payload blob and the signature over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureLayer {
    pub payload_digest: String,
    /// DER bytes (decoded from the annotation).
    pub signature: Vec<u8>,
}

/// The signatures a `.sig` manifest carries (layers that are not simple-signing payloads, or
/// whose annotation is not base64, are left out); `None` when it is not a manifest.
pub fn signature_layers(manifest: &[u8]) -> Option<Vec<SignatureLayer>> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        #[serde(default)]
        layers: Vec<Layer>,
    }
    #[derive(serde::Deserialize)]
    struct Layer {
        #[serde(rename = "mediaType", default)]
        media_type: String,
        digest: String,
        #[serde(default)]
        annotations: std::collections::BTreeMap<String, String>,
    }
    let manifest = serde_json::from_slice::<Manifest>(manifest).ok()?;
    let layers = manifest
        .layers
        .into_iter()
        .filter(|l| l.media_type == PAYLOAD_MEDIA_TYPE)
        .filter_map(|l| {
            let signature = base64::engine::general_purpose::STANDARD
                .decode(l.annotations.get(SIGNATURE_ANNOTATION)?.trim())
                .ok()?;
            Some(SignatureLayer {
                payload_digest: l.digest,
                signature,
            })
        })
        .collect();
    Some(layers)
}

/// The digest a simple-signing payload names (`critical.image.docker-manifest-digest`; Go
/// reads the key without regard to case, and so does this).
pub fn payload_digest(payload: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(payload).ok()?;
    let field = |object: &serde_json::Value, name: &str| -> Option<serde_json::Value> {
        object
            .as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let image = field(&field(&value, "critical")?, "image")?;
    field(&image, "docker-manifest-digest")?
        .as_str()
        .map(str::to_string)
}

/// An ECDSA P-256 public key, as `cosign generate-key-pair` writes it (PEM `PUBLIC KEY`).
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// The uncompressed point (65 bytes, `0x04 || x || y`).
    point: Vec<u8>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PublicKey(P-256)")
    }
}

/// The DER prefix of a P-256 `SubjectPublicKeyInfo` (id-ecPublicKey, prime256v1, a 66-byte
/// bit string) before its uncompressed point.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

impl PublicKey {
    /// Read a PEM `PUBLIC KEY` holding an ECDSA P-256 key; anything else is an error that says
    /// what it is not.
    pub fn from_pem(pem: &str) -> Result<PublicKey, String> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .skip_while(|l| *l != "-----BEGIN PUBLIC KEY-----")
            .skip(1)
            .take_while(|l| *l != "-----END PUBLIC KEY-----")
            .collect();
        if body.is_empty() {
            return Err("not a PEM `PUBLIC KEY`".into());
        }
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| "the PEM body is not base64".to_string())?;
        match der.strip_prefix(&P256_SPKI_PREFIX[..]) {
            Some(point) if point.len() == 65 && point[0] == 4 => Ok(PublicKey {
                point: point.to_vec(),
            }),
            _ => Err("not an ECDSA P-256 public key (cosign's keys are)".into()),
        }
    }

    /// Whether `signature` (DER) is this key's ECDSA-SHA256 signature over `payload`.
    pub fn verifies(&self, payload: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &self.point)
            .verify(payload, signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests;
