//! Binding expressions: names to column positions, literals to typed constants,
//! operators and functions to their resolved overloads, with implicit casts inserted.
//!
//! An unknown-typed string literal is converted when its type becomes known, by the
//! type's input function, and a failure there points at the literal (as PostgreSQL's
//! `LINE 1:` caret does). Type modifiers are applied afterwards as a run-time coercion,
//! which is why `'[1,2,3]'::vector(2)` fails without a position.

use super::aggregate::AggContext;
use super::context::Context;
use super::Scope;
use crate::analyze::types::resolve_type_name;
use crate::error::{EngineError, Result};
use crate::expr::signature::{resolve, Resolution, Signature};
use crate::expr::window::WindowFunc;
use crate::expr::BoundExpr;
use crate::expr::{functions, operators};
use crate::sql::ast::{Expr, ExprKind};
use crate::value::cast::{cast_exists, number_literal, CoercionContext};
use crate::value::input::input;
use crate::value::{Datum, SqlType, TypeMod};

/// A bound expression with its type.
#[derive(Clone, Debug)]
pub struct Typed {
    /// The expression.
    pub expr: BoundExpr,
    /// Its type (`Unknown` for a string literal or NULL not yet typed).
    pub ty: SqlType,
    /// Its type modifier.
    pub typmod: TypeMod,
    /// Where the string literal this is was written, while its type is unknown.
    pub literal_pos: Option<usize>,
}

impl Typed {
    /// A typed expression without a modifier.
    pub fn new(expr: BoundExpr, ty: SqlType) -> Typed {
        Typed {
            expr,
            ty,
            typmod: -1,
            literal_pos: None,
        }
    }
}

/// Binds expressions against a scope.
pub struct Binder<'a> {
    /// The statement's binding context (the catalog, for subqueries).
    pub cx: &'a Context<'a>,
    /// The columns in scope.
    pub scope: &'a Scope,
    /// Aggregation state when binding a grouped query's output expressions.
    pub aggregates: Option<&'a mut AggContext>,
    /// Window state when binding a select list or `ORDER BY`, where window function
    /// calls may appear.
    pub windows: Option<&'a mut super::window::WindowContext>,
}

