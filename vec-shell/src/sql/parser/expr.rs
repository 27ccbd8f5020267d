//! Expressions and type names.
//!
//! Binding powers follow PostgreSQL's `gram.y`, loosest first: `OR`, `AND`, `NOT`,
//! `IS`, comparisons (`< > = <= >= <>`, non-associative), `[NOT] BETWEEN / IN / LIKE /
//! ILIKE`, any other operator (`<->`, `||`, …), `+ -`, `* / %`, `^`, unary minus, and
//! `::`. `LIKE` becomes PostgreSQL's operator `~~` (`ILIKE` `~~*`, negated `!~~`,
//! `!~~*`); `BETWEEN` and `IN (list)` become the comparisons they stand for.

use super::Parser;
use crate::error::Result;
use crate::sql::ast::{
    AggClauses, ChainLink, Expr, ExprKind, Pos, SubLinkKind, TypeModifier, TypeName,
    CHAIN_MIN_LINKS,
};
use crate::sql::lexer::TokenKind;

const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_NOT: u8 = 3;
const PREC_IS: u8 = 4;
const PREC_CMP: u8 = 5;
const PREC_LIKE: u8 = 6;
const PREC_OTHER: u8 = 7;
const PREC_ADD: u8 = 8;
const PREC_MUL: u8 = 9;
const PREC_EXP: u8 = 10;
const PREC_UNARY: u8 = 11;

/// The binding power of an infix operator.
fn infix_precedence(op: &str) -> u8 {
    match op {
        "<" | ">" | "=" | "<=" | ">=" | "<>" => PREC_CMP,
        "+" | "-" => PREC_ADD,
        "*" | "/" | "%" => PREC_MUL,
        "^" => PREC_EXP,
        _ => PREC_OTHER,
    }
}

