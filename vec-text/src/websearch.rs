//! `websearch_to_tsquery`'s syntax: words (implicitly ANDed), `"quoted phrases"`
//! (lexemes joined by `<->`), `or` between operands, and `-` for NOT. Other punctuation
//! is ignored, and the result never raises a syntax error.

use crate::config::Config;
use crate::query_build::{morph, Join};
use crate::tsquery::{reduce, Node, Operator};

fn is_operator_char(c: char) -> bool {
    matches!(c, '!' | '&' | '|' | '(' | ')' | '<' | ':')
}

/// Whether an `or` at `i` is the operator: not part of a word, and followed later by
/// something other than spaces.
fn or_at(chars: &[char], i: usize) -> bool {
    let is_or = chars.get(i).is_some_and(|c| c.eq_ignore_ascii_case(&'o'))
        && chars
            .get(i + 1)
            .is_some_and(|c| c.eq_ignore_ascii_case(&'r'));
    if !is_or {
        return false;
    }
    match chars.get(i + 2) {
        None => false,
        Some(&c) if c == '-' || c == '_' || c.is_alphanumeric() => false,
        Some(_) => chars[i + 3..].iter().any(|c| !c.is_whitespace()),
    }
}

/// The query tree of `text`, stop words still in place.
pub(crate) fn parse(config: Config, text: &str) -> Option<Node> {
    let chars: Vec<char> = text.chars().collect();
    let mut operands: Vec<Node> = Vec::new();
    let mut operators: Vec<Operator> = Vec::new();
    let mut i = 0;
    let mut waiting_operand = true;
    let mut any = false;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if waiting_operand {
            if c == '"' {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && chars[end] != '"' {
                    end += 1;
                }
                let phrase: String = chars[start..end].iter().collect();
                operands.push(morph(config, &phrase, 0, false, Join::Phrase));
                i = (end + 1).min(chars.len());
                waiting_operand = false;
                any = true;
            } else if is_operator_char(c) {
                i += 1;
            } else if or_at(&chars, i) {
                i += 2;
            } else if c == '-' {
                operators.push(Operator::Not);
                i += 1;
            } else {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() && !is_operator_char(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                operands.push(morph(config, &word, 0, false, Join::Phrase));
                waiting_operand = false;
                any = true;
            }
        } else {
            let op = if or_at(&chars, i) {
                i += 2;
                Operator::Or
            } else {
                Operator::And
            };
            reduce(&mut operands, &mut operators, op.priority());
            operators.push(op);
            waiting_operand = true;
        }
    }
    if !any {
        return None;
    }
    reduce(&mut operands, &mut operators, 0);
    operands.pop()
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::query_build::websearch_to_tsquery;

    #[test]
    fn websearch_syntax() {
        let e = Config::English;
        assert_eq!(
            websearch_to_tsquery(e, "\"supernovae stars\" -crab foo-bar or baz the or").to_string(),
            "'supernova' <-> 'star' & !'crab' & 'foo-bar' <-> 'foo' <-> 'bar' | 'baz'"
        );
        assert_eq!(
            websearch_to_tsquery(e, "\"the cat\" and \"dog\"").to_string(),
            "'cat' & 'dog'"
        );
        assert_eq!(
            websearch_to_tsquery(e, "a:b & c (d) <e>").to_string(),
            "'b' & 'c' & 'd' & 'e'"
        );
    }
}
