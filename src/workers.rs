//! Worker threads: a rayon pool per parallel stage, with stacks deep enough for the recursive
//! YAML parser (up to `syntax::yaml::Limits::max_depth` levels).

pub(crate) mod progress;

use rayon::prelude::*;

/// Stack size of scan worker threads.
pub const WORKER_STACK: usize = 64 * 1024 * 1024;

/// `f(index, item)` for every item on `jobs` worker threads (each with a [`WORKER_STACK`]
/// stack); results come back in item order. When no pool can be built (no thread could be
/// spawned), the items are done on this thread.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: impl Fn(usize, &T) -> R + Sync,
) -> Vec<R> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.clamp(1, items.len().max(1)))
        .stack_size(WORKER_STACK)
        .thread_name(|i| format!("imagegate-worker-{i}"))
        .build();
    match pool {
        Ok(pool) => pool.install(|| {
            items
                .par_iter()
                .enumerate()
                // One item per task: files differ in size by orders of magnitude, so work is
                // stolen item by item rather than in fixed chunks.
                .with_max_len(1)
                .map(|(i, item)| f(i, item))
                .collect()
        }),
        Err(_) => items
            .iter()
            .enumerate()
            .map(|(i, item)| f(i, item))
            .collect(),
    }
}

#[cfg(test)]
mod tests;
