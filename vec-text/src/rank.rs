//! `ts_rank` and `ts_rank_cd`, computed as PostgreSQL 15 computes them, in the same
//! single- and double-precision steps so that the `real` results are the same bits.
//!
//! Weights are indexed by weight (`D`, `C`, `B`, `A`), as the SQL array lists them.
//! Normalization flags: 1 divides by 1 + log of the length, 2 by the length, 4 by the
//! mean distance between extents (`ts_rank_cd` only), 8 by the number of distinct
//! lexemes, 16 by 1 + log of that, 32 maps the rank r to r / (r + 1).

use std::collections::HashMap;

use crate::error::{Result, TextError};
use crate::matching::{execute, Source, Ternary};
use crate::tsquery::{Node, Operand, TsQuery};
use crate::tsvector::{TsVector, MAX_POSITION};

/// The default weights: `{0.1, 0.2, 0.4, 1.0}`.
pub const DEFAULT_WEIGHTS: [f32; 4] = [0.1, 0.2, 0.4, 1.0];

/// The weights of a `real[]` argument (`None` elements are NULLs): at least four, none
/// NULL, none above 1; a negative one takes the default.
pub fn weights_from_array(dims: usize, values: &[Option<f32>]) -> Result<[f32; 4]> {
    if dims != 1 {
        return Err(TextError::new(
            "2202E",
            "array of weight must be one-dimensional",
        ));
    }
    if values.len() < 4 {
        return Err(TextError::new("2202E", "array of weight is too short"));
    }
    if values.iter().any(Option::is_none) {
        return Err(TextError::new(
            "22004",
            "array of weight must not contain nulls",
        ));
    }
    let mut out = DEFAULT_WEIGHTS;
    for (i, slot) in out.iter_mut().enumerate() {
        let w = values[i].unwrap_or(-1.0);
        if w >= 0.0 {
            *slot = w;
        }
        if *slot > 1.0 {
            return Err(TextError::new("22023", "weight out of range"));
        }
    }
    Ok(out)
}

/// The query's operands, sorted by lexeme and without repeats.
fn unique_operands(query: &TsQuery) -> Vec<&Operand> {
    let mut operands = Vec::new();
    if let Some(root) = &query.root {
        root.operands(&mut operands);
    }
    operands.sort_by(|a, b| a.lexeme.as_bytes().cmp(b.lexeme.as_bytes()));
    operands.dedup_by(|a, b| a.lexeme == b.lexeme);
    operands
}

fn word_distance(distance: i32) -> f32 {
    if distance > 100 {
        return 1e-30;
    }
    (1.0 / (1.005 + 0.05 * ((distance as f32 as f64) / 1.5 - 2.0).exp())) as f32
}

fn rank_or(w: &[f32; 4], vector: &TsVector, operands: &[&Operand]) -> f32 {
    let mut res: f32 = 0.0;
    for operand in operands {
        for entry in vector.lookup(&operand.lexeme, operand.prefix) {
            let weights: Vec<u8> = if entry.positions.is_empty() {
                vec![0]
            } else {
                entry.positions.iter().map(|p| p.weight).collect()
            };
            let mut resj: f32 = 0.0;
            let mut wjm: f32 = -1.0;
            let mut jm: usize = 0;
            for (j, weight) in weights.iter().enumerate() {
                let wp = w[usize::from(*weight)];
                resj += wp / (((j + 1) * (j + 1)) as f32);
                if wp > wjm {
                    wjm = wp;
                    jm = j;
                }
            }
            let term = wjm + resj - wjm / (((jm + 1) * (jm + 1)) as f32);
            res = (f64::from(res) + f64::from(term) / 1.64493406685) as f32;
        }
    }
    if !operands.is_empty() {
        res /= operands.len() as f32;
    }
    res
}

