//! Plans of repeated statement shapes. A script or an application that sends the same
//! query again and again with a different query vector —
//! `SELECT id FROM items ORDER BY embedding <=> '[…]' LIMIT 10` — has it parsed, bound
//! and planned once: the statement's vector literals are taken out as parameters (its
//! "shape" is the text with `$1`, `$2`… in their place), the shape's plan is kept, and
//! later statements of the shape only convert their literals and run it, as an
//! `EXECUTE` of a prepared statement does (a `WHERE` that compares with a literal is
//! planned again with the values, as prepared statements' custom plans are).
//!
//! What may be taken out is narrow, so that a cached run gives what the statement
//! itself would: a plain `'…'` literal that starts with `[` or `{`, that follows an
//! operator, a comma or an opening parenthesis (not `CAST(`), and that no `::` follows;
//! and a shape is kept only when binding it gives each such parameter a vector type
//! (`vector`, `halfvec`, `sparsevec`), emits no notice, and is a query. A shape is
//! planned the second time it is seen (a statement sent once costs nothing more); a
//! literal that does not convert sends its statement down the ordinary path, which
//! reports the error as usual. A shape is planned again when the schema or the
//! session's settings change, and at least once a second, so that its plan follows the
//! row estimates of growing tables. `SET plan_cache_mode = force_custom_plan` turns the
//! cache off.

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Instant;

use super::prepared::CachedPlan;
use super::Session;
use crate::analyze::{self, Context};
use crate::error::Result;
use crate::exec::setting_changes::SettingChanges;
use crate::exec::StatementResult;
use crate::sql::ast::{self, Statement};
use crate::sql::lexer::{tokenize_lending_strings, Token, TokenKind};
use crate::value::{Datum, SqlType};

/// The most shapes a session keeps; past it the cache starts again empty.
const MAX_SHAPES: usize = 256;

/// How long a shape's plan is used before it is made again: the planner's row estimates
/// follow the tables as they grow (a plan made on an empty table scans it whole), so a
/// kept plan must not outlive them by much. At thousands of statements a second this is
/// one plan in thousands.
const REPLAN_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// A session's statement shapes, by parameterized text.
#[derive(Default)]
pub(super) struct ShapeCache {
    shapes: HashMap<String, Shape>,
}

/// What is known of one shape.
enum Shape {
    /// Seen once: planned if seen again.
    Seen,
    /// Not to be cached under the schema version it holds (binding it failed, or gave a
    /// parameter a non-vector type); tried again once the schema changes.
    Refused(u64),
    /// Bound and planned.
    Planned(Box<ShapePlan>),
}

struct ShapePlan {
    select: Box<ast::Select>,
    param_types: Vec<SqlType>,
    plan: CachedPlan,
    /// When `plan` was made.
    planned_at: Instant,
}

/// One statement split into its shape and its literals.
struct Split<'a> {
    /// The statement with `$n` in place of each literal taken out.
    shape: String,
    /// The literals' contents, in order: borrowed from the statement unless a doubled
    /// quote made the content differ from the text.
    literals: Vec<Cow<'a, str>>,
    /// The statement's own text (without a trailing `;`), as `pg_stat_statements`
    /// counts it.
    text: std::ops::Range<usize>,
}

impl Session {
    /// Runs `sql` through its shape's cached plan when it is one query of a repeated
    /// shape (see the module's documentation); `None` when it must take the ordinary
    /// path ([`Session::execute`], which tries this first): first sight of a shape, a
    /// shape that cannot be cached, a literal that does not convert, an aborted block.
    pub fn execute_shape(&mut self, sql: &str) -> Option<Result<StatementResult>> {
        if self.settings.word(&crate::settings::PLAN_CACHE_MODE) == "force_custom_plan" {
            return None;
        }
        let split = split(sql)?;
        let shape = match self.shapes.shapes.get(&split.shape) {
            None => {
                if self.shapes.shapes.len() >= MAX_SHAPES {
                    self.shapes.shapes.clear();
                }
                self.shapes.shapes.insert(split.shape, Shape::Seen);
                return None;
            }
            Some(Shape::Refused(version)) if *version == self.database.schema_version() => {
                return None
            }
            Some(Shape::Refused(_) | Shape::Seen) => None,
            Some(Shape::Planned(_)) => self.shapes.shapes.remove(&split.shape),
        };
        if self.txn.check_not_aborted().is_err() {
            if let Some(shape) = shape {
                self.shapes.shapes.insert(split.shape, shape);
            }
            return None;
        }
        let plan = self.with_search_path(|session| match shape {
            Some(Shape::Planned(plan)) => session.refresh_shape(plan),
            _ => session.plan_shape(&split.shape, split.literals.len()),
        });
        let Some(plan) = plan else {
            let version = self.database.schema_version();
            self.shapes
                .shapes
                .insert(split.shape, Shape::Refused(version));
            return None;
        };
        let values = plan
            .param_types
            .iter()
            .zip(&split.literals)
            .map(|(ty, literal)| crate::value::input::input(ty, literal))
            .collect::<Result<Vec<Datum>>>();
        let result = match values {
            Ok(values) => Some(self.run_shape(&plan, &values, &sql[split.text])),
            Err(_) => None,
        };
        self.shapes.shapes.insert(split.shape, Shape::Planned(plan));
        result
    }