impl Parser<'_> {
    /// A full expression.
    pub(super) fn expr(&mut self) -> Result<Expr> {
        self.expr_bp(0)
    }

    fn expr_bp(&mut self, min_prec: u8) -> Result<Expr> {
        self.enter()?;
        let result = self.expr_bp_inner(min_prec);
        self.leave();
        result
    }

    /// The precedence climber's loop. A run of operators of one level (`a + b - c`,
    /// `x AND y AND z`) is gathered in `run` and made into nested binary nodes, or one
    /// [`ExprKind::Chain`] when it is long, once the run ends: the loop never recurses
    /// for the next operator of the same level, so a list of 100,000 terms costs no
    /// stack. Postfix forms (`::type`, `IS NULL`, predicates) count against the nesting
    /// limit, as each wraps everything to its left.
    fn expr_bp_inner(&mut self, min_prec: u8) -> Result<Expr> {
        let mut left = self.prefix()?;
        let mut run: Vec<ChainLink> = Vec::new();
        let mut run_prec = 0u8;
        let mut postfix = 0usize;
        loop {
            let pos = self.pos();
            // `OPERATOR(pg_catalog.~)`: an operator named explicitly, of the precedence
            // of any other operator whatever its symbol.
            let explicit = self.explicit_operator();
            let next = match &explicit {
                Some((op, _)) => Some(TokenKind::Op(op.clone())),
                None => self.peek().cloned(),
            };
            match next {
                Some(TokenKind::Word(w)) if w == "collate" => {
                    left = close_run(left, &mut run);
                    self.count_postfix(&mut postfix)?;
                    self.advance();
                    let collation = self.collation_name()?;
                    left = Expr::new(
                        ExprKind::Collate {
                            operand: Box::new(left),
                            collation,
                        },
                        pos,
                    );
                }
                Some(TokenKind::DoubleColon) => {
                    left = close_run(left, &mut run);
                    self.count_postfix(&mut postfix)?;
                    self.advance();
                    let type_name = self.type_name()?;
                    left = Expr::new(
                        ExprKind::Cast {
                            operand: Box::new(left),
                            type_name,
                        },
                        pos,
                    );
                }
                // Literals take no subscript (`1[1]` is a syntax error, as in PostgreSQL).
                Some(TokenKind::LBracket)
                    if self.after_close_paren()
                        || !matches!(
                            left.kind,
                            ExprKind::Number(_) | ExprKind::String(_) | ExprKind::BitString(_)
                        ) =>
                {
                    left = close_run(left, &mut run);
                    self.count_postfix(&mut postfix)?;
                    left = self.subscript(left)?;
                }
                Some(TokenKind::Word(w)) if w == "is" && min_prec < PREC_IS => {
                    left = close_run(left, &mut run);
                    self.count_postfix(&mut postfix)?;
                    self.advance();
                    let negated = self.eat_word("not");
                    self.expect_word("null")?;
                    left = Expr::new(
                        ExprKind::IsNull {
                            operand: Box::new(left),
                            negated,
                        },
                        pos,
                    );
                }
                Some(TokenKind::Word(_)) if min_prec < PREC_LIKE && self.at_predicate() => {
                    left = close_run(left, &mut run);
                    self.count_postfix(&mut postfix)?;
                    left = self.predicate(left, pos)?;
                }
                Some(TokenKind::Word(w)) if (w == "and" || w == "or") => {
                    let prec = if w == "and" { PREC_AND } else { PREC_OR };
                    if prec <= min_prec {
                        return Ok(close_run(left, &mut run));
                    }
                    self.advance();
                    let right = self.expr_bp(prec)?;
                    if run_prec != prec {
                        left = close_run(left, &mut run);
                        run_prec = prec;
                    }
                    run.push(link(&w, right, pos));
                }
                Some(TokenKind::Op(op)) => {
                    let prec = match explicit {
                        Some(_) => PREC_OTHER,
                        None => infix_precedence(&op),
                    };
                    if prec <= min_prec {
                        return Ok(close_run(left, &mut run));
                    }
                    for _ in 0..explicit.as_ref().map_or(1, |(_, tokens)| *tokens) {
                        self.advance();
                    }
                    if let Some(quantifier) = self.quantified_query() {
                        // `left op ANY | SOME | ALL (query)`
                        left = close_run(left, &mut run);
                        run_prec = 0;
                        self.advance();
                        self.expect(&TokenKind::LParen)?;
                        let query = self.select()?;
                        self.expect(&TokenKind::RParen)?;
                        let left_box = Box::new(left);
                        let kind = match quantifier {
                            true => SubLinkKind::All { left: left_box, op },
                            false => SubLinkKind::Any { left: left_box, op },
                        };
                        let query = Box::new(query);
                        left = Expr::new(ExprKind::SubLink { kind, query }, pos);
                        continue;
                    }
                    if let Some(all) = self.quantified_array() {
                        // `left op ANY | SOME | ALL (array)`
                        left = close_run(left, &mut run);
                        run_prec = 0;
                        left = self.array_compare(left, op, all, pos)?;
                        continue;
                    }
                    let right = self.expr_bp(prec)?;
                    // Comparisons do not associate: `a < b < c` is an error.
                    if prec == PREC_CMP {
                        if let Some(TokenKind::Op(next)) = self.peek() {
                            if infix_precedence(next) == PREC_CMP {
                                return Err(self.error_here());
                            }
                        }
                    }
                    if run_prec != prec {
                        left = close_run(left, &mut run);
                        run_prec = prec;
                    }
                    run.push(link(&op, right, pos));
                }
                _ => return Ok(close_run(left, &mut run)),
            }
        }
    }

    /// `[index]` or `[lower:upper]` after `operand`, at the bracket.
    fn subscript(&mut self, operand: Expr) -> Result<Expr> {
        let pos = operand.pos.0;
        self.expect(&TokenKind::LBracket)?;
        let bound = |p: &mut Self| -> Result<Option<Box<Expr>>> {
            match p.peek() {
                Some(TokenKind::Colon | TokenKind::RBracket) => Ok(None),
                _ => Ok(Some(Box::new(p.expr()?))),
            }
        };
        let lower = bound(self)?;
        let slice = self.eat(&TokenKind::Colon);
        let upper = if slice { bound(self)? } else { None };
        if !slice && lower.is_none() {
            return Err(self.error_here());
        }
        self.expect(&TokenKind::RBracket)?;
        let kind = ExprKind::Subscript {
            operand: Box::new(operand),
            lower,
            upper,
            slice,
        };
        Ok(Expr::new(kind, pos))
    }

    /// At `OPERATOR([schema.]op)`: the operator and how many tokens spell it. Only
    /// `pg_catalog` and `public` hold operators.
    fn explicit_operator(&self) -> Option<(String, usize)> {
        if !self.peek_word("operator") || self.peek_at(1) != Some(&TokenKind::LParen) {
            return None;
        }
        let (op_at, tokens) = match self.peek_at(2) {
            Some(TokenKind::Word(schema))
                if matches!(schema.as_str(), "pg_catalog" | "public")
                    && self.peek_at(3) == Some(&TokenKind::Dot) =>
            {
                (4, 6)
            }
            _ => (2, 4),
        };
        match (self.peek_at(op_at), self.peek_at(op_at + 1)) {
            (Some(TokenKind::Op(op)), Some(TokenKind::RParen)) => Some((op.clone(), tokens)),
            _ => None,
        }
    }

    /// A collation's name after `COLLATE`: `"C"`, `pg_catalog.default`, kept as written
    /// (schema-qualified with a dot).
    fn collation_name(&mut self) -> Result<String> {
        let mut name = String::new();
        loop {
            match self.peek() {
                Some(TokenKind::Word(w)) | Some(TokenKind::QuotedIdent(w)) => name.push_str(w),
                _ => return Err(self.error_here()),
            }
            self.advance();
            if !self.eat(&TokenKind::Dot) {
                return Ok(name);
            }
            name.push('.');
        }
    }

    /// At `ANY | SOME | ALL (query)` after an operator: `Some(true)` for `ALL`.
    fn quantified_query(&self) -> Option<bool> {
        let all = match self.peek() {
            Some(TokenKind::Word(w)) if w == "any" || w == "some" => false,
            Some(TokenKind::Word(w)) if w == "all" => true,
            _ => return None,
        };
        let mut ahead = 1;
        while self.peek_at(ahead) == Some(&TokenKind::LParen) {
            ahead += 1;
        }
        let query_follows = ahead > 1
            && matches!(self.peek_at(ahead), Some(TokenKind::Word(w)) if w == "select" || w == "with" || w == "table");
        query_follows.then_some(all)
    }

    /// At `ANY | SOME | ALL (` not followed by a query: `Some(true)` for `ALL`.
    fn quantified_array(&self) -> Option<bool> {
        let all = match self.peek() {
            Some(TokenKind::Word(w)) if w == "any" || w == "some" => false,
            Some(TokenKind::Word(w)) if w == "all" => true,
            _ => return None,
        };
        (self.peek_at(1) == Some(&TokenKind::LParen)).then_some(all)
    }

    /// `ANY | SOME | ALL (array)` after `left op`, the quantifier next.
    fn array_compare(&mut self, left: Expr, op: String, all: bool, pos: usize) -> Result<Expr> {
        self.advance();
        self.expect(&TokenKind::LParen)?;
        let array = self.expr()?;
        self.expect(&TokenKind::RParen)?;
        let kind = ExprKind::ArrayCompare {
            left: Box::new(left),
            op,
            all,
            array: Box::new(array),
        };
        Ok(Expr::new(kind, pos))
    }

    /// Counts one more postfix form wrapping the expression, failing as too deep
    /// nesting does when there are too many.
    fn count_postfix(&mut self, postfix: &mut usize) -> Result<()> {
        *postfix += 1;
        if self.depth + *postfix > super::MAX_NESTING {
            return Err(super::too_deep());
        }
        Ok(())
    }

    /// Whether the next words start `[NOT] LIKE | ILIKE | BETWEEN | IN`.
    fn at_predicate(&self) -> bool {
        let word = |ahead| match self.peek_at(ahead) {
            Some(TokenKind::Word(w)) => Some(w.as_str()),
            _ => None,
        };
        let is_predicate = |w: Option<&str>| matches!(w, Some("like" | "ilike" | "between" | "in"));
        is_predicate(word(0)) || (word(0) == Some("not") && is_predicate(word(1)))
    }

    /// `left [NOT] LIKE | ILIKE pattern`, `left [NOT] BETWEEN low AND high`,
    /// `left [NOT] IN (a, b, …)`.
    fn predicate(&mut self, left: Expr, pos: usize) -> Result<Expr> {
        let negated = self.eat_word("not");
        let keyword_pos = self.pos();
        let Some(TokenKind::Word(keyword)) = self.advance().map(|t| t.kind) else {
            return Err(self.error_here());
        };
        match keyword.as_str() {
            "like" | "ilike" => {
                let op = match (keyword.as_str(), negated) {
                    ("like", false) => "~~",
                    ("like", true) => "!~~",
                    (_, false) => "~~*",
                    (_, true) => "!~~*",
                };
                if let Some(all) = self.quantified_array() {
                    return self.array_compare(left, op.to_string(), all, keyword_pos);
                }
                let pattern = self.expr_bp(PREC_LIKE)?;
                if self.peek_word("escape") {
                    return Err(crate::error::EngineError::unsupported(
                        "LIKE … ESCAPE is not supported",
                    )
                    .at(self.pos()));
                }
                Ok(binary(op, left, pattern, pos))
            }
            "between" => {
                let low = self.expr_bp(PREC_LIKE)?;
                self.expect_word("and")?;
                let high = self.expr_bp(PREC_LIKE)?;
                Ok(if negated {
                    let below = binary("<", left.clone(), low, pos);
                    binary("or", below, binary(">", left, high, pos), pos)
                } else {
                    let above = binary(">=", left.clone(), low, pos);
                    binary("and", above, binary("<=", left, high, pos), pos)
                })
            }
            _ => {
                self.expect(&TokenKind::LParen)?;
                if self.peek_query_deep() {
                    let query = self.select()?;
                    self.expect(&TokenKind::RParen)?;
                    let kind = SubLinkKind::Any {
                        left: Box::new(left),
                        op: "=".to_string(),
                    };
                    let any = Expr::new(
                        ExprKind::SubLink {
                            kind,
                            query: Box::new(query),
                        },
                        keyword_pos,
                    );
                    return Ok(if negated { unary("not", any, pos) } else { any });
                }
                let first = self.expr()?;
                let any = binary("=", left.clone(), first, pos);
                let mut run = Vec::new();
                while self.eat(&TokenKind::Comma) {
                    let item = self.expr()?;
                    run.push(link("or", binary("=", left.clone(), item, pos), pos));
                }
                self.expect(&TokenKind::RParen)?;
                let any = close_run(any, &mut run);
                Ok(if negated { unary("not", any, pos) } else { any })
            }
        }
    }

    fn prefix(&mut self) -> Result<Expr> {
        let pos = self.pos();
        if self.eat_word("not") {
            let operand = self.expr_bp(PREC_NOT)?;
            return Ok(unary("not", operand, pos));
        }
        if self.peek_word("exists") && self.peek_at(1) == Some(&TokenKind::LParen) {
            self.advance();
            self.advance();
            let query = self.select()?;
            self.expect(&TokenKind::RParen)?;
            let kind = SubLinkKind::Exists;
            return Ok(Expr::new(
                ExprKind::SubLink {
                    kind,
                    query: Box::new(query),
                },
                pos,
            ));
        }
        if let Some(TokenKind::Op(op)) = self.peek().cloned() {
            if op == "-" || op == "+" {
                self.advance();
                let operand = self.expr_bp(PREC_UNARY)?;
                // A minus sign before a numeric literal makes a negative literal, as
                // PostgreSQL's `doNegate` does (so `-2147483648` is an integer).
                if let (ExprKind::Number(digits), "-") = (&operand.kind, op.as_str()) {
                    if !digits.starts_with('-') {
                        return Ok(Expr::new(ExprKind::Number(format!("-{digits}")), pos));
                    }
                }
                return Ok(unary(&op, operand, pos));
            }
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr> {
        let pos = self.pos();
        let Some(token) = self.peek().cloned() else {
            return Err(self.error_here());
        };
        let kind = match token {
            TokenKind::Number(text) => {
                self.advance();
                ExprKind::Number(text)
            }
            TokenKind::String(text) => {
                self.advance();
                ExprKind::String(text)
            }
            TokenKind::BitString(bits) => {
                self.advance();
                ExprKind::BitString(bits)
            }
            TokenKind::Param(number) => {
                self.advance();
                ExprKind::Param(number)
            }
            TokenKind::LParen => {
                self.advance();
                if self.peek_query() {
                    let query = self.select()?;
                    self.expect(&TokenKind::RParen)?;
                    return Ok(Expr::new(ExprKind::Subquery(Box::new(query)), pos));
                }
                if let Some(query) = self.parenthesised_query()? {
                    return Ok(Expr::new(ExprKind::Subquery(Box::new(query)), pos));
                }
                let inner = self.expr()?;
                self.expect(&TokenKind::RParen)?;
                return Ok(inner);
            }
            // A quoted name called is a function (`"left"(s, 2)`, as `\d` prints it).
            TokenKind::QuotedIdent(name) if self.peek_at(1) == Some(&TokenKind::LParen) => {
                self.advance();
                return self.function_call(name, pos);
            }
            TokenKind::QuotedIdent(_) => return self.column_ref(pos),
            TokenKind::Word(word) => return self.word_primary(&word, pos),
            _ => return Err(self.error_here()),
        };
        Ok(Expr::new(kind, pos))
    }

    fn word_primary(&mut self, word: &str, pos: usize) -> Result<Expr> {
        match word {
            "null" | "true" | "false" => {
                self.advance();
                let kind = match word {
                    "null" => ExprKind::Null,
                    other => ExprKind::Bool(other == "true"),
                };
                Ok(Expr::new(kind, pos))
            }
            "default" => {
                self.advance();
                Ok(Expr::new(ExprKind::Default, pos))
            }
            "array" if self.peek_at(1) == Some(&TokenKind::LParen) => {
                self.advance();
                self.advance();
                let query = self.select()?;
                self.expect(&TokenKind::RParen)?;
                let kind = ExprKind::SubLink {
                    kind: SubLinkKind::Array,
                    query: Box::new(query),
                };
                Ok(Expr::new(kind, pos))
            }
            "array" if self.peek_at(1) == Some(&TokenKind::LBracket) => {
                self.advance();
                self.advance();
                let mut elements = Vec::new();
                if !self.eat(&TokenKind::RBracket) {
                    loop {
                        elements.push(self.expr()?);
                        if !self.eat(&TokenKind::Comma) {
                            break;
                        }
                    }
                    self.expect(&TokenKind::RBracket)?;
                }
                Ok(Expr::new(ExprKind::Array(elements), pos))
            }
            "case" => {
                self.advance();
                let operand = if self.peek_word("when") {
                    None
                } else {
                    Some(Box::new(self.expr()?))
                };
                let mut whens = Vec::new();
                while self.eat_word("when") {
                    let condition = self.expr()?;
                    self.expect_word("then")?;
                    whens.push((condition, self.expr()?));
                }
                if whens.is_empty() {
                    return Err(self.error_here());
                }
                let otherwise = if self.eat_word("else") {
                    Some(Box::new(self.expr()?))
                } else {
                    None
                };
                self.expect_word("end")?;
                let kind = ExprKind::Case {
                    operand,
                    whens,
                    otherwise,
                };
                Ok(Expr::new(kind, pos))
            }
            "cast" if self.peek_at(1) == Some(&TokenKind::LParen) => {
                self.advance();
                self.advance();
                let operand = self.expr()?;
                self.expect_word("as")?;
                let type_name = self.type_name()?;
                self.expect(&TokenKind::RParen)?;
                let kind = ExprKind::Cast {
                    operand: Box::new(operand),
                    type_name,
                };
                Ok(Expr::new(kind, pos))
            }
            // `left(…)` and `right(…)` are functions although the words are reserved.
            "left" | "right" if self.peek_at(1) == Some(&TokenKind::LParen) => {
                let name = word.to_string();
                self.advance();
                self.function_call(name, pos)
            }
            // `position(substring IN string)` is `strpos(string, substring)`.
            "position" if self.peek_at(1) == Some(&TokenKind::LParen) => {
                self.advance();
                self.advance();
                let needle = self.expr_bp(PREC_LIKE + 1)?;
                self.expect_word("in")?;
                let haystack = self.expr()?;
                self.expect(&TokenKind::RParen)?;
                let kind = ExprKind::Function {
                    name: "position".to_string(),
                    args: vec![haystack, needle],
                    star: false,
                    clauses: None,
                };
                Ok(Expr::new(kind, pos))
            }
            _ if self.peek_at(1) == Some(&TokenKind::LParen) => {
                let name = self.identifier()?;
                self.function_call(name, pos)
            }
            _ => self.column_ref(pos),
        }
    }

    fn function_call(&mut self, name: String, pos: usize) -> Result<Expr> {
        self.expect(&TokenKind::LParen)?;
        let mut args = Vec::new();
        let mut star = false;
        let mut clauses = AggClauses {
            pos: Pos(self.pos()),
            ..AggClauses::default()
        };
        if self.eat_op("*") {
            star = true;
        } else if self.peek() != Some(&TokenKind::RParen) {
            clauses.distinct = self.eat_word("distinct");
            if !clauses.distinct {
                self.eat_word("all");
            }
            loop {
                args.push(self.expr()?);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            if self.peek_word("order") {
                clauses.pos = Pos(self.pos());
                self.advance();
                self.expect_word("by")?;
                clauses.order_by = self.order_keys()?;
            }
        }
        self.expect(&TokenKind::RParen)?;
        if self.peek_word("filter") && self.peek_at(1) == Some(&TokenKind::LParen) {
            if !clauses.distinct && clauses.order_by.is_empty() {
                clauses.pos = Pos(self.pos());
            }
            self.advance();
            self.advance();
            self.expect_word("where")?;
            clauses.filter = Some(self.expr()?);
            self.expect(&TokenKind::RParen)?;
        }
        clauses.over = self.over_clause()?;
        let written = clauses.distinct
            || !clauses.order_by.is_empty()
            || clauses.filter.is_some()
            || clauses.over.is_some();
        let clauses = written.then(|| Box::new(clauses));
        Ok(Expr::new(
            ExprKind::Function {
                name,
                args,
                star,
                clauses,
            },
            pos,
        ))
    }

    fn column_ref(&mut self, pos: usize) -> Result<Expr> {
        let mut parts = vec![self.identifier()?];
        while self.eat(&TokenKind::Dot) {
            parts.push(self.label()?);
        }
        // `pg_catalog.version()`: a schema-qualified function (the schema is dropped;
        // every function is in `pg_catalog`).
        if parts.len() == 2 && self.peek() == Some(&TokenKind::LParen) {
            let name = parts.pop().unwrap_or_default();
            return self.function_call(name, pos);
        }
        Ok(Expr::new(ExprKind::Column(parts), pos))
    }

    /// A type name with its modifiers and array bounds, canonicalised.
    pub(super) fn type_name(&mut self) -> Result<TypeName> {
        let pos = self.pos();
        let mut first = match self.peek() {
            Some(TokenKind::Word(w)) => w.clone(),
            Some(TokenKind::QuotedIdent(w)) => w.clone(),
            _ => return Err(self.error_here()),
        };
        self.advance();
        // `pg_catalog.regclass`, `public.vector`: every type is in one of these schemas.
        if matches!(first.as_str(), "pg_catalog" | "public") && self.eat(&TokenKind::Dot) {
            first = match self.advance().map(|t| t.kind) {
                Some(TokenKind::Word(w)) | Some(TokenKind::QuotedIdent(w)) => w,
                _ => return Err(self.error_here()),
            };
        }
        let name = match first.as_str() {
            "double" => {
                self.expect_word("precision")?;
                "double precision".to_string()
            }
            "character" | "char" if self.eat_word("varying") => "character varying".to_string(),
            "bit" if self.eat_word("varying") => "bit varying".to_string(),
            other => canonical_type_name(other).to_string(),
        };
        let mut modifiers = Vec::new();
        if self.eat(&TokenKind::LParen) {
            loop {
                let modifier = match self.advance().map(|t| t.kind) {
                    Some(TokenKind::Number(n)) => TypeModifier::Number(n),
                    Some(TokenKind::Op(op)) if op == "-" => match self.advance().map(|t| t.kind) {
                        Some(TokenKind::Number(n)) => TypeModifier::Number(format!("-{n}")),
                        _ => {
                            self.index -= 1;
                            return Err(self.error_here());
                        }
                    },
                    Some(TokenKind::String(s)) => TypeModifier::Text(s),
                    Some(_) => {
                        self.index -= 1;
                        return Err(self.error_here());
                    }
                    None => return Err(self.error_here()),
                };
                modifiers.push(modifier);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::RParen)?;
        }
        let mut array_dims = 0;
        while self.eat(&TokenKind::LBracket) {
            if let Some(TokenKind::Number(_)) = self.peek() {
                self.advance();
            }
            self.expect(&TokenKind::RBracket)?;
            array_dims += 1;
        }
        Ok(TypeName {
            name,
            modifiers,
            array_dims,
            pos: Pos(pos),
        })
    }
}

/// The canonical spelling of a one-word type name.
fn canonical_type_name(word: &str) -> &str {
    match word {
        "int" | "int4" | "integer" => "integer",
        "int8" | "bigint" => "bigint",
        "int2" | "smallint" => "smallint",
        "float4" | "real" => "real",
        "float8" | "float" => "double precision",
        "decimal" | "numeric" => "numeric",
        "bool" | "boolean" => "boolean",
        "varchar" => "character varying",
        "varbit" => "bit varying",
        "vecf16" => "halfvec",
        other => other,
    }
}

fn unary(op: &str, operand: Expr, pos: usize) -> Expr {
    Expr::new(
        ExprKind::Unary {
            op: op.to_string(),
            operand: Box::new(operand),
        },
        pos,
    )
}

fn link(op: &str, operand: Expr, pos: usize) -> ChainLink {
    ChainLink {
        op: op.to_string(),
        pos: Pos(pos),
        operand,
    }
}

/// Applies the gathered run of same-level operators to `left`: nested binary nodes for a
/// short run, one [`ExprKind::Chain`] for a long one.
fn close_run(left: Expr, run: &mut Vec<ChainLink>) -> Expr {
    if run.is_empty() {
        return left;
    }
    let links = std::mem::take(run);
    if links.len() > CHAIN_MIN_LINKS {
        let pos = links[0].pos.0;
        return Expr::new(
            ExprKind::Chain {
                first: Box::new(left),
                rest: links,
            },
            pos,
        );
    }
    links
        .into_iter()
        .fold(left, |acc, l| binary(&l.op, acc, l.operand, l.pos.0))
}

fn binary(op: &str, left: Expr, right: Expr, pos: usize) -> Expr {
    Expr::new(
        ExprKind::Binary {
            op: op.to_string(),
            left: Box::new(left),
            right: Box::new(right),
        },
        pos,
    )
}
