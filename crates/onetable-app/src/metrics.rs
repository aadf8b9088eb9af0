//! Operating metrics (运行指标) for Prometheus: one registry per application, the handles the use
//! cases and the HTTP layer record into, and the text exposition a scrape reads. The names are
//! listed in `docs/operations.md`.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// An HTTP request as counted: the route template (`/api/v1/entries/{village}/{period}`, never
/// the path itself, so that villages do not become label values), the method and the status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

/// Where a cube came from: `store` (built) or `snapshot` (loaded).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct SourceLabels {
    pub source: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PeriodLabels {
    pub period: String,
}

/// What was moved: `import` (a clerk's or admin's table) or `pull` (a department's report).
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TransferLabels {
    pub kind: String,
}

fn seconds_buckets() -> impl Iterator<Item = f64> {
    // 1 ms to ~33 s.
    exponential_buckets(0.001, 2.0, 16)
}

fn seconds_histogram() -> Histogram {
    Histogram::new(seconds_buckets())
}

/// The metrics of one application.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    pub http_requests: Family<RequestLabels, Counter>,
    pub http_seconds: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub http_bytes: Family<RouteLabels, Counter>,
    pub db_connections_in_use: Gauge,
    pub db_connections_idle: Gauge,
    pub db_waiting: Gauge,
    pub write_batch_jobs: Histogram,
    pub write_commit_seconds: Histogram,
    pub cube_build_seconds: Family<SourceLabels, Histogram, fn() -> Histogram>,
    pub cube_catch_up_seconds: Histogram,
    pub cube_cells: Family<PeriodLabels, Gauge>,
    pub cube_bytes: Gauge,
    pub rows: Family<TransferLabels, Counter>,
    pub bytes: Family<TransferLabels, Counter>,
    pub login_failures: Counter,
    pub lockouts: Counter,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    #[must_use]
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("onetable");
        let http_requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests by route template, method and status", http_requests.clone());
        let http_seconds = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(seconds_histogram);
        registry.register("http_request_duration_seconds", "Time to answer an HTTP request", http_seconds.clone());
        let http_bytes = Family::<RouteLabels, Counter>::default();
        registry.register(
            "http_response_bytes",
            "Bytes of answers of a known size (pulls, aggregates, downloads) by route template",
            http_bytes.clone(),
        );
        let db_connections_in_use = Gauge::default();
        registry.register("db_pool_in_use", "Database connections lent out", db_connections_in_use.clone());
        let db_connections_idle = Gauge::default();
        registry.register("db_pool_idle", "Database connections open and idle", db_connections_idle.clone());
        let db_waiting = Gauge::default();
        registry.register("db_pool_waiting", "Callers waiting for a database connection", db_waiting.clone());
        let write_batch_jobs = Histogram::new(exponential_buckets(1.0, 2.0, 7));
        registry.register(
            "sqlite_write_batch_jobs",
            "Writes committed together by the SQLite writer, per batch",
            write_batch_jobs.clone(),
        );
        let write_commit_seconds = seconds_histogram();
        registry.register(
            "sqlite_write_batch_seconds",
            "Time from a batch's start to its commit on the SQLite writer",
            write_commit_seconds.clone(),
        );
        let cube_build_seconds =
            Family::<SourceLabels, Histogram, fn() -> Histogram>::new_with_constructor(seconds_histogram);
        registry.register(
            "cube_build_seconds",
            "Time to build a period's cube from the store, or load it from its snapshot",
            cube_build_seconds.clone(),
        );
        let cube_catch_up_seconds = seconds_histogram();
        registry.register(
            "cube_catch_up_seconds",
            "Time a read spent applying the store's changes to a cube",
            cube_catch_up_seconds.clone(),
        );
        let cube_cells = Family::<PeriodLabels, Gauge>::default();
        registry.register("cube_cells", "Villages × stored indicators in a period's cube", cube_cells.clone());
        let cube_bytes = Gauge::default();
        registry.register("cube_bytes", "Memory held by the cubes in memory (estimate)", cube_bytes.clone());
        let rows = Family::<TransferLabels, Counter>::default();
        registry.register("transfer_rows", "Rows imported, or pulled by departments", rows.clone());
        let bytes = Family::<TransferLabels, Counter>::default();
        registry.register("transfer_bytes", "Bytes of tables imported, or of reports pulled", bytes.clone());
        let login_failures = Counter::default();
        registry.register("login_failures", "Refused sign-ins of people", login_failures.clone());
        let lockouts = Counter::default();
        registry.register("lockouts", "Accounts locked after repeated failures", lockouts.clone());
        Self {
            registry: Arc::new(registry),
            http_requests,
            http_seconds,
            http_bytes,
            db_connections_in_use,
            db_connections_idle,
            db_waiting,
            write_batch_jobs,
            write_commit_seconds,
            cube_build_seconds,
            cube_catch_up_seconds,
            cube_cells,
            cube_bytes,
            rows,
            bytes,
            login_failures,
            lockouts,
        }
    }

    /// Counts one answered request of `bytes` (0 when streamed).
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration, bytes: u64) {
        let labels = RouteLabels { method: method.to_owned(), route: route.to_owned() };
        self.http_seconds.get_or_create(&labels).observe(took.as_secs_f64());
        if bytes > 0 {
            self.http_bytes.get_or_create(&labels).inc_by(bytes);
        }
        let RouteLabels { method, route } = labels;
        self.http_requests.get_or_create(&RequestLabels { method, route, status }).inc();
    }

    /// Counts rows moved in (`import`) or out (`pull`), and their bytes where this layer knows
    /// them (a pull's are the HTTP layer's: `http_response_bytes`).
    pub fn transfer(&self, kind: &str, rows: usize, bytes: Option<usize>) {
        let labels = TransferLabels { kind: kind.to_owned() };
        self.rows.get_or_create(&labels).inc_by(rows as u64);
        if let Some(bytes) = bytes {
            self.bytes.get_or_create(&labels).inc_by(bytes as u64);
        }
    }

    /// The Prometheus text exposition (OpenMetrics) of every metric.
    ///
    /// # Errors
    /// Only if formatting fails, which writing to a `String` does not.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}
