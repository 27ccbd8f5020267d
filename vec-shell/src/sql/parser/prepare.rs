//! The grammar of prepared statements: `PREPARE name [(type, …)] AS statement`,
//! `EXECUTE name [(argument, …)]`, `DEALLOCATE [PREPARE] name | ALL` and `DISCARD ALL`.

use super::Parser;
use crate::error::{EngineError, Result};
use crate::sql::ast::{Expr, Pos, Prepare, Statement};
use crate::sql::lexer::TokenKind;

impl Parser<'_> {
    /// A statement starting with `PREPARE`, `EXECUTE`, `DEALLOCATE` or `DISCARD`.
    pub(super) fn prepared(&mut self) -> Result<Statement> {
        if self.eat_word("prepare") {
            let name = self.identifier()?;
            let mut param_types = Vec::new();
            if self.eat(&TokenKind::LParen) {
                loop {
                    param_types.push(self.type_name()?);
                    if !self.eat(&TokenKind::Comma) {
                        break;
                    }
                }
                self.expect(&TokenKind::RParen)?;
            }
            self.expect_word("as")?;
            let pos = self.pos();
            let statement = self.statement()?;
            if !matches!(
                statement,
                Statement::Select(_)
                    | Statement::Insert(_)
                    | Statement::Update(_)
                    | Statement::Delete(_)
            ) {
                return Err(EngineError::syntax(
                    self.source[pos..].split_whitespace().next().unwrap_or(""),
                    pos,
                ));
            }
            return Ok(Statement::Prepare(Prepare {
                name,
                param_types,
                statement: Box::new(statement),
            }));
        }
        if self.eat_word("execute") {
            let (name, args, pos) = self.execute_call()?;
            return Ok(Statement::Execute { name, args, pos });
        }
        if self.eat_word("deallocate") {
            self.eat_word("prepare");
            if self.eat_word("all") {
                return Ok(Statement::Deallocate { name: None });
            }
            let name = self.identifier()?;
            return Ok(Statement::Deallocate { name: Some(name) });
        }
        self.expect_word("discard")?;
        if self.eat_word("all") {
            return Ok(Statement::DiscardAll);
        }
        if self.peek_word("plans") || self.peek_word("sequences") || self.peek_word("temp") {
            return Err(EngineError::unsupported("only DISCARD ALL is supported").at(self.pos()));
        }
        Err(self.error_here())
    }

    /// What follows `EXECUTE`: the prepared statement's name, the arguments in
    /// parentheses (none without them) and where the name starts.
    pub(super) fn execute_call(&mut self) -> Result<(String, Vec<Expr>, Pos)> {
        let pos = Pos(self.pos());
        let name = self.identifier()?;
        let mut args = Vec::new();
        if self.eat(&TokenKind::LParen) {
            args = self.expr_list()?;
            self.expect(&TokenKind::RParen)?;
        }
        Ok((name, args, pos))
    }
}
