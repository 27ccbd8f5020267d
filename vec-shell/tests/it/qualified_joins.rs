//! Qualified joins — `[INNER] JOIN`, `LEFT`, `RIGHT` and `FULL [OUTER] JOIN` with `ON`
//! or `USING` — checked against psql's exact output, with their `EXPLAIN` plans and
//! errors.

use crate::output::{lines, run};

const SETUP: &str = "CREATE TABLE a (id int, x text);\n\
    CREATE TABLE b (id int, y text);\n\
    INSERT INTO a VALUES (1, 'a1'), (2, 'a2'), (3, 'a3'), (NULL, 'an');\n\
    INSERT INTO b VALUES (2, 'b2'), (3, 'b3'), (3, 'b3x'), (4, 'b4'), (NULL, 'bn');\n";

/// The output of `query` (echoed, then its result) after the tables are set up.
fn result_of(query: &str) -> String {
    let output = run(&format!("{SETUP}{query}"));
    let start = output.find(query).unwrap_or(0);
    output[start..].to_string()
}

#[test]
fn inner_and_outer_joins_on_a_condition() {
    assert_eq!(
        result_of("SELECT * FROM a JOIN b ON a.id = b.id ORDER BY y;"),
        lines(&[
            "SELECT * FROM a JOIN b ON a.id = b.id ORDER BY y;",
            " id | x  | id |  y  ",
            "----+----+----+-----",
            "  2 | a2 |  2 | b2",
            "  3 | a3 |  3 | b3",
            "  3 | a3 |  3 | b3x",
            "(3 rows)",
            "",
        ])
    );
    assert_eq!(
        result_of("SELECT * FROM a LEFT JOIN b ON a.id = b.id ORDER BY x, y;"),
        lines(&[
            "SELECT * FROM a LEFT JOIN b ON a.id = b.id ORDER BY x, y;",
            " id | x  | id |  y  ",
            "----+----+----+-----",
            "  1 | a1 |    | ",
            "  2 | a2 |  2 | b2",
            "  3 | a3 |  3 | b3",
            "  3 | a3 |  3 | b3x",
            "    | an |    | ",
            "(5 rows)",
            "",
        ])
    );
    assert_eq!(
        result_of("SELECT * FROM a RIGHT OUTER JOIN b ON a.id = b.id ORDER BY y;"),
        lines(&[
            "SELECT * FROM a RIGHT OUTER JOIN b ON a.id = b.id ORDER BY y;",
            " id | x  | id |  y  ",
            "----+----+----+-----",
            "  2 | a2 |  2 | b2",
            "  3 | a3 |  3 | b3",
            "  3 | a3 |  3 | b3x",
            "    |    |  4 | b4",
            "    |    |    | bn",
            "(5 rows)",
            "",
        ])
    );
    assert_eq!(
        result_of("SELECT * FROM a FULL JOIN b ON a.id = b.id ORDER BY x, y;"),
        lines(&[
            "SELECT * FROM a FULL JOIN b ON a.id = b.id ORDER BY x, y;",
            " id | x  | id |  y  ",
            "----+----+----+-----",
            "  1 | a1 |    | ",
            "  2 | a2 |  2 | b2",
            "  3 | a3 |  3 | b3",
            "  3 | a3 |  3 | b3x",
            "    | an |    | ",
            "    |    |  4 | b4",
            "    |    |    | bn",
            "(7 rows)",
            "",
        ])
    );
    // A non-equality condition (nested loop), with WHERE and LIMIT.
    assert_eq!(
        result_of("SELECT x, y FROM a INNER JOIN b ON a.id < b.id AND b.y <> 'b4' WHERE a.x <> 'a2' ORDER BY x, y LIMIT 3;"),
        lines(&[
            "SELECT x, y FROM a INNER JOIN b ON a.id < b.id AND b.y <> 'b4' WHERE a.x <> 'a2' ORDER BY x, y LIMIT 3;",
            " x  |  y  ",
            "----+-----",
            " a1 | b2",
            " a1 | b3",
            " a1 | b3x",
            "(3 rows)",
            "",
        ])
    );
}

