//! `tsvector @@ tsquery`: PostgreSQL's three-valued evaluation of a query. `&`, `|` and
//! `!` combine whether lexemes are present; a phrase operator works on the positions of
//! its operands (the end position of each match and its width), where `!` inside a
//! phrase means "at any position but these". A lexeme without positions (a stripped
//! vector) matches outside a phrase but leaves a phrase undecided, which counts as no
//! match. The same evaluation decides covers in `ts_rank_cd`, over the positions seen so
//! far ([`Source`]).

use crate::tsquery::{Node, Operand, TsQuery};
use crate::tsvector::TsVector;

/// A three-valued result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ternary {
    /// No match.
    No,
    /// A match.
    Yes,
    /// Perhaps: positions are needed and missing.
    Maybe,
}

/// Where operands are looked up.
pub trait Source {
    /// Whether `operand` is present; with `positions`, also its positions (ascending).
    fn operand(&self, operand: &Operand, positions: bool) -> (Ternary, Vec<u16>);
}

impl Source for TsVector {
    fn operand(&self, operand: &Operand, positions: bool) -> (Ternary, Vec<u16>) {
        let entries = self.lookup(&operand.lexeme, operand.prefix);
        if entries.is_empty() {
            return (Ternary::No, Vec::new());
        }
        let weight_ok = |w: u8| operand.weights == 0 || operand.weights & (1 << w) != 0;
        let mut found = Vec::new();
        let mut unpositioned = false;
        for entry in entries {
            if entry.positions.is_empty() {
                unpositioned = true;
            }
            found.extend(
                entry
                    .positions
                    .iter()
                    .filter(|p| weight_ok(p.weight))
                    .map(|p| p.pos),
            );
        }
        if positions {
            if unpositioned {
                return (Ternary::Maybe, Vec::new());
            }
            found.sort_unstable();
            found.dedup();
            let result = if found.is_empty() {
                Ternary::No
            } else {
                Ternary::Yes
            };
            return (result, found);
        }
        if unpositioned || !found.is_empty() {
            (Ternary::Yes, Vec::new())
        } else {
            (Ternary::No, Vec::new())
        }
    }
}

/// `vector @@ query`: whether the vector matches (an empty query matches nothing).
pub fn matches(vector: &TsVector, query: &TsQuery) -> bool {
    query
        .root
        .as_ref()
        .is_some_and(|root| execute(root, vector) != Ternary::No)
}

/// Evaluates `node` over `source`.
pub fn execute(node: &Node, source: &dyn Source) -> Ternary {
    match node {
        Node::Operand(operand) => source.operand(operand, false).0,
        Node::Stop => Ternary::No,
        Node::Not(child) => match execute(child, source) {
            Ternary::No => Ternary::Yes,
            Ternary::Yes => Ternary::No,
            Ternary::Maybe => Ternary::Maybe,
        },
        Node::And(l, r) => match execute(l, source) {
            Ternary::No => Ternary::No,
            left => match execute(r, source) {
                Ternary::No => Ternary::No,
                Ternary::Yes if left == Ternary::Yes => Ternary::Yes,
                _ => Ternary::Maybe,
            },
        },
        Node::Or(l, r) => match execute(l, source) {
            Ternary::Yes => Ternary::Yes,
            left => match execute(r, source) {
                Ternary::Yes => Ternary::Yes,
                Ternary::No if left == Ternary::No => Ternary::No,
                _ => Ternary::Maybe,
            },
        },
        Node::Phrase(..) => match phrase(node, source) {
            (Ternary::Yes, data) if !data.positions.is_empty() || data.negate => Ternary::Yes,
            _ => Ternary::No,
        },
    }
}

/// The positions a phrase sub-match ends at, its width, and whether they are the
/// positions it does *not* match at.
#[derive(Clone, Debug, Default)]
struct PhraseData {
    positions: Vec<u16>,
    width: u16,
    negate: bool,
}

/// Which merged positions [`output`] keeps.
#[derive(Clone, Copy)]
struct Emit {
    both: bool,
    left_only: bool,
    right_only: bool,
}

/// The result of an `AND`, `OR` or phrase node from its sides' positions: those
/// `(both, left_only, right_only)` keeps, shifted by `offsets`, matching when any are
/// left or the result is negated.
fn combine(
    left: &PhraseData,
    right: &PhraseData,
    (both, left_only, right_only): (bool, bool, bool),
    negate: bool,
    offsets: (u16, u16),
    width: u16,
) -> (Ternary, PhraseData) {
    let emit = Emit {
        both,
        left_only,
        right_only,
    };
    let positions = output(left, right, emit, offsets);
    let result = if negate || !positions.is_empty() {
        Ternary::Yes
    } else {
        Ternary::No
    };
    let data = PhraseData {
        positions,
        width,
        negate,
    };
    (result, data)
}