fn rank_and(w: &[f32; 4], vector: &TsVector, operands: &[&Operand]) -> f32 {
    if operands.len() < 2 {
        return rank_or(w, vector, operands);
    }
    // Each operand's (position, weight) list, and whether it is the placeholder for a
    // lexeme without positions.
    let mut seen: Vec<Option<(Vec<(u16, u8)>, bool)>> = vec![None; operands.len()];
    let mut res: f32 = -1.0;
    for (i, operand) in operands.iter().enumerate() {
        for entry in vector.lookup(&operand.lexeme, operand.prefix) {
            let current = if entry.positions.is_empty() {
                (vec![(MAX_POSITION, 0)], true)
            } else {
                (
                    entry.positions.iter().map(|p| (p.pos, p.weight)).collect(),
                    false,
                )
            };
            for other in seen.iter().take(i).flatten() {
                for &(pos_l, weight_l) in &current.0 {
                    for &(pos_p, weight_p) in &other.0 {
                        let mut dist = (i32::from(pos_l) - i32::from(pos_p)).abs();
                        if dist == 0 && !(current.1 || other.1) {
                            continue;
                        }
                        if dist == 0 {
                            dist = i32::from(MAX_POSITION) + 1;
                        }
                        let product = w[usize::from(weight_l)]
                            * w[usize::from(weight_p)]
                            * word_distance(dist);
                        let curw = f64::from(product).sqrt() as f32;
                        res = if res < 0.0 {
                            curw
                        } else {
                            (1.0 - (1.0 - f64::from(res)) * (1.0 - f64::from(curw))) as f32
                        };
                    }
                }
            }
            seen[i] = Some(current);
        }
    }
    res
}

/// `ts_rank([weights,] vector, query[, normalization])`.
pub fn ts_rank(weights: &[f32; 4], vector: &TsVector, query: &TsQuery, method: i32) -> f32 {
    let Some(root) = &query.root else {
        return 0.0;
    };
    if vector.is_empty() {
        return 0.0;
    }
    let operands = unique_operands(query);
    let mut res = match root {
        Node::And(..) | Node::Phrase(..) => rank_and(weights, vector, &operands),
        _ => rank_or(weights, vector, &operands),
    };
    if res < 0.0 {
        res = 1e-20;
    }
    let length = vector.position_count();
    let unique = vector.len();
    if method & 1 != 0 {
        res = (f64::from(res) / (((length + 1) as f64).ln() / 2f64.ln())) as f32;
    }
    if method & 2 != 0 && length > 0 {
        res /= length as f32;
    }
    if method & 8 != 0 {
        res /= unique as f32;
    }
    if method & 16 != 0 {
        res = (f64::from(res) / (((unique + 1) as f64).ln() / 2f64.ln())) as f32;
    }
    if method & 32 != 0 {
        res /= res + 1.0;
    }
    res
}

/// One position of the document that some operand matched: the operands (by identity)
/// it stands for.
struct DocItem<'q> {
    pos: u16,
    weight: u8,
    operands: Vec<&'q Operand>,
}

/// The positions seen by the cover search so far, per operand.
#[derive(Default)]
struct Seen {
    positions: HashMap<usize, Vec<u16>>,
}

fn key(operand: &Operand) -> usize {
    operand as *const Operand as usize
}

impl Seen {
    fn add(&mut self, item: &DocItem<'_>) {
        for operand in &item.operands {
            let list = self.positions.entry(key(operand)).or_default();
            if !list.contains(&item.pos) {
                list.push(item.pos);
            }
        }
    }
}

impl Source for Seen {
    fn operand(&self, operand: &Operand, positions: bool) -> (Ternary, Vec<u16>) {
        match self.positions.get(&key(operand)) {
            Some(list) if !list.is_empty() => {
                let mut list = if positions { list.clone() } else { Vec::new() };
                list.sort_unstable();
                (Ternary::Yes, list)
            }
            _ => (Ternary::No, Vec::new()),
        }
    }
}

fn doc_items<'q>(vector: &TsVector, root: &'q Node) -> Vec<DocItem<'q>> {
    let mut operands = Vec::new();
    root.operands(&mut operands);
    // (position, weight, entry index, operand)
    let mut raw: Vec<(u16, u8, usize, &'q Operand)> = Vec::new();
    for operand in operands {
        for entry in vector.lookup(&operand.lexeme, operand.prefix) {
            let index = entry as *const _ as usize;
            for p in &entry.positions {
                if operand.weights == 0 || operand.weights & (1 << p.weight) != 0 {
                    raw.push((p.pos, p.weight, index, operand));
                }
            }
        }
    }
    raw.sort_by_key(|&(pos, weight, index, _)| (pos, weight, index));
    let mut items: Vec<DocItem<'q>> = Vec::new();
    let mut last: Option<(u16, u8, usize)> = None;
    for (pos, weight, index, operand) in raw {
        match items.last_mut() {
            Some(item) if last == Some((pos, weight, index)) => item.operands.push(operand),
            _ => items.push(DocItem {
                pos,
                weight,
                operands: vec![operand],
            }),
        }
        last = Some((pos, weight, index));
    }
    items
}

