//! Integration tests of vec-types: pgvector's regression cases for each type, as unit-level
//! checks of parsing, printing, operators, functions and casts.

mod bit;
mod halfvec;
mod sparsevec;
mod vector;
