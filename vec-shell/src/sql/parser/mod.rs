//! The recursive-descent parser over the lexer's tokens.
//!
//! `mod.rs` holds the token cursor and the statement grammar; `expr.rs` the expression
//! grammar (a precedence climber with PostgreSQL's operator precedence) and type names;
//! `select.rs` the query grammar. Every failure is PostgreSQL's
//! `syntax error at or near "…"` at the offending token, or `… at end of input`.
//! Nesting is capped so that no input can exhaust the stack.

mod create_as;
mod expr;
mod prepare;
mod schema;
mod select;
mod setop;
mod statement;
mod transaction;
mod utility;
mod window;

use super::ast::Statement;
use super::lexer::{tokenize, Token, TokenKind};
use crate::error::{EngineError, Result};

/// How deeply expressions and queries may nest before the parser refuses the input.
pub const MAX_NESTING: usize = 160;

/// The stack of the threads statements run on (the shell's, each server connection's).
/// Parsing, binding and evaluating recurse at most [`MAX_NESTING`] levels deep (long
/// lists and operator chains are flat), which needs a small part of this; a known size,
/// rather than whatever a thread is given by default, keeps that margin on every system.
pub const STATEMENT_STACK: usize = 64 << 20;

/// Words that cannot be a column alias without `AS`, nor a table alias.
const RESERVED: &[&str] = &[
    "all",
    "and",
    "array",
    "as",
    "asc",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "cross",
    "default",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "full",
    "group",
    "having",
    "in",
    "inner",
    "intersect",
    "into",
    "is",
    "join",
    "lateral",
    "left",
    "limit",
    "natural",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "set",
    "table",
    "then",
    "to",
    "true",
    "union",
    "unique",
    "using",
    "values",
    "when",
    "where",
    "window",
    "with",
];

/// Parses `source` into statements (separated by `;`; empty statements are skipped).
pub fn parse(source: &str) -> Result<Vec<Statement>> {
    Ok(parse_with_spans(source)?
        .into_iter()
        .map(|(statement, _)| statement)
        .collect())
}

/// Parses `source` into statements, each with the byte range of its text (from its
/// first token to the end of its last, without the `;`).
pub fn parse_with_spans(source: &str) -> Result<Vec<(Statement, std::ops::Range<usize>)>> {
    let tokens = tokenize(source)?;
    let mut parser = Parser {
        source,
        tokens,
        index: 0,
        depth: 0,
    };
    let mut statements = Vec::new();
    loop {
        while parser.eat(&TokenKind::Semicolon) {}
        if parser.at_end() {
            return Ok(statements);
        }
        let start = parser.tokens[parser.index].start;
        let statement = parser.statement()?;
        let end = parser.tokens[..parser.index]
            .last()
            .map_or(start, |token| token.end);
        statements.push((statement, start..end));
        if !parser.at_end() && !parser.eat(&TokenKind::Semicolon) {
            return Err(parser.error_here());
        }
    }
}

/// The token cursor.
pub(crate) struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    index: usize,
    depth: usize,
}

impl Parser<'_> {
    fn at_end(&self) -> bool {
        self.index >= self.tokens.len()
    }

    fn peek(&self) -> Option<&TokenKind> {
        self.tokens.get(self.index).map(|t| &t.kind)
    }

    fn peek_at(&self, ahead: usize) -> Option<&TokenKind> {
        self.tokens.get(self.index + ahead).map(|t| &t.kind)
    }

    /// `a, b, c)` after an opening parenthesis: identifiers up to the closing one.
    fn identifiers_to_paren(&mut self) -> Result<Vec<String>> {
        let mut names = vec![self.identifier()?];
        while self.eat(&TokenKind::Comma) {
            names.push(self.identifier()?);
        }
        self.expect(&TokenKind::RParen)?;
        Ok(names)
    }

    /// Whether the token just read is `)`.
    fn after_close_paren(&self) -> bool {
        self.index
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .is_some_and(|t| t.kind == TokenKind::RParen)
    }

    /// Byte offset of the current token (or the end of the text).
    fn pos(&self) -> usize {
        self.tokens
            .get(self.index)
            .map_or(self.source.len(), |t| t.start)
    }

    fn advance(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.index).cloned();
        if token.is_some() {
            self.index += 1;
        }
        token
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        if self.peek() == Some(kind) {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, kind: &TokenKind) -> Result<()> {
        if self.eat(kind) {
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.peek(), Some(TokenKind::Word(w)) if w == word)
    }

    /// Whether the next tokens are these words.
    fn peek_words(&self, words: &[&str]) -> bool {
        words.iter().enumerate().all(
            |(ahead, word)| matches!(self.peek_at(ahead), Some(TokenKind::Word(w)) if w == word),
        )
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.peek_word(word) {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, word: &str) -> Result<()> {
        if self.eat_word(word) {
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(TokenKind::Op(o)) if o == op) {
            self.index += 1;
            true
        } else {
            false
        }
    }

    /// `syntax error at or near "…"` at the current token.
    fn error_here(&self) -> EngineError {
        match self.tokens.get(self.index) {
            Some(token) => EngineError::syntax(&self.source[token.start..token.end], token.start),
            None => EngineError::syntax_at_end(self.source.len()),
        }
    }

    /// An identifier: an unquoted word that is not reserved, or a quoted one.
    fn identifier(&mut self) -> Result<String> {
        match self.peek() {
            Some(TokenKind::Word(w)) if !RESERVED.contains(&w.as_str()) => {
                let name = w.clone();
                self.index += 1;
                Ok(name)
            }
            Some(TokenKind::QuotedIdent(name)) => {
                let name = name.clone();
                self.index += 1;
                Ok(name)
            }
            _ => Err(self.error_here()),
        }
    }

    /// An identifier that may also be a reserved word (after `AS`, as PostgreSQL's
    /// `ColLabel`).
    fn label(&mut self) -> Result<String> {
        match self.peek() {
            Some(TokenKind::Word(w)) => {
                let name = w.clone();
                self.index += 1;
                Ok(name)
            }
            _ => self.identifier(),
        }
    }

    /// A possibly schema-qualified name, as `schema.name` when qualified (a leading
    /// database name, `db.schema.name`, is dropped).
    fn qualified_name(&mut self) -> Result<String> {
        let mut parts = vec![self.identifier()?];
        while self.eat(&TokenKind::Dot) {
            parts.push(self.label()?);
        }
        let start = parts.len().saturating_sub(2);
        Ok(parts[start..].join("."))
    }

    /// Whether the next token can start an alias written without `AS`.
    fn at_bare_alias(&self) -> bool {
        match self.peek() {
            // `OVER` cannot be a bare label, as in PostgreSQL (`f(x) OVER …` reads on).
            Some(TokenKind::Word(w)) if w == "over" => false,
            Some(TokenKind::Word(w)) => !RESERVED.contains(&w.as_str()),
            Some(TokenKind::QuotedIdent(_)) => true,
            _ => false,
        }
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(too_deep());
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }
}

/// PostgreSQL's error for a statement nested too deeply.
pub(crate) fn too_deep() -> EngineError {
    EngineError::new("54001", "stack depth limit exceeded")
        .with_hint("The statement nests expressions or queries too deeply.")
}

/// Whether `word` is a reserved keyword.
pub(crate) fn is_reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}
