//! `pg_stat_statements`: every top-level statement a session runs while the extension is
//! installed is counted under its normalized text (constants of queries and data
//! changes replaced by `$1`, `$2`, …), with its calls, execution times and rows. The
//! entries live in memory, shared by every session, and start empty when the database
//! opens; planning is not timed (PostgreSQL's `pg_stat_statements.track_planning` is off
//! by default), and the block, WAL and JIT counters are 0.

use std::collections::HashMap;

use parking_lot::Mutex;

use super::system::SystemRelation;
use crate::sql::lexer::{tokenize, Token, TokenKind};
use crate::value::{Datum, SqlType};

/// The OID of the superuser, the `userid` of every entry.
const USER_ID: i64 = 10;
use super::system::DATABASE_OID as DATABASE_ID;
/// At most this many entries are kept (PostgreSQL's `pg_stat_statements.max`); the least
/// called one makes room for a new one.
const MAX_ENTRIES: usize = 5000;

/// One statement's counters.
#[derive(Clone, Debug)]
struct Entry {
    query: String,
    calls: i64,
    total_ms: f64,
    min_ms: f64,
    max_ms: f64,
    mean_ms: f64,
    /// The sum of squared differences from the mean (Welford's method).
    sum_var: f64,
    rows: i64,
    /// When the entry was made, to list entries in a stable order.
    serial: u64,
}

/// The statements counted so far, by query id.
#[derive(Default)]
pub struct StatementLog {
    entries: Mutex<(HashMap<i64, Entry>, u64)>,
}

impl StatementLog {
    /// Counts one run of the statement written as `text` that took `elapsed_ms`
    /// milliseconds and returned or changed `rows` rows.
    pub fn record(&self, text: &str, elapsed_ms: f64, rows: i64) {
        let (query, queryid) = normalize(text);
        let mut guard = self.entries.lock();
        let (entries, serial) = &mut *guard;
        if !entries.contains_key(&queryid) && entries.len() >= MAX_ENTRIES {
            if let Some(least) = entries.iter().min_by_key(|(_, e)| e.calls).map(|(k, _)| *k) {
                entries.remove(&least);
            }
        }
        *serial += 1;
        let entry = entries.entry(queryid).or_insert_with(|| Entry {
            query,
            calls: 0,
            total_ms: 0.0,
            min_ms: elapsed_ms,
            max_ms: elapsed_ms,
            mean_ms: 0.0,
            sum_var: 0.0,
            rows: 0,
            serial: *serial,
        });
        entry.calls += 1;
        entry.total_ms += elapsed_ms;
        entry.min_ms = entry.min_ms.min(elapsed_ms);
        entry.max_ms = entry.max_ms.max(elapsed_ms);
        let old_mean = entry.mean_ms;
        entry.mean_ms += (elapsed_ms - old_mean) / entry.calls as f64;
        entry.sum_var += (elapsed_ms - old_mean) * (elapsed_ms - entry.mean_ms);
        entry.rows += rows;
    }

    /// Forgets every entry (`pg_stat_statements_reset()`).
    pub fn reset(&self) {
        self.entries.lock().0.clear();
    }

    /// The rows of the `pg_stat_statements` view.
    pub fn relation(&self) -> SystemRelation {
        let guard = self.entries.lock();
        let mut entries: Vec<(&i64, &Entry)> = guard.0.iter().collect();
        entries.sort_by_key(|(_, e)| e.serial);
        let rows = entries
            .into_iter()
            .map(|(queryid, e)| {
                let stddev = if e.calls > 1 {
                    (e.sum_var / e.calls as f64).sqrt()
                } else {
                    0.0
                };
                let mut row = vec![
                    Datum::Int8(USER_ID),
                    Datum::Int8(DATABASE_ID),
                    Datum::Bool(true),
                    Datum::Int8(*queryid),
                    Datum::Text(e.query.clone()),
                    Datum::Int8(0),
                ];
                row.extend([0.0; 5].map(Datum::Float8));
                row.push(Datum::Int8(e.calls));
                row.extend([e.total_ms, e.min_ms, e.max_ms, e.mean_ms, stddev].map(Datum::Float8));
                row.push(Datum::Int8(e.rows));
                for (_, ty) in &COLUMNS[row.len()..] {
                    row.push(match ty {
                        SqlType::Float8 => Datum::Float8(0.0),
                        SqlType::Numeric => {
                            Datum::Numeric(crate::value::numeric::Numeric::from_i64(0))
                        }
                        _ => Datum::Int8(0),
                    });
                }
                row
            })
            .collect();
        SystemRelation {
            columns: COLUMNS.to_vec(),
            rows,
        }
    }
}

