//! The on-disk cache of registry answers (`--cache-dir`): one JSON file per reference under
//! `DIR/online/`, named by a hash of what was asked (the registry asked, the reference, and
//! whether credentials were used).
//!
//! Two kinds of entries. A reference's facts (its resolution, who may read it, its signatures
//! and attestations, where a pinned tag points now) expire after the TTL: a tag moves, and
//! signatures, scans and access are added to a digest or taken away. A digest's resolution
//! (the manifest by that digest exists, and its media type) never changes, so it is kept
//! for good, and a later run skips that request. Failures, refused credentials and partial
//! answers are never written. An entry that cannot be read or parsed is ignored and
//! rewritten, never trusted.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::inspect::{ImageFacts, Lookup, Target};

/// The format of the entries; a different one is a miss.
const VERSION: u32 = 2;

/// Largest entry read back (signature payloads make a few KiB).
const MAX_ENTRY_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    ttl: Duration,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    version: u32,
    /// What was asked, to tell a hash collision (or a renamed file) from a hit.
    key: String,
    /// Seconds since the epoch.
    written: u64,
    facts: ImageFacts,
}

/// A digest reference's resolution, kept for good.
#[derive(Serialize, Deserialize)]
struct Resolution {
    version: u32,
    key: String,
    lookup: Lookup,
}

impl Cache {
    /// The cache under `dir` (created on first write).
    pub fn new(dir: &Path, ttl: Duration) -> Cache {
        Cache {
            dir: dir.join("online"),
            ttl,
        }
    }

    fn key(target: &Target, credentialed: bool) -> String {
        format!(
            "{}/{}:{}@{} credentialed={credentialed}",
            target.registry,
            target.repository,
            target.tag.as_deref().unwrap_or(""),
            target.digest.as_deref().unwrap_or(""),
        )
    }

    fn path(&self, key: &str) -> PathBuf {
        let name = super::client::hex(&Sha256::digest(key.as_bytes()));
        self.dir.join(format!("{name}.json"))
    }

    /// The cached facts of `target`, when fresh.
    pub fn get(&self, target: &Target, credentialed: bool) -> Option<ImageFacts> {
        let key = Cache::key(target, credentialed);
        let entry: Entry = self.read(&key)?;
        if entry.version != VERSION || entry.key != key {
            return None;
        }
        let age = now().checked_sub(entry.written)?;
        (age < self.ttl.as_secs()).then_some(entry.facts)
    }

    /// The resolution of a digest reference found earlier (it exists; its media type).
    pub fn resolution(&self, target: &Target, credentialed: bool) -> Option<Lookup> {
        target.digest.as_ref()?;
        let key = format!("{} resolution", Cache::key(target, credentialed));
        let entry: Resolution = self.read(&key)?;
        (entry.version == VERSION
            && entry.key == key
            && matches!(entry.lookup, Lookup::Found { .. }))
        .then_some(entry.lookup)
    }

    fn read<T: serde::de::DeserializeOwned>(&self, key: &str) -> Option<T> {
        use std::io::Read as _;
        let mut bytes = Vec::new();
        std::fs::File::open(self.path(key))
            .ok()?
            .take(MAX_ENTRY_BYTES)
            .read_to_end(&mut bytes)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Keep `facts` of `target` (unless they are a failure, a refused credential or partial),
    /// and a digest reference's resolution. Errors are ignored: the cache only saves time.
    pub fn put(&self, target: &Target, credentialed: bool, facts: &ImageFacts) {
        if matches!(
            facts.lookup,
            Lookup::Failed { .. } | Lookup::CredentialsRefused
        ) || !facts.partial.is_empty()
        {
            return;
        }
        let key = Cache::key(target, credentialed);
        if target.digest.is_some() && matches!(facts.lookup, Lookup::Found { .. }) {
            let key = format!("{key} resolution");
            self.write(
                &key,
                &Resolution {
                    version: VERSION,
                    key: key.clone(),
                    lookup: facts.lookup.clone(),
                },
            );
        }
        self.write(
            &key,
            &Entry {
                version: VERSION,
                written: now(),
                key: key.clone(),
                facts: facts.clone(),
            },
        );
    }

    fn write<T: Serialize>(&self, key: &str, value: &T) {
        let Ok(json) = serde_json::to_vec(value) else {
            return;
        };
        if json.len() as u64 > MAX_ENTRY_BYTES || std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        // A reader sees the old entry or the new one, never half of one.
        let Ok(mut file) = tempfile::NamedTempFile::new_in(&self.dir) else {
            return;
        };
        if std::io::Write::write_all(&mut file, &json).is_ok() {
            let _ = file.persist(self.path(key));
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests;
