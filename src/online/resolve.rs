//! Inspecting many references at once: each distinct one asked once per run, at most
//! `per_registry` requests in flight to one registry, and the whole phase bounded by a
//! deadline past which what is unanswered is "not checked" (never a finding).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::cache::Cache;
use super::client::{Client, Credential};
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
    let mut distinct: Vec<Target> = targets.to_vec();
    distinct.sort();
    distinct.dedup();
    let mut limits: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut tasks = tokio::task::JoinSet::new();
    let mut answers: BTreeMap<Target, Option<ImageFacts>> = BTreeMap::new();
    for target in distinct.iter().cloned() {
        let credentialed = credentials.contains_key(&target.registry);
        if let Some(facts) = (settings.cache.as_ref()).and_then(|c| c.get(&target, credentialed)) {
            answers.insert(target, Some(facts));
            continue;
        }
        let limit = limits
            .entry(target.registry.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(settings.per_registry.max(1))))
            .clone();
        let client = Arc::clone(&client);
        let credential = credentials.get(&target.registry).cloned();
        let insecure = settings.insecure.iter().any(|r| r == &target.registry);
        let known = (settings.cache.as_ref()).and_then(|c| c.resolution(&target, credentialed));
        tasks.spawn(async move {
            let Ok(_permit) = limit.acquire_owned().await else {
                return (target, None);
            };
            let endpoint = client.endpoint(&target.registry, insecure).await;
            let facts = inspect(&client, &endpoint, &target, credential.as_ref(), known).await;
            (target, Some(facts))
        });
    }
    let collect = async {
        while let Some(joined) = tasks.join_next().await {
            if let Ok((target, facts)) = joined {
                if let (Some(cache), Some(facts)) = (&settings.cache, &facts) {
                    cache.put(&target, credentials.contains_key(&target.registry), facts);
                }
                answers.insert(target, facts);
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
