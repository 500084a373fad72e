//! Progress of a long scan on a terminal (`--progress`): charts rendered, overlays built,
//! files checked, redrawn on one line of standard error a few times a second and erased at
//! the end. Nothing is drawn for a scan that ends within the first half second, nor when
//! progress is off (the default outside a terminal and in CI), so logs and machine output
//! never see it.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// What a scan counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    Charts,
    Overlays,
    Files,
}

const STAGES: [(Stage, &str); 3] = [
    (Stage::Charts, "charts rendered"),
    (Stage::Overlays, "overlays built"),
    (Stage::Files, "files checked"),
];

#[derive(Default)]
struct Counts {
    /// (done, total) per stage, in [`STAGES`] order.
    stages: [(AtomicUsize, AtomicUsize); 3],
    stop: AtomicBool,
}

/// A scan's progress: counters any worker may bump, and, when on, the thread drawing them.
pub(crate) struct Progress {
    counts: Arc<Counts>,
    drawer: Option<JoinHandle<()>>,
}

/// Wait before the first line: a short scan draws nothing.
const FIRST_DRAW: Duration = Duration::from_millis(500);
const REDRAW: Duration = Duration::from_millis(150);

impl Progress {
    /// Counters, drawn on standard error when `draw`.
    pub(crate) fn start(draw: bool) -> Progress {
        let counts = Arc::new(Counts::default());
        let drawer = draw.then(|| {
            let counts = Arc::clone(&counts);
            std::thread::Builder::new()
                .name("imagegate-progress".into())
                .spawn(move || draw_until_stopped(&counts))
                .ok()
        });
        Progress {
            counts,
            drawer: drawer.flatten(),
        }
    }

    /// `stage` has `total` items to do (added to what it had).
    pub(crate) fn expect(&self, stage: Stage, total: usize) {
        self.slot(stage).1.fetch_add(total, Ordering::Relaxed);
    }

    /// One item of `stage` done.
    pub(crate) fn tick(&self, stage: Stage) {
        self.slot(stage).0.fetch_add(1, Ordering::Relaxed);
    }

    /// A guard that ticks `stage` when dropped: one item done, however its work returns.
    pub(crate) fn done_on_drop(&self, stage: Stage) -> Tick<'_> {
        Tick {
            progress: self,
            stage,
        }
    }

    fn slot(&self, stage: Stage) -> &(AtomicUsize, AtomicUsize) {
        let index = STAGES.iter().position(|(s, _)| *s == stage).unwrap_or(0);
        &self.counts.stages[index]
    }

    /// The line as it would be drawn now (`None` before anything is expected).
    fn line(counts: &Counts) -> Option<String> {
        let parts: Vec<String> = STAGES
            .iter()
            .zip(&counts.stages)
            .filter_map(|((_, label), (done, total))| {
                let total = total.load(Ordering::Relaxed);
                let done = done.load(Ordering::Relaxed).min(total);
                (total > 0).then(|| format!("{done}/{total} {label}"))
            })
            .collect();
        (!parts.is_empty()).then(|| format!("imagegate: {}", parts.join(" · ")))
    }
}

/// See [`Progress::done_on_drop`].
pub(crate) struct Tick<'a> {
    progress: &'a Progress,
    stage: Stage,
}

impl Drop for Tick<'_> {
    fn drop(&mut self) {
        self.progress.tick(self.stage);
    }
}

impl Drop for Progress {
    /// Stop drawing and erase the line.
    fn drop(&mut self) {
        self.counts.stop.store(true, Ordering::Relaxed);
        if let Some(drawer) = self.drawer.take() {
            drawer.thread().unpark();
            let _ = drawer.join();
        }
    }
}

fn draw_until_stopped(counts: &Counts) {
    std::thread::park_timeout(FIRST_DRAW);
    let mut drawn = false;
    while !counts.stop.load(Ordering::Relaxed) {
        if let Some(line) = Progress::line(counts) {
            let mut stderr = std::io::stderr().lock();
            // Carriage return, the line, erase to its end: one line redrawn in place.
            let _ = write!(stderr, "\r{line}\x1b[K");
            let _ = stderr.flush();
            drawn = true;
        }
        std::thread::park_timeout(REDRAW);
    }
    if drawn {
        let mut stderr = std::io::stderr().lock();
        let _ = write!(stderr, "\r\x1b[K");
        let _ = stderr.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_each_stage_that_has_work() {
        let progress = Progress::start(false);
        assert_eq!(Progress::line(&progress.counts), None);
        progress.expect(Stage::Files, 3);
        progress.expect(Stage::Charts, 2);
        progress.tick(Stage::Files);
        progress.tick(Stage::Charts);
        progress.tick(Stage::Charts);
        assert_eq!(
            Progress::line(&progress.counts).unwrap(),
            "imagegate: 2/2 charts rendered · 1/3 files checked"
        );
    }
}