/// The view's columns, as PostgreSQL 15's `pg_stat_statements` 1.10 has them.
const COLUMNS: &[(&str, SqlType)] = &[
    ("userid", SqlType::Int8),
    ("dbid", SqlType::Int8),
    ("toplevel", SqlType::Bool),
    ("queryid", SqlType::Int8),
    ("query", SqlType::Text),
    ("plans", SqlType::Int8),
    ("total_plan_time", SqlType::Float8),
    ("min_plan_time", SqlType::Float8),
    ("max_plan_time", SqlType::Float8),
    ("mean_plan_time", SqlType::Float8),
    ("stddev_plan_time", SqlType::Float8),
    ("calls", SqlType::Int8),
    ("total_exec_time", SqlType::Float8),
    ("min_exec_time", SqlType::Float8),
    ("max_exec_time", SqlType::Float8),
    ("mean_exec_time", SqlType::Float8),
    ("stddev_exec_time", SqlType::Float8),
    ("rows", SqlType::Int8),
    ("shared_blks_hit", SqlType::Int8),
    ("shared_blks_read", SqlType::Int8),
    ("shared_blks_dirtied", SqlType::Int8),
    ("shared_blks_written", SqlType::Int8),
    ("local_blks_hit", SqlType::Int8),
    ("local_blks_read", SqlType::Int8),
    ("local_blks_dirtied", SqlType::Int8),
    ("local_blks_written", SqlType::Int8),
    ("temp_blks_read", SqlType::Int8),
    ("temp_blks_written", SqlType::Int8),
    ("blk_read_time", SqlType::Float8),
    ("blk_write_time", SqlType::Float8),
    ("temp_blk_read_time", SqlType::Float8),
    ("temp_blk_write_time", SqlType::Float8),
    ("wal_records", SqlType::Int8),
    ("wal_fpi", SqlType::Int8),
    ("wal_bytes", SqlType::Numeric),
    ("jit_functions", SqlType::Int8),
    ("jit_generation_time", SqlType::Float8),
    ("jit_inlining_count", SqlType::Int8),
    ("jit_inlining_time", SqlType::Float8),
    ("jit_optimization_count", SqlType::Int8),
    ("jit_optimization_time", SqlType::Float8),
    ("jit_emission_count", SqlType::Int8),
    ("jit_emission_time", SqlType::Float8),
];

/// Words after which a `-` is a sign, not a subtraction.
const SIGN_AFTER: &[&str] = &[
    "select",
    "where",
    "and",
    "or",
    "not",
    "values",
    "then",
    "else",
    "when",
    "limit",
    "offset",
    "by",
    "in",
    "set",
    "return",
    "returning",
    "between",
    "like",
    "ilike",
    "having",
    "on",
    "case",
    "is",
    "distinct",
    "all",
    "any",
    "some",
    "array",
];

