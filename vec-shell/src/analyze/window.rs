//! Window function calls in a select list or `ORDER BY`: resolving `OVER name` and
//! `OVER (name …)` against the `WINDOW` clause, binding partitioning, ordering and the
//! frame, typing each function, and numbering sort keys as PostgreSQL does so that
//! windows are computed (and rows come out) in PostgreSQL's order.
//!
//! A call binds to a placeholder column ([`WINDOW_BASE`] + its number); once the query
//! is bound and the width of the rows the window step sees is known, [`remap`] moves
//! the placeholders to the end of those rows.

use super::expr::{Binder, Typed};

use crate::error::{EngineError, Result};
use crate::expr::window::{Bound, FrameSpec, SortRef, Window, WindowCall, WindowFunc, Windowing};
use crate::expr::{children_mut, AggOrderKey, BoundExpr};
use crate::sql::ast::{
    AggClauses, Expr, ExprKind, FrameBound, FrameUnits, NamedWindow, OrderKey, Select, SelectItem,
    WindowDef,
};
use crate::value::cast::{cast_exists, CoercionContext};
use crate::value::{SqlType, TypeMod};

/// Where placeholder columns for window results start (far beyond any real row).
pub const WINDOW_BASE: usize = usize::MAX / 2;

/// The windows and calls found while binding a query's select list and `ORDER BY`.
pub struct WindowContext {
    named: Vec<NamedWindow>,
    windows: Vec<(Window, usize)>,
    calls: Vec<WindowCall>,
    definitions: usize,
}

/// A window definition with its base resolved: partitioning, ordering, frame, and its
/// place among the query's definitions (named ones first, as PostgreSQL lists them).
struct Resolved {
    partition_by: Vec<Expr>,
    order_by: Vec<OrderKey>,
    frame: Option<crate::sql::ast::Frame>,
    order: usize,
    pos: usize,
}

impl WindowContext {
    /// The context for `select`, if its select list or `ORDER BY` calls a window
    /// function; the `WINDOW` clause's names must be distinct.
    pub fn for_query(select: &Select) -> Result<Option<WindowContext>> {
        let items = select.items.iter().filter_map(|item| match item {
            SelectItem::Expr { expr, .. } => Some(expr),
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard { .. } => None,
        });
        let mut used = items
            .chain(select.order_by.iter().map(|k| &k.expr))
            .filter_map(first_window_call);
        for (index, window) in select.windows.iter().enumerate() {
            let earlier = &select.windows[..index];
            if earlier.iter().any(|w| w.name == window.name) {
                return Err(EngineError::new(
                    "42P20",
                    format!("window \"{}\" is already defined", window.name),
                )
                .at(window.def.pos.0));
            }
            // A definition may build on an earlier one only (so there are no cycles).
            if let Some(base) = &window.def.base {
                if !earlier.iter().any(|w| &w.name == base) {
                    return Err(EngineError::new(
                        "42704",
                        format!("window \"{base}\" does not exist"),
                    )
                    .at(window.def.pos.0));
                }
            }
        }
        if used.next().is_none() {
            return Ok(None);
        }
        Ok(Some(WindowContext {
            named: select.windows.clone(),
            windows: Vec::new(),
            calls: Vec::new(),
            definitions: select.windows.len(),
        }))
    }

    /// The window step, for rows `base` columns wide: `order_keys` are the query's
    /// `ORDER BY` expressions and `group_keys` its number of grouping keys (over the
    /// grouped row), which PostgreSQL numbers before the windows' keys.
    pub fn finish(self, base: usize, order_keys: &[BoundExpr], group_keys: usize) -> Windowing {
        let mut numbered: Vec<BoundExpr> = order_keys.to_vec();
        numbered.extend((0..group_keys).map(BoundExpr::Column));
        let mut by_definition: Vec<usize> = (0..self.windows.len()).collect();
        by_definition.sort_by_key(|&i| self.windows[i].1);
        let mut refs = vec![Vec::new(); self.windows.len()];
        for index in by_definition {
            let window = &self.windows[index].0;
            let keys = window
                .partition_by
                .iter()
                .map(|expr| (expr, false, false))
                .chain(
                    window
                        .order_by
                        .iter()
                        .map(|k| (&k.expr, k.descending, k.nulls_first)),
                );
            // PostgreSQL numbers a window's ORDER BY keys before its PARTITION BY keys.
            let ordering = window.order_by.iter().map(|k| &k.expr);
            for key in ordering.chain(&window.partition_by) {
                if !numbered.contains(key) {
                    numbered.push(key.clone());
                }
            }
            for (key, descending, nulls_first) in keys {
                let number = numbered.iter().position(|e| e == key).map_or(0, |i| i + 1);
                let sort_key = SortRef {
                    number,
                    descending,
                    nulls_first,
                };
                if !refs[index].contains(&sort_key) {
                    refs[index].push(sort_key);
                }
            }
        }
        Windowing {
            windows: self
                .windows
                .into_iter()
                .zip(refs)
                .map(|((window, _), sort_refs)| Window {
                    sort_refs,
                    ..window
                })
                .collect(),
            calls: self.calls,
            base,
        }
    }

