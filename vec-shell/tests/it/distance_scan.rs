//! The exact scan's distance loop (`ORDER BY column <op> constant LIMIT k`) answers as the
//! general executor does: the same rows, distances and order (ties in storage order, NULL
//! last), with filters, the query on either side, `vector` and `halfvec`, on one thread
//! and on several, and the same errors.

use vec_shell::{Database, Session};

use crate::common::{last_rows, random_vector as vector};

/// `items` with `n` rows: a vector and its `halfvec` copy, a category, every 10th vector
/// NULL and every 7th a copy of row 0's (ties).
fn load(session: &mut Session, n: u64) {
    session
        .execute("CREATE TABLE items (id bigint PRIMARY KEY, c int, v vector(8), h halfvec(8))")
        .unwrap();
    let values: Vec<String> = (0..n)
        .map(|i| {
            let v = match i {
                _ if i % 10 == 9 => "NULL".to_string(),
                _ if i % 7 == 0 => format!("'{}'", vector(0, 8)),
                _ => format!("'{}'", vector(i, 8)),
            };
            format!("({i}, {}, {v}, {v})", i % 3)
        })
        .collect();
    for chunk in values.chunks(1000) {
        session
            .execute(&format!("INSERT INTO items VALUES {}", chunk.join(", ")))
            .unwrap();
    }
}

/// The rows of `sql` through the distance loop, and of the same query with its sort key
/// hidden from it (`+ 0` makes the key an expression the loop does not take).
fn both(
    session: &mut Session,
    order: &str,
    rest: &str,
) -> (Vec<Vec<Option<String>>>, Vec<Vec<Option<String>>>) {
    let fast = format!("SELECT id, {order} AS d FROM items {rest} ORDER BY {order} LIMIT 25");
    let general =
        format!("SELECT id, {order} AS d FROM items {rest} ORDER BY ({order}) + 0 LIMIT 25");
    // Twice: the second run of a query with a vector literal goes through its shape's
    // plan, where the query vector is a parameter.
    let first = last_rows(session, &fast);
    assert_eq!(first, last_rows(session, &fast), "{fast}");
    (first, last_rows(session, &general))
}

fn check_every_shape(session: &mut Session) {
    let q = vector(4242, 8);
    for operator in ["<->", "<=>", "<#>", "<+>"] {
        for (column, cast) in [("v", "vector"), ("h", "halfvec")] {
            for order in [
                format!("{column} {operator} '{q}'::{cast}"),
                format!("'{q}'::{cast} {operator} {column}"),
                format!("{column} {operator} '{q}'"),
                format!("'{q}' {operator} {column}"),
            ] {
                for rest in [
                    "",
                    "WHERE c = 1",
                    "WHERE id > 100000",
                    // Filters reading the vectors themselves, and another column with them.
                    "WHERE h IS NOT NULL OR c = 2",
                    "WHERE v <-> h < 1.5 AND id % 2 = 0",
                ] {
                    let (fast, general) = both(session, &order, rest);
                    assert_eq!(fast, general, "{order} {rest}");
                }
            }
        }
    }
    // The NULL vectors come last once the others are used up.
    let rows = last_rows(
        session,
        &format!("SELECT id FROM items WHERE id < 40 ORDER BY v <-> '{q}' LIMIT 40"),
    );
    assert!(rows[36..].iter().all(|row| {
        let id: u64 = row[0].as_deref().unwrap().parse().unwrap();
        id % 10 == 9
    }));
}

#[test]
fn answers_as_the_general_executor_on_one_and_several_threads() {
    let database = Database::in_memory();
    let mut session = database.session();
    // Below the parallel threshold (one thread) and above it (every core).
    load(&mut session, 3000);
    session.execute("SET enable_indexscan = off").unwrap();
    check_every_shape(&mut session);
    session.execute("DROP TABLE items").unwrap();
    load(&mut session, 24_000);
    check_every_shape(&mut session);
}

#[test]
fn errors_are_the_operators() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 100);
    let error = session
        .execute("SELECT id FROM items ORDER BY v <=> '[1,2,3]' LIMIT 5")
        .unwrap_err();
    assert_eq!(error.message, "different vector dimensions 8 and 3");
    let error = session
        .execute("SELECT id FROM items ORDER BY '[1,2,3]' <-> v LIMIT 5")
        .unwrap_err();
    assert_eq!(error.message, "different vector dimensions 3 and 8");
}

#[test]
fn a_transaction_block_reads_its_own_rows_and_not_deleted_ones() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session, 3000);
    session.execute("SET enable_indexscan = off").unwrap();
    let q = vector(4242, 8);
    session.execute("BEGIN").unwrap();
    session
        .execute(&format!("INSERT INTO items VALUES (-1, 0, '{q}', '{q}')"))
        .unwrap();
    session.execute("DELETE FROM items WHERE id = 0").unwrap();
    for rest in ["", "WHERE c = 0"] {
        let (fast, general) = both(&mut session, &format!("v <-> '{q}'"), rest);
        assert_eq!(fast, general, "{rest}");
        assert_eq!(fast[0][0].as_deref(), Some("-1"));
        assert!(fast.iter().all(|row| row[0].as_deref() != Some("0")));
    }
    // Another session does not see the block's changes.
    let mut other = database.session();
    other.execute("SET enable_indexscan = off").unwrap();
    let (fast, general) = both(&mut other, &format!("v <-> '{q}'"), "");
    assert_eq!(fast, general);
    assert!(fast.iter().all(|row| row[0].as_deref() != Some("-1")));
    session.execute("ROLLBACK").unwrap();
    // A NULL query: every distance is NULL, the rows in storage order.
    let (fast, general) = both(&mut session, "v <-> NULL::vector", "");
    assert_eq!(fast, general);
    assert!(fast.iter().all(|row| row[1].is_none()));
}
