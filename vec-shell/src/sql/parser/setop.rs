//! Queries joined by set operations, with PostgreSQL's precedence: `INTERSECT` binds
//! tighter than `UNION` and `EXCEPT`, which associate to the left; an operand is a
//! simple `SELECT`, `TABLE name` or a parenthesised query (with its own `ORDER BY`,
//! `LIMIT` or `WITH`). A `WITH` list and the `ORDER BY … LIMIT … OFFSET …` tail after
//! the last operand apply to the whole result.

use super::Parser;
use crate::error::{EngineError, Result};
use crate::sql::ast::{Pos, Select, SetOperation, SetOperator};
use crate::sql::lexer::TokenKind;

impl Parser<'_> {
    /// The body of [`Parser::select`]: `[WITH …] set expression [tail]`.
    pub(super) fn query_inner(&mut self) -> Result<Select> {
        let with_pos = self.pos();
        let with = self.with_clause()?;
        let mut query = self.union_operands()?;
        self.query_tail(&mut query)?;
        if !with.is_empty() {
            if !query.with.is_empty() {
                return Err(
                    EngineError::new("42601", "multiple WITH clauses not allowed").at(with_pos),
                );
            }
            query.with = with;
        }
        Ok(query)
    }

    /// `a UNION b EXCEPT c …`, left to right, over `INTERSECT` terms. Each operation
    /// nests the tree one level deeper, so each counts against the nesting limit.
    fn union_operands(&mut self) -> Result<Select> {
        let depth = self.depth;
        let result = self.union_operands_inner();
        self.depth = depth;
        result
    }

    fn union_operands_inner(&mut self) -> Result<Select> {
        let mut left = self.intersect_operands()?;
        loop {
            let pos = self.pos();
            let operator = if self.eat_word("union") {
                SetOperator::Union
            } else if self.eat_word("except") {
                SetOperator::Except
            } else {
                return Ok(left);
            };
            self.enter()?;
            let all = self.set_quantifier();
            let right = self.intersect_operands()?;
            left = combine(operator, all, left, right, pos);
        }
    }

    /// `a INTERSECT b …`, left to right.
    fn intersect_operands(&mut self) -> Result<Select> {
        let depth = self.depth;
        let result = self.intersect_operands_inner();
        self.depth = depth;
        result
    }

    fn intersect_operands_inner(&mut self) -> Result<Select> {
        let mut left = self.set_operand()?;
        loop {
            let pos = self.pos();
            if !self.eat_word("intersect") {
                return Ok(left);
            }
            self.enter()?;
            let all = self.set_quantifier();
            let right = self.set_operand()?;
            left = combine(SetOperator::Intersect, all, left, right, pos);
        }
    }

    /// `ALL` (true) or `DISTINCT` / nothing (false).
    fn set_quantifier(&mut self) -> bool {
        if self.eat_word("all") {
            return true;
        }
        self.eat_word("distinct");
        false
    }

    /// After an opening parenthesis that starts neither `SELECT` nor `WITH`: a query
    /// whose first operand is parenthesised (`((SELECT 1) UNION (SELECT 2))`), with the
    /// closing parenthesis eaten, when the token after the first parenthesised group
    /// continues a query (a set operation, its tail, or the closing parenthesis); else
    /// nothing is consumed and the text is an expression (`((SELECT 1) + 1)`). The
    /// choice is made by looking ahead, never by parsing twice.
    pub(super) fn parenthesised_query(&mut self) -> Result<Option<Select>> {
        if !self.peek_query_deep() {
            return Ok(None);
        }
        let mut level = 0usize;
        let mut ahead = 0;
        loop {
            match self.peek_at(ahead) {
                Some(TokenKind::LParen) => level += 1,
                Some(TokenKind::RParen) => {
                    level -= 1;
                    if level == 0 {
                        break;
                    }
                }
                None => return Ok(None),
                _ => {}
            }
            ahead += 1;
        }
        let continues = match self.peek_at(ahead + 1) {
            Some(TokenKind::RParen) => true,
            Some(TokenKind::Word(w)) => {
                ["union", "intersect", "except", "order", "limit", "offset"].contains(&w.as_str())
            }
            _ => false,
        };
        if !continues {
            return Ok(None);
        }
        let query = self.select()?;
        self.expect(&TokenKind::RParen)?;
        Ok(Some(query))
    }

    /// One operand: `( query )`, `SELECT …` or `TABLE name`.
    fn set_operand(&mut self) -> Result<Select> {
        if self.eat(&TokenKind::LParen) {
            let query = self.select()?;
            self.expect(&TokenKind::RParen)?;
            return Ok(query);
        }
        self.enter()?;
        let result = self.simple_select();
        self.leave();
        result
    }
}

fn combine(operator: SetOperator, all: bool, left: Select, right: Select, pos: usize) -> Select {
    Select {
        set_operation: Some(Box::new(SetOperation {
            operator,
            all,
            left,
            right,
            pos: Pos(pos),
        })),
        ..Select::default()
    }
}
