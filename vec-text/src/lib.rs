//! PostgreSQL's full-text search, as PostgreSQL 15 computes it.
//!
//! - [`tsvector`]: the `tsvector` value (sorted lexemes with positions and weights), its
//!   text input and output, `||`, `setweight`, `strip`.
//! - [`tsquery`]: the `tsquery` tree, its text input (the `::tsquery` parser, shared by
//!   `to_tsquery`) and output.
//! - [`parser`]: PostgreSQL's default text parser (words, hyphenated words, numbers,
//!   emails, URLs, hosts, file paths).
//! - [`config`]: the `english` and `simple` configurations: which tokens are indexed and
//!   how each is normalized ([`stopwords`], [`stem`]); `to_tsvector`.
//! - [`query_build`]: `to_tsquery`, `plainto_tsquery`, `phraseto_tsquery` and
//!   `websearch_to_tsquery`, with stop words removed as PostgreSQL removes them.
//! - [`matching`]: the `@@` operator.
//! - [`rank`]: `ts_rank` and `ts_rank_cd`.

pub mod config;
pub mod error;
pub mod matching;
pub mod parser;
pub mod query_build;
pub mod rank;
pub mod stem;
pub mod stopwords;
pub mod tsquery;
pub mod tsvector;
mod websearch;

pub use config::Config;
pub use error::TextError;
pub use tsquery::TsQuery;
pub use tsvector::TsVector;