#[test]
fn using_merges_the_join_columns() {
    assert_eq!(
        result_of("SELECT * FROM a JOIN b USING (id) ORDER BY y;"),
        lines(&[
            "SELECT * FROM a JOIN b USING (id) ORDER BY y;",
            " id | x  |  y  ",
            "----+----+-----",
            "  2 | a2 | b2",
            "  3 | a3 | b3",
            "  3 | a3 | b3x",
            "(3 rows)",
            "",
        ])
    );
    assert_eq!(
        result_of(
            "SELECT id, a.id AS a_id, b.id AS b_id FROM a FULL JOIN b USING (id) ORDER BY x, y;"
        ),
        lines(&[
            "SELECT id, a.id AS a_id, b.id AS b_id FROM a FULL JOIN b USING (id) ORDER BY x, y;",
            " id | a_id | b_id ",
            "----+------+------",
            "  1 |    1 |     ",
            "  2 |    2 |    2",
            "  3 |    3 |    3",
            "  3 |    3 |    3",
            "    |      |     ",
            "  4 |      |    4",
            "    |      |     ",
            "(7 rows)",
            "",
        ])
    );
}

#[test]
fn natural_and_parenthesised_joins() {
    assert_eq!(
        result_of("SELECT * FROM a NATURAL FULL OUTER JOIN b ORDER BY id, y;"),
        lines(&[
            "SELECT * FROM a NATURAL FULL OUTER JOIN b ORDER BY id, y;",
            " id | x  |  y  ",
            "----+----+-----",
            "  1 | a1 | ",
            "  2 | a2 | b2",
            "  3 | a3 | b3",
            "  3 | a3 | b3x",
            "  4 |    | b4",
            "    |    | bn",
            "    | an | ",
            "(7 rows)",
            "",
        ])
    );
    assert_eq!(
        result_of("SELECT a.x, b.y, c.x AS cx FROM a LEFT JOIN (b JOIN a c ON b.id = c.id + 1) ON a.id = b.id ORDER BY 1, 2;"),
        lines(&[
            "SELECT a.x, b.y, c.x AS cx FROM a LEFT JOIN (b JOIN a c ON b.id = c.id + 1) ON a.id = b.id ORDER BY 1, 2;",
            " x  |  y  | cx ",
            "----+-----+----",
            " a1 |     | ",
            " a2 | b2  | a1",
            " a3 | b3  | a2",
            " a3 | b3x | a2",
            " an |     | ",
            "(5 rows)",
            "",
        ])
    );
    assert_eq!(
        result_of("EXPLAIN (COSTS OFF) SELECT * FROM a p JOIN b q ON p.id = q.id;"),
        lines(&[
            "EXPLAIN (COSTS OFF) SELECT * FROM a p JOIN b q ON p.id = q.id;",
            "         QUERY PLAN          ",
            "-----------------------------",
            " Hash Join",
            "   Hash Cond: (p.id = q.id)",
            "   ->  Seq Scan on a p",
            "   ->  Hash",
            "         ->  Seq Scan on b q",
            "(5 rows)",
            "",
        ])
    );
}

