//! pgvecto.rs 0.1's README syntax: `USING vectors (embedding l2_ops | dot_ops |
//! cosine_ops)`, its `capacity` / `[vectors]` / `[algorithm.hnsw | ivf]` options
//! document (with `nprobe` as the index's probes), and `vectors_load` /
//! `vectors_unload` accepted with a NOTICE.

use vec_shell::{Database, Session};

use crate::common::{first_column_ids as ids, random_vector as vector};

fn load(session: &mut Session) {
    session
        .execute("CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(8))")
        .unwrap();
    let values: Vec<String> = (0..400).map(|i| format!("('{}')", vector(i, 8))).collect();
    session
        .execute(&format!(
            "INSERT INTO items (embedding) VALUES {}",
            values.join(", ")
        ))
        .unwrap();
}

const QUERY: &str =
    "SELECT id FROM items ORDER BY embedding <-> '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]' LIMIT 10";

#[test]
fn the_readme_hnsw_index_is_used_and_finds_the_nearest_rows() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session);
    let exact = ids(&mut session, QUERY);
    session
        .execute(
            "CREATE INDEX ON items USING vectors (embedding l2_ops) WITH (options = $$\n\
             capacity = 2097152\n[vectors]\nmemmap = \"ram\"\n[algorithm.hnsw]\n\
             memmap = \"ram\"\nm = 32\nef = 256\n$$)",
        )
        .unwrap();
    let plan = session.execute(&format!("EXPLAIN {QUERY}")).unwrap();
    let text: Vec<String> = plan[0]
        .rows
        .as_ref()
        .unwrap()
        .rows
        .iter()
        .map(|r| r[0].to_text().unwrap_or_default())
        .collect();
    assert!(
        text.iter()
            .any(|line| line.contains("Index Scan using items_embedding_idx")),
        "{text:?}"
    );
    assert_eq!(ids(&mut session, QUERY), exact);
    for (opclass, operator) in [("cosine_ops", "<=>"), ("dot_ops", "<#>")] {
        session
            .execute(&format!(
                "CREATE INDEX ON items USING vectors (embedding {opclass})"
            ))
            .unwrap();
        let query = QUERY.replace("<->", operator);
        let found = ids(&mut session, &query);
        session.execute("SET vectors.enable_index = off").unwrap();
        assert_eq!(found, ids(&mut session, &query), "{opclass}");
        session.execute("RESET vectors.enable_index").unwrap();
    }
}

#[test]
fn an_ivf_index_probes_its_own_nprobe_unless_the_session_sets_one() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session);
    session
        .execute(
            "CREATE INDEX ON items USING vectors (embedding l2_ops) WITH (options = $$\n\
             capacity = 2097152\n[vectors]\nmemmap = \"ram\"\n[algorithm.ivf]\n\
             memmap = \"ram\"\nnlist = 20\nnprobe = 1\n$$)",
        )
        .unwrap();
    // `basic` stops after the probed lists: one list of twenty holds far fewer than all
    // 400 rows; twenty lists hold every row.
    session.execute("SET vectors.search_mode = basic").unwrap();
    let all = "SELECT id FROM items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 400";
    let one_list = ids(&mut session, all).len();
    assert!(one_list < 400, "one list returned {one_list} rows");
    session.execute("SET vectors.ivf_nprobe = 20").unwrap();
    assert_eq!(ids(&mut session, all).len(), 400);
}

#[test]
fn vectors_load_and_unload_are_accepted_with_a_notice() {
    let database = Database::in_memory();
    let mut session = database.session();
    load(&mut session);
    session
        .execute("CREATE INDEX items_idx ON items USING vectors (embedding l2_ops)")
        .unwrap();
    for call in [
        "SELECT vectors_load('items_idx'::regclass)",
        "SELECT vectors_unload('items_idx')",
    ] {
        let results = session.execute(call).unwrap();
        assert_eq!(results[0].notices.len(), 1, "{call}");
        assert!(results[0].notices[0]
            .message
            .contains("keeps vector indexes loaded"));
        assert_eq!(results[0].rows.as_ref().unwrap().rows.len(), 1);
    }
    let error = session
        .execute("SELECT vectors_load('missing')")
        .unwrap_err();
    assert_eq!(error.message, "relation \"missing\" does not exist");
    let error = session
        .execute(
            "CREATE INDEX ON items USING vectors (embedding l2_ops) WITH (options = $$\n\
             capacity = 10\n[algorithm.hnsw]\nwidth = 3\n$$)",
        )
        .unwrap_err();
    assert!(
        error.message.starts_with("failed to parse options: "),
        "{}",
        error.message
    );
    assert!(
        error.message.contains("unknown field `width`"),
        "{}",
        error.message
    );
}
