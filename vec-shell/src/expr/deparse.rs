//! Deparsing bound expressions back to SQL text the way PostgreSQL's `EXPLAIN` prints
//! them: operators as `(left op right)`, constants of most types as quoted literals
//! with their type (`'[1,1,1]'::vector`), implicit casts of columns hidden, and
//! implicit casts of constants folded into the constant.

use super::BoundExpr;
use crate::value::cast::CoercionContext;
use crate::value::{Datum, SqlType};

/// The names of the columns an expression's positions refer to.
pub trait ColumnNames {
    /// The table (or alias) and name of column `index` of the row, or, with `outer`, of
    /// the enclosing row.
    fn column_name(&self, index: usize, outer: bool) -> Option<(Option<&str>, &str)>;
}

/// Deparses `expr` over a row whose columns `names` names; `qualify` prefixes each
/// column with its table (as for joins). `None` when the expression has a part without
/// a deparsed form.
pub fn deparse(expr: &BoundExpr, names: &dyn ColumnNames, qualify: bool) -> Option<String> {
    Deparser {
        names,
        qualify,
        running: None,
    }
    .expr(expr)
}

/// A `Sort Key:` item: a bare column without brackets, any other expression in them.
pub fn sort_key(expr: &BoundExpr, names: &dyn ColumnNames, qualify: bool) -> Option<String> {
    let text = deparse(expr, names, qualify)?;
    Some(match expr {
        BoundExpr::Column(_) | BoundExpr::OuterColumn(_) => text,
        _ if text.starts_with('(') => format!("({text})"),
        _ => text,
    })
}

#[derive(Clone, Copy)]
struct Deparser<'a> {
    names: &'a dyn ColumnNames,
    qualify: bool,
    /// The text standing for a fold's running value in the step being printed.
    running: Option<&'a str>,
}

impl Deparser<'_> {
    fn expr(&self, expr: &BoundExpr) -> Option<String> {
        Some(match expr {
            BoundExpr::Const(datum) => constant(datum, None)?,
            BoundExpr::Column(index) => self.column(*index, false)?,
            BoundExpr::OuterColumn(index) => self.column(*index, true)?,
            BoundExpr::Call {
                args,
                name,
                operator: true,
                ..
            } => match args.as_slice() {
                [left, right] => format!("({} {name} {})", self.expr(left)?, self.expr(right)?),
                [operand] => format!("({name} {})", self.expr(operand)?),
                _ => return None,
            },
            BoundExpr::Call {
                args, name, imp, ..
            } if super::text_search::DEFAULT_CONFIG_FUNCTIONS.contains(&&**name)
                && args
                    .iter()
                    .all(|a| matches!(a, BoundExpr::Const(d) if !d.is_null())) =>
            {
                // A text-search function of constants is folded, as PostgreSQL folds
                // immutable functions.
                let values: Vec<Datum> = args
                    .iter()
                    .filter_map(|a| match a {
                        BoundExpr::Const(d) => Some(d.clone()),
                        _ => None,
                    })
                    .collect();
                constant(&imp(&values).ok()?, None)?
            }
            BoundExpr::Call { args, name, .. } => match args.as_slice() {
                // A text-search configuration argument is a `regconfig`.
                [BoundExpr::Const(config @ Datum::Text(_)), rest @ ..]
                    if super::text_search::DEFAULT_CONFIG_FUNCTIONS.contains(&&**name) =>
                {
                    let mut parts = vec![constant(config, Some("regconfig"))?];
                    for arg in rest {
                        parts.push(self.expr(arg)?);
                    }
                    format!("{name}({})", parts.join(", "))
                }
                _ => format!("{name}({})", self.list(args)?),
            },
            BoundExpr::Cast {
                operand,
                to,
                typmod,
                context,
                ..
            } => {
                let target = to.name_with_typmod(*typmod);
                match (operand.as_ref(), context) {
                    // The planner folds a constant's implicit cast into the constant;
                    // integers meet wider integers through cross-type operators.
                    (BoundExpr::Const(datum), CoercionContext::Implicit) => {
                        if matches!(datum, Datum::Int4(_)) && matches!(to, SqlType::Int8) {
                            constant(datum, None)?
                        } else {
                            constant(datum, Some(&target))?
                        }
                    }
                    (_, CoercionContext::Implicit) => self.expr(operand)?,
                    (BoundExpr::Const(datum), _) => constant(datum, Some(&target))?,
                    _ => format!("({})::{target}", self.expr(operand)?),
                }
            }
            BoundExpr::Not(operand) => format!("(NOT {})", self.expr(operand)?),
            BoundExpr::Fold { first, steps } => self.fold(first, steps)?,
            BoundExpr::Accumulator => self.running?.to_string(),
            BoundExpr::And(..) => self.chain(expr, "AND")?,
            BoundExpr::Or(..) => self.chain(expr, "OR")?,
            BoundExpr::IsNull { operand, negated } => {
                let not = if *negated { " NOT" } else { "" };
                format!("({} IS{not} NULL)", self.expr(operand)?)
            }
            BoundExpr::Random => "random()".to_string(),
            BoundExpr::Param(index) => format!("${}", index + 1),
            BoundExpr::Coalesce(args) => format!("COALESCE({})", self.list(args)?),
            BoundExpr::Extreme { greatest, args } => {
                let name = if *greatest { "GREATEST" } else { "LEAST" };
                format!("{name}({})", self.list(args)?)
            }
            BoundExpr::Array(items) => format!("ARRAY[{}]", self.list(items)?),
            BoundExpr::ArrayCompare(test) => {
                let quantifier = if test.all { "ALL" } else { "ANY" };
                let left = self.expr(&test.left)?;
                let array = match &test.array {
                    BoundExpr::Const(datum) => constant(datum, Some(&test.array_type.name()))?,
                    other => self.expr(other)?,
                };
                format!("({left} {} {quantifier} ({array}))", test.op)
            }
            BoundExpr::Subquery(_)
            | BoundExpr::SubLink(_)
            | BoundExpr::Case { .. }
            | BoundExpr::RelationSize { .. }
            | BoundExpr::StatementsReset
            | BoundExpr::SetConfig(_)
            | BoundExpr::CurrentSetting(_)
            | BoundExpr::SetReturning(_) => return None,
        })
    }

    fn column(&self, index: usize, outer: bool) -> Option<String> {
        let (table, name) = self.names.column_name(index, outer)?;
        Some(match (table, self.qualify) {
            (Some(table), true) => format!("{table}.{name}"),
            _ => name.to_string(),
        })
    }

    fn list(&self, items: &[BoundExpr]) -> Option<String> {
        let parts: Option<Vec<String>> = items.iter().map(|a| self.expr(a)).collect();
        Some(parts?.join(", "))
    }

    /// A run of `AND`s (or `OR`s) in one bracket, as PostgreSQL flattens them.
    fn chain(&self, expr: &BoundExpr, word: &str) -> Option<String> {
        let mut parts = Vec::new();
        self.flatten(expr, word, &mut parts)?;
        Some(format!("({})", parts.join(&format!(" {word} "))))
    }

    fn flatten(&self, expr: &BoundExpr, word: &str, parts: &mut Vec<String>) -> Option<()> {
        match (expr, word) {
            (BoundExpr::And(operands), "AND") | (BoundExpr::Or(operands), "OR") => {
                for operand in operands {
                    self.flatten(operand, word, parts)?;
                }
                Some(())
            }
            _ => {
                parts.push(self.expr(expr)?);
                Some(())
            }
        }
    }

    /// A fold as the nested operator calls it stands for, built in a loop: each step is
    /// printed with the text so far in place of its running value.
    fn fold(&self, first: &BoundExpr, steps: &[BoundExpr]) -> Option<String> {
        let mut text = self.expr(first)?;
        for step in steps {
            let printer = Deparser {
                running: Some(&text),
                ..*self
            };
            text = printer.expr(step)?;
        }
        Some(text)
    }
}

