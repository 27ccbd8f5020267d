//! `tsvector` and `tsquery` in PostgreSQL's binary send format, for the wire protocol
//! and the durable store: a vector is its lexeme count, then each lexeme as a
//! NUL-terminated string, its position count (16 bits) and positions (weight in the top
//! two bits); a query is its item count, then the items in prefix order with the right
//! operand first, as PostgreSQL stores them (an operand: type 1, weight bits, prefix
//! flag, string; an operator: type 2, 1 `!`, 2 `&`, 3 `|`, 4 phrase with a 16-bit
//! distance).

use vec_text::tsquery::{Node, Operand};
use vec_text::tsvector::{Position, TsVector};
use vec_text::TsQuery;

use crate::error::{EngineError, Result};

fn wrong_format() -> EngineError {
    EngineError::new("22P03", "incorrect binary data format")
}

/// A `tsvector`'s binary form.
pub fn send_tsvector(vector: &TsVector) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(vector.len() as i32).to_be_bytes());
    for entry in vector.entries() {
        out.extend_from_slice(entry.lexeme.as_bytes());
        out.push(0);
        out.extend_from_slice(&(entry.positions.len() as u16).to_be_bytes());
        for p in &entry.positions {
            let word = (u16::from(p.weight) << 14) | p.pos;
            out.extend_from_slice(&word.to_be_bytes());
        }
    }
    out
}

struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() < n {
            return Err(wrong_format());
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self) -> Result<i32> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self) -> Result<String> {
        let end = self
            .bytes
            .iter()
            .position(|b| *b == 0)
            .ok_or_else(wrong_format)?;
        let text = std::str::from_utf8(&self.bytes[..end])
            .map_err(|_| wrong_format())?
            .to_string();
        self.bytes = &self.bytes[end + 1..];
        Ok(text)
    }
}

/// Reads a `tsvector`'s binary form.
pub fn recv_tsvector(bytes: &[u8]) -> Result<TsVector> {
    let mut cursor = Cursor { bytes };
    let count = cursor.i32()?;
    let mut words = Vec::new();
    for _ in 0..count.max(0) {
        let lexeme = cursor.string()?;
        let npos = cursor.u16()?;
        if npos == 0 {
            words.push((lexeme.clone(), None));
        }
        for _ in 0..npos {
            let word = cursor.u16()?;
            let pos = word & 0x3FFF;
            if pos == 0 {
                return Err(wrong_format());
            }
            let position = Position {
                pos,
                weight: (word >> 14) as u8,
            };
            words.push((lexeme.clone(), Some(position)));
        }
    }
    if !cursor.bytes.is_empty() {
        return Err(wrong_format());
    }
    Ok(TsVector::from_words(words))
}

fn send_node(node: &Node, out: &mut Vec<u8>) {
    let operator = |out: &mut Vec<u8>, code: u8| {
        out.push(2);
        out.push(code);
    };
    match node {
        Node::Operand(o) => {
            out.push(1);
            out.push(o.weights);
            out.push(u8::from(o.prefix));
            out.extend_from_slice(o.lexeme.as_bytes());
            out.push(0);
        }
        Node::Stop => {}
        Node::Not(child) => {
            operator(out, 1);
            send_node(child, out);
        }
        Node::And(l, r) | Node::Or(l, r) | Node::Phrase(l, r, _) => {
            match node {
                Node::And(..) => operator(out, 2),
                Node::Or(..) => operator(out, 3),
                Node::Phrase(_, _, d) => {
                    operator(out, 4);
                    out.extend_from_slice(&d.to_be_bytes());
                }
                _ => {}
            }
            send_node(r, out);
            send_node(l, out);
        }
    }
}

/// A `tsquery`'s binary form.
pub fn send_tsquery(query: &TsQuery) -> Vec<u8> {
    let mut items = Vec::new();
    if let Some(root) = &query.root {
        send_node(root, &mut items);
    }
    let mut out = Vec::with_capacity(items.len() + 4);
    out.extend_from_slice(&(query.node_count() as i32).to_be_bytes());
    out.extend_from_slice(&items);
    out
}

fn recv_node(cursor: &mut Cursor<'_>, depth: usize) -> Result<Node> {
    if depth > 1000 {
        return Err(wrong_format());
    }
    match cursor.u8()? {
        1 => {
            let weights = cursor.u8()?;
            let prefix = cursor.u8()? != 0;
            let lexeme = cursor.string()?;
            if weights > 15 {
                return Err(wrong_format());
            }
            Ok(Node::Operand(Operand {
                lexeme,
                weights,
                prefix,
            }))
        }
        2 => match cursor.u8()? {
            1 => Ok(Node::Not(Box::new(recv_node(cursor, depth + 1)?))),
            code @ 2..=4 => {
                let distance = if code == 4 { Some(cursor.u16()?) } else { None };
                let right = Box::new(recv_node(cursor, depth + 1)?);
                let left = Box::new(recv_node(cursor, depth + 1)?);
                Ok(match (code, distance) {
                    (2, _) => Node::And(left, right),
                    (3, _) => Node::Or(left, right),
                    (_, d) => Node::Phrase(left, right, d.unwrap_or(1)),
                })
            }
            _ => Err(wrong_format()),
        },
        _ => Err(wrong_format()),
    }
}

/// Reads a `tsquery`'s binary form.
pub fn recv_tsquery(bytes: &[u8]) -> Result<TsQuery> {
    let mut cursor = Cursor { bytes };
    let count = cursor.i32()?;
    let root = if count > 0 {
        Some(recv_node(&mut cursor, 0)?)
    } else {
        None
    };
    let query = TsQuery { root };
    if !cursor.bytes.is_empty() || query.node_count() != count.max(0) as usize {
        return Err(wrong_format());
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_round_trips() {
        let v = TsVector::parse("a:1A,2 b c:3").unwrap();
        assert_eq!(recv_tsvector(&send_tsvector(&v)).unwrap(), v);
        let q = TsQuery::parse("!a & (b:*AB | c) <2> d").unwrap();
        assert_eq!(recv_tsquery(&send_tsquery(&q)).unwrap(), q);
    }
}
