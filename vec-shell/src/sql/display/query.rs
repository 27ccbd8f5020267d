//! `Display` for queries: the select list, `SELECT … FROM … WHERE … GROUP BY … HAVING
//! … WINDOW …` with `ORDER BY`, `LIMIT` and `OFFSET`, `FROM` items, and window
//! definitions.

use std::fmt::{self, Display, Formatter};

use super::{ident, list};
use crate::sql::ast::*;

impl Display for SelectItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SelectItem::Wildcard(_) => f.write_str("*"),
            SelectItem::QualifiedWildcard { table, .. } => {
                ident(f, table)?;
                f.write_str(".*")
            }
            SelectItem::Expr { expr, alias } => {
                expr.fmt(f)?;
                if let Some(alias) = alias {
                    f.write_str(" AS ")?;
                    ident(f, alias)?;
                }
                Ok(())
            }
        }
    }
}

impl Display for Select {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if !self.with.is_empty() {
            f.write_str("WITH ")?;
            if self.with.iter().any(|cte| cte.recursive) {
                f.write_str("RECURSIVE ")?;
            }
            list(f, &self.with, |f, cte| {
                ident(f, &cte.name)?;
                if !cte.columns.is_empty() {
                    f.write_str("(")?;
                    list(f, &cte.columns, |f, c| ident(f, c))?;
                    f.write_str(")")?;
                }
                f.write_str(match cte.materialized {
                    Some(true) => " AS MATERIALIZED ",
                    Some(false) => " AS NOT MATERIALIZED ",
                    None => " AS ",
                })?;
                write!(f, "({})", cte.query)
            })?;
            f.write_str(" ")?;
        }
        if let Some(operation) = &self.set_operation {
            // Operands are always parenthesised, so that the text parses back to the
            // same tree whatever the operators' precedence.
            write!(f, "({}) {}", operation.left, operation.operator.keyword())?;
            if operation.all {
                f.write_str(" ALL")?;
            }
            write!(f, " ({})", operation.right)?;
        } else {
            self.fmt_simple(f)?;
        }
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            list(f, &self.order_by, |f, key| key.fmt(f))?;
        }
        if let Some(limit) = &self.limit {
            write!(f, " LIMIT {limit}")?;
        }
        if let Some(offset) = &self.offset {
            write!(f, " OFFSET {offset}")?;
        }
        Ok(())
    }
}

impl Select {
    /// The part of a simple query before its `ORDER BY`: `SELECT [DISTINCT …] … FROM …
    /// WHERE … GROUP BY … HAVING …`.
    fn fmt_simple(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(values @ FromItem::Values { .. }) = &self.from {
            return values.fmt(f);
        }
        f.write_str("SELECT")?;
        match &self.distinct {
            Some(Distinct::All) => f.write_str(" DISTINCT")?,
            Some(Distinct::On(exprs)) => {
                f.write_str(" DISTINCT ON (")?;
                list(f, exprs, |f, e| e.fmt(f))?;
                f.write_str(")")?;
            }
            None => {}
        }
        if !self.items.is_empty() {
            f.write_str(" ")?;
            list(f, &self.items, |f, item| item.fmt(f))?;
        }
        if let Some(from) = &self.from {
            write!(f, " FROM {from}")?;
        }
        if let Some(selection) = &self.selection {
            write!(f, " WHERE {selection}")?;
        }
        if !self.group_by.is_empty() {
            f.write_str(" GROUP BY ")?;
            list(f, &self.group_by, |f, e| e.fmt(f))?;
        }
        if let Some(having) = &self.having {
            write!(f, " HAVING {having}")?;
        }
        if !self.windows.is_empty() {
            f.write_str(" WINDOW ")?;
            list(f, &self.windows, |f, window| {
                ident(f, &window.name)?;
                write!(f, " AS {}", window.def)
            })?;
        }
        Ok(())
    }
}

/// A join's right item, in brackets when it is itself a join.
fn bracketed(f: &mut Formatter<'_>, item: &FromItem) -> fmt::Result {
    match item {
        FromItem::Join { .. } | FromItem::CrossJoin { .. } => write!(f, "({item})"),
        _ => write!(f, "{item}"),
    }
}