fn output(left: &PhraseData, right: &PhraseData, emit: Emit, offsets: (u16, u16)) -> Vec<u16> {
    let l: Vec<u32> = left
        .positions
        .iter()
        .map(|p| u32::from(*p) + u32::from(offsets.0))
        .collect();
    let r: Vec<u32> = right
        .positions
        .iter()
        .map(|p| u32::from(*p) + u32::from(offsets.1))
        .collect();
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < l.len() || j < r.len() {
        let lp = match l.get(i) {
            Some(p) => *p,
            None if emit.right_only => u32::MAX,
            None => break,
        };
        let rp = match r.get(j) {
            Some(p) => *p,
            None if emit.left_only => u32::MAX,
            None => break,
        };
        if lp < rp {
            if emit.left_only {
                out.push(lp);
            }
            i += 1;
        } else if lp == rp {
            if emit.both {
                out.push(rp);
            }
            i += 1;
            j += 1;
        } else {
            if emit.right_only {
                out.push(rp);
            }
            j += 1;
        }
    }
    out.into_iter()
        .map(|p| p.min(u32::from(u16::MAX)) as u16)
        .collect()
}

fn phrase(node: &Node, source: &dyn Source) -> (Ternary, PhraseData) {
    match node {
        Node::Operand(operand) => {
            let (result, positions) = source.operand(operand, true);
            (
                result,
                PhraseData {
                    positions,
                    ..PhraseData::default()
                },
            )
        }
        Node::Stop => (Ternary::No, PhraseData::default()),
        Node::Not(child) => {
            let (result, mut data) = phrase(child, source);
            match result {
                Ternary::No => {
                    data.negate = true;
                    (Ternary::Yes, data)
                }
                Ternary::Yes if !data.positions.is_empty() => {
                    data.negate = !data.negate;
                    (Ternary::Yes, data)
                }
                Ternary::Yes => {
                    data.negate = false;
                    (Ternary::No, data)
                }
                Ternary::Maybe => (Ternary::Maybe, data),
            }
        }
        Node::And(l, r) | Node::Phrase(l, r, _) => {
            let (lm, left) = phrase(l, source);
            if lm == Ternary::No {
                return (Ternary::No, PhraseData::default());
            }
            let (rm, right) = phrase(r, source);
            if rm == Ternary::No {
                return (Ternary::No, PhraseData::default());
            }
            if lm == Ternary::Maybe || rm == Ternary::Maybe {
                return (Ternary::Maybe, PhraseData::default());
            }
            let (offsets, width) = match node {
                Node::Phrase(_, _, d) => (
                    (d.saturating_add(right.width), 0),
                    d.saturating_add(left.width).saturating_add(right.width),
                ),
                _ => {
                    let max = left.width.max(right.width);
                    ((max - left.width, max - right.width), max)
                }
            };
            // Which positions survive, by which sides are negated.
            let (emit, negate) = match (left.negate, right.negate) {
                (true, true) => ((true, true, true), true),
                (true, false) => ((false, false, true), false),
                (false, true) => ((false, true, false), false),
                (false, false) => ((true, false, false), false),
            };
            combine(&left, &right, emit, negate, offsets, width)
        }
        Node::Or(l, r) => {
            let (lm, mut left) = phrase(l, source);
            let (rm, mut right) = phrase(r, source);
            if lm == Ternary::No && rm == Ternary::No {
                return (Ternary::No, PhraseData::default());
            }
            if lm == Ternary::Maybe || rm == Ternary::Maybe {
                return (Ternary::Maybe, PhraseData::default());
            }
            if lm == Ternary::No {
                left = PhraseData::default();
            }
            if rm == Ternary::No {
                right = PhraseData::default();
            }
            let max = left.width.max(right.width);
            let offsets = (max - left.width, max - right.width);
            let (emit, negate) = match (left.negate, right.negate) {
                (true, true) => ((true, false, false), true),
                (true, false) => ((false, true, false), true),
                (false, true) => ((false, false, true), true),
                (false, false) => ((true, true, true), false),
            };
            combine(&left, &right, emit, negate, offsets, max)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(vector: &str, query: &str) -> bool {
        matches(
            &TsVector::parse(vector).unwrap(),
            &TsQuery::parse(query).unwrap(),
        )
    }

    #[test]
    fn boolean_and_phrase_matches() {
        assert!(m("a:1 fat:2 rat:3", "fat & rat"));
        assert!(!m("a:1 fat:2 rat:3", "fat & !rat"));
        assert!(m("a:1 fat:2 rat:3", "fat <-> rat"));
        assert!(!m("a:1 fat:2 rat:3", "rat <-> fat"));
        assert!(m("a:1 fat:2 rat:3", "a <2> rat"));
        assert!(m("a:1 fat:2 rat:3", "a <-> (fat <-> rat)"));
        assert!(m("a:1 fat:2A rat:3", "fa:*A"));
        assert!(!m("a:1 fat:2 rat:3", "fat:A"));
        assert!(m("fat rat", "fat & rat"));
        assert!(!m("fat rat", "fat <-> rat"));
    }
}
