//! Overload resolution for functions and operators, after PostgreSQL's rules in
//! simplified form: an exact match (an unknown literal matching anything, and for binary
//! operators standing for the other side's type) wins; otherwise the candidates
//! reachable through implicit casts are ranked by how many arguments match exactly,
//! and a tie is ambiguous.

use crate::error::Result;
use crate::value::cast::{cast_exists, CoercionContext};
use crate::value::{Datum, SqlType};

/// How a function or operator computes its result from non-null arguments.
pub type Imp = fn(&[Datum]) -> Result<Datum>;

/// One overload.
#[derive(Clone)]
pub struct Signature {
    /// The argument types.
    pub args: Vec<SqlType>,
    /// The result type.
    pub ret: SqlType,
    /// The implementation.
    pub imp: Imp,
}

/// The outcome of resolution.
pub enum Resolution {
    /// The chosen overload.
    Found(Signature),
    /// No overload fits.
    NotFound,
    /// Several fit equally well.
    Ambiguous,
}

/// An argument type matches a parameter type exactly (arrays of unknown elements, used
/// by generic array functions, match every array).
fn matches_exactly(arg: &SqlType, param: &SqlType) -> bool {
    match (arg, param) {
        (SqlType::Array(_), SqlType::Array(p)) if **p == SqlType::Unknown => true,
        (SqlType::Varchar, SqlType::Text) => true,
        _ => arg == param,
    }
}

/// Picks the overload for arguments of types `args`.
pub fn resolve(candidates: Vec<Signature>, args: &[SqlType], binary_operator: bool) -> Resolution {
    let mut arity: Vec<Signature> = candidates
        .into_iter()
        .filter(|c| c.args.len() == args.len())
        .collect();
    if arity.is_empty() {
        return Resolution::NotFound;
    }
    // For binary operators, an unknown side is assumed to have the other side's type.
    let effective: Vec<SqlType> = if binary_operator && args.len() == 2 {
        match (&args[0], &args[1]) {
            (SqlType::Unknown, known) if *known != SqlType::Unknown => {
                vec![known.clone(), known.clone()]
            }
            (known, SqlType::Unknown) if *known != SqlType::Unknown => {
                vec![known.clone(), known.clone()]
            }
            _ => args.to_vec(),
        }
    } else {
        args.to_vec()
    };
    let exact: Vec<&Signature> = arity
        .iter()
        .filter(|c| {
            c.args
                .iter()
                .zip(&effective)
                .all(|(p, a)| *a == SqlType::Unknown || matches_exactly(a, p))
        })
        .collect();
    if exact.len() == 1 {
        return Resolution::Found(exact[0].clone());
    }
    if exact.len() > 1 {
        // Unknown literals prefer the string category: a single candidate taking `text`
        // wherever an unknown stands wins (so `'a' || 'b'` is text concatenation).
        let textual: Vec<&&Signature> = exact
            .iter()
            .filter(|c| {
                c.args
                    .iter()
                    .zip(&effective)
                    .all(|(p, a)| *a != SqlType::Unknown || *p == SqlType::Text)
            })
            .collect();
        if textual.len() == 1 {
            return Resolution::Found((*textual[0]).clone());
        }
        return Resolution::Ambiguous;
    }
    arity.retain(|c| {
        c.args
            .iter()
            .zip(args)
            .all(|(p, a)| matches_exactly(a, p) || cast_exists(a, p, CoercionContext::Implicit))
    });
    let score = |c: &Signature| {
        let exact_count = c
            .args
            .iter()
            .zip(args)
            .filter(|(p, a)| matches_exactly(a, p))
            .count();
        // Among numeric promotions, prefer the narrowest target (int8 before numeric
        // before float8), as PostgreSQL's preferred-type rules usually end up doing.
        let widening: u32 = c
            .args
            .iter()
            .map(|p| u32::from(p.numeric_rank().unwrap_or(0)))
            .sum();
        (exact_count, std::cmp::Reverse(widening))
    };
    let Some(best) = arity.iter().map(score).max() else {
        return Resolution::NotFound;
    };
    let mut winners: Vec<&Signature> = arity.iter().filter(|c| score(c) == best).collect();
    if winners.len() == 1 {
        return Resolution::Found(winners.remove(0).clone());
    }
    // An unknown literal prefers the string category: one candidate taking `text`
    // wherever an unknown stands wins (`'fat cats' @@ to_tsquery('cat')`).
    let textual: Vec<&&Signature> = winners
        .iter()
        .filter(|c| {
            c.args
                .iter()
                .zip(args)
                .all(|(p, a)| *a != SqlType::Unknown || *p == SqlType::Text)
        })
        .collect();
    if textual.len() == 1 {
        return Resolution::Found((*textual[0]).clone());
    }
    Resolution::Ambiguous
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::operators::binary_candidates;

    /// The argument types of the overload `op` resolves to for `left` and `right`.
    fn resolved(op: &str, left: SqlType, right: SqlType) -> Option<Vec<SqlType>> {
        match resolve(binary_candidates(op, &left, &right), &[left, right], true) {
            Resolution::Found(signature) => Some(signature.args),
            _ => None,
        }
    }

    #[test]
    fn mixed_vector_types_resolve_through_pgvectors_implicit_casts() {
        use SqlType::{HalfVec, SparseVec, Vector};
        // vector → halfvec → sparsevec are implicit, the reverse only in assignment:
        // each pair takes the operator of the type the other converts to implicitly.
        for op in ["<->", "<#>", "<=>"] {
            for (left, right, wanted) in [
                (HalfVec, Vector, HalfVec),
                (Vector, HalfVec, HalfVec),
                (Vector, SparseVec, SparseVec),
                (SparseVec, HalfVec, SparseVec),
                (Vector, Vector, Vector),
            ] {
                assert_eq!(
                    resolved(op, left.clone(), right.clone()),
                    Some(vec![wanted.clone(), wanted.clone()]),
                    "{left:?} {op} {right:?}"
                );
            }
        }
        assert_eq!(resolved("+", Vector, HalfVec), Some(vec![HalfVec, HalfVec]));
        assert_eq!(resolved("+", SparseVec, Vector), None);
    }
}
