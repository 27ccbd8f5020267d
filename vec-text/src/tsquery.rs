//! The `tsquery` value: a tree of lexemes (with weight restrictions and prefix marks)
//! joined by `!`, `&`, `|` and the phrase operators `<->`/`<N>`. Text output as
//! `tsqueryout` prints it (parentheses only where priorities need them); text input as
//! `tsqueryin` reads it, which `to_tsquery` shares with its own treatment of each operand.

use std::fmt;

use crate::error::{Result, TextError};
use crate::tsvector::{weight_of_letter, write_quoted, MAX_POSITION};

/// One node of a query.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// A lexeme.
    Operand(Operand),
    /// A stop word's place while a query is built from text; never in a finished query.
    Stop,
    /// `!a`
    Not(Box<Node>),
    /// `a & b`
    And(Box<Node>, Box<Node>),
    /// `a | b`
    Or(Box<Node>, Box<Node>),
    /// `a <N> b` (`<->` is distance 1).
    Phrase(Box<Node>, Box<Node>, u16),
}

/// A lexeme of a query.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Operand {
    /// The lexeme.
    pub lexeme: String,
    /// The weights it matches, as bits (8 = `A`, 4 = `B`, 2 = `C`, 1 = `D`); 0 for any.
    pub weights: u8,
    /// Whether it matches every lexeme it is a prefix of (`:*`).
    pub prefix: bool,
}

/// A `tsquery`; `None` is the empty query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TsQuery {
    /// The tree.
    pub root: Option<Node>,
}

/// The binary operators and `!`, as the query parser meets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `!`
    Not,
    /// `&`
    And,
    /// `|`
    Or,
    /// `<N>`
    Phrase(u16),
}

impl Operator {
    /// PostgreSQL's priority: `!` binds tightest, then phrase, `&`, `|`.
    pub fn priority(self) -> u8 {
        match self {
            Operator::Not => 4,
            Operator::Phrase(_) => 3,
            Operator::And => 2,
            Operator::Or => 1,
        }
    }
}

impl Node {
    /// A binary node of `op`.
    pub fn binary(op: Operator, left: Node, right: Node) -> Node {
        let (l, r) = (Box::new(left), Box::new(right));
        match op {
            Operator::And => Node::And(l, r),
            Operator::Or => Node::Or(l, r),
            Operator::Phrase(d) => Node::Phrase(l, r, d),
            Operator::Not => Node::Not(r),
        }
    }

    fn priority(&self) -> u8 {
        match self {
            Node::Operand(_) | Node::Stop => 5,
            Node::Not(_) => 4,
            Node::Phrase(..) => 3,
            Node::And(..) => 2,
            Node::Or(..) => 1,
        }
    }

    /// The number of nodes (`numnode`).
    pub fn count(&self) -> usize {
        match self {
            Node::Operand(_) | Node::Stop => 1,
            Node::Not(c) => 1 + c.count(),
            Node::And(l, r) | Node::Or(l, r) | Node::Phrase(l, r, _) => 1 + l.count() + r.count(),
        }
    }

    /// The operands, left to right.
    pub fn operands<'a>(&'a self, out: &mut Vec<&'a Operand>) {
        match self {
            Node::Operand(o) => out.push(o),
            Node::Stop => {}
            Node::Not(c) => c.operands(out),
            Node::And(l, r) | Node::Or(l, r) | Node::Phrase(l, r, _) => {
                l.operands(out);
                r.operands(out);
            }
        }
    }

    fn write(&self, out: &mut String, parent: i32, right_of_phrase: bool) {
        let priority = i32::from(self.priority());
        match self {
            Node::Operand(o) => {
                write_quoted(out, &o.lexeme);
                if o.weights != 0 || o.prefix {
                    out.push(':');
                    if o.prefix {
                        out.push('*');
                    }
                    for (bit, letter) in [(8, 'A'), (4, 'B'), (2, 'C'), (1, 'D')] {
                        if o.weights & bit != 0 {
                            out.push(letter);
                        }
                    }
                }
            }
            Node::Stop => {}
            Node::Not(child) => {
                let paren = priority < parent;
                if paren {
                    out.push_str("( ");
                }
                out.push('!');
                child.write(out, priority, false);
                if paren {
                    out.push_str(" )");
                }
            }
            Node::And(l, r) | Node::Or(l, r) | Node::Phrase(l, r, _) => {
                let is_phrase = matches!(self, Node::Phrase(..));
                let paren = priority < parent || (is_phrase && right_of_phrase);
                if paren {
                    out.push_str("( ");
                }
                l.write(out, priority, false);
                match self {
                    Node::And(..) => out.push_str(" & "),
                    Node::Or(..) => out.push_str(" | "),
                    Node::Phrase(_, _, 1) => out.push_str(" <-> "),
                    Node::Phrase(_, _, d) => out.push_str(&format!(" <{d}> ")),
                    _ => {}
                }
                r.write(out, priority, is_phrase);
                if paren {
                    out.push_str(" )");
                }
            }
        }
    }
}

