//! The grammar of `CREATE SCHEMA` and `DROP SCHEMA` (after their first two words).

use super::Parser;
use crate::error::Result;
use crate::sql::ast::{SchemaCommand, Statement};
use crate::sql::lexer::TokenKind;

impl Parser<'_> {
    /// `CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role]` or `CREATE SCHEMA
    /// [IF NOT EXISTS] AUTHORIZATION role`.
    pub(super) fn create_schema(&mut self) -> Result<Statement> {
        let if_not_exists = self.if_not_exists()?;
        let name = if self.eat_word("authorization") {
            self.role_name()?
        } else {
            let name = self.identifier()?;
            if self.eat_word("authorization") {
                self.role_name()?;
            }
            name
        };
        Ok(Statement::Schema(SchemaCommand::Create {
            name,
            if_not_exists,
        }))
    }

    /// `DROP SCHEMA [IF EXISTS] name, … [CASCADE | RESTRICT]`.
    pub(super) fn drop_schema(&mut self) -> Result<Statement> {
        let if_exists = self.if_exists()?;
        let mut names = vec![self.identifier()?];
        while self.eat(&TokenKind::Comma) {
            names.push(self.identifier()?);
        }
        let cascade = self.eat_word("cascade");
        if !cascade {
            self.eat_word("restrict");
        }
        Ok(Statement::Schema(SchemaCommand::Drop {
            names,
            if_exists,
            cascade,
        }))
    }

    /// A role in `AUTHORIZATION role`: a name, or `CURRENT_USER` / `SESSION_USER`
    /// (the one role).
    fn role_name(&mut self) -> Result<String> {
        if self.eat_word("current_user")
            || self.eat_word("session_user")
            || self.eat_word("current_role")
        {
            return Ok(crate::sql::ast::ROLE.to_string());
        }
        self.identifier()
    }
}