/// A statement's text as `pg_stat_statements` shows it, and its query id. A query or
/// data change has its constants (numbers, strings, bit strings, a sign before a
/// number) replaced by `$n`, numbered after the statement's own parameters, and its id
/// depends only on its tokens with constants removed, so that statements differing in
/// constants, spacing or letter case share an entry (the first text seen is kept). Any
/// other statement is kept as written and identified by its text.
pub fn normalize(text: &str) -> (String, i64) {
    let text = text.trim();
    let Ok(tokens) = tokenize(text) else {
        return (text.to_string(), fnv(text.as_bytes()));
    };
    let first = match tokens.first().map(|t| &t.kind) {
        Some(TokenKind::Word(word)) => word.as_str(),
        _ => "",
    };
    if !matches!(
        first,
        "select" | "insert" | "update" | "delete" | "with" | "values" | "table"
    ) {
        return (text.to_string(), fnv(text.as_bytes()));
    }
    let mut next = tokens
        .iter()
        .filter_map(|t| match t.kind {
            TokenKind::Param(n) => Some(n),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let mut out = String::with_capacity(text.len());
    let mut id_input = Vec::new();
    let mut copied = 0;
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        let signed = is_sign(&tokens, i);
        if is_constant(&token.kind) || signed {
            let end = if signed { tokens[i + 1].end } else { token.end };
            out.push_str(&text[copied..token.start]);
            next += 1;
            out.push_str(&format!("${next}"));
            copied = end;
            id_input.extend_from_slice(b"$ ");
            i += if signed { 2 } else { 1 };
            continue;
        }
        id_input.extend_from_slice(format!("{:?} ", token.kind).as_bytes());
        i += 1;
    }
    out.push_str(&text[copied..]);
    (out, fnv(&id_input))
}

fn is_constant(kind: &TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Number(_) | TokenKind::String(_) | TokenKind::BitString(_)
    )
}

/// Whether token `i` is a `-` sign written right before a number.
fn is_sign(tokens: &[Token], i: usize) -> bool {
    let (Some(minus), Some(number)) = (tokens.get(i), tokens.get(i + 1)) else {
        return false;
    };
    if minus.kind != TokenKind::Op("-".into())
        || !matches!(number.kind, TokenKind::Number(_))
        || minus.end != number.start
    {
        return false;
    }
    match i.checked_sub(1).map(|p| &tokens[p].kind) {
        None => true,
        Some(TokenKind::Op(_) | TokenKind::LParen | TokenKind::Comma | TokenKind::LBracket) => true,
        Some(TokenKind::Word(word)) => SIGN_AFTER.contains(&word.as_str()),
        Some(_) => false,
    }
}

/// FNV-1a, 64 bits, as a signed query id.
fn fnv(bytes: &[u8]) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_become_parameters() {
        let (text, id) = normalize(
            "SELECT id FROM items WHERE cat = 'a' ORDER BY embedding <-> '[1,2,3]' LIMIT 5",
        );
        assert_eq!(
            text,
            "SELECT id FROM items WHERE cat = $1 ORDER BY embedding <-> $2 LIMIT $3"
        );
        let (_, same) = normalize(
            "select id  from items where cat = 'b' order by embedding <-> '[0,0,0]' limit 10",
        );
        assert_eq!(id, same);
        assert_eq!(normalize("SELECT -1, 2 - 1").0, "SELECT $1, $2 - $3");
    }

    #[test]
    fn parameters_keep_their_numbers_and_utility_statements_their_text() {
        assert_eq!(
            normalize("UPDATE t SET a = $1 WHERE b = 7").0,
            "UPDATE t SET a = $1 WHERE b = $2"
        );
        assert_eq!(
            normalize("SET work_mem = '64MB'").0,
            "SET work_mem = '64MB'"
        );
        assert_ne!(normalize("SHOW a").1, normalize("SHOW b").1);
    }

    #[test]
    fn times_and_rows_add_up() {
        let log = StatementLog::default();
        log.record("SELECT 1", 2.0, 1);
        log.record("SELECT 2", 4.0, 1);
        let relation = log.relation();
        assert_eq!(relation.rows.len(), 1);
        let row = &relation.rows[0];
        assert_eq!(row[4], Datum::Text("SELECT $1".into()));
        assert_eq!(row[11], Datum::Int8(2));
        assert_eq!(row[12], Datum::Float8(6.0));
        assert_eq!(row[15], Datum::Float8(3.0));
        assert_eq!(row[16], Datum::Float8(1.0));
        assert_eq!(row[17], Datum::Int8(2));
        assert_eq!(row.len(), COLUMNS.len());
        log.reset();
        assert!(log.relation().rows.is_empty());
    }
}
