//! Machinery shared by the two dense types, `vector` and `halfvec`, whose C sources in
//! pgvector are near copies of each other: the text parser's loop, `subvector`'s index
//! rules, `binary_quantize`'s bit packing, the `avg` aggregate's state, the shared
//! operator and ordering trait impls and the distances to stored values.
//!
//! Each piece is generic over what differs between the types (element conversion and
//! checks, the type name in messages), so the two public types stay thin.

pub(crate) mod avg;
pub(crate) mod parse;
pub(crate) mod slicing;
pub(crate) mod stored;
pub(crate) mod traits;
pub(crate) mod wire;
