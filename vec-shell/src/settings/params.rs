//! The run-time parameters vecsh knows: each one's name, kind, range and default,
//! written here once (pgvector's index defaults and ranges are the index crates'
//! constants, named here, not copied). pgvector's `hnsw.*` and `ivfflat.*`, pgvecto.rs's `vectors.*`,
//! vecsh's own `vecsh.target_recall`, and the PostgreSQL parameters vecsh honours.

/// What values a parameter takes, and its default.
#[derive(Clone, Copy, Debug)]
pub(super) enum Kind {
    /// An integer in `min..=max`.
    Int { min: i64, max: i64, default: i64 },
    /// A memory size in kB, in `min..=max`, written with units (`64MB`).
    Memory { min: i64, max: i64, default: i64 },
    /// A size in 8 kB blocks, in `min..=max`: a bare number is blocks, one with a
    /// unit (`8MB`) is converted.
    Blocks { min: i64, max: i64, default: i64 },
    /// A real number in `min..=max`.
    Real { min: f64, max: f64, default: f64 },
    /// `on` or `off`.
    Bool { default: bool },
    /// One of a list of words.
    Enum {
        options: &'static [&'static str],
        default: &'static str,
    },
    /// Any text (`application_name`).
    Text { default: &'static str },
    /// A value the server reports and clients read, which `SET` cannot change
    /// (`server_version`).
    Fixed { value: &'static str },
}

/// One run-time parameter.
#[derive(Debug)]
pub struct Param {
    /// Its name, as `SET` and `SHOW` take it.
    pub name: &'static str,
    pub(super) kind: Kind,
}

/// Parameters fixed at open ("postmaster" context in PostgreSQL): `SET` and `RESET`
/// refuse them; the database sets their value when it opens a session.
pub static RESTART_ONLY: &[&Param] = &[&SHARED_BUFFERS, &DATA_DIRECTORY, &CONFIG_FILE];

macro_rules! params {
    ($($(#[$doc:meta])* $ident:ident = $name:literal, $kind:expr;)+) => {
        $($(#[$doc])* pub static $ident: Param = Param { name: $name, kind: $kind };)+
        /// Every parameter, in the order `SHOW ALL` would list them.
        pub static ALL: &[&Param] = &[$(&$ident),+];
    };
}

params! {
    /// `hnsw.ef_search`: the size of an HNSW scan's candidate list (pgvector's default).
    HNSW_EF_SEARCH = "hnsw.ef_search", Kind::Int {
        min: vec_hnsw::MIN_EF_SEARCH as i64,
        max: vec_hnsw::MAX_EF_SEARCH as i64,
        default: vec_hnsw::DEFAULT_EF_SEARCH as i64,
    };
    /// `hnsw.iterative_scan`: whether a scan goes on past its first candidates.
    HNSW_ITERATIVE_SCAN = "hnsw.iterative_scan",
        Kind::Enum { options: &["off", "relaxed_order", "strict_order"], default: "off" };
    /// `hnsw.max_scan_tuples`: where an iterative HNSW scan stops.
    HNSW_MAX_SCAN_TUPLES = "hnsw.max_scan_tuples",
        Kind::Int {
            min: 1,
            max: vec_hnsw::MAX_MAX_SCAN_TUPLES as i64,
            default: vec_hnsw::DEFAULT_MAX_SCAN_TUPLES as i64,
        };
    /// `hnsw.scan_mem_multiplier`: an iterative scan's memory, in units of `work_mem`.
    HNSW_SCAN_MEM_MULTIPLIER = "hnsw.scan_mem_multiplier",
        Kind::Real { min: 1.0, max: 1000.0, default: vec_hnsw::DEFAULT_SCAN_MEM_MULTIPLIER };
    /// `ivfflat.probes`: the lists an IVFFlat scan visits first.
    IVFFLAT_PROBES = "ivfflat.probes", Kind::Int {
        min: 1,
        max: vec_ivf::MAX_LISTS as i64,
        default: vec_ivf::DEFAULT_PROBES as i64,
    };
    /// `ivfflat.iterative_scan`: whether a scan probes more lists when rows run out.
    IVFFLAT_ITERATIVE_SCAN = "ivfflat.iterative_scan",
        Kind::Enum { options: &["off", "relaxed_order"], default: "off" };
    /// `ivfflat.max_probes`: the most lists an iterative IVFFlat scan visits.
    IVFFLAT_MAX_PROBES = "ivfflat.max_probes", Kind::Int {
        min: 1,
        max: vec_ivf::MAX_LISTS as i64,
        default: vec_ivf::DEFAULT_MAX_PROBES as i64,
    };
    /// `vecsh.target_recall`: when above 0, each vector index scans with the smallest
    /// `ef_search` / `probes` its calibration expects to reach this recall@10, instead of
    /// `hnsw.ef_search` / `ivfflat.probes` / `vectors.*`. 0 (the default) is off.
    VECSH_TARGET_RECALL = "vecsh.target_recall", Kind::Real { min: 0.0, max: 1.0, default: 0.0 };
    /// `vectors.enable_index`: whether the planner uses `USING vectors` indexes.
    VECTORS_ENABLE_INDEX = "vectors.enable_index", Kind::Bool { default: true };
    /// `vectors.hnsw_ef_search`: pgvecto.rs's HNSW candidate list size.
    VECTORS_HNSW_EF_SEARCH = "vectors.hnsw_ef_search", Kind::Int { min: 1, max: 65535, default: 100 };
    /// `vectors.ivf_nprobe`: pgvecto.rs's IVF lists probed.
    VECTORS_IVF_NPROBE = "vectors.ivf_nprobe", Kind::Int { min: 1, max: 1_000_000, default: 10 };
    /// `vectors.search_mode`: `vbase` goes on past the first candidates, `basic` stops.
    VECTORS_SEARCH_MODE = "vectors.search_mode",
        Kind::Enum { options: &["basic", "vbase"], default: "vbase" };
    /// `maintenance_work_mem`: memory an index build may use.
    MAINTENANCE_WORK_MEM = "maintenance_work_mem",
        Kind::Memory {
            min: 1024,
            max: i32::MAX as i64,
            default: (vec_hnsw::DEFAULT_MAINTENANCE_WORK_MEM / 1024) as i64,
        };
    /// `max_parallel_maintenance_workers`: index builds use this many workers besides the leader.
    MAX_PARALLEL_MAINTENANCE_WORKERS = "max_parallel_maintenance_workers",
        Kind::Int { min: 0, max: 1024, default: 2 };
    /// `max_parallel_workers_per_gather`: accepted and shown with PostgreSQL's default
    /// and range; the exact scan's threads are vecsh's own (see the README).
    MAX_PARALLEL_WORKERS_PER_GATHER = "max_parallel_workers_per_gather",
        Kind::Int { min: 0, max: 1024, default: 2 };
    /// `max_parallel_workers`: accepted and shown, as `max_parallel_workers_per_gather`.
    MAX_PARALLEL_WORKERS = "max_parallel_workers", Kind::Int { min: 0, max: 1024, default: 8 };
    /// `parallel_setup_cost`: accepted and shown (PostgreSQL's planner cost of
    /// starting workers).
    PARALLEL_SETUP_COST = "parallel_setup_cost",
        Kind::Real { min: 0.0, max: f64::MAX, default: 1000.0 };
    /// `parallel_tuple_cost`: accepted and shown (PostgreSQL's planner cost of passing
    /// a row from a worker).
    PARALLEL_TUPLE_COST = "parallel_tuple_cost",
        Kind::Real { min: 0.0, max: f64::MAX, default: 0.1 };
    /// `min_parallel_table_scan_size`: accepted and shown, in 8 kB blocks (8MB).
    MIN_PARALLEL_TABLE_SCAN_SIZE = "min_parallel_table_scan_size",
        Kind::Blocks { min: 0, max: i32::MAX as i64 / 3, default: 1024 };
    /// `min_parallel_index_scan_size`: accepted and shown, in 8 kB blocks (512kB).
    MIN_PARALLEL_INDEX_SCAN_SIZE = "min_parallel_index_scan_size",
        Kind::Blocks { min: 0, max: i32::MAX as i64 / 3, default: 64 };
    /// `shared_buffers`: the buffer pool's size in 8 kB blocks (a number without a unit
    /// counts blocks, as in PostgreSQL), fixed when the database opens
    /// (`vecsh --shared-buffers`); `SET` refuses it as PostgreSQL does.
    SHARED_BUFFERS = "shared_buffers", Kind::Blocks { min: 16, max: i32::MAX as i64 / 2, default: 16384 };
    /// `work_mem`: memory a query operation may use.
    WORK_MEM = "work_mem", Kind::Memory { min: 64, max: i32::MAX as i64, default: 4096 };
    /// `enable_seqscan`: whether the planner may choose sequential scans.
    ENABLE_SEQSCAN = "enable_seqscan", Kind::Bool { default: true };
    /// `enable_indexscan`: whether the planner may choose index scans.
    ENABLE_INDEXSCAN = "enable_indexscan", Kind::Bool { default: true };
    /// `enable_bitmapscan`: accepted; vecsh has no bitmap scans (its btree scans are
    /// index scans, under `enable_indexscan`), so there is nothing to disable.
    ENABLE_BITMAPSCAN = "enable_bitmapscan", Kind::Bool { default: true };
    /// `enable_indexonlyscan`: accepted; vecsh has no index-only scans, so there is
    /// nothing to disable.
    ENABLE_INDEXONLYSCAN = "enable_indexonlyscan", Kind::Bool { default: true };
    /// `enable_sort`: whether the planner may sort; off, an index that yields the
    /// order is used even without `LIMIT`.
    ENABLE_SORT = "enable_sort", Kind::Bool { default: true };
    /// `enable_hashjoin`: whether the planner may hash the right side of an equality
    /// join; off (with `enable_nestloop` on), such joins run as nested loops.
    ENABLE_HASHJOIN = "enable_hashjoin", Kind::Bool { default: true };
    /// `enable_nestloop`: whether the planner may run joins as nested loops; a join
    /// with no equality to hash on still runs as one (there is no other way).
    ENABLE_NESTLOOP = "enable_nestloop", Kind::Bool { default: true };
    /// `enable_mergejoin`: accepted; vecsh has no merge joins, so there is nothing to
    /// disable.
    ENABLE_MERGEJOIN = "enable_mergejoin", Kind::Bool { default: true };
    /// `plan_cache_mode`: `auto` plans a prepared query again with each execution's
    /// values only when its `WHERE` compares with a parameter, and keeps the plans of
    /// repeated statement shapes; `force_custom_plan` plans every execution with its
    /// values and keeps no shapes; `force_generic_plan` always runs the kept plan.
    PLAN_CACHE_MODE = "plan_cache_mode",
        Kind::Enum {
            options: &["auto", "force_generic_plan", "force_custom_plan"],
            default: "auto",
        };
    /// `lock_timeout`: milliseconds a write waits for the write lock; 0 waits without
    /// limit for another session's statement, and up to `txn::DEFAULT_LOCK_WAIT` for its
    /// open block.
    LOCK_TIMEOUT = "lock_timeout", Kind::Int { min: 0, max: i32::MAX as i64, default: 0 };
    /// `default_transaction_isolation`: the isolation level of new transactions.
    DEFAULT_TRANSACTION_ISOLATION = "default_transaction_isolation",
        Kind::Enum {
            options: &["serializable", "repeatable read", "read committed", "read uncommitted"],
            default: "read committed",
        };
    /// `default_transaction_read_only`: whether new transactions are read-only.
    DEFAULT_TRANSACTION_READ_ONLY = "default_transaction_read_only", Kind::Bool { default: false };
    /// `synchronous_commit`: whether a commit waits for its log to reach the disk.
    SYNCHRONOUS_COMMIT = "synchronous_commit",
        Kind::Enum { options: &["on", "off", "local", "remote_write", "remote_apply"], default: "on" };
    /// `data_directory`: the database directory's absolute path, set when the database
    /// opens; empty for a database in memory.
    DATA_DIRECTORY = "data_directory", Kind::Text { default: "" };
    /// `config_file`: empty, as vecsh reads no configuration file (its settings come
    /// from the command line and `SET`).
    CONFIG_FILE = "config_file", Kind::Text { default: "" };
    /// `application_name`: the client's name for itself.
    APPLICATION_NAME = "application_name", Kind::Text { default: "" };
    /// `client_encoding`: always UTF-8 here.
    CLIENT_ENCODING = "client_encoding", Kind::Enum { options: &["UTF8"], default: "UTF8" };
    /// `DateStyle`: reported to clients, which read dates by it.
    DATE_STYLE = "DateStyle", Kind::Text { default: "ISO, MDY" };
    /// `IntervalStyle`: reported to clients.
    INTERVAL_STYLE = "IntervalStyle", Kind::Text { default: "postgres" };
    /// `TimeZone`: reported to clients.
    TIME_ZONE = "TimeZone", Kind::Text { default: "UTC" };
    /// `extra_float_digits`: accepted as clients set it; floats always print in the
    /// shortest form that reads back exactly (PostgreSQL's default, 1).
    EXTRA_FLOAT_DIGITS = "extra_float_digits", Kind::Int { min: -15, max: 3, default: 1 };
    /// `default_text_search_config`: the configuration of the text-search functions
    /// called without one.
    DEFAULT_TEXT_SEARCH_CONFIG = "default_text_search_config",
        Kind::Text { default: "pg_catalog.english" };
    /// `search_path`: the schemas an unqualified name is looked for in, in order.
    SEARCH_PATH = "search_path", Kind::Text { default: "\"$user\", public" };
    /// `statement_timeout`: accepted (milliseconds); statements are not timed out.
    STATEMENT_TIMEOUT = "statement_timeout", Kind::Int { min: 0, max: i32::MAX as i64, default: 0 };
    /// `server_version`: the PostgreSQL version whose protocol and catalog vecsh speaks.
    SERVER_VERSION = "server_version", Kind::Fixed { value: "17.0" };
    /// `server_version_num`: the same as a number.
    SERVER_VERSION_NUM = "server_version_num", Kind::Fixed { value: "170000" };
    /// `server_encoding`: UTF-8.
    SERVER_ENCODING = "server_encoding", Kind::Fixed { value: "UTF8" };
    /// `integer_datetimes`: on, as in every PostgreSQL since 10.
    INTEGER_DATETIMES = "integer_datetimes", Kind::Fixed { value: "on" };
    /// `standard_conforming_strings`: backslashes in `'…'` are plain characters.
    STANDARD_CONFORMING_STRINGS = "standard_conforming_strings", Kind::Fixed { value: "on" };
    /// `is_superuser`: every user of vecsh may do everything.
    IS_SUPERUSER = "is_superuser", Kind::Fixed { value: "on" };
    /// `transaction_isolation`: what a block sees (see the README on isolation).
    TRANSACTION_ISOLATION = "transaction_isolation", Kind::Fixed { value: "read committed" };
}