    /// Resolves a definition against the `WINDOW` clause, with PostgreSQL's errors for
    /// a missing window and for what a copy may not override.
    fn resolve(&mut self, def: &WindowDef, depth: usize) -> Result<Resolved> {
        let Some(base_name) = &def.base else {
            self.definitions += 1;
            return Ok(Resolved {
                partition_by: def.partition_by.clone(),
                order_by: def.order_by.clone(),
                frame: def.frame.clone(),
                order: self.definitions,
                pos: def.pos.0,
            });
        };
        let Some(index) = self.named.iter().position(|w| &w.name == base_name) else {
            return Err(EngineError::new(
                "42704",
                format!("window \"{base_name}\" does not exist"),
            )
            .at(def.pos.0));
        };
        let named = self.named[index].def.clone();
        if depth > self.named.len() {
            return Err(EngineError::new(
                "42P20",
                format!("window \"{base_name}\" does not exist"),
            )
            .at(def.pos.0));
        }
        let base = self.resolve(&named, depth + 1)?;
        if !def.copies {
            return Ok(Resolved {
                order: index,
                ..base
            });
        }
        let error = |message: String| EngineError::new("42P20", message).at(def.pos.0);
        if !def.partition_by.is_empty() {
            return Err(error(format!(
                "cannot override PARTITION BY clause of window \"{base_name}\""
            )));
        }
        if !def.order_by.is_empty() && !base.order_by.is_empty() {
            return Err(error(format!(
                "cannot override ORDER BY clause of window \"{base_name}\""
            )));
        }
        if base.frame.is_some() {
            let mut error = error(format!(
                "cannot copy window \"{base_name}\" because it has a frame clause"
            ));
            if def.order_by.is_empty() && def.frame.is_none() {
                error = error.with_hint("Omit the parentheses in this OVER clause.");
            }
            return Err(error);
        }
        self.definitions += 1;
        Ok(Resolved {
            partition_by: base.partition_by,
            order_by: if def.order_by.is_empty() {
                base.order_by
            } else {
                def.order_by.clone()
            },
            frame: def.frame.clone(),
            order: self.definitions,
            pos: def.pos.0,
        })
    }
}

/// Moves placeholder columns of window results to the end of rows `base` wide.
pub fn remap(expr: &mut BoundExpr, base: usize) {
    if let BoundExpr::Column(column) = expr {
        if *column >= WINDOW_BASE {
            *column = base + (*column - WINDOW_BASE);
        }
        return;
    }
    for child in children_mut(expr) {
        remap(child, base);
    }
}

/// The first window function call in an expression (outside subqueries).
pub fn first_window_call(expr: &Expr) -> Option<&Expr> {
    match &expr.kind {
        ExprKind::Function { args, clauses, .. } => {
            if clauses.as_deref().is_some_and(|c| c.over.is_some()) {
                return Some(expr);
            }
            args.iter().find_map(first_window_call)
        }
        ExprKind::Unary { operand, .. }
        | ExprKind::IsNull { operand, .. }
        | ExprKind::Cast { operand, .. } => first_window_call(operand),
        ExprKind::Binary { left, right, .. } => {
            first_window_call(left).or_else(|| first_window_call(right))
        }
        ExprKind::Chain { first, rest } => first_window_call(first)
            .or_else(|| rest.iter().find_map(|l| first_window_call(&l.operand))),
        ExprKind::Array(items) => items.iter().find_map(first_window_call),
        ExprKind::Case {
            operand,
            whens,
            otherwise,
        } => operand
            .as_deref()
            .and_then(first_window_call)
            .or_else(|| {
                whens
                    .iter()
                    .find_map(|(w, t)| first_window_call(w).or_else(|| first_window_call(t)))
            })
            .or_else(|| otherwise.as_deref().and_then(first_window_call)),
        _ => None,
    }
}

