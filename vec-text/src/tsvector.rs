//! The `tsvector` value: distinct lexemes in PostgreSQL's order (bytewise, a prefix
//! first), each with its positions (1 to 16383) and their weights (`A` to `D`). Text
//! input and output as `tsvectorin`/`tsvectorout`, `||`, `setweight`, `strip`.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Result, TextError};

/// The largest position a lexeme can have; larger ones are stored as this.
pub const MAX_POSITION: u16 = 16383;
/// The most positions one lexeme keeps; later ones are dropped.
pub const MAX_POSITIONS: usize = 256;

/// A weight: 3 is `A`, 2 `B`, 1 `C`, 0 `D` (the default, never printed).
pub type Weight = u8;

/// A position with its weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// The position, 1 to [`MAX_POSITION`].
    pub pos: u16,
    /// The weight (3 = `A` … 0 = `D`).
    pub weight: Weight,
}

/// One lexeme with its positions (empty when the vector carries none for it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// The lexeme.
    pub lexeme: String,
    /// Its positions, ascending and distinct.
    pub positions: Vec<Position>,
}

/// A `tsvector`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TsVector {
    entries: Vec<Entry>,
}

/// The letter of a weight.
pub fn weight_letter(weight: Weight) -> char {
    match weight {
        3 => 'A',
        2 => 'B',
        1 => 'C',
        _ => 'D',
    }
}

/// The weight a letter (`A`–`D`, either case) names.
pub fn weight_of_letter(c: char) -> Option<Weight> {
    match c.to_ascii_uppercase() {
        'A' => Some(3),
        'B' => Some(2),
        'C' => Some(1),
        'D' => Some(0),
        _ => None,
    }
}

impl TsVector {
    /// A vector of lexemes with positions, in any order, possibly repeated: equal
    /// lexemes merge their positions (sorted, distinct, at most [`MAX_POSITIONS`]; of two
    /// equal positions the higher weight stays).
    pub fn from_words(words: impl IntoIterator<Item = (String, Option<Position>)>) -> Self {
        let mut map: BTreeMap<Vec<u8>, (String, Vec<Position>)> = BTreeMap::new();
        for (word, position) in words {
            let slot = map
                .entry(word.as_bytes().to_vec())
                .or_insert_with(|| (word.clone(), Vec::new()));
            if let Some(position) = position {
                slot.1.push(position);
            }
        }
        let entries = map
            .into_values()
            .map(|(lexeme, positions)| Entry {
                lexeme,
                positions: unique_positions(positions),
            })
            .collect();
        TsVector { entries }
    }

    /// The entries, in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The number of distinct lexemes (`length(tsvector)`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the vector has no lexemes.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry of `lexeme`, if present.
    pub fn find(&self, lexeme: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.lexeme.as_bytes().cmp(lexeme.as_bytes()))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// The entries whose lexeme starts with `prefix`.
    pub fn find_prefix(&self, prefix: &str) -> &[Entry] {
        let start = self
            .entries
            .partition_point(|e| e.lexeme.as_bytes() < prefix.as_bytes());
        let end = start
            + self.entries[start..]
                .iter()
                .take_while(|e| e.lexeme.as_bytes().starts_with(prefix.as_bytes()))
                .count();
        &self.entries[start..end]
    }

    /// The entries `lexeme` names: the one equal to it, or with `prefix` every one
    /// starting with it.
    pub fn lookup(&self, lexeme: &str, prefix: bool) -> &[Entry] {
        if prefix {
            return self.find_prefix(lexeme);
        }
        match self
            .entries
            .binary_search_by(|e| e.lexeme.as_bytes().cmp(lexeme.as_bytes()))
        {
            Ok(i) => &self.entries[i..=i],
            Err(_) => &[],
        }
    }

    /// The number of positions, counting a lexeme without any as one (`cnt_length`).
    pub fn position_count(&self) -> usize {
        self.entries.iter().map(|e| e.positions.len().max(1)).sum()
    }

    /// `strip`: the lexemes without positions.
    pub fn strip(&self) -> TsVector {
        TsVector {
            entries: self
                .entries
                .iter()
                .map(|e| Entry {
                    lexeme: e.lexeme.clone(),
                    positions: Vec::new(),
                })
                .collect(),
        }
    }

    /// `setweight(v, weight[, lexemes])`: every position (of the listed lexemes only,
    /// when given) takes `weight`.
    pub fn set_weight(&self, weight: Weight, only: Option<&[String]>) -> TsVector {
        let mut out = self.clone();
        for entry in &mut out.entries {
            if only.is_some_and(|list| !list.iter().any(|l| *l == entry.lexeme)) {
                continue;
            }
            for position in &mut entry.positions {
                position.weight = weight;
            }
        }
        out
    }

