//! The `pg_stats` view: one row per analyzed column of each table, with what `ANALYZE`
//! found (see [`super::column_stats`]), in PostgreSQL 15's columns. Value lists
//! (`most_common_vals`, `histogram_bounds`, PostgreSQL's `anyarray`) are shown as array
//! text; the element-statistics columns of array columns are always NULL.

use super::system::{relations, text, SystemRelation};
use super::Catalog;
use crate::value::array_text::format_array;
use crate::value::{Array, Datum, SqlType};

/// `pg_stats`.
pub fn pg_stats(catalog: &Catalog) -> SystemRelation {
    let float4_array = SqlType::Array(Box::new(SqlType::Float4));
    let mut rows = Vec::new();
    for (_, table) in relations(catalog) {
        let Some(stats) = &table.stats else {
            continue;
        };
        for (column, stats) in table.columns.iter().zip(&stats.columns) {
            let Some(stats) = stats else {
                continue;
            };
            let values = |values: Vec<Datum>| {
                if values.is_empty() {
                    Datum::Null
                } else {
                    Datum::Text(format_array(&Array::one_dimensional(values)))
                }
            };
            let frequencies = if stats.most_common.is_empty() {
                Datum::Null
            } else {
                Datum::Array(Array::one_dimensional(
                    stats
                        .most_common
                        .iter()
                        .map(|(_, frequency)| Datum::Float4(*frequency))
                        .collect(),
                ))
            };
            rows.push(vec![
                text(&table.schema),
                text(&table.name),
                text(&column.name),
                Datum::Bool(false),
                Datum::Float4(stats.null_frac),
                Datum::Int4(stats.avg_width),
                Datum::Float4(stats.n_distinct),
                values(stats.most_common.iter().map(|(v, _)| v.clone()).collect()),
                frequencies,
                values(stats.histogram.clone()),
                stats.correlation.map_or(Datum::Null, Datum::Float4),
                Datum::Null,
                Datum::Null,
                Datum::Null,
            ]);
        }
    }
    SystemRelation {
        columns: vec![
            ("schemaname", SqlType::Text),
            ("tablename", SqlType::Text),
            ("attname", SqlType::Text),
            ("inherited", SqlType::Bool),
            ("null_frac", SqlType::Float4),
            ("avg_width", SqlType::Int4),
            ("n_distinct", SqlType::Float4),
            ("most_common_vals", SqlType::Text),
            ("most_common_freqs", float4_array.clone()),
            ("histogram_bounds", SqlType::Text),
            ("correlation", SqlType::Float4),
            ("most_common_elems", SqlType::Text),
            ("most_common_elem_freqs", float4_array.clone()),
            ("elem_count_histogram", float4_array),
        ],
        rows,
    }
}