/// PostgreSQL's error for a window function where none may appear (`clause`: "WHERE",
/// "HAVING", "GROUP BY", …), if `expr` has one.
pub fn refuse_in(expr: &Expr, clause: &str) -> Result<()> {
    match first_window_call(expr) {
        Some(found) => Err(EngineError::new(
            "42P20",
            format!("window functions are not allowed in {clause}"),
        )
        .at(found.pos.0)),
        None => Ok(()),
    }
}

impl Binder<'_> {
    /// Binds `name(args) OVER …`: a placeholder for the call's value in the row.
    pub(super) fn window_call(
        &mut self,
        name: &str,
        args: &[Expr],
        star: bool,
        clauses: &AggClauses,
        pos: usize,
    ) -> Result<Typed> {
        let Some(windows) = self.windows.take() else {
            return Err(EngineError::new("42P20", "window functions are not allowed here").at(pos));
        };
        let result = self.window_call_in(&mut *windows, name, args, star, clauses, pos);
        self.windows = Some(windows);
        result
    }

    fn window_call_in(
        &mut self,
        windows: &mut WindowContext,
        name: &str,
        args: &[Expr],
        star: bool,
        clauses: &AggClauses,
        pos: usize,
    ) -> Result<Typed> {
        let over = clauses
            .over
            .as_ref()
            .ok_or_else(|| EngineError::internal("a window call without OVER"))?;
        if let Some(found) = args.iter().find_map(first_window_call) {
            return Err(
                EngineError::new("42P20", "window function calls cannot be nested").at(found.pos.0),
            );
        }
        let resolved = windows.resolve(over, 0)?;
        let keys = resolved
            .partition_by
            .iter()
            .chain(resolved.order_by.iter().map(|k| &k.expr));
        for key in keys {
            refuse_in(key, "window definitions")?;
        }
        let mut partition_by = Vec::with_capacity(resolved.partition_by.len());
        for expr in &resolved.partition_by {
            let bound = self.bind(expr)?;
            partition_by.push(super::query::resolve_unknown(self, bound)?.expr);
        }
        let mut order_by = Vec::with_capacity(resolved.order_by.len());
        let mut order_types = Vec::with_capacity(resolved.order_by.len());
        for key in &resolved.order_by {
            let bound = self.bind(&key.expr)?;
            let bound = super::query::resolve_unknown(self, bound)?;
            order_types.push(bound.ty.clone());
            order_by.push(AggOrderKey {
                expr: bound.expr,
                descending: key.descending,
                nulls_first: key.nulls_first.unwrap_or(key.descending),
            });
        }
        let frame = match &resolved.frame {
            Some(frame) => bind_frame(self.cx, frame, &order_types, resolved.pos)?,
            None => FrameSpec::default_frame(),
        };
        let (func, bound_args, ty, typmod) =
            self.window_function(name, args, star, clauses, pos)?;
        let window = Window {
            partition_by,
            order_by,
            frame,
            sort_refs: Vec::new(),
        };
        let index = match windows.windows.iter().position(|(w, _)| *w == window) {
            Some(found) => {
                let order = &mut windows.windows[found].1;
                *order = (*order).min(resolved.order);
                found
            }
            None => {
                windows.windows.push((window, resolved.order));
                windows.windows.len() - 1
            }
        };
        windows.calls.push(WindowCall {
            func,
            args: bound_args,
            window: index,
        });
        Ok(Typed {
            typmod,
            ..Typed::new(BoundExpr::Column(WINDOW_BASE + windows.calls.len() - 1), ty)
        })
    }

    /// Types a window function's arguments and result.
    fn window_function(
        &mut self,
        name: &str,
        args: &[Expr],
        star: bool,
        clauses: &AggClauses,
        pos: usize,
    ) -> Result<(WindowFunc, Vec<BoundExpr>, SqlType, TypeMod)> {
        if super::aggregate::is_aggregate(name) {
            if clauses.distinct {
                return Err(EngineError::new(
                    "0A000",
                    "DISTINCT is not implemented for window functions",
                )
                .at(pos));
            }
            if !clauses.order_by.is_empty() {
                return Err(EngineError::new(
                    "0A000",
                    "aggregate ORDER BY is not implemented for window functions",
                )
                .at(pos));
            }
            let (call, ty, typmod) =
                super::aggregate::bind_aggregate_call(self, name, args, star, Some(clauses), pos)?;
            return Ok((WindowFunc::Aggregate(call), Vec::new(), ty, typmod));
        }
        let Some(func) = WindowFunc::named(name) else {
            return Err(EngineError::new(
                "42809",
                format!(
                    "OVER specified, but {name} is not a window function nor an aggregate function"
                ),
            )
            .at(pos));
        };
        if clauses.distinct || !clauses.order_by.is_empty() || clauses.filter.is_some() {
            let what = if clauses.distinct {
                "DISTINCT"
            } else if !clauses.order_by.is_empty() {
                "ORDER BY"
            } else {
                "FILTER"
            };
            return Err(EngineError::new(
                "42809",
                format!("{what} specified, but {name} is not an aggregate function"),
            )
            .at(pos));
        }
        if star {
            return Err(EngineError::syntax("*", pos));
        }
        let mut typed = Vec::with_capacity(args.len());
        for arg in args {
            typed.push(self.bind(arg)?);
        }
        let signature: Vec<String> = typed.iter().map(|t| t.ty.name()).collect();
        let missing = || {
            EngineError::new(
                "42883",
                format!("function {name}({}) does not exist", signature.join(", ")),
            )
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
            .at(pos)
        };
        let ranking = matches!(
            func,
            WindowFunc::RowNumber
                | WindowFunc::Rank
                | WindowFunc::DenseRank
                | WindowFunc::PercentRank
                | WindowFunc::CumeDist
        );
        if ranking {
            if !typed.is_empty() {
                if func == WindowFunc::RowNumber {
                    return Err(missing());
                }
                return Err(EngineError::new(
                    "42809",
                    format!("WITHIN GROUP is required for ordered-set aggregate {name}"),
                )
                .at(pos));
            }
            let ty = match func {
                WindowFunc::PercentRank | WindowFunc::CumeDist => SqlType::Float8,
                _ => SqlType::Int8,
            };
            return Ok((func, Vec::new(), ty, -1));
        }
        let arity_ok = match func {
            WindowFunc::Ntile | WindowFunc::FirstValue | WindowFunc::LastValue => typed.len() == 1,
            WindowFunc::NthValue => typed.len() == 2,
            _ => (1..=3).contains(&typed.len()),
        };
        if !arity_ok {
            return Err(missing());
        }
        let mut typed = typed.into_iter();
        let first = typed.next().ok_or_else(missing)?;
        if func == WindowFunc::Ntile {
            let buckets = self
                .implicit(first, &SqlType::Int4, pos)
                .ok_or_else(missing)??;
            return Ok((func, vec![buckets], SqlType::Int4, -1));
        }
        let value = super::query::resolve_unknown(self, first)?;
        let (ty, typmod) = (value.ty.clone(), value.typmod);
        let mut bound = vec![value.expr];
        if let Some(offset) = typed.next() {
            bound.push(
                self.implicit(offset, &SqlType::Int4, pos)
                    .ok_or_else(missing)??,
            );
        }
        if let Some(default) = typed.next() {
            bound.push(self.implicit(default, &ty, pos).ok_or_else(missing)??);
        }
        Ok((func, bound, ty, typmod))
    }

    /// `value` as `ty` by an implicit cast, or `None` when there is none.
    fn implicit(&mut self, value: Typed, ty: &SqlType, pos: usize) -> Option<Result<BoundExpr>> {
        if value.ty == *ty {
            return Some(Ok(value.expr));
        }
        if value.ty != SqlType::Unknown && !cast_exists(&value.ty, ty, CoercionContext::Implicit) {
            return None;
        }
        Some(
            self.convert(value, ty, -1, CoercionContext::Implicit, pos)
                .map(|t| t.expr),
        )
    }
}

