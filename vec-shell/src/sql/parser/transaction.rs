//! The transaction-control grammar: `BEGIN [WORK | TRANSACTION] [modes]`, `START
//! TRANSACTION [modes]`, `COMMIT`/`END [WORK | TRANSACTION]`, `ROLLBACK`/`ABORT [WORK |
//! TRANSACTION] [TO [SAVEPOINT] name]`, `SAVEPOINT name`, `RELEASE [SAVEPOINT] name`,
//! `SET TRANSACTION modes` and `SET SESSION CHARACTERISTICS AS TRANSACTION modes`. Modes
//! are `ISOLATION LEVEL …`, `READ ONLY | READ WRITE` and `[NOT] DEFERRABLE` (accepted,
//! without effect as in PostgreSQL outside `SERIALIZABLE READ ONLY`), comma-separated or
//! not.

use super::Parser;
use crate::error::Result;
use crate::sql::ast::{IsolationLevel, Statement, TransactionCommand, TransactionModes};
use crate::sql::lexer::TokenKind;

impl Parser<'_> {
    /// A transaction-control statement; the current token is its first word.
    pub(super) fn transaction(&mut self) -> Result<Statement> {
        let Some(TokenKind::Word(word)) = self.advance().map(|t| t.kind) else {
            return Err(self.error_here());
        };
        let command = match word.as_str() {
            "begin" => {
                if !self.eat_word("work") {
                    self.eat_word("transaction");
                }
                TransactionCommand::Begin(self.transaction_modes()?)
            }
            "start" => {
                self.expect_word("transaction")?;
                TransactionCommand::StartTransaction(self.transaction_modes()?)
            }
            "commit" | "end" => {
                if !self.eat_word("work") {
                    self.eat_word("transaction");
                }
                TransactionCommand::Commit
            }
            "savepoint" => TransactionCommand::Savepoint(self.identifier()?),
            "release" => {
                self.eat_word("savepoint");
                TransactionCommand::Release(self.identifier()?)
            }
            _ => {
                if !self.eat_word("work") {
                    self.eat_word("transaction");
                }
                if self.eat_word("to") {
                    self.eat_word("savepoint");
                    TransactionCommand::RollbackTo(self.identifier()?)
                } else {
                    TransactionCommand::Rollback
                }
            }
        };
        Ok(Statement::Transaction(command))
    }

    /// `SET TRANSACTION modes` or `SET SESSION CHARACTERISTICS AS TRANSACTION modes`,
    /// after `SET`; `None` (nothing consumed) for any other `SET`.
    pub(super) fn set_transaction(&mut self) -> Result<Option<Statement>> {
        if self.eat_word("transaction") {
            let modes = self.transaction_modes()?;
            return Ok(Some(Statement::Transaction(
                TransactionCommand::SetTransaction(modes),
            )));
        }
        if self.peek_words(&["session", "characteristics"]) {
            self.advance();
            self.advance();
            self.expect_word("as")?;
            self.expect_word("transaction")?;
            let modes = self.transaction_modes()?;
            return Ok(Some(Statement::Transaction(
                TransactionCommand::SetSessionCharacteristics(modes),
            )));
        }
        Ok(None)
    }

    /// Zero or more transaction modes.
    fn transaction_modes(&mut self) -> Result<TransactionModes> {
        let mut modes = TransactionModes::default();
        loop {
            if self.eat_word("isolation") {
                self.expect_word("level")?;
                let level = if self.eat_word("serializable") {
                    IsolationLevel::Serializable
                } else if self.eat_word("repeatable") {
                    self.expect_word("read")?;
                    IsolationLevel::RepeatableRead
                } else {
                    self.expect_word("read")?;
                    if self.eat_word("committed") {
                        IsolationLevel::ReadCommitted
                    } else {
                        self.expect_word("uncommitted")?;
                        IsolationLevel::ReadUncommitted
                    }
                };
                modes.isolation = Some(level);
            } else if self.eat_word("read") {
                if self.eat_word("only") {
                    modes.read_only = Some(true);
                } else {
                    self.expect_word("write")?;
                    modes.read_only = Some(false);
                }
            } else if self.eat_word("deferrable") {
            } else if self.eat_word("not") {
                self.expect_word("deferrable")?;
            } else {
                break;
            }
            self.eat(&TokenKind::Comma);
        }
        Ok(modes)
    }
}