impl fmt::Display for TsQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        if let Some(root) = &self.root {
            root.write(&mut out, -1, false);
        }
        f.write_str(&out)
    }
}

impl TsQuery {
    /// `numnode`: the number of operands and operators.
    pub fn node_count(&self) -> usize {
        self.root.as_ref().map_or(0, Node::count)
    }

    /// Parses `tsqueryin`'s text: each operand is taken as written.
    pub fn parse(text: &str) -> Result<TsQuery> {
        let root = parse_with(text, &mut |word, weights, prefix| {
            Ok(Node::Operand(Operand {
                lexeme: word.to_string(),
                weights,
                prefix,
            }))
        })?;
        Ok(TsQuery { root })
    }
}

/// What an operand's text becomes: `tsqueryin` keeps it, `to_tsquery` normalizes it
/// (possibly to several lexemes, or a stop word).
pub type Morph<'a> = dyn FnMut(&str, u8, bool) -> Result<Node> + 'a;

/// Parses query text with the standard syntax, turning each operand into a node with
/// `morph`; `None` when the text holds no operand.
pub fn parse_with(text: &str, morph: &mut Morph<'_>) -> Result<Option<Node>> {
    let chars: Vec<char> = text.chars().collect();
    let mut parser = Parser {
        text,
        chars,
        i: 0,
        depth: 0,
    };
    parser.expression(morph, true)
}

struct Parser<'t> {
    text: &'t str,
    chars: Vec<char>,
    i: usize,
    depth: usize,
}

fn is_operator_char(c: char) -> bool {
    matches!(c, '!' | '&' | '|' | '(' | ')' | '<')
}

