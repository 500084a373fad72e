//! Inspecting many references at once: each distinct one asked once per run, at most
//! `per_registry` requests in flight to one registry, and the whole phase bounded by a
//! deadline past which what is unanswered is "not checked" (never a finding).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::cache::Cache;
use super::client::{Client, Credential, Endpoint, OnlineError};
use super::inspect::{ImageFacts, Target, inspect};

/// How resolution runs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub per_registry: usize,
    pub deadline: Duration,
    /// Registries reached over plain HTTP besides loopback ones.
    pub insecure: Vec<String>,
    /// Answers kept from earlier runs (`--cache-dir`).
    pub cache: Option<Cache>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            per_registry: 8,
            deadline: Duration::from_secs(60),
            insecure: Vec::new(),
            cache: None,
        }
    }
}

/// Inspect every distinct target (duplicates are asked once); `credentials` gives a
/// registry's credential, if any. A target without facts was not answered before the deadline.
pub async fn resolve_all(
    client: Arc<Client>,
    targets: &[Target],
    credentials: &BTreeMap<String, Credential>,
    settings: &Settings,
) -> BTreeMap<Target, Option<ImageFacts>> {
    let cache = settings.cache.as_ref();
    let credentialed = |target: &Target| credentials.contains_key(&target.registry);
    let mut answers: BTreeMap<Target, Option<ImageFacts>> = BTreeMap::new();
    let mut ask = Vec::new();
    for target in targets {
        match cache.and_then(|c| c.get(target, credentialed(target))) {
            Some(facts) => {
                answers.insert(target.clone(), Some(facts));
            }
            None => ask.push(target.clone()),
        }
    }
    let owned = cache.cloned();
    let asked = run_bounded(client, &ask, credentials, settings, move |job| {
        let known =
            (owned.as_ref()).and_then(|c| c.resolution(&job.target, job.credential.is_some()));
        async move {
            inspect(
                &job.client,
                &job.endpoint,
                &job.target,
                job.credential.as_ref(),
                known,
            )
            .await
        }
    })
    .await;
    for (target, facts) in asked {
        if let (Some(cache), Some(facts)) = (cache, &facts) {
            cache.put(&target, credentialed(&target), facts);
        }
        answers.insert(target, facts);
    }
    answers
}

/// The digest each distinct target's tag resolves to (the index digest of a multi-platform
/// image, as the registry serves it with every manifest type accepted), or why not; with
/// `platform` (`os/arch[/variant]`), the digest of that platform's manifest in an index.
pub async fn digests(
    client: Arc<Client>,
    targets: &[Target],
    credentials: &BTreeMap<String, Credential>,
    settings: &Settings,
    platform: Option<&str>,
) -> BTreeMap<Target, Option<Result<String, OnlineError>>> {
    let platform = platform.map(str::to_string);
    run_bounded(client, targets, credentials, settings, move |job| {
        let platform = platform.clone();
        async move {
            let manifest = job
                .client
                .manifest(
                    &job.endpoint,
                    &job.target.repository,
                    job.target.reference(),
                    job.credential.as_ref(),
                )
                .await?;
            match platform {
                None => Ok(manifest.digest),
                Some(platform) => platform_digest(&manifest.bytes, &platform)
                    .or_else(|| {
                        // A single-platform image is its own platform manifest.
                        (!manifest.media_type.contains("index")
                            && !manifest.media_type.contains("list"))
                        .then_some(manifest.digest)
                    })
                    .ok_or_else(|| {
                        OnlineError::Transport(format!(
                            "the image has no manifest for the platform `{platform}`"
                        ))
                    }),
            }
        }
    })
    .await
}

/// The digest of the manifest for `platform` (`os/arch[/variant]`) in an image index.
fn platform_digest(index: &[u8], platform: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Index {
        #[serde(default)]
        manifests: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        digest: String,
        platform: Option<Platform>,
    }
    #[derive(serde::Deserialize)]
    struct Platform {
        os: String,
        architecture: String,
        variant: Option<String>,
    }
    let mut parts = platform.split('/');
    let (os, arch, variant) = (parts.next()?, parts.next()?, parts.next());
    let index: Index = serde_json::from_slice(index).ok()?;
    index.manifests.into_iter().find_map(|entry| {
        let p = entry.platform?;
        (p.os == os
            && p.architecture == arch
            && variant.is_none_or(|v| p.variant.as_deref() == Some(v)))
        .then_some(entry.digest)
    })
}

/// What a bounded task gets: the client, where to ask, what, and with which credential.
pub struct Job {
    pub client: Arc<Client>,
    pub endpoint: Endpoint,
    pub target: Target,
    pub credential: Option<Credential>,
}

/// Run `work` for every distinct target: at most `per_registry` at a time for one registry,
/// all of them within the deadline, past which what is left is `None` (not answered).
async fn run_bounded<T, F, Fut>(
    client: Arc<Client>,
    targets: &[Target],
    credentials: &BTreeMap<String, Credential>,
    settings: &Settings,
    work: F,
) -> BTreeMap<Target, Option<T>>
where
    T: Send + 'static,
    F: Fn(Job) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = T> + Send,
{
    let mut distinct: Vec<Target> = targets.to_vec();
    distinct.sort();
    distinct.dedup();
    let mut limits: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    for target in distinct.iter().cloned() {
        let limit = limits
            .entry(target.registry.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(settings.per_registry.max(1))))
            .clone();
        let client = Arc::clone(&client);
        let credential = credentials.get(&target.registry).cloned();
        let insecure = settings.insecure.iter().any(|r| r == &target.registry);
        let work = work.clone();
        tasks.spawn(async move {
            let Ok(_permit) = limit.acquire_owned().await else {
                return (target, None);
            };
            let endpoint = client.endpoint(&target.registry, insecure).await;
            let job = Job {
                client,
                endpoint,
                target: target.clone(),
                credential,
            };
            (target, Some(work(job).await))
        });
    }
    let mut answers: BTreeMap<Target, Option<T>> = BTreeMap::new();
    let collect = async {
        while let Some(joined) = tasks.join_next().await {
            if let Ok((target, answer)) = joined {
                answers.insert(target, answer);
            }
        }
    };
    // Past the deadline the tasks left are dropped (their requests with them).
    let _ = tokio::time::timeout(settings.deadline, collect).await;
    tasks.abort_all();
    for target in distinct {
        answers.entry(target).or_insert(None);
    }
    answers
}
