//! The transaction-control grammar: `BEGIN [WORK | TRANSACTION]`, `START TRANSACTION`,
//! `COMMIT`/`END [WORK | TRANSACTION]` and `ROLLBACK`/`ABORT [WORK | TRANSACTION]`.
//! Transaction modes (`ISOLATION LEVEL …`, `READ ONLY`) are not accepted.

use super::Parser;
use crate::error::Result;
use crate::sql::ast::{Statement, TransactionCommand};
use crate::sql::lexer::TokenKind;

impl Parser<'_> {
    /// A transaction-control statement; the current token is its first word.
    pub(super) fn transaction(&mut self) -> Result<Statement> {
        let Some(TokenKind::Word(word)) = self.advance().map(|t| t.kind) else {
            return Err(self.error_here());
        };
        let command = match word.as_str() {
            "begin" => TransactionCommand::Begin,
            "start" => {
                self.expect_word("transaction")?;
                return Ok(Statement::Transaction(TransactionCommand::StartTransaction));
            }
            "commit" | "end" => TransactionCommand::Commit,
            _ => TransactionCommand::Rollback,
        };
        if !self.eat_word("work") {
            self.eat_word("transaction");
        }
        Ok(Statement::Transaction(command))
    }
}