/// A constant as PostgreSQL deparses it: integers and decimal numerics bare, booleans
/// as words, anything else a quoted literal with its type; `cast_to` names the type
/// it was folded into.
fn constant(datum: &Datum, cast_to: Option<&str>) -> Option<String> {
    let quoted = |text: &str, ty: &str| format!("'{}'::{ty}", text.replace('\'', "''"));
    if let Datum::Null = datum {
        return Some(match cast_to {
            Some(ty) => format!("NULL::{ty}"),
            None => "NULL".to_string(),
        });
    }
    let text = datum.to_text()?;
    if let Some(ty) = cast_to {
        return Some(quoted(&text, ty));
    }
    Some(match datum {
        Datum::Bool(b) => (if *b { "true" } else { "false" }).to_string(),
        Datum::Int4(v) if *v >= 0 => text,
        Datum::Int4(_) => quoted(&text, "integer"),
        Datum::Numeric(_) if text.starts_with('-') => quoted(&text, "numeric"),
        Datum::Numeric(_) if text.contains(['.', 'e', 'E']) => text,
        Datum::Numeric(_) => quoted(&text, "numeric"),
        Datum::Int8(_) => quoted(&text, "bigint"),
        Datum::Float4(_) => quoted(&text, "real"),
        Datum::Float8(_) => quoted(&text, "double precision"),
        Datum::Text(_) => quoted(&text, "text"),
        Datum::Vector(_) => quoted(&text, "vector"),
        Datum::HalfVec(_) => quoted(&text, "halfvec"),
        Datum::SparseVec(_) => quoted(&text, "sparsevec"),
        Datum::Bit(_) => format!("B'{text}'::\"bit\""),
        Datum::TsVector(_) => quoted(&text, "tsvector"),
        Datum::TsQuery(_) => quoted(&text, "tsquery"),
        Datum::Array(_) | Datum::Null => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::constant;
    use crate::value::{Datum, Numeric};

    #[test]
    fn constants_print_as_postgresql_deparses_them() {
        assert_eq!(constant(&Datum::Int4(5), None).unwrap(), "5");
        assert_eq!(constant(&Datum::Int4(-5), None).unwrap(), "'-5'::integer");
        assert_eq!(constant(&Datum::Int8(7), None).unwrap(), "'7'::bigint");
        assert_eq!(
            constant(&Datum::Float8(1.5), None).unwrap(),
            "'1.5'::double precision"
        );
        assert_eq!(constant(&Datum::Bool(true), None).unwrap(), "true");
        assert_eq!(
            constant(&Datum::Text("it's".into()), None).unwrap(),
            "'it''s'::text"
        );
        assert_eq!(constant(&Datum::Null, None).unwrap(), "NULL");
        assert_eq!(
            constant(&Datum::Int4(3), Some("real")).unwrap(),
            "'3'::real"
        );
        let numeric = Numeric::parse("1.5").unwrap();
        assert_eq!(constant(&Datum::Numeric(numeric), None).unwrap(), "1.5");
        let whole = Numeric::parse("2").unwrap();
        assert_eq!(
            constant(&Datum::Numeric(whole), None).unwrap(),
            "'2'::numeric"
        );
    }
}