    /// `a || b`: the lexemes of both; `b`'s positions move up by `a`'s largest position.
    pub fn concat(&self, other: &TsVector) -> TsVector {
        let shift = self
            .entries
            .iter()
            .flat_map(|e| e.positions.iter().map(|p| p.pos))
            .max()
            .unwrap_or(0);
        let mut words = Vec::new();
        for entry in &self.entries {
            push_entry(&mut words, entry, 0);
        }
        for entry in &other.entries {
            push_entry(&mut words, entry, shift);
        }
        TsVector::from_words(words)
    }

    /// Parses `tsvectorin`'s text: lexemes separated by spaces, each plain or quoted
    /// (`'…'`, with `''` for a quote) with `\` escaping a character, optionally followed
    /// by `:` and comma-separated positions, each with an optional weight letter.
    pub fn parse(text: &str) -> Result<TsVector> {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        let mut words = Vec::new();
        let syntax = || TextError::tsvector_syntax(text);
        loop {
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            if i >= chars.len() {
                break;
            }
            let mut word = String::new();
            if chars[i] == '\'' {
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err(syntax()),
                        Some('\\') => {
                            word.push(*chars.get(i + 1).ok_or_else(syntax)?);
                            i += 2;
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            word.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&c) => {
                            word.push(c);
                            i += 1;
                        }
                    }
                }
            } else {
                while let Some(&c) = chars.get(i) {
                    if c.is_whitespace() || c == ':' {
                        break;
                    }
                    if c == '\'' {
                        return Err(syntax());
                    }
                    if c == '\\' {
                        word.push(*chars.get(i + 1).ok_or_else(syntax)?);
                        i += 2;
                    } else {
                        word.push(c);
                        i += 1;
                    }
                }
            }
            if chars.get(i) != Some(&':') {
                words.push((word, None));
                continue;
            }
            i += 1;
            loop {
                let start = i;
                while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
                    i += 1;
                }
                if start == i {
                    return Err(syntax());
                }
                let digits: String = chars[start..i].iter().collect();
                let pos: u64 = digits.parse().unwrap_or(u64::MAX);
                if pos == 0 {
                    return Err(TextError::new(
                        "42601",
                        format!("wrong position info in tsvector: \"{text}\""),
                    ));
                }
                let mut weight = 0;
                if let Some(w) = chars.get(i).and_then(|c| weight_of_letter(*c)) {
                    weight = w;
                    i += 1;
                } else if chars.get(i) == Some(&'*') {
                    i += 1;
                }
                let pos = pos.min(u64::from(MAX_POSITION)) as u16;
                words.push((word.clone(), Some(Position { pos, weight })));
                if chars.get(i) == Some(&',') {
                    i += 1;
                    continue;
                }
                match chars.get(i) {
                    None => break,
                    Some(c) if c.is_whitespace() => break,
                    Some(_) => return Err(syntax()),
                }
            }
        }
        Ok(TsVector::from_words(words))
    }
}

fn push_entry(words: &mut Vec<(String, Option<Position>)>, entry: &Entry, shift: u16) {
    if entry.positions.is_empty() {
        words.push((entry.lexeme.clone(), None));
    }
    for p in &entry.positions {
        let pos = (u32::from(p.pos) + u32::from(shift)).min(u32::from(MAX_POSITION)) as u16;
        words.push((
            entry.lexeme.clone(),
            Some(Position {
                pos,
                weight: p.weight,
            }),
        ));
    }
}

fn unique_positions(mut positions: Vec<Position>) -> Vec<Position> {
    positions.sort_by_key(|p| p.pos);
    let mut out: Vec<Position> = Vec::with_capacity(positions.len());
    for p in positions {
        match out.last_mut() {
            Some(last) if last.pos == p.pos => last.weight = last.weight.max(p.weight),
            _ => out.push(p),
        }
    }
    out.truncate(MAX_POSITIONS);
    out
}

/// Writes a lexeme quoted as `tsvectorout` and `tsqueryout` do: `'…'` with `'` and `\`
/// doubled.
pub fn write_quoted(out: &mut String, lexeme: &str) {
    out.push('\'');
    for c in lexeme.chars() {
        if c == '\'' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
}

impl fmt::Display for TsVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        for (i, entry) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            write_quoted(&mut out, &entry.lexeme);
            for (j, p) in entry.positions.iter().enumerate() {
                out.push(if j == 0 { ':' } else { ',' });
                out.push_str(&p.pos.to_string());
                if p.weight != 0 {
                    out.push(weight_letter(p.weight));
                }
            }
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip() {
        let v = TsVector::parse("a:1A,2 b c:3").unwrap();
        assert_eq!(v.to_string(), "'a':1A,2 'b' 'c':3");
        let v = TsVector::parse("'a b' 'it''s' c\\ d e:3,1,3C,2B").unwrap();
        assert_eq!(v.to_string(), "'a b' 'c d' 'e':1,2B,3C 'it''s'");
    }

    #[test]
    fn concat_shifts_positions() {
        let a = TsVector::parse("a:1 b:2").unwrap();
        let b = TsVector::parse("b:1 c:2A").unwrap();
        assert_eq!(a.concat(&b).to_string(), "'a':1 'b':2,3 'c':4A");
    }
}
