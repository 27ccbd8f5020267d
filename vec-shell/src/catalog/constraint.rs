//! A table's `UNIQUE` and `CHECK` constraints and the names PostgreSQL gives them. A
//! unique constraint owns the btree index of the same name (listed with the table's
//! indexes), whose key maps are kept in `row_indexes`; a check constraint keeps its
//! expression as SQL text, bound again by each statement that writes the table. The
//! primary key stays apart (`Table::primary_key`, constraint `TABLE_pkey`).

use super::{Catalog, Table};

/// The longest name PostgreSQL keeps (`NAMEDATALEN - 1` bytes).
const MAX_NAME_BYTES: usize = 63;

/// A table constraint other than the primary key and `NOT NULL`.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// The constraint's name (for a unique constraint, also its index's).
    pub name: String,
    /// What it requires.
    pub rule: ConstraintRule,
}

/// What a [`Constraint`] requires of every row.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintRule {
    /// No two rows have equal values in these columns (by position), unless one of
    /// them is NULL.
    Unique(Vec<usize>),
    /// The expression (SQL text) is not false.
    Check(String),
}

impl Constraint {
    /// The unique constraint's columns, if it is one.
    pub fn unique_columns(&self) -> Option<&[usize]> {
        match &self.rule {
            ConstraintRule::Unique(columns) => Some(columns),
            ConstraintRule::Check(_) => None,
        }
    }
}

impl Table {
    /// The unique constraints, in the order they were made.
    pub fn unique_constraints(&self) -> impl Iterator<Item = (&str, &[usize])> {
        self.constraints
            .iter()
            .filter_map(|c| Some((c.name.as_str(), c.unique_columns()?)))
    }

    /// The check constraints: name and expression text.
    pub fn check_constraints(&self) -> impl Iterator<Item = (&str, &str)> {
        self.constraints.iter().filter_map(|c| match &c.rule {
            ConstraintRule::Check(text) => Some((c.name.as_str(), text.as_str())),
            ConstraintRule::Unique(_) => None,
        })
    }

    /// Whether the table has a constraint of this name (its primary key's included).
    pub fn has_constraint(&self, name: &str) -> bool {
        self.constraints.iter().any(|c| c.name == name)
            || (!self.primary_key.is_empty() && name == self.primary_key_name())
    }

    /// The primary key constraint's (and index's) name.
    pub fn primary_key_name(&self) -> String {
        format!("{}_pkey", self.name)
    }
}

/// `name1_name2_label`, cut as PostgreSQL's `makeObjectName` cuts it to fit 63 bytes
/// (the longer of the two names loses characters first).
fn object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let mut first = name1.to_string();
    let mut second = name2.unwrap_or("").to_string();
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    while first.len() + second.len() + overhead > MAX_NAME_BYTES {
        let cut = if first.len() > second.len() {
            &mut first
        } else {
            &mut second
        };
        cut.pop();
    }
    match name2 {
        Some(_) => format!("{first}_{second}_{label}"),
        None => format!("{first}_{label}"),
    }
}

/// The first of `name1_name2_label`, `name1_name2_label1`, … that `taken` refuses, as
/// PostgreSQL's `ChooseRelationName` and `ChooseConstraintName` pick.
pub fn choose_name(
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: &dyn Fn(&str) -> bool,
) -> String {
    let mut suffix = 0;
    loop {
        let label = if suffix == 0 {
            label.to_string()
        } else {
            format!("{label}{suffix}")
        };
        let candidate = object_name(name1, name2, &label);
        if !taken(&candidate) {
            return candidate;
        }
        suffix += 1;
    }
}

/// The name of a new unique constraint on `columns` of `table`: `table_a_b_key`, free
/// among the relations of `catalog` and the names in `also_taken` (constraints of a
/// table being created).
pub fn unique_name(
    catalog: &Catalog,
    table: &str,
    columns: &[&str],
    also_taken: &[String],
) -> String {
    let joined = columns.join("_");
    choose_name(table, Some(&joined), "key", &|name| {
        catalog.relation_exists(name) || also_taken.iter().any(|t| t == name)
    })
}

/// The name of a new check constraint: `table_column_check` when the expression reads
/// one column, `table_check` otherwise, free among `taken` (the table's constraints).
pub fn check_name(table: &str, column: Option<&str>, taken: &dyn Fn(&str) -> bool) -> String {
    choose_name(table, column, "check", taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_count_up_and_fit_in_63_bytes() {
        let taken = |name: &str| name == "t_n_check" || name == "t_n_check1";
        assert_eq!(check_name("t", Some("n"), &taken), "t_n_check2");
        assert_eq!(check_name("t", None, &taken), "t_check");
        let long = "x".repeat(70);
        let name = choose_name(&long, Some("id"), "key", &|_| false);
        assert_eq!(name.len(), 63);
        assert!(name.ends_with("_id_key"));
    }
}
