//! Full-text search functions and operators over `vec-text`: `to_tsvector`,
//! `to_tsquery`, `plainto_tsquery`, `phraseto_tsquery`, `websearch_to_tsquery` (with a
//! `regconfig`; the one-argument forms get `default_text_search_config` from the
//! binder), `ts_rank` and `ts_rank_cd` (optional weights and normalization),
//! `setweight`, `strip`, `length(tsvector)`, `numnode`, and the operators `@@`, `||` and
//! `&&`.

use vec_text::query_build::{phraseto_tsquery, plainto_tsquery, to_tsquery, websearch_to_tsquery};
use vec_text::rank::{ts_rank, ts_rank_cd, weights_from_array, DEFAULT_WEIGHTS};
use vec_text::tsquery::Node;
use vec_text::tsvector::weight_of_letter;
use vec_text::{Config, TsQuery, TsVector};

use super::signature::{Imp, Signature};
use crate::error::{EngineError, Result};
use crate::value::{Datum, SqlType};

use SqlType::{Bool, Float4, Int4, RegConfig, Text, TsQuery as Query, TsVector as Vector};

/// The functions whose first argument, a configuration, may be left out.
pub const DEFAULT_CONFIG_FUNCTIONS: &[&str] = &[
    "to_tsvector",
    "to_tsquery",
    "plainto_tsquery",
    "phraseto_tsquery",
    "websearch_to_tsquery",
];

fn sig(args: &[SqlType], ret: SqlType, imp: Imp) -> Signature {
    Signature {
        args: args.to_vec(),
        ret,
        imp,
    }
}

fn mismatch(expected: &str) -> EngineError {
    EngineError::internal(format!("expected a value of type {expected}"))
}

fn text(datum: &Datum) -> Result<&str> {
    match datum {
        Datum::Text(s) => Ok(s),
        _ => Err(mismatch("text")),
    }
}

fn config(datum: &Datum) -> Result<Config> {
    Ok(Config::by_name(text(datum)?)?)
}

fn vector(datum: &Datum) -> Result<&TsVector> {
    match datum {
        Datum::TsVector(v) => Ok(v),
        _ => Err(mismatch("tsvector")),
    }
}

fn query(datum: &Datum) -> Result<&TsQuery> {
    match datum {
        Datum::TsQuery(q) => Ok(q),
        _ => Err(mismatch("tsquery")),
    }
}

fn int4(datum: &Datum) -> Result<i32> {
    match datum {
        Datum::Int4(v) => Ok(*v),
        _ => Err(mismatch("integer")),
    }
}

fn tsvector(v: TsVector) -> Datum {
    Datum::TsVector(Box::new(v))
}

fn tsquery(q: TsQuery) -> Datum {
    Datum::TsQuery(Box::new(q))
}

fn weights(datum: &Datum) -> Result<[f32; 4]> {
    let Datum::Array(array) = datum else {
        return Err(mismatch("real[]"));
    };
    let values: Vec<Option<f32>> = array
        .elements
        .iter()
        .map(|e| match e {
            Datum::Float4(v) => Some(*v),
            other => other.as_f64().map(|v| v as f32),
        })
        .collect();
    Ok(weights_from_array(array.dims.len(), &values)?)
}

/// `setweight`'s `"char"` argument.
fn weight(datum: &Datum) -> Result<u8> {
    let letter = text(datum)?.chars().next().unwrap_or('\0');
    weight_of_letter(letter)
        .ok_or_else(|| EngineError::internal(format!("unrecognized weight: {}", letter as u32)))
}

fn real_array() -> SqlType {
    SqlType::Array(Box::new(Float4))
}

/// `text @@ …` parses the text with the default configuration.
fn default_vector(datum: &Datum) -> Result<TsVector> {
    Ok(Config::English.to_tsvector(text(datum)?))
}

/// A ranking function's signature in Rust.
type RankFn = fn(&[f32; 4], &TsVector, &TsQuery, i32) -> f32;

/// `rank([weights,] vector, query [, normalization])` over the arguments `a`: with
/// `weighted` the first is the weights array, with `normalized` the last is the flags.
fn rank_call(rank: RankFn, a: &[Datum], weighted: bool, normalized: bool) -> Result<Datum> {
    let (weights, rest) = match weighted {
        true => (weights(&a[0])?, &a[1..]),
        false => (DEFAULT_WEIGHTS, a),
    };
    let normalization = match normalized {
        true => int4(&rest[2])?,
        false => 0,
    };
    Ok(Datum::Float4(rank(
        &weights,
        vector(&rest[0])?,
        query(&rest[1])?,
        normalization,
    )))
}

