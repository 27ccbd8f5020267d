//! Queries from text: `to_tsquery` (the query syntax, each operand normalized by the
//! configuration), `plainto_tsquery` (every lexeme ANDed), `phraseto_tsquery` (lexemes
//! joined by `<->`, a removed stop word widening the distance) and
//! `websearch_to_tsquery` (quotes, `or`, `-`). Stop words are removed as PostgreSQL's
//! `clean_stopwords` removes them: an `&`/`|` drops the side, a phrase operator adds the
//! stop word's width to its distance.

use crate::config::Config;
use crate::error::Result;
use crate::tsquery::{parse_with, Node, Operand, Operator, TsQuery};

/// How an operand's lexemes are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// `&` (`plainto_tsquery`).
    And,
    /// `<->` (`to_tsquery`, `phraseto_tsquery`, `websearch_to_tsquery`).
    Phrase,
}

/// The node an operand's text becomes: its lexemes joined by `join`, a stop word
/// between two lexemes standing as a placeholder; [`Node::Stop`] when it has none.
pub fn morph(config: Config, text: &str, weights: u8, prefix: bool, join: Join) -> Node {
    let op = match join {
        Join::And => Operator::And,
        Join::Phrase => Operator::Phrase(1),
    };
    let mut node: Option<Node> = None;
    let mut last_pos = 0u16;
    for lexeme in config.lexemes(text) {
        if last_pos > 0 {
            for _ in last_pos + 1..lexeme.pos {
                let left = node.take().unwrap_or(Node::Stop);
                node = Some(Node::binary(op, left, Node::Stop));
            }
        }
        let operand = Node::Operand(Operand {
            lexeme: lexeme.lexeme,
            weights,
            prefix,
        });
        node = Some(match node.take() {
            None => operand,
            Some(left) => Node::binary(op, left, operand),
        });
        last_pos = lexeme.pos;
    }
    node.unwrap_or(Node::Stop)
}

/// `to_tsquery(config, text)`.
pub fn to_tsquery(config: Config, text: &str) -> Result<TsQuery> {
    let root = parse_with(text, &mut |word, weights, prefix| {
        Ok(morph(config, word, weights, prefix, Join::Phrase))
    })?;
    Ok(finish(root))
}

/// `plainto_tsquery(config, text)`.
pub fn plainto_tsquery(config: Config, text: &str) -> TsQuery {
    finish(Some(morph(config, text, 0, false, Join::And)))
}

/// `phraseto_tsquery(config, text)`.
pub fn phraseto_tsquery(config: Config, text: &str) -> TsQuery {
    finish(Some(morph(config, text, 0, false, Join::Phrase)))
}

/// `websearch_to_tsquery(config, text)`.
pub fn websearch_to_tsquery(config: Config, text: &str) -> TsQuery {
    finish(crate::websearch::parse(config, text))
}

/// Removes stop-word placeholders from a built query.
pub fn finish(root: Option<Node>) -> TsQuery {
    TsQuery {
        root: root.and_then(|node| clean(node).0),
    }
}

/// The node without stop words, and the widths (left, right) of stop words removed at
/// its edges, which an enclosing phrase operator adds to its distance.
fn clean(node: Node) -> (Option<Node>, u16, u16) {
    match node {
        Node::Operand(_) => (Some(node), 0, 0),
        Node::Stop => (None, 0, 0),
        Node::Not(child) => {
            let (child, l, r) = clean(*child);
            (child.map(|c| Node::Not(Box::new(c))), l, r)
        }
        Node::And(l, r) => binary(Operator::And, *l, *r),
        Node::Or(l, r) => binary(Operator::Or, *l, *r),
        Node::Phrase(l, r, d) => binary(Operator::Phrase(d), *l, *r),
    }
}

fn binary(op: Operator, left: Node, right: Node) -> (Option<Node>, u16, u16) {
    let (left, ll, lr) = clean(left);
    let (right, rl, rr) = clean(right);
    let distance = match op {
        Operator::Phrase(d) => Some(d),
        _ => None,
    };
    match (left, right) {
        (None, None) => match distance {
            Some(d) => {
                let w = ll.saturating_add(d).saturating_add(rr);
                (None, w, w)
            }
            None => {
                let w = ll.max(rr);
                (None, w, w)
            }
        },
        (None, Some(right)) => match distance {
            Some(d) => (Some(right), ll.saturating_add(d).saturating_add(rl), rr),
            None => (Some(right), rl, rr),
        },
        (Some(left), None) => match distance {
            Some(d) => (Some(left), ll, lr.saturating_add(d).saturating_add(rr)),
            None => (Some(left), ll, lr),
        },
        (Some(left), Some(right)) => match distance {
            Some(d) => {
                let d = d.saturating_add(lr).saturating_add(rl);
                (Some(Node::binary(Operator::Phrase(d), left, right)), ll, rr)
            }
            None => (Some(Node::binary(op, left, right)), 0, 0),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_from_text() {
        let e = Config::English;
        assert_eq!(
            to_tsquery(e, "foo-bar").unwrap().to_string(),
            "'foo-bar' <-> 'foo' <-> 'bar'"
        );
        assert_eq!(
            plainto_tsquery(e, "foo-bar the cat").to_string(),
            "'foo-bar' & 'foo' & 'bar' & 'cat'"
        );
        assert_eq!(
            phraseto_tsquery(e, "the cat and the rat").to_string(),
            "'cat' <3> 'rat'"
        );
        assert_eq!(to_tsquery(e, "!the & cat").unwrap().to_string(), "'cat'");
        assert_eq!(
            to_tsquery(e, "supernovae:*").unwrap().to_string(),
            "'supernova':*"
        );
    }
}
