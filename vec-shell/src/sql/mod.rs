//! SQL text to syntax tree: the lexer (`nom` combinators), the parser, the tree itself
//! and its round-tripping `Display`, and PostgreSQL's pretty printing (`pretty`).

pub mod ast;
mod display;
pub mod lexer;
mod parser;
pub mod pretty;

pub use parser::{parse, parse_with_spans, MAX_NESTING, STATEMENT_STACK};

/// Whether `word` is reserved (and so must be quoted as an identifier).
pub(crate) fn parser_reserved(word: &str) -> bool {
    parser::is_reserved(word)
}

#[cfg(test)]
mod tests;