/// Binds a frame clause: its offsets (which may not name columns) typed for its units,
/// with PostgreSQL's checks on which bounds may go together.
fn bind_frame(
    cx: &super::context::Context<'_>,
    frame: &crate::sql::ast::Frame,
    order_types: &[SqlType],
    def_pos: usize,
) -> Result<FrameSpec> {
    let error = |message: &str| Err(EngineError::new("42P20", message).at(def_pos));
    use FrameBound as B;
    let has_offset = |b: &B| matches!(b, B::Preceding(_) | B::Following(_));
    let offsets = has_offset(&frame.start) || has_offset(&frame.end);
    let offset_pos = match (&frame.start, &frame.end) {
        (B::Preceding(offset) | B::Following(offset), _)
        | (_, B::Preceding(offset) | B::Following(offset)) => offset.pos.0,
        _ => def_pos,
    };
    let offset_type = match frame.units {
        FrameUnits::Rows | FrameUnits::Groups => SqlType::Int8,
        FrameUnits::Range if !offsets => SqlType::Int8,
        FrameUnits::Range => {
            let [key] = order_types else {
                return error(
                    "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column",
                );
            };
            match key {
                SqlType::Int4 | SqlType::Int8 => SqlType::Int8,
                SqlType::Float4 | SqlType::Float8 => SqlType::Float8,
                SqlType::Numeric => SqlType::Numeric,
                other => {
                    return Err(EngineError::new(
                        "0A000",
                        format!(
                        "RANGE with offset PRECEDING/FOLLOWING is not supported for column type {}",
                        other.name()
                    ),
                    )
                    .at(offset_pos))
                }
            }
        }
    };
    if frame.units == FrameUnits::Groups && order_types.is_empty() {
        return error("GROUPS mode requires an ORDER BY clause");
    }
    let units = match frame.units {
        FrameUnits::Rows => "ROWS",
        FrameUnits::Range => "RANGE",
        FrameUnits::Groups => "GROUPS",
    };
    let bind_offset = |offset: &Expr| -> Result<BoundExpr> {
        super::query::bind_constant(cx, offset, units, |binder, value| {
            // ROWS and GROUPS take any number an assignment cast makes a bigint (`1.6` is
            // 2); RANGE offsets must convert implicitly to the key's offset type.
            let coercion = match frame.units {
                FrameUnits::Range => CoercionContext::Implicit,
                FrameUnits::Rows | FrameUnits::Groups => CoercionContext::Assignment,
            };
            if value.ty != SqlType::Unknown
                && value.ty != offset_type
                && !cast_exists(&value.ty, &offset_type, coercion)
            {
                return Err(EngineError::new(
                    "42804",
                    format!(
                        "argument of {units} must be type {}, not type {}",
                        offset_type.name(),
                        value.ty.name()
                    ),
                )
                .at(offset.pos.0));
            }
            Ok(binder
                .convert(value, &offset_type, -1, coercion, offset.pos.0)?
                .expr)
        })
    };
    let bound = |b: &B| -> Result<Bound> {
        Ok(match b {
            B::UnboundedPreceding => Bound::UnboundedPreceding,
            B::Preceding(offset) => Bound::Preceding(bind_offset(offset)?),
            B::CurrentRow => Bound::CurrentRow,
            B::Following(offset) => Bound::Following(bind_offset(offset)?),
            B::UnboundedFollowing => Bound::UnboundedFollowing,
        })
    };
    let start = bound(&frame.start)?;
    let end = bound(&frame.end)?;
    Ok(FrameSpec {
        units: frame.units,
        start,
        end,
        exclude: frame.exclude,
    })
}

