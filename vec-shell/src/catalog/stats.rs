//! Per-table activity counters, the rows of `pg_stat_user_tables` / `pg_stat_all_tables`:
//! scans and the rows they read (counted by the executor), rows inserted, updated and
//! deleted (counted when a data-changing statement applies its changes), live and dead
//! row estimates kept by those and by `VACUUM`, and the times and counts of `VACUUM` and
//! `ANALYZE`. The counters live in memory, shared by every session of the database, and
//! start at zero when the database opens.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

use super::system::SystemRelation;
use super::Catalog;
use crate::value::{Datum, SqlType};

/// One table's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableStats {
    /// Sequential scans started on the table.
    pub seq_scan: i64,
    /// Rows those scans returned.
    pub seq_tup_read: i64,
    /// Index scans started on the table's indexes.
    pub idx_scan: i64,
    /// Rows those scans fetched.
    pub idx_tup_fetch: i64,
    /// Rows inserted.
    pub n_tup_ins: i64,
    /// Rows updated.
    pub n_tup_upd: i64,
    /// Rows deleted.
    pub n_tup_del: i64,
    /// Updates that changed no indexed column (PostgreSQL's heap-only updates).
    pub n_tup_hot_upd: i64,
    /// Live rows.
    pub n_live_tup: i64,
    /// Dead row versions not yet vacuumed.
    pub n_dead_tup: i64,
    /// Rows changed since the last `ANALYZE`.
    pub n_mod_since_analyze: i64,
    /// Rows inserted since the last `VACUUM`.
    pub n_ins_since_vacuum: i64,
    /// When `VACUUM` last ran on the table (microseconds since the Unix epoch).
    pub last_vacuum: Option<i64>,
    /// When `ANALYZE` last ran on the table.
    pub last_analyze: Option<i64>,
    /// `VACUUM` runs.
    pub vacuum_count: i64,
    /// `ANALYZE` runs.
    pub analyze_count: i64,
    /// When automatic `ANALYZE` last ran on the table.
    pub last_autoanalyze: Option<i64>,
    /// Automatic `ANALYZE` runs.
    pub autoanalyze_count: i64,
}

/// What a data-changing statement did to one table.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowChanges {
    /// Rows inserted.
    pub inserted: i64,
    /// Rows updated.
    pub updated: i64,
    /// Of those, updates that changed no indexed column.
    pub hot_updated: i64,
    /// Rows deleted.
    pub deleted: i64,
}

/// One index's counters: scans, and the entries they returned and rows they fetched
/// (the same count here: every entry a scan returns is fetched).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexStats {
    /// Scans of the index.
    pub idx_scan: i64,
    /// Entries they returned.
    pub idx_tup_read: i64,
    /// Rows they fetched.
    pub idx_tup_fetch: i64,
}

/// The counters of every table, by table name, and of every index, by table and index
/// name.
#[derive(Default)]
pub struct TableActivity {
    tables: Mutex<HashMap<String, TableStats>>,
    indexes: Mutex<HashMap<(String, String), IndexStats>>,
}

impl TableActivity {
    /// Changes a table's counters.
    pub fn update(&self, table: &str, change: impl FnOnce(&mut TableStats)) {
        let mut tables = self.tables.lock();
        match tables.get_mut(table) {
            Some(stats) => change(stats),
            None => {
                let mut stats = TableStats::default();
                change(&mut stats);
                tables.insert(table.to_string(), stats);
            }
        }
    }

    /// A table's counters (all zero for a table nothing has touched).
    pub fn get(&self, table: &str) -> TableStats {
        self.tables.lock().get(table).cloned().unwrap_or_default()
    }

    /// Forgets a table's counters and its indexes' (a table created anew starts from
    /// zero).
    pub fn forget(&self, table: &str) {
        self.tables.lock().remove(table);
        self.indexes.lock().retain(|(owner, _), _| owner != table);
    }

    /// An index's counters.
    pub fn index(&self, table: &str, index: &str) -> IndexStats {
        let key = (table.to_string(), index.to_string());
        self.indexes.lock().get(&key).copied().unwrap_or_default()
    }

    /// Counts one sequential scan that returned `rows` rows.
    pub fn seq_scan(&self, table: &str, rows: u64) {
        self.update(table, |s| {
            s.seq_scan += 1;
            s.seq_tup_read += rows as i64;
        });
    }

    /// Counts one scan of index `index` that fetched `rows` rows.
    pub fn index_scan(&self, table: &str, index: &str, rows: u64) {
        self.update(table, |s| {
            s.idx_scan += 1;
            s.idx_tup_fetch += rows as i64;
        });
        let key = (table.to_string(), index.to_string());
        let mut indexes = self.indexes.lock();
        let stats = indexes.entry(key).or_default();
        stats.idx_scan += 1;
        stats.idx_tup_read += rows as i64;
        stats.idx_tup_fetch += rows as i64;
    }