/// A cover: the document items from `begin` to `end` and the positions `p` to `q`.
struct Cover {
    begin: usize,
    end: usize,
    p: u16,
    q: u16,
}

fn next_cover(doc: &[DocItem<'_>], root: &Node, start: &mut usize) -> Option<Cover> {
    loop {
        if *start >= doc.len() {
            return None;
        }
        let mut seen = Seen::default();
        let mut found = None;
        for (i, item) in doc.iter().enumerate().skip(*start) {
            seen.add(item);
            if execute(root, &seen) != Ternary::No {
                found = Some(i);
                break;
            }
        }
        let end = found?;
        let q = doc[end].pos;
        let mut seen = Seen::default();
        let mut begin = None;
        let mut i = end;
        loop {
            seen.add(&doc[i]);
            if execute(root, &seen) != Ternary::No {
                begin = Some(i);
                break;
            }
            if i == *start {
                break;
            }
            i -= 1;
        }
        if let Some(begin) = begin {
            let p = doc[begin].pos;
            if p <= q {
                *start = begin + 1;
                return Some(Cover { begin, end, p, q });
            }
        }
        *start += 1;
    }
}

/// `ts_rank_cd([weights,] vector, query[, normalization])`: cover density ranking.
pub fn ts_rank_cd(weights: &[f32; 4], vector: &TsVector, query: &TsQuery, method: i32) -> f32 {
    let Some(root) = &query.root else {
        return 0.0;
    };
    let inverse: Vec<f64> = weights.iter().map(|w| 1.0 / f64::from(*w)).collect();
    let doc = doc_items(vector, root);
    if doc.is_empty() {
        return 0.0;
    }
    let mut wdoc = 0.0f64;
    let mut sum_dist = 0.0f64;
    let mut prev_ext_pos = 0.0f64;
    let mut extents = 0usize;
    let mut start = 0usize;
    while let Some(cover) = next_cover(&doc, root, &mut start) {
        let inv_sum: f64 = doc[cover.begin..=cover.end]
            .iter()
            .map(|item| inverse[usize::from(item.weight)])
            .sum();
        let span = (cover.end - cover.begin) as i64;
        let cpos = (span + 1) as f64 / inv_sum;
        let mut noise = (i64::from(cover.q) - i64::from(cover.p)) - span;
        if noise < 0 {
            noise = span / 2;
        }
        wdoc += cpos / ((1 + noise) as f64);
        let cur_ext_pos = (f64::from(cover.q) + f64::from(cover.p)) / 2.0;
        if extents > 0 && cur_ext_pos > prev_ext_pos {
            sum_dist += 1.0 / (cur_ext_pos - prev_ext_pos);
        }
        prev_ext_pos = cur_ext_pos;
        extents += 1;
    }
    let length = vector.position_count();
    let unique = vector.len();
    if method & 1 != 0 && unique > 0 {
        wdoc /= ((length + 1) as f64).ln();
    }
    if method & 2 != 0 && length > 0 {
        wdoc /= length as f64;
    }
    if method & 4 != 0 && extents > 0 && sum_dist > 0.0 {
        wdoc /= extents as f64 / sum_dist;
    }
    if method & 8 != 0 && unique > 0 {
        wdoc /= unique as f64;
    }
    if method & 16 != 0 && unique > 0 {
        wdoc /= ((unique + 1) as f64).ln() / 2f64.ln();
    }
    if method & 32 != 0 {
        wdoc /= wdoc + 1.0;
    }
    wdoc as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(vector: &str, query: &str) -> (f32, f32) {
        let v = TsVector::parse(vector).unwrap();
        let q = TsQuery::parse(query).unwrap();
        (
            ts_rank(&DEFAULT_WEIGHTS, &v, &q, 0),
            ts_rank_cd(&DEFAULT_WEIGHTS, &v, &q, 0),
        )
    }

    #[test]
    fn ranks_are_positive_for_matches() {
        let (r, cd) = rank("a:1 fat:2 rat:3", "fat & rat");
        assert!(r > 0.0 && cd > 0.0);
        let (r, cd) = rank("a:1 fat:2 rat:3", "dog");
        assert_eq!((r, cd), (0.0, 0.0));
    }
}
