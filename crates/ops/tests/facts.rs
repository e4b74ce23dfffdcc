//! The facts pages read from memory: a page of values found from the counts kept at
//! build time is the page the whole list gives.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ops::facts::Facts;
use store::ValueFilter;

#[tokio::test]
async fn a_page_of_values_is_the_page_of_the_list() {
    let db = testkit::sqlite().await;
    let files = testkit::seed_files();
    let refs: Vec<(String, &[u8])> = files.iter().map(|(n, b)| (n.clone(), b.as_slice())).collect();
    ops::import(&db.store, &refs, |_| {}).await.unwrap();
    let facts = Facts::load(&db.store).await.unwrap();
    let mut indicators: Vec<Option<String>> =
        facts.reference.indicators.iter().map(|i| Some(i.code.to_string())).collect();
    indicators.push(None);
    indicators.push(Some("no.such.indicator".into()));
    let mut checked = 0;
    for indicator in indicators {
        for revisions in [false, true] {
            for (skip, take) in [(0, 50), (1, 1), (2, 3), (5, 500), (40, 7), (300, 50), (10_000, 10)] {
                let filter = ValueFilter { indicator: indicator.clone(), revisions, ..Default::default() };
                let expected: Vec<_> = facts.values_where(&filter).skip(skip).take(take).collect();
                let total = facts.values_where(&filter).count();
                assert_eq!(facts.values_page(&filter, skip, take), (expected, total), "{filter:?} {skip} {take}");
                checked += total;
            }
        }
    }
    assert!(checked > 1_000, "the seed has values with revisions to page through");
    // A filter the counts do not cover reads the list.
    let filter = ValueFilter { unit: Some("vn".into()), ..Default::default() };
    let expected: Vec<_> = facts.values_where(&filter).skip(2).take(3).collect();
    assert_eq!(facts.values_page(&filter, 2, 3), (expected, facts.values_where(&filter).count()));
}