#[test]
fn joins_with_subqueries_and_lateral() {
    assert_eq!(
        result_of("SELECT x, s.y FROM a LEFT JOIN LATERAL (SELECT y FROM b WHERE b.id = a.id ORDER BY y DESC LIMIT 1) s ON true ORDER BY x;"),
        lines(&[
            "SELECT x, s.y FROM a LEFT JOIN LATERAL (SELECT y FROM b WHERE b.id = a.id ORDER BY y DESC LIMIT 1) s ON true ORDER BY x;",
            " x  |  y  ",
            "----+-----",
            " a1 | ",
            " a2 | b2",
            " a3 | b3x",
            " an | ",
            "(4 rows)",
            "",
        ])
    );
    assert_eq!(
        result_of(
            "SELECT s.n, y FROM (SELECT id * 1 AS n FROM a) s JOIN b ON s.n = b.id ORDER BY y;"
        ),
        lines(&[
            "SELECT s.n, y FROM (SELECT id * 1 AS n FROM a) s JOIN b ON s.n = b.id ORDER BY y;",
            " n |  y  ",
            "---+-----",
            " 2 | b2",
            " 3 | b3",
            " 3 | b3x",
            "(3 rows)",
            "",
        ])
    );
    assert!(
        result_of("SELECT count(*) FROM a JOIN b ON a.id = b.id JOIN a AS c ON c.id = b.id;")
            .contains(&lines(&[" count ", "-------", "     3", "(1 row)"]))
    );
}

#[test]
fn nearest_item_per_category_through_a_join() {
    let output = run("CREATE TABLE categories (id int PRIMARY KEY, name text);\n\
        CREATE TABLE items (id bigserial PRIMARY KEY, category_id int, embedding vector(2));\n\
        INSERT INTO categories VALUES (1, 'red'), (2, 'blue'), (3, 'empty');\n\
        INSERT INTO items (category_id, embedding) VALUES (1, '[0,0]'), (1, '[5,5]'), (2, '[1,1]'), (2, '[9,9]');\n\
        SELECT c.name, i.id, i.embedding <-> '[1,1]' AS d FROM categories c LEFT JOIN items i ON i.category_id = c.id ORDER BY d, c.name LIMIT 3;");
    assert!(
        output.ends_with(&lines(&[
            " name | id |         d          ",
            "------+----+--------------------",
            " blue |  3 |                  0",
            " red  |  1 | 1.4142135623730951",
            " red  |  2 |  5.656854249492381",
            "(3 rows)",
            "",
        ])),
        "{output}"
    );
}

#[test]
fn explain_shows_hash_and_nested_loop_joins() {
    assert_eq!(
        result_of("EXPLAIN (COSTS OFF) SELECT * FROM a JOIN b ON a.id = b.id AND b.y <> 'z';"),
        lines(&[
            "EXPLAIN (COSTS OFF) SELECT * FROM a JOIN b ON a.id = b.id AND b.y <> 'z';",
            "            QUERY PLAN             ",
            "-----------------------------------",
            " Hash Join",
            "   Hash Cond: (a.id = b.id)",
            "   Join Filter: (b.y <> 'z'::text)",
            "   ->  Seq Scan on a",
            "   ->  Hash",
            "         ->  Seq Scan on b",
            "(6 rows)",
            "",
        ])
    );
    assert_eq!(
        result_of(
            "EXPLAIN (COSTS OFF) SELECT * FROM a LEFT JOIN b USING (id) ORDER BY id LIMIT 2;"
        ),
        lines(&[
            "EXPLAIN (COSTS OFF) SELECT * FROM a LEFT JOIN b USING (id) ORDER BY id LIMIT 2;",
            "               QUERY PLAN               ",
            "----------------------------------------",
            " Limit",
            "   ->  Sort",
            "         Sort Key: id",
            "         ->  Hash Left Join",
            "               Hash Cond: (a.id = b.id)",
            "               ->  Seq Scan on a",
            "               ->  Hash",
            "                     ->  Seq Scan on b",
            "(8 rows)",
            "",
        ])
    );
    assert_eq!(
        result_of("EXPLAIN (COSTS OFF) SELECT * FROM a LEFT JOIN b ON a.id < b.id;"),
        lines(&[
            "EXPLAIN (COSTS OFF) SELECT * FROM a LEFT JOIN b ON a.id < b.id;",
            "          QUERY PLAN          ",
            "------------------------------",
            " Nested Loop Left Join",
            "   Join Filter: (a.id < b.id)",
            "   ->  Seq Scan on a",
            "   ->  Seq Scan on b",
            "(4 rows)",
            "",
        ])
    );
    assert_eq!(
        result_of("EXPLAIN (COSTS OFF) SELECT * FROM a JOIN LATERAL (SELECT * FROM b WHERE b.id = a.id LIMIT 1) s ON true;"),
        lines(&[
            "EXPLAIN (COSTS OFF) SELECT * FROM a JOIN LATERAL (SELECT * FROM b WHERE b.id = a.id LIMIT 1) s ON true;",
            "             QUERY PLAN              ",
            "-------------------------------------",
            " Nested Loop",
            "   ->  Seq Scan on a",
            "   ->  Limit",
            "         ->  Seq Scan on b",
            "               Filter: (b.id = a.id)",
            "(5 rows)",
            "",
        ])
    );
    // A lateral side is run per left row, so its equality is a join filter.
    assert_eq!(
        result_of("EXPLAIN (COSTS OFF) SELECT * FROM a LEFT JOIN LATERAL (SELECT b.id FROM b WHERE b.y > a.x LIMIT 1) s USING (id);"),
        lines(&[
            "EXPLAIN (COSTS OFF) SELECT * FROM a LEFT JOIN LATERAL (SELECT b.id FROM b WHERE b.y > a.x LIMIT 1) s USING (id);",
            "            QUERY PLAN             ",
            "-----------------------------------",
            " Nested Loop Left Join",
            "   Join Filter: (a.id = s.id)",
            "   ->  Seq Scan on a",
            "   ->  Limit",
            "         ->  Seq Scan on b",
            "               Filter: (b.y > a.x)",
            "(6 rows)",
            "",
        ])
    );
}

