//! The query grammar: `SELECT [DISTINCT [ON (…)]] … FROM … WHERE … GROUP BY … HAVING …`,
//! `TABLE name`, the `ORDER BY … LIMIT … OFFSET …` tail, select lists with aliases, and
//! the `FROM` item. Set operations between queries are in `setop.rs`.

use super::Parser;
use crate::error::Result;
use crate::sql::ast::{
    Cte, Distinct, FromItem, JoinConstraint, JoinKind, OrderKey, Pos, Select, SelectItem,
};
use crate::sql::lexer::TokenKind;

impl Parser<'_> {
    /// A query: `[WITH …] operands joined by UNION / INTERSECT / EXCEPT [ORDER BY …]
    /// [LIMIT …] [OFFSET …]` (see `setop.rs`).
    pub(super) fn select(&mut self) -> Result<Select> {
        self.enter()?;
        let result = self.query_inner();
        self.leave();
        result
    }

    /// Whether a query (`SELECT`, `WITH`, `TABLE` or `VALUES`) starts here.
    pub(super) fn peek_query(&self) -> bool {
        ["select", "with", "table", "values"]
            .iter()
            .any(|w| self.peek_word(w))
    }

    /// Whether a query starts here, possibly after opening parentheses.
    pub(super) fn peek_query_deep(&self) -> bool {
        let mut ahead = 0;
        while self.peek_at(ahead) == Some(&TokenKind::LParen) {
            ahead += 1;
        }
        matches!(self.peek_at(ahead), Some(TokenKind::Word(w)) if ["select", "with", "table", "values"].contains(&w.as_str()))
    }

    /// The `WITH` list at the cursor, if any.
    pub(super) fn with_clause(&mut self) -> Result<Vec<Cte>> {
        if self.eat_word("with") {
            self.ctes()
        } else {
            Ok(Vec::new())
        }
    }

    /// `SELECT [DISTINCT [ON (…)]] … FROM … WHERE … GROUP BY … HAVING …`, `TABLE name`
    /// (which is `SELECT * FROM name`) or `VALUES (…), …` (`SELECT *` over its rows).
    pub(super) fn simple_select(&mut self) -> Result<Select> {
        let table_pos = self.pos();
        if self.eat_word("values") {
            let mut rows = Vec::new();
            loop {
                self.expect(&TokenKind::LParen)?;
                rows.push(self.expr_list()?);
                self.expect(&TokenKind::RParen)?;
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            return Ok(Select {
                items: vec![SelectItem::Wildcard(Pos(table_pos))],
                from: Some(FromItem::Values {
                    rows,
                    pos: Pos(table_pos),
                }),
                ..Select::default()
            });
        }
        if self.eat_word("table") {
            let name = self.qualified_name()?;
            return Ok(Select {
                items: vec![SelectItem::Wildcard(Pos(table_pos))],
                from: Some(FromItem::Table {
                    name,
                    alias: None,
                    pos: Pos(table_pos + "table ".len()),
                }),
                ..Select::default()
            });
        }
        self.expect_word("select")?;
        let mut query = Select::default();
        if self.eat_word("distinct") {
            if self.eat_word("on") {
                self.expect(&TokenKind::LParen)?;
                let exprs = self.expr_list()?;
                self.expect(&TokenKind::RParen)?;
                query.distinct = Some(Distinct::On(exprs));
            } else {
                query.distinct = Some(Distinct::All);
            }
        } else {
            self.eat_word("all");
        }
        let ends_list = |p: &Self| {
            p.at_end()
                || matches!(p.peek(), Some(TokenKind::Semicolon | TokenKind::RParen))
                || [
                    "from",
                    "union",
                    "intersect",
                    "except",
                    "order",
                    "limit",
                    "offset",
                    "where",
                ]
                .iter()
                .any(|w| p.peek_word(w))
        };
        if !ends_list(self) {
            query.items = self.select_list()?;
        }
        if self.eat_word("from") {
            query.from = Some(self.table_refs()?);
        }
        if self.eat_word("where") {
            query.selection = Some(self.expr()?);
        }
        if self.eat_word("group") {
            self.expect_word("by")?;
            query.group_by = self.expr_list()?;
        }
        if self.eat_word("having") {
            query.having = Some(self.expr()?);
        }
        query.windows = self.window_clause()?;
        Ok(query)
    }

    /// `ORDER BY`, `LIMIT` and `OFFSET` after a query, into `query`; a clause the query
    /// already has (from inside parentheses) is refused as PostgreSQL refuses it.
    pub(super) fn query_tail(&mut self, query: &mut Select) -> Result<()> {
        if self.eat_word("order") {
            self.expect_word("by")?;
            let keys = self.order_keys()?;
            if !query.order_by.is_empty() {
                return Err(multiple("ORDER BY", keys[0].expr.pos.0));
            }
            query.order_by = keys;
        }
        loop {
            if self.eat_word("limit") {
                let pos = self.pos();
                let limit = match self.eat_word("all") {
                    true => None,
                    false => Some(self.expr()?),
                };
                if query.limit.is_some() {
                    return Err(multiple("LIMIT", pos));
                }
                query.limit = limit;
            } else if self.eat_word("offset") {
                let pos = self.pos();
                let offset = self.expr()?;
                if query.offset.is_some() {
                    return Err(multiple("OFFSET", pos));
                }
                query.offset = Some(offset);
                let _ = self.eat_word("rows") || self.eat_word("row");
            } else {
                return Ok(());
            }
        }
    }

    /// The list after `WITH`: `[RECURSIVE] name [(column, …)] AS [NOT] MATERIALIZED
    /// (query), …`.
    fn ctes(&mut self) -> Result<Vec<Cte>> {
        let recursive = self.eat_word("recursive");
        let mut ctes = Vec::new();
        loop {
            let pos = Pos(self.pos());
            let name = self.identifier()?;
            let columns = match self.eat(&TokenKind::LParen) {
                true => self.identifiers_to_paren()?,
                false => Vec::new(),
            };
            self.expect_word("as")?;
            let materialized = if self.eat_word("materialized") {
                Some(true)
            } else if self.eat_word("not") {
                self.expect_word("materialized")?;
                Some(false)
            } else {
                None
            };
            self.expect(&TokenKind::LParen)?;
            let query = self.select()?;
            self.expect(&TokenKind::RParen)?;
            ctes.push(Cte {
                name,
                pos,
                columns,
                recursive,
                materialized,
                query: Box::new(query),
            });
            if !self.eat(&TokenKind::Comma) {
                return Ok(ctes);
            }
        }
    }

    /// A select list (also used by `RETURNING`).
    pub(super) fn select_list(&mut self) -> Result<Vec<SelectItem>> {
        let mut items = Vec::new();
        loop {
            let pos = self.pos();
            let qualified_star = matches!(
                self.peek(),
                Some(TokenKind::Word(_) | TokenKind::QuotedIdent(_))
            ) && self.peek_at(1) == Some(&TokenKind::Dot)
                && matches!(self.peek_at(2), Some(TokenKind::Op(op)) if op == "*");
            if self.eat_op("*") {
                items.push(SelectItem::Wildcard(Pos(pos)));
            } else if qualified_star {
                let table = self.identifier()?;
                self.expect(&TokenKind::Dot)?;
                self.eat_op("*");
                items.push(SelectItem::QualifiedWildcard {
                    table,
                    pos: Pos(pos),
                });
            } else {
                let expr = self.expr()?;
                let alias = if self.eat_word("as") {
                    Some(self.label()?)
                } else if self.at_bare_alias() {
                    Some(self.identifier()?)
                } else {
                    None
                };
                items.push(SelectItem::Expr { expr, alias });
            }
            if !self.eat(&TokenKind::Comma) {
                return Ok(items);
            }
        }
    }

    pub(super) fn expr_list(&mut self) -> Result<Vec<crate::sql::ast::Expr>> {
        let mut exprs = vec![self.expr()?];
        while self.eat(&TokenKind::Comma) {
            exprs.push(self.expr()?);
        }
        Ok(exprs)
    }

    pub(super) fn order_keys(&mut self) -> Result<Vec<OrderKey>> {
        let mut keys = Vec::new();
        loop {
            let expr = self.expr()?;
            let descending = if self.eat_word("desc") {
                true
            } else {
                self.eat_word("asc");
                false
            };
            let nulls_first = if self.eat_word("nulls") {
                if self.eat_word("first") {
                    Some(true)
                } else {
                    self.expect_word("last")?;
                    Some(false)
                }
            } else {
                None
            };
            keys.push(OrderKey {
                expr,
                descending,
                nulls_first,
            });
            if !self.eat(&TokenKind::Comma) {
                return Ok(keys);
            }
        }
    }

    /// A `FROM` clause: items joined by commas, `CROSS JOIN` or qualified joins (`ON`,
    /// `USING`), left to right.
    fn table_refs(&mut self) -> Result<FromItem> {
        let mut item = self.table_ref()?;
        loop {
            if self.eat(&TokenKind::Comma) {
                let right = self.table_ref()?;
                item = FromItem::CrossJoin {
                    left: Box::new(item),
                    right: Box::new(right),
                };
            } else {
                let (next, joined) = self.joined(item)?;
                item = next;
                if !joined {
                    return Ok(item);
                }
            }
        }
    }

    /// The join that follows `left`, if one does (then `true`), else `left` itself.
    fn joined(&mut self, left: FromItem) -> Result<(FromItem, bool)> {
        if self.eat_word("cross") {
            self.expect_word("join")?;
            let right = self.table_ref()?;
            let item = FromItem::CrossJoin {
                left: Box::new(left),
                right: Box::new(right),
            };
            return Ok((item, true));
        }
        let natural = self.eat_word("natural");
        let kind = if self.eat_word("join") {
            JoinKind::Inner
        } else if self.eat_word("inner") {
            self.expect_word("join")?;
            JoinKind::Inner
        } else if self.peek_word("left") || self.peek_word("right") || self.peek_word("full") {
            let kind = match self.advance().map(|t| t.kind) {
                Some(TokenKind::Word(w)) if w == "left" => JoinKind::Left,
                Some(TokenKind::Word(w)) if w == "right" => JoinKind::Right,
                _ => JoinKind::Full,
            };
            self.eat_word("outer");
            self.expect_word("join")?;
            kind
        } else if natural {
            return Err(self.error_here());
        } else {
            return Ok((left, false));
        };
        let right = self.table_ref()?;
        let constraint = if natural {
            JoinConstraint::Natural
        } else if self.eat_word("on") {
            JoinConstraint::On(self.expr()?)
        } else if self.eat_word("using") {
            self.expect(&TokenKind::LParen)?;
            let mut columns = Vec::new();
            loop {
                let pos = Pos(self.pos());
                columns.push((self.identifier()?, pos));
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::RParen)?;
            JoinConstraint::Using(columns)
        } else {
            return Err(self.error_here());
        };
        let item = FromItem::Join {
            kind,
            left: Box::new(left),
            right: Box::new(right),
            constraint,
        };
        Ok((item, true))
    }

    fn table_ref(&mut self) -> Result<FromItem> {
        let lateral = self.eat_word("lateral");
        let pos = self.pos();
        if lateral && self.peek() != Some(&TokenKind::LParen) {
            return Err(crate::error::EngineError::new(
                "0A000",
                "LATERAL is supported only before a subquery",
            )
            .at(pos));
        }
        if self.peek() == Some(&TokenKind::LParen) && !lateral && !self.query_after_paren() {
            // A parenthesised join tree.
            self.advance();
            self.enter()?;
            let item = self.table_refs();
            self.leave();
            let item = item?;
            if !matches!(item, FromItem::Join { .. } | FromItem::CrossJoin { .. }) {
                return Err(self.error_here());
            }
            self.expect(&TokenKind::RParen)?;
            if self.peek_word("as") || self.at_bare_alias() {
                return Err(crate::error::EngineError::unsupported(
                    "aliases for parenthesised joins are not supported",
                )
                .at(self.pos()));
            }
            return Ok(item);
        }
        if self.eat(&TokenKind::LParen) {
            let query = self.select()?;
            self.expect(&TokenKind::RParen)?;
            let alias = self.alias()?;
            let mut columns = Vec::new();
            if alias.is_some() && self.eat(&TokenKind::LParen) {
                columns.push(self.identifier()?);
                while self.eat(&TokenKind::Comma) {
                    columns.push(self.identifier()?);
                }
                self.expect(&TokenKind::RParen)?;
            }
            return Ok(FromItem::Subquery {
                query: Box::new(query),
                alias,
                columns,
                lateral,
            });
        }
        // `f(…)` or `pg_catalog.f(…)`.
        let is_call = (self.peek_at(1) == Some(&TokenKind::LParen)
            && matches!(self.peek(), Some(TokenKind::Word(_))))
            || (self.peek_word("pg_catalog")
                && self.peek_at(1) == Some(&TokenKind::Dot)
                && matches!(self.peek_at(2), Some(TokenKind::Word(_)))
                && self.peek_at(3) == Some(&TokenKind::LParen));
        if is_call {
            let call = self.expr()?;
            let alias = self.alias()?;
            return Ok(FromItem::Function { call, alias });
        }
        let name = self.qualified_name()?;
        let alias = self.alias()?;
        Ok(FromItem::Table {
            name,
            alias,
            pos: Pos(pos),
        })
    }

    /// Whether the `(` at the cursor opens a query (whose first operand may itself be
    /// parenthesised).
    fn query_after_paren(&self) -> bool {
        self.peek_query_deep()
    }

    fn alias(&mut self) -> Result<Option<String>> {
        if self.eat_word("as") {
            return Ok(Some(self.identifier()?));
        }
        if self.at_bare_alias() {
            return Ok(Some(self.identifier()?));
        }
        Ok(None)
    }
}

/// `multiple ORDER BY clauses not allowed`, and the same for `LIMIT` and `OFFSET`.
fn multiple(clause: &str, pos: usize) -> crate::error::EngineError {
    crate::error::EngineError::new("42601", format!("multiple {clause} clauses not allowed"))
        .at(pos)
}