    /// Parses, binds and plans a shape; `None` when it is not to be cached.
    fn plan_shape(&mut self, shape: &str, params: usize) -> Option<Box<ShapePlan>> {
        let mut statements = crate::sql::parse(shape).ok()?;
        let Some(Statement::Select(select)) = statements.pop() else {
            return None;
        };
        if !statements.is_empty() {
            return None;
        }
        let (param_types, plan) = self.bind_shape(&select, &vec![SqlType::Unknown; params])?;
        Some(Box::new(ShapePlan {
            select,
            param_types,
            plan,
            planned_at: Instant::now(),
        }))
    }

    /// A shape's plan, made again if the schema or the settings changed since, or if
    /// it is older than [`REPLAN_AFTER`].
    fn refresh_shape(&mut self, mut plan: Box<ShapePlan>) -> Option<Box<ShapePlan>> {
        let fresh = plan
            .plan
            .is_fresh(self.database.schema_version(), &self.settings)
            && plan.planned_at.elapsed() < REPLAN_AFTER;
        if !fresh {
            let (types, cached) = self.bind_shape(&plan.select, &plan.param_types)?;
            if types != plan.param_types {
                return None;
            }
            plan.plan = cached;
            plan.planned_at = Instant::now();
        }
        Some(plan)
    }

    /// Binds and plans a shape's query with parameters of `types`; `None` unless every
    /// parameter comes out a vector type and binding emits no notice.
    fn bind_shape(
        &mut self,
        select: &ast::Select,
        types: &[SqlType],
    ) -> Option<(Vec<SqlType>, CachedPlan)> {
        let shared = std::sync::Arc::clone(&self.database.shared);
        let catalog = shared.catalog.read();
        let cx = Context::new(&catalog, false)
            .with_params(types.to_vec())
            .with_settings(&self.settings);
        let bound = analyze::bind_query_in(cx, select).ok()?;
        let vectors = bound.params.len() == types.len()
            && bound
                .params
                .iter()
                .all(|ty| matches!(ty, SqlType::Vector | SqlType::HalfVec | SqlType::SparseVec));
        if !vectors || !bound.notices.is_empty() {
            return None;
        }
        let types = bound.params.clone();
        let version = self.database.schema_version();
        Some((types, self.keep_plan(bound, &catalog, version)))
    }

    /// Runs a shape's plan as `execute_statement` runs a statement: under the search
    /// path, aborting an open block on error, counted in `pg_stat_statements` as `text`.
    fn run_shape(
        &mut self,
        plan: &ShapePlan,
        values: &[Datum],
        text: &str,
    ) -> Result<StatementResult> {
        let started = Instant::now();
        self.cancel.reset();
        let result = self.with_search_path(|session| {
            let changes = SettingChanges::new(&session.settings);
            let result = session.run_cached_plan(&plan.plan, values, &changes)?;
            session.apply_setting_changes(changes.into_changes())?;
            Ok(result)
        });
        match &result {
            Err(_) => self.abort_block(),
            Ok(result) => {
                self.auto_analyze();
                self.count_statement(text, started, result);
            }
        }
        result
    }
}