fn ranking(name: &str) -> Vec<Signature> {
    let (plain, with_norm, weighted, weighted_norm): (Imp, Imp, Imp, Imp) = if name == "ts_rank" {
        (
            |a| rank_call(ts_rank, a, false, false),
            |a| rank_call(ts_rank, a, false, true),
            |a| rank_call(ts_rank, a, true, false),
            |a| rank_call(ts_rank, a, true, true),
        )
    } else {
        (
            |a| rank_call(ts_rank_cd, a, false, false),
            |a| rank_call(ts_rank_cd, a, false, true),
            |a| rank_call(ts_rank_cd, a, true, false),
            |a| rank_call(ts_rank_cd, a, true, true),
        )
    };
    vec![
        sig(&[Vector, Query], Float4, plain),
        sig(&[Vector, Query, Int4], Float4, with_norm),
        sig(&[real_array(), Vector, Query], Float4, weighted),
        sig(&[real_array(), Vector, Query, Int4], Float4, weighted_norm),
    ]
}

/// Overloads of the text-search function `name` (empty when it is not one).
pub fn candidates(name: &str) -> Vec<Signature> {
    match name {
        "to_tsvector" => vec![sig(&[RegConfig, Text], Vector, |a| {
            Ok(tsvector(config(&a[0])?.to_tsvector(text(&a[1])?)))
        })],
        "to_tsquery" => vec![sig(&[RegConfig, Text], Query, |a| {
            Ok(tsquery(to_tsquery(config(&a[0])?, text(&a[1])?)?))
        })],
        "plainto_tsquery" => vec![sig(&[RegConfig, Text], Query, |a| {
            Ok(tsquery(plainto_tsquery(config(&a[0])?, text(&a[1])?)))
        })],
        "phraseto_tsquery" => vec![sig(&[RegConfig, Text], Query, |a| {
            Ok(tsquery(phraseto_tsquery(config(&a[0])?, text(&a[1])?)))
        })],
        "websearch_to_tsquery" => vec![sig(&[RegConfig, Text], Query, |a| {
            Ok(tsquery(websearch_to_tsquery(config(&a[0])?, text(&a[1])?)))
        })],
        "ts_rank" | "ts_rank_cd" => ranking(name),
        "setweight" => vec![
            sig(&[Vector, Text], Vector, |a| {
                Ok(tsvector(vector(&a[0])?.set_weight(weight(&a[1])?, None)))
            }),
            sig(
                &[Vector, Text, SqlType::Array(Box::new(Text))],
                Vector,
                |a| {
                    let Datum::Array(list) = &a[2] else {
                        return Err(mismatch("text[]"));
                    };
                    let mut lexemes = Vec::with_capacity(list.elements.len());
                    for element in &list.elements {
                        match element {
                            Datum::Text(s) => lexemes.push(s.clone()),
                            _ => {
                                return Err(EngineError::new(
                                    "22004",
                                    "lexeme array may not contain nulls",
                                ))
                            }
                        }
                    }
                    let w = weight(&a[1])?;
                    Ok(tsvector(vector(&a[0])?.set_weight(w, Some(&lexemes))))
                },
            ),
        ],
        "strip" => vec![sig(&[Vector], Vector, |a| {
            Ok(tsvector(vector(&a[0])?.strip()))
        })],
        "length" => vec![sig(&[Vector], Int4, |a| {
            Ok(Datum::Int4(vector(&a[0])?.len() as i32))
        })],
        "numnode" => vec![sig(&[Query], Int4, |a| {
            Ok(Datum::Int4(query(&a[0])?.node_count() as i32))
        })],
        _ => Vec::new(),
    }
}

fn combine(a: &[Datum], join: fn(Box<Node>, Box<Node>) -> Node) -> Result<Datum> {
    let (left, right) = (query(&a[0])?, query(&a[1])?);
    Ok(tsquery(match (&left.root, &right.root) {
        (None, _) => right.clone(),
        (_, None) => left.clone(),
        (Some(l), Some(r)) => TsQuery {
            root: Some(join(Box::new(l.clone()), Box::new(r.clone()))),
        },
    }))
}

/// Overloads of the text-search operator `op`.
pub fn operator_candidates(op: &str) -> Vec<Signature> {
    match op {
        "@@" => vec![
            sig(&[Vector, Query], Bool, |a| {
                Ok(Datum::Bool(vec_text::matching::matches(
                    vector(&a[0])?,
                    query(&a[1])?,
                )))
            }),
            sig(&[Query, Vector], Bool, |a| {
                Ok(Datum::Bool(vec_text::matching::matches(
                    vector(&a[1])?,
                    query(&a[0])?,
                )))
            }),
            sig(&[Text, Query], Bool, |a| {
                let v = default_vector(&a[0])?;
                Ok(Datum::Bool(vec_text::matching::matches(&v, query(&a[1])?)))
            }),
            sig(&[Text, Text], Bool, |a| {
                let v = default_vector(&a[0])?;
                let q = plainto_tsquery(Config::English, text(&a[1])?);
                Ok(Datum::Bool(vec_text::matching::matches(&v, &q)))
            }),
        ],
        "||" => vec![
            sig(&[Vector, Vector], Vector, |a| {
                Ok(tsvector(vector(&a[0])?.concat(vector(&a[1])?)))
            }),
            sig(&[Query, Query], Query, |a| combine(a, Node::Or)),
        ],
        "&&" => vec![sig(&[Query, Query], Query, |a| combine(a, Node::And))],
        _ => Vec::new(),
    }
}
