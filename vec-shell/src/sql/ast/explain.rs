//! `EXPLAIN`'s options: what it shows and in which format.

/// What `EXPLAIN` shows, as its options set it (PostgreSQL's defaults otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExplainOptions {
    /// `ANALYZE`: run the query and report what each node did.
    pub analyze: bool,
    /// `VERBOSE`.
    pub verbose: bool,
    /// `COSTS`: each node's estimated cost, rows and width (on by default).
    pub costs: bool,
    /// `BUFFERS`: buffer pool hits and reads per node.
    pub buffers: bool,
    /// `TIMING`: per-node times (on with `ANALYZE` unless turned off).
    pub timing: bool,
    /// `SUMMARY`: planning and execution times (on with `ANALYZE`).
    pub summary: bool,
    /// `FORMAT`.
    pub format: ExplainFormat,
}

impl Default for ExplainOptions {
    fn default() -> Self {
        ExplainOptions {
            analyze: false,
            verbose: false,
            costs: true,
            buffers: false,
            timing: false,
            summary: false,
            format: ExplainFormat::Text,
        }
    }
}

/// `EXPLAIN`'s output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExplainFormat {
    /// Indented lines (the default).
    Text,
    /// One JSON document.
    Json,
    /// One YAML document.
    Yaml,
    /// One XML document.
    Xml,
}

impl ExplainFormat {
    /// The format's name as written in `FORMAT`.
    pub fn name(self) -> &'static str {
        match self {
            ExplainFormat::Text => "text",
            ExplainFormat::Json => "json",
            ExplainFormat::Yaml => "yaml",
            ExplainFormat::Xml => "xml",
        }
    }
}
