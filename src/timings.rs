//! Where a build's time goes, printed to stderr when `PRIVACY_SITE_TIMINGS=1`.
//!
//! Performance work starts from a profile; this one is cheap enough to leave in the binary, so
//! anyone can see which phase a slow site spends its time in without a profiler.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::output::{Output, WriteOutcome};

/// Whether phase timings are collected and printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    Print,
    Silent,
}

/// Wall time per build phase, in the order the phases ran.
#[derive(Debug)]
pub struct Timings {
    report: Report,
    started: Instant,
    last: Instant,
    phases: Vec<(&'static str, Duration, Option<u64>)>,
}

impl Timings {
    /// Prints only when the environment variable `PRIVACY_SITE_TIMINGS` is set to `1`.
    pub fn from_env() -> Self {
        let report = if std::env::var_os("PRIVACY_SITE_TIMINGS").is_some_and(|v| v == "1") {
            Report::Print
        } else {
            Report::Silent
        };
        Self::new(report)
    }

    pub fn new(report: Report) -> Self {
        let now = Instant::now();
        Timings {
            report,
            started: now,
            last: now,
            phases: Vec::new(),
        }
    }

    /// Ends the phase running since the previous call (or since the start).
    pub fn phase(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push((name, now - self.last, peak_memory_kb()));
        self.last = now;
    }

    /// Adds a figure measured elsewhere, such as time summed over threads.
    pub fn note(&mut self, name: &'static str, duration: Duration) {
        self.phases.push((name, duration, None));
    }

    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .phases
            .iter()
            .map(|(name, d, peak)| {
                let memory = peak
                    .map(|kb| format!("  (peak memory {:.0} MB)", kb as f64 / 1024.0))
                    .unwrap_or_default();
                format!("{name:>40}: {:>8.1} ms{memory}", d.as_secs_f64() * 1000.0)
            })
            .collect();
        lines.push(format!(
            "{:>40}: {:>8.1} ms",
            "total",
            self.started.elapsed().as_secs_f64() * 1000.0
        ));
        if let Some(peak) = peak_memory_kb() {
            lines.push(format!(
                "{:>40}: {:>8.1} MB",
                "peak memory so far",
                peak as f64 / 1024.0
            ));
        }
        lines
    }
}

impl Drop for Timings {
    fn drop(&mut self) {
        if self.report == Report::Print {
            eprintln!("privacy-site timings:\n{}", self.lines().join("\n"));
        }
    }
}

/// The process's peak resident memory (Linux only), which is what the memory target is about.
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// An `Output` that adds up the time spent writing, across threads.
pub struct TimedOutput<'a> {
    inner: &'a dyn Output,
    nanos: AtomicU64,
}

impl<'a> TimedOutput<'a> {
    pub fn new(inner: &'a dyn Output) -> Self {
        TimedOutput {
            inner,
            nanos: AtomicU64::new(0),
        }
    }

    pub fn total(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }
}

impl TimedOutput<'_> {
    fn timed<T>(&self, write: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let outcome = write();
        self.nanos.fetch_add(
            u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        outcome
    }
}

impl Output for TimedOutput<'_> {
    fn write(&self, relative: &str, bytes: Vec<u8>) -> std::io::Result<WriteOutcome> {
        self.timed(|| self.inner.write(relative, bytes))
    }

    fn write_with(
        &self,
        relative: &str,
        size_hint: usize,
        fill: &mut crate::output::Fill,
    ) -> std::io::Result<WriteOutcome> {
        self.timed(|| self.inner.write_with(relative, size_hint, fill))
    }

    fn write_shared(
        &self,
        relative: &str,
        bytes: &std::sync::Arc<Vec<u8>>,
    ) -> std::io::Result<WriteOutcome> {
        self.timed(|| self.inner.write_shared(relative, bytes))
    }

    fn write_group(
        &self,
        files: &std::sync::Arc<Vec<crate::output::OutputFile>>,
    ) -> std::io::Result<Vec<WriteOutcome>> {
        self.timed(|| self.inner.write_group(files))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::MemoryOutput;

    #[test]
    fn phases_are_listed_in_order_with_a_total() {
        let mut timings = Timings::new(Report::Silent);
        timings.phase("load");
        timings.phase("render");
        let lines = timings.lines();
        assert!(lines.len() >= 3, "{lines:?}");
        assert!(
            lines[0].contains("load") && lines[1].contains("render") && lines[2].contains("total"),
            "{lines:?}"
        );
    }

    #[test]
    fn timed_output_passes_writes_through() {
        let memory = MemoryOutput::new();
        let timed = TimedOutput::new(&memory);
        assert_eq!(
            timed.write("a.txt", b"x".to_vec()).unwrap(),
            WriteOutcome::Written
        );
        assert_eq!(
            timed.write("a.txt", b"x".to_vec()).unwrap(),
            WriteOutcome::Unchanged
        );
        assert_eq!(memory.get("a.txt").unwrap().as_slice(), b"x");
    }
}
