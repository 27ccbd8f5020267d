//! `CREATE TABLE [IF NOT EXISTS] name [(column names)] AS query [WITH [NO] DATA]`.

use super::Parser;
use crate::error::Result;
use crate::sql::ast::{CreateTableAs, Pos, Statement};
use crate::sql::lexer::TokenKind;

impl Parser<'_> {
    /// Whether the text after a new table's name is `AS …` or `(names) AS …` rather than
    /// column definitions.
    pub(super) fn at_create_table_as(&self) -> bool {
        if self.peek_word("as") {
            return true;
        }
        if self.peek() != Some(&TokenKind::LParen) {
            return false;
        }
        let mut ahead = 1;
        loop {
            match self.peek_at(ahead) {
                Some(TokenKind::Word(_) | TokenKind::QuotedIdent(_)) => {}
                _ => return false,
            }
            match self.peek_at(ahead + 1) {
                Some(TokenKind::Comma) => ahead += 2,
                Some(TokenKind::RParen) => {
                    return matches!(self.peek_at(ahead + 2), Some(TokenKind::Word(w)) if w == "as")
                }
                _ => return false,
            }
        }
    }

    /// The rest of `CREATE TABLE name … AS query`.
    pub(super) fn create_table_as(
        &mut self,
        name: String,
        if_not_exists: bool,
    ) -> Result<Statement> {
        let mut columns = Vec::new();
        if self.eat(&TokenKind::LParen) {
            loop {
                let pos = Pos(self.pos());
                columns.push((self.identifier()?, pos));
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect(&TokenKind::RParen)?;
        }
        self.expect_word("as")?;
        if !self.peek_query_deep() {
            return Err(self.error_here());
        }
        let query = self.select()?;
        let with_data = if self.eat_word("with") {
            let no = self.eat_word("no");
            self.expect_word("data")?;
            !no
        } else {
            true
        };
        Ok(Statement::CreateTableAs(Box::new(CreateTableAs {
            name,
            if_not_exists,
            columns,
            query,
            with_data,
        })))
    }
}