impl Parser<'_> {
    fn syntax(&self) -> TextError {
        TextError::tsquery_syntax(self.text)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    /// One parenthesized level (or the whole text): operands and operators by
    /// precedence, left-associative except `!`.
    fn expression(&mut self, morph: &mut Morph<'_>, top: bool) -> Result<Option<Node>> {
        let mut operands: Vec<Node> = Vec::new();
        let mut operators: Vec<Operator> = Vec::new();
        let mut first = top;
        loop {
            // Waiting for an operand.
            self.skip_space();
            match self.peek() {
                Some('!') => {
                    self.i += 1;
                    operators.push(Operator::Not);
                    first = false;
                    continue;
                }
                Some('(') => {
                    self.i += 1;
                    self.depth += 1;
                    let inner = self.expression(morph, false)?;
                    operands.push(inner.unwrap_or(Node::Stop));
                }
                Some(':') => return Err(self.syntax()),
                None if first => return Ok(None),
                None => {
                    return Err(TextError::new(
                        "42601",
                        format!("no operand in tsquery: \"{}\"", self.text),
                    ))
                }
                Some(_) => {
                    let word = self.word()?;
                    let (weights, prefix) = self.modifiers();
                    operands.push(morph(&word, weights, prefix)?);
                }
            }
            first = false;
            // Waiting for an operator.
            self.skip_space();
            let op = match self.peek() {
                Some('&') => {
                    self.i += 1;
                    Operator::And
                }
                Some('|') => {
                    self.i += 1;
                    Operator::Or
                }
                Some('<') => Operator::Phrase(self.phrase_distance()?),
                Some(')') => {
                    self.i += 1;
                    if self.depth == 0 || top {
                        return Err(self.syntax());
                    }
                    self.depth -= 1;
                    reduce(&mut operands, &mut operators, 0);
                    return Ok(operands.pop());
                }
                None => {
                    if self.depth > 0 {
                        return Err(self.syntax());
                    }
                    reduce(&mut operands, &mut operators, 0);
                    return Ok(operands.pop());
                }
                Some(_) => return Err(self.syntax()),
            };
            reduce(&mut operands, &mut operators, op.priority());
            operators.push(op);
        }
    }

    /// An operand's text: quoted (`'…'`, `''` or `\'` for a quote) or up to a space, an
    /// operator character or `:`.
    fn word(&mut self) -> Result<String> {
        let mut word = String::new();
        if self.peek() == Some('\'') {
            self.i += 1;
            loop {
                match self.peek() {
                    None => return Err(self.syntax()),
                    Some('\\') => {
                        self.i += 1;
                        word.push(self.peek().ok_or_else(|| self.syntax())?);
                        self.i += 1;
                    }
                    Some('\'') if self.chars.get(self.i + 1) == Some(&'\'') => {
                        word.push('\'');
                        self.i += 2;
                    }
                    Some('\'') => {
                        self.i += 1;
                        break;
                    }
                    Some(c) => {
                        word.push(c);
                        self.i += 1;
                    }
                }
            }
            return Ok(word);
        }
        while let Some(c) = self.peek() {
            if c.is_whitespace() || is_operator_char(c) || c == ':' {
                break;
            }
            if c == '\\' {
                self.i += 1;
                word.push(self.peek().ok_or_else(|| self.syntax())?);
            } else {
                word.push(c);
            }
            self.i += 1;
        }
        Ok(word)
    }

    /// `:*AB…` after an operand.
    fn modifiers(&mut self) -> (u8, bool) {
        let (mut weights, mut prefix) = (0u8, false);
        if self.peek() != Some(':') {
            return (weights, prefix);
        }
        self.i += 1;
        while let Some(c) = self.peek() {
            if c == '*' {
                prefix = true;
            } else if let Some(w) = weight_of_letter(c) {
                weights |= 1 << w;
            } else {
                break;
            }
            self.i += 1;
        }
        (weights, prefix)
    }

    /// `<->` or `<N>`.
    fn phrase_distance(&mut self) -> Result<u16> {
        self.i += 1;
        if self.peek() == Some('-') && self.chars.get(self.i + 1) == Some(&'>') {
            self.i += 2;
            return Ok(1);
        }
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if start == self.i || self.peek() != Some('>') {
            return Err(self.syntax());
        }
        let digits: String = self.chars[start..self.i].iter().collect();
        self.i += 1;
        match digits.parse::<u32>() {
            Ok(d) if d <= u32::from(MAX_POSITION) + 1 => Ok(d as u16),
            _ => Err(TextError::new(
                "22023",
                format!(
                    "distance in phrase operator must be an integer value between zero and {} inclusive",
                    u32::from(MAX_POSITION) + 1
                ),
            )),
        }
    }
}

/// Applies the stacked operators whose priority is at least `floor` (`!` only above it,
/// as it is right-associative).
pub(crate) fn reduce(operands: &mut Vec<Node>, operators: &mut Vec<Operator>, floor: u8) {
    while let Some(&op) = operators.last() {
        if op.priority() < floor || (floor == Operator::Not.priority() && op == Operator::Not) {
            break;
        }
        operators.pop();
        let right = operands.pop().unwrap_or(Node::Stop);
        if op == Operator::Not {
            operands.push(Node::Not(Box::new(right)));
        } else {
            let left = operands.pop().unwrap_or(Node::Stop);
            operands.push(Node::binary(op, left, right));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str) -> String {
        TsQuery::parse(text).unwrap().to_string()
    }

    #[test]
    fn output_as_postgres_prints_it() {
        assert_eq!(
            round("a & b | c & !d <-> e <2> f"),
            "'a' & 'b' | 'c' & !'d' <-> 'e' <2> 'f'"
        );
        assert_eq!(round("(a | b) & c"), "( 'a' | 'b' ) & 'c'");
        assert_eq!(round("!(a & b)"), "!( 'a' & 'b' )");
        assert_eq!(round("a <-> (b <-> c)"), "'a' <-> ( 'b' <-> 'c' )");
        assert_eq!(round("(a <-> b) <-> c"), "'a' <-> 'b' <-> 'c'");
        assert_eq!(round("Fat:AB* & r\\'a"), "'Fat':*AB & 'r''a'");
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(
            TsQuery::parse("fat rat").unwrap_err().message,
            "syntax error in tsquery: \"fat rat\""
        );
        assert!(TsQuery::parse("").unwrap().root.is_none());
    }
}
