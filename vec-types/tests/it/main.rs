//! Integration tests of vec-types: pgvector's regression cases for each type, as unit-level
//! checks of parsing, printing, operators, functions and casts.

mod bit;
mod cast_dense;
mod cast_sparse;
mod float_output;
mod halfvec;
mod sparsevec;
mod sparsevec_functions;
mod vector;
