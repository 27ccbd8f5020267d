//! Any text through every entry point: parsing, `to_tsvector`, the four query builders,
//! `@@` and both rankings never panic, text output reads back to the same value, and
//! ranks are finite and not negative.

use proptest::prelude::*;
use vec_text::query_build::{phraseto_tsquery, plainto_tsquery, to_tsquery, websearch_to_tsquery};
use vec_text::rank::{ts_rank, ts_rank_cd};
use vec_text::{matching, Config, TsQuery, TsVector};

/// Text rich in what the parsers treat specially.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("&".to_string()),
        Just("|".to_string()),
        Just("!".to_string()),
        Just("<->".to_string()),
        Just("<2>".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(":*".to_string()),
        Just(":AB".to_string()),
        Just("'".to_string()),
        Just("\\".to_string()),
        Just("\"".to_string()),
        Just(" or ".to_string()),
        Just("-".to_string()),
        Just("the".to_string()),
        Just("http://a.b/c?d".to_string()),
        Just("x@y.org".to_string()),
        Just("1.5e3".to_string()),
        Just("/usr/lib".to_string()),
        "[a-z]{1,8}",
        "[0-9]{1,4}",
        "\\PC{1,3}",
        " +",
    ];
    prop::collection::vec(pieces, 0..24).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn nothing_panics_and_output_reads_back(a in text(), b in text()) {
        for config in [Config::English, Config::Simple] {
            let vector = config.to_tsvector(&a);
            let reread = TsVector::parse(&vector.to_string()).expect("tsvector output reads back");
            prop_assert_eq!(reread.to_string(), vector.to_string());
            let mut queries = vec![
                plainto_tsquery(config, &b),
                phraseto_tsquery(config, &b),
                websearch_to_tsquery(config, &b),
            ];
            if let Ok(query) = to_tsquery(config, &b) {
                queries.push(query);
            }
            if let Ok(query) = TsQuery::parse(&b) {
                queries.push(query);
            }
            for query in &queries {
                let text = query.to_string();
                let reread = TsQuery::parse(&text).expect("tsquery output reads back");
                prop_assert_eq!(reread.to_string(), text);
                let _ = matching::matches(&vector, query);
                let weights = [0.1, 0.2, 0.4, 1.0];
                for method in [0, 1, 2, 4, 8, 16, 32, 63] {
                    let rank = ts_rank(&weights, &vector, query, method);
                    let cover = ts_rank_cd(&weights, &vector, query, method);
                    prop_assert!(rank.is_finite() && rank >= 0.0, "ts_rank {rank}");
                    prop_assert!(cover.is_finite() && cover >= 0.0, "ts_rank_cd {cover}");
                }
            }
        }
        let _ = TsVector::parse(&a);
    }
}