/// Splits one query statement into its shape and the literals taken out of it; `None`
/// when it has none to take out (or is not one query).
fn split(sql: &str) -> Option<Split<'_>> {
    // Most statements have no vector literal: skip them before lexing.
    if !sql.contains("'[") && !sql.contains("'{") {
        return None;
    }
    let mut tokens = tokenize_lending_strings(sql).ok()?;
    while matches!(tokens.last(), Some(token) if token.kind == TokenKind::Semicolon) {
        tokens.pop();
    }
    let first = tokens.first()?;
    let query = matches!(&first.kind, TokenKind::Word(w) if w == "select" || w == "with");
    let plain = tokens.iter().all(|token| match &token.kind {
        TokenKind::Semicolon | TokenKind::Param(_) => false,
        TokenKind::Word(w) => !matches!(w.as_str(), "insert" | "update" | "delete" | "into"),
        _ => true,
    });
    if !query || !plain {
        return None;
    }
    let (start, end) = (first.start, tokens.last()?.end);
    let mut shape = String::with_capacity(end - start);
    let mut literals = Vec::new();
    let mut copied = start;
    for i in 0..tokens.len() {
        if !parameter_literal(sql, &tokens, i) {
            continue;
        }
        shape.push_str(&sql[copied..tokens[i].start]);
        shape.push('$');
        shape.push_str(&(literals.len() + 1).to_string());
        copied = tokens[i].end;
        match std::mem::replace(&mut tokens[i].kind, TokenKind::Comma) {
            TokenKind::String(content) => literals.push(Cow::Owned(content)),
            TokenKind::LentString => literals.push(Cow::Borrowed(lent_content(sql, &tokens[i]))),
            _ => {}
        }
    }
    if literals.is_empty() {
        return None;
    }
    shape.push_str(&sql[copied..end]);
    Some(Split {
        shape,
        literals,
        text: start..end,
    })
}

/// The content of a [`TokenKind::LentString`]: its text between the quotes.
fn lent_content<'a>(sql: &'a str, token: &Token) -> &'a str {
    &sql[token.start + 1..token.end - 1]
}