impl Binder<'_> {
    /// The operands of `op` as text when it is `||` between a string and a value of a
    /// type without a `||` of its own (PostgreSQL's `textanycat` / `anytextcat`: `'a' ||
    /// 1` is `a1`, `name || vector_column` concatenates the vector's text); otherwise
    /// unchanged.
    pub(super) fn text_concat_operands(
        &mut self,
        op: &str,
        left: Typed,
        right: Typed,
        pos: usize,
    ) -> Result<(Typed, Typed)> {
        use SqlType::*;
        let stringy = |t: &SqlType| matches!(t, Text | Varchar);
        let concatenates = |t: &SqlType| matches!(t, Vector | HalfVec | Bit | VarBit);
        let plain =
            |t: &SqlType| !stringy(t) && !concatenates(t) && !matches!(t, Unknown | Array(_));
        let mixes = |a: &SqlType, b: &SqlType| {
            (stringy(a) && (plain(b) || concatenates(b))) || (*a == Unknown && plain(b))
        };
        if op != "||" || !(mixes(&left.ty, &right.ty) || mixes(&right.ty, &left.ty)) {
            return Ok((left, right));
        }
        let mut as_text = |value: Typed| -> Result<Typed> {
            match value.ty {
                Text => Ok(value),
                Unknown | Varchar => self.convert(value, &Text, -1, CoercionContext::Implicit, pos),
                _ => self.convert(value, &Text, -1, CoercionContext::Explicit, pos),
            }
        };
        let left = as_text(left)?;
        Ok((left, as_text(right)?))
    }

    /// Binds an expression.
    pub fn bind(&mut self, expr: &Expr) -> Result<Typed> {
        if let Some(context) = self.aggregates.as_deref_mut() {
            if let Some(found) = context.lookup(expr, self.cx, self.scope)? {
                return Ok(found);
            }
        }
        let pos = expr.pos.0;
        match &expr.kind {
            ExprKind::Number(text) => {
                let (datum, ty) = number_literal(text).map_err(|e| e.at(pos))?;
                Ok(Typed::new(BoundExpr::Const(datum), ty))
            }
            ExprKind::String(text) => Ok(Typed {
                literal_pos: Some(pos),
                ..Typed::new(
                    BoundExpr::Const(Datum::Text(text.clone())),
                    SqlType::Unknown,
                )
            }),
            ExprKind::BitString(bits) => {
                let value = input(&SqlType::Bit, bits).map_err(|e| e.at(pos))?;
                Ok(Typed::new(BoundExpr::Const(value), SqlType::Bit))
            }
            ExprKind::Bool(b) => Ok(Typed::new(BoundExpr::Const(Datum::Bool(*b)), SqlType::Bool)),
            ExprKind::Subscript {
                operand,
                lower,
                upper,
                slice,
            } => super::arrays::bind_subscript(
                self,
                operand,
                [lower.as_deref(), upper.as_deref()],
                *slice,
            ),
            ExprKind::Null => Ok(Typed::new(BoundExpr::Const(Datum::Null), SqlType::Unknown)),
            ExprKind::Default => {
                Err(EngineError::new("42601", "DEFAULT is not allowed in this context").at(pos))
            }
            ExprKind::Param(number) => {
                let ty = self.cx.param_type(*number, pos)?;
                match self.cx.param_value(*number) {
                    Some(value) => Ok(Typed::new(BoundExpr::Const(value.clone()), ty)),
                    None => Ok(Typed::new(BoundExpr::Param(*number - 1), ty)),
                }
            }
            ExprKind::Column(parts) => {
                if self.aggregates.is_some() {
                    // Named as PostgreSQL names it: qualified by its table or alias.
                    let name = match self.scope.resolve(parts, pos) {
                        Ok((_, column)) => match &column.table {
                            Some(table) => format!("{table}.{}", column.name),
                            None => column.name.clone(),
                        },
                        Err(error) if self.scope.resolve_outer(parts, pos).is_none() => {
                            return Err(error)
                        }
                        Err(_) => parts.join("."),
                    };
                    return Err(EngineError::new(
                        "42803",
                        format!("column \"{name}\" must appear in the GROUP BY clause or be used in an aggregate function"),
                    )
                    .at(pos));
                }
                let (index, column) = match self.scope.resolve(parts, pos) {
                    Ok(found) => found,
                    Err(error) => match self.scope.resolve_outer(parts, pos) {
                        Some((index, column)) => {
                            return Ok(Typed {
                                typmod: column.typmod,
                                ..Typed::new(BoundExpr::OuterColumn(index), column.ty.clone())
                            })
                        }
                        None => return Err(error),
                    },
                };
                Ok(Typed {
                    typmod: column.typmod,
                    ..Typed::new(BoundExpr::Column(index), column.ty.clone())
                })
            }
            ExprKind::Unary { op, operand } => {
                let operand = self.bind(operand)?;
                if op == "not" {
                    let operand = self.coerce(operand, &SqlType::Bool, pos, "argument of NOT")?;
                    return Ok(Typed::new(BoundExpr::Not(Box::new(operand)), SqlType::Bool));
                }
                let candidates = operators::unary_candidates(op);
                let name = format!("operator does not exist: {op} {}", operand.ty.name());
                self.call(candidates, vec![operand], (false, op, true), pos, &name)
            }
            ExprKind::Binary {
                op,
                left: left_expr,
                right: right_expr,
            } => {
                let left = self.bind(left_expr)?;
                let right = self.bind(right_expr)?;
                if op == "||"
                    && [&left.ty, &right.ty]
                        .iter()
                        .any(|ty| matches!(ty, SqlType::Array(_)))
                {
                    return super::arrays::bind_concat(
                        self,
                        (left, left_expr.pos.0),
                        (right, right_expr.pos.0),
                        pos,
                    );
                }
                if op == "and" || op == "or" {
                    let what = if op == "and" {
                        "argument of AND"
                    } else {
                        "argument of OR"
                    };
                    let l = self.coerce(left, &SqlType::Bool, pos, what)?;
                    let r = self.coerce(right, &SqlType::Bool, pos, what)?;
                    return Ok(Typed::new(super::chain::bool_node(op, l, r), SqlType::Bool));
                }
                let (left, right) = self.text_concat_operands(op, left, right, pos)?;
                let candidates = operators::binary_candidates(op, &left.ty, &right.ty);
                let message = format!(
                    "operator does not exist: {} {op} {}",
                    left.ty.name(),
                    right.ty.name()
                );
                self.call(
                    candidates,
                    vec![left, right],
                    (true, op, true),
                    pos,
                    &message,
                )
            }
            ExprKind::Chain { first, rest } => self.bind_chain(first, rest),
            ExprKind::IsNull { operand, negated } => {
                let operand = self.bind(operand)?;
                Ok(Typed::new(
                    BoundExpr::IsNull {
                        operand: Box::new(operand.expr),
                        negated: *negated,
                    },
                    SqlType::Bool,
                ))
            }
            ExprKind::Collate { operand, collation } => {
                super::postfix::collate(self, operand, collation, pos)
            }
            ExprKind::Cast { operand, type_name } if type_name.name == "regnamespace" => {
                super::catalog_functions::regnamespace(self, operand, pos)
            }
            ExprKind::Cast { operand, type_name } if type_name.name == "smallint" => {
                super::postfix::smallint(self, operand, type_name, pos)
            }
            ExprKind::Cast { operand, type_name } if type_name.name == "regclass" => {
                self.regclass(operand, pos)
            }
            ExprKind::Cast { operand, type_name } => {
                let (ty, typmod) = resolve_type_name(type_name)?;
                // `ARRAY[]::t[]` takes its element type from the cast.
                if let (ExprKind::Array(items), SqlType::Array(_)) = (&operand.kind, &ty) {
                    if items.is_empty() {
                        return Ok(Typed::new(BoundExpr::Array(Vec::new()), ty));
                    }
                }
                let operand = self.bind(operand)?;
                self.convert(operand, &ty, typmod, CoercionContext::Explicit, pos)
            }
            ExprKind::Function {
                name, args, star, ..
            } if !*star && super::conditional::is_conditional(name) => {
                self.conditional(name, args, pos)
            }
            ExprKind::Function {
                name,
                args,
                star,
                clauses: Some(clauses),
            } if clauses.over.is_some() => self.window_call(name, args, *star, clauses, pos),
            ExprKind::Function { name, .. } if WindowFunc::named(name).is_some() => {
                Err(EngineError::new(
                    "42809",
                    format!("window function {name} requires an OVER clause"),
                )
                .at(pos))
            }
            ExprKind::Function {
                name,
                clauses: Some(clauses),
                ..
            } if !super::aggregate::is_aggregate(name) => {
                let what = if clauses.distinct {
                    "DISTINCT"
                } else if !clauses.order_by.is_empty() {
                    "ORDER BY"
                } else {
                    "FILTER"
                };
                Err(EngineError::new(
                    "42809",
                    format!("{what} specified, but {name} is not an aggregate function"),
                )
                .at(pos))
            }
            ExprKind::Function {
                name, args, star, ..
            } => self.function(name, args, *star, pos),
            ExprKind::Case {
                operand,
                whens,
                otherwise,
            } => self.case(operand.as_deref(), whens, otherwise.as_deref(), pos),
            ExprKind::Array(elements) => self.array(elements, pos),
            ExprKind::Subquery(query) => self.scalar_subquery(query, pos),
            ExprKind::SubLink { kind, query } => self.sublink(kind, query, pos),
            ExprKind::ArrayCompare {
                left,
                op,
                all,
                array,
            } => self.array_compare(left, op, *all, array, pos),
        }
    }

    /// `'name'::regclass`: the relation's OID (held as `bigint`), looked up in the
    /// catalog now for a literal name, when the statement runs for a text value.
    fn regclass(&mut self, operand: &Expr, pos: usize) -> Result<Typed> {
        match &operand.kind {
            ExprKind::String(name) => {
                let oid = crate::catalog::system::relation_oid(self.cx.catalog, name).ok_or_else(
                    || {
                        EngineError::new("42P01", format!("relation \"{name}\" does not exist"))
                            .at(operand.pos.0)
                    },
                )?;
                Ok(Typed::new(
                    BoundExpr::Const(Datum::Int8(oid)),
                    SqlType::Int8,
                ))
            }
            _ => {
                let bound = self.bind(operand)?;
                if bound.ty.numeric_rank().is_some() {
                    return self.convert(bound, &SqlType::Int8, -1, CoercionContext::Explicit, pos);
                }
                if matches!(
                    bound.ty,
                    SqlType::Text | SqlType::Varchar | SqlType::Unknown
                ) {
                    return super::catalog_functions::regclass_of_text(self, bound, pos);
                }
                Err(EngineError::new(
                    "42846",
                    format!("cannot cast type {} to regclass", bound.ty.name()),
                )
                .at(pos))
            }
        }
    }

    /// pgvecto.rs 0.1's `vectors_load(regclass)` / `vectors_unload(regclass)`: the
    /// relation must exist; vecsh's indexes are always loaded, so the call only says so
    /// (a NOTICE) and returns NULL (pgvecto.rs returns `void`, which psql also prints
    /// empty).
    fn vectors_load(&mut self, name: &str, arg: &Expr) -> Result<Typed> {
        let relation = match &arg.kind {
            ExprKind::String(_) => self.regclass(arg, arg.pos.0)?,
            _ => self.bind(arg)?,
        };
        if relation.ty.numeric_rank().is_none() {
            return Err(EngineError::new(
                "42883",
                format!("function {name}({}) does not exist", relation.ty.name()),
            )
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
            .at(arg.pos.0));
        }
        self.cx.notice(EngineError::notice(
            "00000",
            format!("{name} has nothing to do: vecsh keeps vector indexes loaded"),
        ));
        Ok(Typed::new(BoundExpr::Const(Datum::Null), SqlType::Text))
    }

    /// The schemas of the session's search path that exist, in order.
    fn existing_search_path(&self) -> Vec<String> {
        crate::catalog::namespace::search_path()
            .iter()
            .filter(|schema| self.cx.catalog.schema_exists(schema))
            .cloned()
            .collect()
    }

    fn function(&mut self, name: &str, args: &[Expr], star: bool, pos: usize) -> Result<Typed> {
        if super::aggregate::is_aggregate(name) {
            return Err(EngineError::new(
                "42803",
                "aggregate functions are not allowed in this context",
            )
            .at(pos));
        }
        if star {
            return Err(EngineError::syntax("*", pos));
        }
        if let ("vectors_load" | "vectors_unload", [arg]) = (name, args) {
            return self.vectors_load(name, arg);
        }
        if let Some(call) = super::catalog_functions::bind(self, name, args, pos)? {
            return Ok(call);
        }
        if name == "concat" || name == "concat_ws" {
            return super::concat::bind(self, name, args, pos);
        }
        if name == "current_schema" && args.is_empty() {
            // The first schema of the search path that exists, NULL when none does.
            let schema = self.existing_search_path().into_iter().next();
            let value = schema.map_or(Datum::Null, Datum::Text);
            return Ok(Typed::new(BoundExpr::Const(value), SqlType::Text));
        }
        if let ("current_schemas", [arg]) = (name, args) {
            // The search path's existing schemas; with `true`, the implicit `pg_catalog`
            // first.
            let implicit = self.bind(arg)?;
            let BoundExpr::Const(Datum::Bool(implicit)) = self
                .convert(implicit, &SqlType::Bool, -1, CoercionContext::Implicit, pos)?
                .expr
            else {
                return Err(EngineError::unsupported(
                    "current_schemas takes a constant boolean in vecsh",
                )
                .at(pos));
            };
            let mut schemas = self.existing_search_path();
            if implicit && !schemas.iter().any(|s| s == "pg_catalog") {
                schemas.insert(0, "pg_catalog".to_string());
            }
            let array = crate::value::Array::one_dimensional(
                schemas.into_iter().map(Datum::Text).collect(),
            );
            return Ok(Typed::new(
                BoundExpr::Const(Datum::Array(array)),
                SqlType::Array(Box::new(SqlType::Text)),
            ));
        }
        if super::arrays::is_array_function(name) {
            return super::arrays::bind_function(self, name, args, pos);
        }
        if let ("pg_stat_statements_reset", [], Some(_)) =
            (name, args, self.cx.catalog.stat_statements)
        {
            // PostgreSQL's returns `void`, which prints as an empty value.
            return Ok(Typed::new(BoundExpr::StatementsReset, SqlType::Text));
        }
        if let (Some(part), [arg]) = (crate::expr::SizePart::of_function(name), args) {
            // The argument is a `regclass`: a name (a literal) or an OID.
            let relation = match &arg.kind {
                ExprKind::String(_) => self.regclass(arg, pos)?,
                _ => {
                    let bound = self.bind(arg)?;
                    if matches!(bound.ty, SqlType::Text | SqlType::Varchar) {
                        // A name known when the statement runs (text casts to regclass).
                        bound
                    } else if !matches!(bound.ty, SqlType::Int4 | SqlType::Int8 | SqlType::Unknown)
                    {
                        return Err(EngineError::new(
                            "42883",
                            format!("function {name}({}) does not exist", bound.ty.name()),
                        )
                        .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
                        .at(pos));
                    } else {
                        self.convert(bound, &SqlType::Int8, -1, CoercionContext::Explicit, pos)?
                    }
                }
            };
            let size = BoundExpr::RelationSize {
                part,
                relation: Box::new(relation.expr),
            };
            return Ok(Typed::new(size, SqlType::Int8));
        }
        if let ("pg_typeof", [arg]) = (name, args) {
            // `regtype` of the argument's type, known once bound (its modifier is not
            // part of it, as in PostgreSQL).
            let ty = self.bind(arg)?.ty;
            let oid = BoundExpr::Const(Datum::Int8(i64::from(ty.oid())));
            return Ok(Typed::new(oid, SqlType::RegType));
        }
        if name == "random" && args.is_empty() {
            return Ok(Typed::new(BoundExpr::Random, SqlType::Float8));
        }
        if name == "set_config" && args.len() == 3 {
            return super::setting_functions::set_config(self, args);
        }
        if name == "current_setting" && matches!(args.len(), 1 | 2) {
            return super::setting_functions::current_setting(self, args);
        }
        let mut bound = Vec::with_capacity(args.len() + 1);
        if args.len() == 1 && crate::expr::text_search::DEFAULT_CONFIG_FUNCTIONS.contains(&name) {
            // The configuration comes from `default_text_search_config` when the
            // statement is bound.
            let defaults = crate::settings::Settings::default();
            let settings = self.cx.settings.unwrap_or(&defaults);
            let config = settings.show("default_text_search_config")?;
            let name = vec_text::Config::by_name(&config)?.name();
            bound.push(Typed::new(
                BoundExpr::Const(Datum::Text(name.to_string())),
                SqlType::RegConfig,
            ));
        }
        for arg in args {
            bound.push(self.bind(arg)?);
        }
        let candidates = functions::function_candidates(name);
        let types: Vec<String> = bound.iter().map(|a| a.ty.name()).collect();
        let message = format!("function {name}({}) does not exist", types.join(", "));
        self.call(candidates, bound, (false, name, false), pos, &message)
    }

    /// Resolves an overload and binds the call, coercing the arguments.
    pub(super) fn call(
        &mut self,
        candidates: Vec<Signature>,
        args: Vec<Typed>,
        (binary_operator, name, operator): (bool, &str, bool),
        pos: usize,
        not_found: &str,
    ) -> Result<Typed> {
        let types: Vec<SqlType> = args.iter().map(|a| a.ty.clone()).collect();
        let signature = match resolve(candidates, &types, binary_operator) {
            Resolution::Found(signature) => signature,
            Resolution::NotFound => {
                let hint = if not_found.starts_with("operator") {
                    "No operator matches the given name and argument types. You might need to add explicit type casts."
                } else {
                    "No function matches the given name and argument types. You might need to add explicit type casts."
                };
                return Err(EngineError::new("42883", not_found).with_hint(hint).at(pos));
            }
            Resolution::Ambiguous => {
                let message = not_found
                    .replace("does not exist", "is not unique")
                    .replace("operator is not unique: ", "operator is not unique: ");
                let hint = if not_found.starts_with("operator") {
                    "Could not choose a best candidate operator. You might need to add explicit type casts."
                } else {
                    "Could not choose a best candidate function. You might need to add explicit type casts."
                };
                return Err(EngineError::new("42725", message).with_hint(hint).at(pos));
            }
        };
        let mut bound = Vec::with_capacity(args.len());
        for (arg, param) in args.into_iter().zip(&signature.args) {
            let param = match (param, &arg.ty) {
                (SqlType::Array(p), SqlType::Array(_)) if **p == SqlType::Unknown => arg.ty.clone(),
                _ => param.clone(),
            };
            bound.push(
                self.convert(arg, &param, -1, CoercionContext::Implicit, pos)?
                    .expr,
            );
        }
        Ok(Typed::new(
            BoundExpr::Call {
                imp: signature.imp,
                args: bound,
                name: name.into(),
                operator,
            },
            signature.ret,
        ))
    }

    fn array(&mut self, elements: &[Expr], pos: usize) -> Result<Typed> {
        let mut bound = Vec::with_capacity(elements.len());
        for element in elements {
            bound.push(self.bind(element)?);
        }
        // The element type: the widest known type among the elements (text if none).
        let mut element_type = SqlType::Unknown;
        for b in &bound {
            if b.ty == SqlType::Unknown {
                continue;
            }
            element_type = match (&element_type, &b.ty) {
                (SqlType::Unknown, t) => t.clone(),
                (a, t) if a.numeric_rank().is_some() && t.numeric_rank().is_some() => {
                    if t.numeric_rank() > a.numeric_rank() {
                        t.clone()
                    } else {
                        a.clone()
                    }
                }
                (a, _) => a.clone(),
            };
        }
        if element_type == SqlType::Unknown {
            if bound.is_empty() {
                return Err(
                    EngineError::new("42P18", "cannot determine type of empty array")
                        .with_hint(
                            "Explicitly cast to the desired type, for example ARRAY[]::integer[].",
                        )
                        .at(pos),
                );
            }
            element_type = SqlType::Text;
        }
        let mut exprs = Vec::with_capacity(bound.len());
        for b in bound {
            exprs.push(
                self.convert(b, &element_type, -1, CoercionContext::Implicit, pos)?
                    .expr,
            );
        }
        Ok(Typed::new(
            BoundExpr::Array(exprs),
            SqlType::Array(Box::new(element_type)),
        ))
    }

    /// Converts a value to `ty` (with modifier) in a context. An unknown literal is
    /// read by the type's input function now; other conversions happen at run time.
    pub fn convert(
        &mut self,
        value: Typed,
        ty: &SqlType,
        typmod: TypeMod,
        context: CoercionContext,
        pos: usize,
    ) -> Result<Typed> {
        let literal_pos = literal_position(&value, pos);
        let value = match (&value.ty, &value.expr) {
            (SqlType::Unknown, BoundExpr::Const(Datum::Text(text))) => {
                let datum = input(ty, text).map_err(|e| e.at(literal_pos))?;
                Typed::new(BoundExpr::Const(datum), ty.clone())
            }
            (SqlType::Unknown, BoundExpr::Const(Datum::Null)) => {
                Typed::new(BoundExpr::Const(Datum::Null), ty.clone())
            }
            // A parameter takes the type its context wants, as an unknown literal does.
            (SqlType::Unknown, BoundExpr::Param(index)) => {
                self.cx.infer_param(index + 1, ty);
                Typed::new(BoundExpr::Param(*index), ty.clone())
            }
            _ => value,
        };
        if value.ty == *ty && (typmod < 0 || value.typmod == typmod) {
            return Ok(Typed {
                typmod: value.typmod.max(typmod),
                ..value
            });
        }
        if !cast_exists(&value.ty, ty, context) {
            let message = match context {
                CoercionContext::Explicit => {
                    format!("cannot cast type {} to {}", value.ty.name(), ty.name())
                }
                _ => format!(
                    "argument of type {} cannot be converted to {}",
                    value.ty.name(),
                    ty.name()
                ),
            };
            return Err(EngineError::new("42846", message).at(pos));
        }
        let cast = BoundExpr::Cast {
            operand: Box::new(value.expr),
            from: value.ty,
            to: ty.clone(),
            typmod,
            context,
        };
        Ok(Typed {
            typmod,
            ..Typed::new(cast, ty.clone())
        })
    }

    /// Requires a boolean (`argument of WHERE must be type boolean, not type integer`).
    pub fn coerce(
        &mut self,
        value: Typed,
        ty: &SqlType,
        pos: usize,
        what: &str,
    ) -> Result<BoundExpr> {
        if value.ty == SqlType::Unknown || value.ty == *ty {
            return Ok(self
                .convert(value, ty, -1, CoercionContext::Implicit, pos)?
                .expr);
        }
        Err(EngineError::new(
            "42804",
            format!(
                "{what} must be type {}, not type {}",
                ty.name(),
                value.ty.name()
            ),
        )
        .at(pos))
    }
}

/// Where to point an error about converting `value`: the literal itself when it is one.
fn literal_position(value: &Typed, fallback: usize) -> usize {
    value.literal_pos.unwrap_or(fallback)
}