    /// Counts the rows a statement inserted, updated and deleted.
    pub fn changed(&self, table: &str, changes: RowChanges) {
        self.update(table, |s| {
            s.n_tup_ins += changes.inserted;
            s.n_tup_upd += changes.updated;
            s.n_tup_hot_upd += changes.hot_updated;
            s.n_tup_del += changes.deleted;
            s.n_live_tup = (s.n_live_tup + changes.inserted - changes.deleted).max(0);
            s.n_dead_tup += changes.updated + changes.deleted;
            s.n_mod_since_analyze += changes.inserted + changes.updated + changes.deleted;
            s.n_ins_since_vacuum += changes.inserted;
        });
    }

    /// `TRUNCATE` emptied the table.
    pub fn truncated(&self, table: &str) {
        self.update(table, |s| {
            s.n_live_tup = 0;
            s.n_dead_tup = 0;
        });
    }

    /// `VACUUM` ran on the table, leaving `live` rows.
    pub fn vacuumed(&self, table: &str, live: i64) {
        let now = now_micros();
        self.update(table, |s| {
            s.n_live_tup = live;
            s.n_dead_tup = 0;
            s.n_ins_since_vacuum = 0;
            s.last_vacuum = Some(now);
            s.vacuum_count += 1;
        });
    }

    /// `ANALYZE` ran on the table, counting `live` rows.
    pub fn analyzed(&self, table: &str, live: i64) {
        let now = now_micros();
        self.update(table, |s| {
            s.n_live_tup = live;
            s.n_mod_since_analyze = 0;
            s.last_analyze = Some(now);
            s.analyze_count += 1;
        });
    }

    /// Automatic `ANALYZE` ran on the table, counting `live` rows.
    pub fn autoanalyzed(&self, table: &str, live: i64) {
        let now = now_micros();
        self.update(table, |s| {
            s.n_live_tup = live;
            s.n_mod_since_analyze = 0;
            s.last_autoanalyze = Some(now);
            s.autoanalyze_count += 1;
        });
    }
}

/// Counts the rows a scan returns and adds them to its table's counters when the scan
/// ends (is dropped), so that the shared counters are touched once per scan.
pub struct CountedScan<'a, I> {
    rows: I,
    seen: u64,
    table: String,
    activity: &'a TableActivity,
    index: Option<&'a str>,
}

impl<'a, I> CountedScan<'a, I> {
    /// A sequential scan of `table` (its catalog key; `index` `None`) or a scan of one of its indexes.
    pub fn new(
        rows: I,
        activity: &'a TableActivity,
        table: String,
        index: Option<&'a str>,
    ) -> Self {
        CountedScan {
            rows,
            seen: 0,
            table,
            activity,
            index,
        }
    }
}

impl<I: Iterator<Item = crate::error::Result<T>>, T> Iterator for CountedScan<'_, I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        let row = self.rows.next()?;
        if row.is_ok() {
            self.seen += 1;
        }
        Some(row)
    }
}

impl<I> Drop for CountedScan<'_, I> {
    fn drop(&mut self) {
        match self.index {
            Some(index) => self.activity.index_scan(&self.table, index, self.seen),
            None => self.activity.seq_scan(&self.table, self.seen),
        }
    }
}