impl Display for FromItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let alias = match self {
            FromItem::Table { name, alias, .. } => {
                ident(f, name)?;
                alias
            }
            FromItem::Function { call, alias } => {
                call.fmt(f)?;
                alias
            }
            // An inlined `WITH` reference prints as the name it replaced.
            FromItem::Cte { cte, alias, .. } => {
                ident(f, &cte.name)?;
                alias
            }
            FromItem::WorkTable { name, alias, .. } => {
                ident(f, name)?;
                alias
            }
            FromItem::Subquery {
                query,
                alias,
                columns,
                lateral,
            } => {
                if *lateral {
                    f.write_str("LATERAL ")?;
                }
                write!(f, "({query})")?;
                if let Some(alias) = alias {
                    f.write_str(" AS ")?;
                    ident(f, alias)?;
                }
                if !columns.is_empty() {
                    f.write_str(" (")?;
                    list(f, columns, |f, c| ident(f, c))?;
                    f.write_str(")")?;
                }
                return Ok(());
            }
            // The rows of a `VALUES` query, which prints as that query.
            FromItem::Values { rows, .. } => {
                f.write_str("VALUES ")?;
                return list(f, rows, |f, row| {
                    f.write_str("(")?;
                    list(f, row, |f, e| e.fmt(f))?;
                    f.write_str(")")
                });
            }
            // Joins nest to the left; a join on the right side needs brackets.
            FromItem::CrossJoin { left, right } => {
                write!(f, "{left} CROSS JOIN ")?;
                return bracketed(f, right);
            }
            FromItem::Join {
                kind,
                left,
                right,
                constraint,
            } => {
                let keyword = match kind {
                    JoinKind::Inner => "JOIN",
                    JoinKind::Left => "LEFT JOIN",
                    JoinKind::Right => "RIGHT JOIN",
                    JoinKind::Full => "FULL JOIN",
                };
                let natural = if *constraint == JoinConstraint::Natural {
                    "NATURAL "
                } else {
                    ""
                };
                write!(f, "{left} {natural}{keyword} ")?;
                bracketed(f, right)?;
                return match constraint {
                    JoinConstraint::Natural => Ok(()),
                    JoinConstraint::On(condition) => write!(f, " ON {condition}"),
                    JoinConstraint::Using(columns) => {
                        f.write_str(" USING (")?;
                        list(f, columns, |f, (n, _)| ident(f, n))?;
                        f.write_str(")")
                    }
                };
            }
        };
        if let Some(alias) = alias {
            f.write_str(" AS ")?;
            ident(f, alias)?;
        }
        Ok(())
    }
}

impl Display for WindowDef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let (Some(base), false) = (&self.base, self.copies) {
            return ident(f, base);
        }
        f.write_str("(")?;
        let mut space = "";
        if let Some(base) = &self.base {
            ident(f, base)?;
            space = " ";
        }
        if !self.partition_by.is_empty() {
            write!(f, "{space}PARTITION BY ")?;
            list(f, &self.partition_by, |f, e| e.fmt(f))?;
            space = " ";
        }
        if !self.order_by.is_empty() {
            write!(f, "{space}ORDER BY ")?;
            list(f, &self.order_by, |f, key| key.fmt(f))?;
            space = " ";
        }
        if let Some(frame) = &self.frame {
            write!(f, "{space}{frame}")?;
        }
        f.write_str(")")
    }
}

impl Display for Frame {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self.units {
            FrameUnits::Rows => "ROWS",
            FrameUnits::Range => "RANGE",
            FrameUnits::Groups => "GROUPS",
        })?;
        write!(f, " BETWEEN {} AND {}", self.start, self.end)?;
        f.write_str(match self.exclude {
            FrameExclusion::NoOthers => "",
            FrameExclusion::CurrentRow => " EXCLUDE CURRENT ROW",
            FrameExclusion::Group => " EXCLUDE GROUP",
            FrameExclusion::Ties => " EXCLUDE TIES",
        })
    }
}

impl Display for FrameBound {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            FrameBound::UnboundedPreceding => f.write_str("UNBOUNDED PRECEDING"),
            FrameBound::Preceding(offset) => write!(f, "{offset} PRECEDING"),
            FrameBound::CurrentRow => f.write_str("CURRENT ROW"),
            FrameBound::Following(offset) => write!(f, "{offset} FOLLOWING"),
            FrameBound::UnboundedFollowing => f.write_str("UNBOUNDED FOLLOWING"),
        }
    }
}