/// Whether token `i` is a literal to take out: a plain `'…'` string starting with `[`
/// or `{`, after an operator, a comma or an opening parenthesis other than `CAST(`, and
/// not followed by `::`.
fn parameter_literal(sql: &str, tokens: &[Token], i: usize) -> bool {
    let token = &tokens[i];
    let content = match &token.kind {
        TokenKind::String(content) => content.as_str(),
        TokenKind::LentString => lent_content(sql, token),
        _ => return false,
    };
    if sql.as_bytes().get(token.start) != Some(&b'\'') || !content.starts_with(['[', '{']) {
        return false;
    }
    let before = i.checked_sub(1).map(|j| &tokens[j].kind);
    let after = tokens.get(i + 1).map(|t| &t.kind);
    let cast_call = i >= 2 && matches!(&tokens[i - 2].kind, TokenKind::Word(w) if w == "cast");
    let follows = match before {
        Some(TokenKind::Op(_) | TokenKind::Comma) => true,
        Some(TokenKind::LParen) => !cast_call,
        _ => false,
    };
    follows && after != Some(&TokenKind::DoubleColon)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_of(sql: &str) -> Option<(String, Vec<String>)> {
        split(sql).map(|s| {
            (
                s.shape,
                s.literals.into_iter().map(Cow::into_owned).collect(),
            )
        })
    }

    #[test]
    fn vector_literals_become_parameters() {
        let (shape, literals) =
            shape_of("SELECT id FROM t ORDER BY v <-> '[1,2]' LIMIT 5;").unwrap();
        assert_eq!(shape, "SELECT id FROM t ORDER BY v <-> $1 LIMIT 5");
        assert_eq!(literals, ["[1,2]"]);
        let (shape, literals) = shape_of(
            "select l2_distance(v, '[1]'), v <#> '{1:2}/3' from t where k = 'x' and v <-> '[3]' < 1",
        )
        .unwrap();
        assert_eq!(
            shape,
            "select l2_distance(v, $1), v <#> $2 from t where k = 'x' and v <-> $3 < 1"
        );
        assert_eq!(literals, ["[1]", "{1:2}/3", "[3]"]);
        // A doubled quote makes the content differ from the text.
        let (shape, literals) = shape_of("SELECT v <-> '[1,''2]' FROM t").unwrap();
        assert_eq!(shape, "SELECT v <-> $1 FROM t");
        assert_eq!(literals, ["[1,'2]"]);
        let (_, literals) = shape_of("SELECT v <-> '[1]''' FROM t").unwrap();
        assert_eq!(literals, ["[1]'"]);
    }

    #[test]
    fn other_statements_and_literals_stay() {
        for sql in [
            "SELECT '[1,2]'::vector",
            "SELECT CAST('[1,2]' AS vector)",
            "SELECT vector '[1,2]'",
            "SELECT E'[1,2]' <-> v FROM t",
            "SELECT v <-> $1 FROM t WHERE v <-> '[1]' < 2",
            "INSERT INTO t VALUES ('[1,2]')",
            "SELECT 1; SELECT v <-> '[1]' FROM t",
            "WITH d AS (DELETE FROM t RETURNING v) SELECT v <-> '[1]' FROM d",
            "SELECT 'abc' = name FROM t",
        ] {
            assert_eq!(shape_of(sql), None, "{sql}");
        }
    }

    #[test]
    fn a_shape_is_planned_at_its_second_sighting_and_used_after() {
        let mut session = crate::session::Database::in_memory().session();
        session
            .execute("CREATE TABLE t (id int, v vector(2)); INSERT INTO t VALUES (1, '[0,0]'), (2, '[5,5]')")
            .unwrap();
        let planned = |session: &Session| {
            session
                .shapes
                .shapes
                .values()
                .filter(|shape| matches!(shape, Shape::Planned(_)))
                .count()
        };
        let ids = |session: &mut Session, q: &str| {
            let sql = format!("SELECT id FROM t ORDER BY v <-> '{q}' LIMIT 1");
            let rows = session.execute(&sql).unwrap().remove(0).rows.unwrap().rows;
            rows[0][0].to_text()
        };
        assert_eq!(ids(&mut session, "[0,1]").as_deref(), Some("1"));
        assert_eq!(planned(&session), 0);
        assert_eq!(ids(&mut session, "[5,4]").as_deref(), Some("2"));
        assert_eq!(planned(&session), 1);
        assert_eq!(ids(&mut session, "[1,1]").as_deref(), Some("1"));
        assert!(session
            .execute_shape("SELECT id FROM t ORDER BY v <-> '[9,9]' LIMIT 1")
            .is_some());
        // A literal that binds as text is refused for good.
        for _ in 0..3 {
            session.execute("SELECT length('[1,2]')").unwrap();
        }
        assert!(matches!(
            session.shapes.shapes.get("SELECT length($1)"),
            Some(Shape::Refused(_))
        ));
        // A shape refused because its table is gone is tried again once it is back.
        session.execute("DROP TABLE t").unwrap();
        for _ in 0..2 {
            let _ = session.execute("SELECT id FROM t ORDER BY v <-> '[0,0]' LIMIT 1");
        }
        session
            .execute("CREATE TABLE t (id int, v vector(2))")
            .unwrap();
        for _ in 0..2 {
            session
                .execute("SELECT id FROM t ORDER BY v <-> '[0,0]' LIMIT 1")
                .unwrap();
        }
        assert!(matches!(
            session
                .shapes
                .shapes
                .get("SELECT id FROM t ORDER BY v <-> $1 LIMIT 1"),
            Some(Shape::Planned(_))
        ));
    }

    #[test]
    fn an_old_plan_is_made_again() {
        let mut session = crate::session::Database::in_memory().session();
        session
            .execute("CREATE TABLE t (id int, v vector(2)); CREATE INDEX ON t USING hnsw (v vector_l2_ops)")
            .unwrap();
        let query = |q: &str| format!("SELECT id FROM t ORDER BY v <-> '{q}' LIMIT 1");
        for q in ["[0,0]", "[1,1]", "[2,2]"] {
            session.execute(&query(q)).unwrap();
        }
        let planned_at = |session: &Session| match session.shapes.shapes.values().next() {
            Some(Shape::Planned(plan)) => plan.planned_at,
            _ => panic!("no planned shape"),
        };
        let first = planned_at(&session);
        session.execute(&query("[3,3]")).unwrap();
        assert_eq!(planned_at(&session), first);
        if let Some(Shape::Planned(plan)) = session.shapes.shapes.values_mut().next() {
            plan.planned_at = Instant::now() - REPLAN_AFTER;
        }
        session.execute(&query("[4,4]")).unwrap();
        assert!(planned_at(&session) > first);
    }
}
