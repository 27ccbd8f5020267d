//! Counters for `EXPLAIN ANALYZE`: each drawn plan node's stream is wrapped in a
//! counter ([`Instruments::wrap`]) keyed by the node's [`Probe`], which records, per
//! run of the stream (a loop), the rows it returned, the time until its first and its
//! last row (inclusive of its inputs, which run inside it), and the buffer pool pages
//! it found and read on this thread. A stream a `LIMIT` abandons counts when dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use vec_storage::buffer_pool::thread_page_counts;

use super::query::RowStream;
use crate::plan::explain::{Actual, Probe};

/// The counters of one `EXPLAIN ANALYZE` run.
pub struct Instruments {
    counters: Mutex<HashMap<Probe, Actual>>,
    timing: bool,
    /// Rows the parallel exact scan's workers passed through the filter.
    pub parallel_passed: AtomicU64,
    /// Pages the parallel exact scan's workers found in the pool.
    pub parallel_hit: AtomicU64,
    /// Pages the parallel exact scan's workers read into the pool.
    pub parallel_read: AtomicU64,
}

impl Instruments {
    /// Counters; with `timing`, times too.
    pub fn new(timing: bool) -> Instruments {
        Instruments {
            counters: Mutex::new(HashMap::new()),
            timing,
            parallel_passed: AtomicU64::new(0),
            parallel_hit: AtomicU64::new(0),
            parallel_read: AtomicU64::new(0),
        }
    }

    /// What the node at `probe` did, if it ran.
    pub fn actual(&self, probe: Probe) -> Option<Actual> {
        self.counters.lock().get(&probe).copied()
    }

    /// Adds one run of the node at `probe`.
    pub fn record(&self, probe: Probe, run: Actual) {
        let mut counters = self.counters.lock();
        let entry = counters.entry(probe).or_default();
        entry.loops += run.loops;
        entry.rows += run.rows;
        entry.startup_ms += run.startup_ms;
        entry.total_ms += run.total_ms;
        entry.hit += run.hit;
        entry.read += run.read;
    }

    /// Counts `rows` as a run of the node at `probe`; `spent` is the time and pages
    /// already spent building the stream (a sort or aggregate reads its input then:
    /// `built`). A stream neither built nor read from never ran (a `LIMIT 0`'s input).
    pub fn wrap<'a>(
        &'a self,
        probe: Probe,
        rows: RowStream<'a>,
        spent: Spent,
        built: bool,
    ) -> RowStream<'a> {
        Box::new(Counted {
            rows,
            instruments: self,
            probe,
            spent,
            returned: 0,
            first: None,
            ran: built,
            finished: false,
        })
    }

    /// A reading to measure what building a stream spends from.
    pub fn start(&self) -> Start {
        Start {
            at: self.timing.then(Instant::now),
            pages: thread_page_counts(),
        }
    }
}

/// Where a measurement started.
#[derive(Clone, Copy)]
pub struct Start {
    at: Option<Instant>,
    pages: (u64, u64),
}

impl Start {
    /// What was spent since.
    pub fn spent(&self) -> Spent {
        let (hit, read) = thread_page_counts();
        Spent {
            time: self.at.map_or(Duration::ZERO, |at| at.elapsed()),
            hit: hit - self.pages.0,
            read: read - self.pages.1,
        }
    }
}

/// Time and pages spent.
#[derive(Clone, Copy, Default)]
pub struct Spent {
    /// Time.
    pub time: Duration,
    /// Pages found in the pool.
    pub hit: u64,
    /// Pages read into the pool.
    pub read: u64,
}

struct Counted<'a> {
    rows: RowStream<'a>,
    instruments: &'a Instruments,
    probe: Probe,
    spent: Spent,
    returned: u64,
    first: Option<Duration>,
    ran: bool,
    finished: bool,
}

impl Counted<'_> {
    fn finish(&mut self) {
        if self.finished {
            return;
        }
        self.finished = true;
        if !self.ran {
            return;
        }
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        self.instruments.record(
            self.probe,
            Actual {
                loops: 1,
                rows: self.returned,
                startup_ms: ms(self.first.unwrap_or(self.spent.time)),
                total_ms: ms(self.spent.time),
                hit: self.spent.hit,
                read: self.spent.read,
            },
        );
    }
}

impl Iterator for Counted<'_> {
    type Item = crate::error::Result<crate::storage::Row>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        self.ran = true;
        let start = self.instruments.start();
        let item = self.rows.next();
        let spent = start.spent();
        self.spent.time += spent.time;
        self.spent.hit += spent.hit;
        self.spent.read += spent.read;
        match &item {
            Some(Ok(_)) => {
                self.returned += 1;
                if self.first.is_none() {
                    self.first = Some(self.spent.time);
                }
            }
            Some(Err(_)) => {}
            None => self.finish(),
        }
        item
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Counts a row the parallel exact scan passed through its filter (under `EXPLAIN
/// ANALYZE` only).
pub fn count_parallel_pass(context: &super::ExecContext<'_>) {
    if let Some(instruments) = context.instruments {
        instruments.parallel_passed.fetch_add(1, Ordering::Relaxed);
    }
}

impl Instruments {
    /// Adds a parallel scan worker's pages.
    pub fn add_parallel_pages(&self, spent: Spent) {
        self.parallel_hit.fetch_add(spent.hit, Ordering::Relaxed);
        self.parallel_read.fetch_add(spent.read, Ordering::Relaxed);
    }

    /// Records what the parallel exact scan of `plan` did, as the nodes `EXPLAIN`
    /// draws for it: the scan (`scanned` rows read, those passing the filter
    /// returned), the sort (the `keep` best) and the limit (`returned` rows). Its workers' rows arrive together, so every node's first row comes
    /// at the end.
    pub fn record_parallel(
        &self,
        plan: &crate::plan::QueryPlan,
        started: Start,
        scanned: u64,
        keep: Option<usize>,
        returned: usize,
    ) {
        let spent = started.spent();
        let ms = spent.time.as_secs_f64() * 1000.0;
        let run = |rows: u64| Actual {
            loops: 1,
            rows,
            startup_ms: ms,
            total_ms: ms,
            hit: self.parallel_hit.load(Ordering::Relaxed),
            read: self.parallel_read.load(Ordering::Relaxed),
        };
        let passed = self.parallel_passed.load(Ordering::Relaxed);
        use crate::plan::explain::Step;
        if plan.filter.is_some() {
            self.record(Probe::of(&plan.source, Step::Raw), run(scanned));
        }
        self.record(Probe::of(&plan.source, Step::Scan), run(passed));
        if !plan.order.is_empty() {
            let sorted = keep.map_or(passed, |keep| passed.min(keep as u64));
            self.record(Probe::of(plan, Step::Sort), run(sorted));
        }
        if plan.limit.is_some() || plan.offset.is_some() {
            self.record(Probe::of(plan, Step::Limit), run(returned as u64));
        }
    }
}
