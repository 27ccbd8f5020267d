//! Schemas (namespaces) and how a name finds its relation: a qualified name
//! (`a.t`) names its schema; an unqualified one is looked for in each schema of the
//! session's `search_path` in turn, as PostgreSQL does. The path in force is the one of
//! the session whose statement runs on this thread ([`with_search_path`]).

use std::cell::RefCell;
use std::sync::Arc;

/// The schema every database has, where tables go by default.
pub const PUBLIC: &str = "public";

/// The one role, whose own schema `$user` in a search path names.
pub const USER: &str = crate::sql::ast::ROLE;

/// Schemas whose relations are the system's (`pg_catalog.pg_class`,
/// `information_schema.tables`), never a user's tables.
pub const SYSTEM_SCHEMAS: [&str; 2] = ["pg_catalog", "information_schema"];

thread_local! {
    static SEARCH_PATH: RefCell<Arc<[String]>> = RefCell::new(Arc::new([PUBLIC.to_string()]));
}

/// Splits a written name into its schema (if qualified) and its bare name.
pub fn split(name: &str) -> (Option<&str>, &str) {
    match name.split_once('.') {
        Some((schema, bare)) => (Some(schema), bare),
        None => (None, name),
    }
}

/// The catalog key of relation `name` in `schema`.
pub fn key(schema: &str, name: &str) -> String {
    format!("{schema}.{name}")
}

/// Runs `f` with `path` (the schemas of a `search_path` value, in order) as the path in
/// force on this thread, restoring the previous path afterwards.
pub fn with_search_path<T>(path: Arc<[String]>, f: impl FnOnce() -> T) -> T {
    let previous = SEARCH_PATH.with(|current| std::mem::replace(&mut *current.borrow_mut(), path));
    struct Restore(Option<Arc<[String]>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(previous) = self.0.take() {
                SEARCH_PATH.with(|current| *current.borrow_mut() = previous);
            }
        }
    }
    let _restore = Restore(Some(previous));
    f()
}

/// The schemas of the path in force, in order (shared, not copied).
pub fn search_path() -> Arc<[String]> {
    SEARCH_PATH.with(|current| Arc::clone(&current.borrow()))
}

/// The schemas named by a `search_path` value (`"$user", public`, `a,b`), in order;
/// `$user` stands for `user`'s own schema.
pub fn parse_search_path(value: &str, user: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let unquoted = match part.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                Some(inner) => inner.replace("\"\"", "\""),
                None => part.to_lowercase(),
            };
            if unquoted == "$user" {
                user.to_string()
            } else {
                unquoted
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_path_values_name_their_schemas_in_order() {
        assert_eq!(
            parse_search_path("\"$user\", public", "ann"),
            vec!["ann".to_string(), "public".to_string()]
        );
        assert_eq!(
            parse_search_path("A, \"B\",,c", "x"),
            vec!["a".to_string(), "B".to_string(), "c".to_string()]
        );
    }

    #[test]
    fn the_path_in_force_is_restored_after_use() {
        let inner = with_search_path(Arc::new(["a".to_string()]), search_path);
        assert_eq!(*inner, ["a".to_string()]);
        assert_eq!(*search_path(), [PUBLIC.to_string()]);
    }
}