/// The time now, in microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// A time as PostgreSQL prints a `timestamp with time zone` in UTC:
/// `2024-05-01 12:00:00.123456+00`, the fraction without trailing zeros.
pub fn timestamp_text(micros: i64) -> String {
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_date(days);
    let mut text = format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    );
    if fraction != 0 {
        let digits = format!("{fraction:06}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text.push_str("+00");
    text
}

/// The Gregorian date `days` days after 1970-01-01.
fn civil_date(days: i64) -> (i64, i64, i64) {
    // Days counted from 0000-03-01, in 400-year eras of 146,097 days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `pg_stat_user_tables` (and `pg_stat_all_tables`, which adds no system tables here).
pub fn pg_stat_user_tables(catalog: &Catalog) -> SystemRelation {
    let bigint = |name| (name, SqlType::Int8);
    // vecsh has no timestamp type: the times are PostgreSQL's text for them.
    let time = |name| (name, SqlType::Text);
    let columns = vec![
        bigint("relid"),
        ("schemaname", SqlType::Text),
        ("relname", SqlType::Text),
        bigint("seq_scan"),
        bigint("seq_tup_read"),
        bigint("idx_scan"),
        bigint("idx_tup_fetch"),
        bigint("n_tup_ins"),
        bigint("n_tup_upd"),
        bigint("n_tup_del"),
        bigint("n_tup_hot_upd"),
        bigint("n_live_tup"),
        bigint("n_dead_tup"),
        bigint("n_mod_since_analyze"),
        bigint("n_ins_since_vacuum"),
        time("last_vacuum"),
        time("last_autovacuum"),
        time("last_analyze"),
        time("last_autoanalyze"),
        bigint("vacuum_count"),
        bigint("autovacuum_count"),
        bigint("analyze_count"),
        bigint("autoanalyze_count"),
    ];
    let when = |t: Option<i64>| t.map_or(Datum::Null, |t| Datum::Text(timestamp_text(t)));
    let rows = catalog
        .tables()
        .map(|table| {
            let oid = super::system::relation_oid(catalog, &table.name).unwrap_or(0);
            let s = catalog.table_stats.get(&table.key());
            let indexed = !table.indexes.is_empty();
            // PostgreSQL shows no index counters for a table without indexes.
            let index_count = |n: i64| if indexed { Datum::Int8(n) } else { Datum::Null };
            vec![
                Datum::Int8(oid),
                Datum::Text(table.schema.clone()),
                Datum::Text(table.name.clone()),
                Datum::Int8(s.seq_scan),
                Datum::Int8(s.seq_tup_read),
                index_count(s.idx_scan),
                index_count(s.idx_tup_fetch),
                Datum::Int8(s.n_tup_ins),
                Datum::Int8(s.n_tup_upd),
                Datum::Int8(s.n_tup_del),
                Datum::Int8(s.n_tup_hot_upd),
                Datum::Int8(s.n_live_tup),
                Datum::Int8(s.n_dead_tup),
                Datum::Int8(s.n_mod_since_analyze),
                Datum::Int8(s.n_ins_since_vacuum),
                when(s.last_vacuum),
                Datum::Null,
                when(s.last_analyze),
                when(s.last_autoanalyze),
                Datum::Int8(s.vacuum_count),
                Datum::Int8(0),
                Datum::Int8(s.analyze_count),
                Datum::Int8(s.autoanalyze_count),
            ]
        })
        .collect();
    SystemRelation { columns, rows }
}

/// `pg_stat_user_indexes` (and `pg_stat_all_indexes`): every index's scans.
pub fn pg_stat_user_indexes(catalog: &Catalog) -> SystemRelation {
    let columns = vec![
        ("relid", SqlType::Int8),
        ("indexrelid", SqlType::Int8),
        ("schemaname", SqlType::Text),
        ("relname", SqlType::Text),
        ("indexrelname", SqlType::Text),
        ("idx_scan", SqlType::Int8),
        ("idx_tup_read", SqlType::Int8),
        ("idx_tup_fetch", SqlType::Int8),
    ];
    let mut rows = Vec::new();
    for table in catalog.tables() {
        let oid = super::system::relation_oid(catalog, &table.name).unwrap_or(0);
        for (position, index) in table.indexes.iter().enumerate() {
            let s = catalog.table_stats.index(&table.key(), &index.name);
            rows.push(vec![
                Datum::Int8(oid),
                Datum::Int8(oid + 1 + position as i64),
                Datum::Text(table.schema.clone()),
                Datum::Text(table.name.clone()),
                Datum::Text(index.name.clone()),
                Datum::Int8(s.idx_scan),
                Datum::Int8(s.idx_tup_read),
                Datum::Int8(s.idx_tup_fetch),
            ]);
        }
    }
    SystemRelation { columns, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_print_as_postgresql_prints_them_in_utc() {
        assert_eq!(timestamp_text(0), "1970-01-01 00:00:00+00");
        assert_eq!(
            timestamp_text(1_714_564_800_123_450),
            "2024-05-01 12:00:00.12345+00"
        );
        assert_eq!(
            timestamp_text(951_782_400_000_000),
            "2000-02-29 00:00:00+00"
        );
    }

    #[test]
    fn changes_keep_live_and_dead_rows() {
        let activity = TableActivity::default();
        let inserted = RowChanges {
            inserted: 5,
            ..RowChanges::default()
        };
        activity.changed("t", inserted);
        let changes = RowChanges {
            updated: 2,
            hot_updated: 2,
            deleted: 1,
            ..RowChanges::default()
        };
        activity.changed("t", changes);
        let s = activity.get("t");
        assert_eq!(
            (s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze),
            (4, 3, 8)
        );
        activity.vacuumed("t", 4);
        let s = activity.get("t");
        assert_eq!(
            (s.n_dead_tup, s.vacuum_count, s.n_ins_since_vacuum),
            (0, 1, 0)
        );
        assert!(s.last_vacuum.is_some());
    }
}