/// Each window's sort keys as `EXPLAIN`'s `Sort Key:` shows them: deparsed over the
/// source row, or (grouped) the `GROUP BY` expression a key is, as written; a key that
/// is neither is left out.
pub fn key_text(
    windowing: &Windowing,
    select: &Select,
    text: &super::bound::ExplainText,
    aggregated: bool,
) -> Vec<Vec<String>> {
    let name = |expr: &BoundExpr| -> Option<String> {
        match (aggregated, expr) {
            (false, _) => crate::expr::deparse::sort_key(expr, &text.scope, text.qualify),
            (true, BoundExpr::Column(i)) => select.group_by.get(*i).map(ToString::to_string),
            (true, _) => None,
        }
    };
    windowing
        .windows
        .iter()
        .map(|window| {
            let partition = window.partition_by.iter().filter_map(|e| name(e));
            let order = window.order_by.iter().filter_map(|key| {
                let direction = match (key.descending, key.nulls_first) {
                    (false, false) | (true, true) => "",
                    (false, true) => " NULLS FIRST",
                    (true, false) => " NULLS LAST",
                };
                let descending = if key.descending { " DESC" } else { "" };
                name(&key.expr).map(|n| format!("{n}{descending}{direction}"))
            });
            partition.chain(order).collect()
        })
        .collect()
}