#[test]
fn join_errors() {
    let cases: &[(&str, &[&str])] = &[
        (
            "SELECT * FROM a JOIN b USING (nope);",
            &[
                "ERROR:  column \"nope\" specified in USING clause does not exist in left table",
                "LINE 1: SELECT * FROM a JOIN b USING (nope);",
                "                                      ^",
            ],
        ),
        (
            "SELECT * FROM a JOIN b USING (id, id);",
            &[
                "ERROR:  column name \"id\" appears more than once in USING clause",
                "LINE 1: SELECT * FROM a JOIN b USING (id, id);",
                "                                      ^",
            ],
        ),
        (
            "SELECT * FROM a JOIN b ON a.id;",
            &[
                "ERROR:  argument of JOIN/ON must be type boolean, not type integer",
                "LINE 1: SELECT * FROM a JOIN b ON a.id;",
                "                                  ^",
            ],
        ),
        (
            "SELECT * FROM a JOIN b ON id = 1;",
            &[
                "ERROR:  column reference \"id\" is ambiguous",
                "LINE 1: SELECT * FROM a JOIN b ON id = 1;",
                "                                  ^",
            ],
        ),
        (
            "SELECT * FROM a JOIN b ON count(*) > 1;",
            &[
                "ERROR:  aggregate functions are not allowed in JOIN conditions",
                "LINE 1: SELECT * FROM a JOIN b ON count(*) > 1;",
                "                                  ^",
            ],
        ),
        (
            "SELECT * FROM a JOIN b;",
            &[
                "ERROR:  syntax error at or near \";\"",
                "LINE 1: SELECT * FROM a JOIN b;",
                "                              ^",
            ],
        ),
        (
            "SELECT * FROM a RIGHT JOIN LATERAL (SELECT a.id) s ON true;",
            &[
                "ERROR:  invalid reference to FROM-clause entry for table \"a\"",
                "DETAIL:  The combining JOIN type must be INNER or LEFT for a LATERAL reference.",
            ],
        ),
        (
            "SELECT * FROM a JOIN a ON true;",
            &["ERROR:  table name \"a\" specified more than once"],
        ),
    ];
    for (query, expected) in cases {
        let output = result_of(query);
        assert_eq!(output, format!("{query}\n{}", lines(expected)), "{query}");
    }
}
