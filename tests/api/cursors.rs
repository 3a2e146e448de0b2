//! Cursors cannot be tampered with: a real cursor whose value is given another type, an
//! out-of-range or NUL-bearing value, another id or another shape answers BAD_USER_INPUT for
//! every ordering, top-level and nested, `after` and `before`, on both stores, never
//! INTERNAL_SERVER_ERROR (which PostgreSQL gave) and never a silently wrong page (which SQLite
//! gave).

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, first_code, on_both_stores},
    opportunity::{account, person},
};

fn decode(cursor: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(cursor).unwrap()).unwrap()
}

fn encode(cursor: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(cursor).unwrap())
}

/// The sort values a forger might put in a cursor, each with the type tag it carries (`None`
/// for values no column holds).
fn forged_values() -> Vec<(Option<&'static str>, Value)> {
    vec![
        (Some("Text"), json!({ "Text": "Zed" })),
        (Some("Int"), json!({ "Int": 7 })),
        (Some("Time"), json!({ "Time": "2026-01-01T00:00:00Z" })),
        (Some("Date"), json!({ "Date": "2026-01-01" })),
        (Some("Null"), json!("Null")),
        // Out of range, NUL, wrong JSON types, retired and unknown tags.
        (None, json!({ "Text": "a\u{0}b" })),
        (None, json!({ "Time": "-4714-11-24T00:00:00Z" })),
        (None, json!({ "Time": "0000-01-01T00:00:00Z" })),
        (None, json!({ "Date": "0000-01-01" })),
        (None, json!({ "Int": "7" })),
        (None, json!({ "Int": 1.5 })),
        (None, json!({ "Int": 99_999_999_999_999_999_999_f64 })),
        (None, json!({ "Decimal": "12.50" })),
        (None, json!({ "Bogus": 1 })),
        (None, json!(42)),
    ]
}

/// The tag of a cursor's sort value: `{"Text": ..}` is `Text`, `"Null"` is `Null`.
fn tag(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) => m.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// Pages `query` (a `$c: String` cursor in its connection) with every forged cursor made from
/// `real`: those of the real type (and null where the column is nullable) page normally, all
/// others are BAD_USER_INPUT.
async fn forge_each(app: &TestApp, label: &str, query: &str, real: &str, nullable: bool) {
    let cursor = decode(real);
    let real_tag = tag(&cursor["v"]);
    for (forged_tag, value) in forged_values() {
        let mut forged = cursor.clone();
        forged["v"] = value.clone();
        let body = app.gql(query, json!({ "c": encode(&forged) })).await;
        let fits = forged_tag.is_some_and(|t| t == real_tag || (t == "Null" && nullable));
        if fits {
            assert!(body.get("errors").is_none(), "{label} {value}: {body}");
        } else {
            assert_eq!(first_code(&body), "BAD_USER_INPUT", "{label} {value}: {body}");
        }
    }
    // The rest of the cursor is checked as well.
    let mut bad_id = cursor.clone();
    bad_id["id"] = json!("not-a-uuid");
    let mut no_value = cursor.clone();
    no_value.as_object_mut().unwrap().remove("v");
    let mut other_order = cursor.clone();
    other_order["o"] = json!("secret:asc");
    for bad in [encode(&bad_id), encode(&no_value), encode(&other_order)] {
        let body = app.gql(query, json!({ "c": bad })).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT", "{label}: {body}");
    }
    let huge = "A".repeat(10_000);
    let body = app.gql(query, json!({ "c": huge })).await;
    assert_eq!(first_code(&body), "BAD_USER_INPUT", "{label}: {body}");
}

/// The end cursor of the first page of `query` (run without a cursor).
async fn first_cursor(app: &TestApp, query: &str, path: &[&str]) -> String {
    let mut data = app.data(query, json!({ "c": null })).await;
    for p in path {
        data = data[p].clone();
    }
    data["pageInfo"]["endCursor"]
        .as_str()
        .unwrap_or_else(|| panic!("no cursor in {data}"))
        .to_owned()
}

async fn a_tampered_cursor_is_bad_user_input_for_every_ordering(app: TestApp) {
    let acme = account(&app, "Acme").await;
    let globex = account(&app, "Globex").await;
    for (i, acct) in [&acme, &globex, &acme].into_iter().enumerate() {
        let i = json!({ "accountId": acct, "name": format!("Deal {i}"),
            "amount": { "amount": format!("{}.50", 1000 * (i + 1)), "currency": "EUR" },
            "expectedCloseDate": format!("2027-0{}-15", i + 1) });
        let data = app
            .data(
                "mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { userErrors { code } } }",
                json!({ "i": i }),
            )
            .await;
        assert_eq!(data["createOpportunity"]["userErrors"], json!([]));
    }
    for name in ["Ann", "Bob"] {
        person(&app, &acme, name).await;
    }

    let mut cases: Vec<(String, String, Vec<&str>, bool)> = Vec::new();
    for (field, nullable) in [
        ("CREATED_AT", false),
        ("UPDATED_AT", false),
        ("NAME", false),
        ("AMOUNT", true),
        ("EXPECTED_CLOSE_DATE", true),
    ] {
        for arg in ["after", "before"] {
            let (size, dir) = if arg == "after" {
                ("first", "ASC")
            } else {
                ("last", "DESC")
            };
            cases.push((
                format!("opportunities {field} {arg}"),
                format!(
                    "query($c: String) {{ opportunities({size}: 1, {arg}: $c, orderBy: {{ field: {field}, direction: {dir} }}) {{ nodes {{ id }} pageInfo {{ endCursor }} }} }}"
                ),
                vec!["opportunities"],
                nullable,
            ));
        }
    }
    for field in ["NAME", "CREATED_AT"] {
        cases.push((
            format!("accounts {field}"),
            format!("query($c: String) {{ accounts(first: 1, after: $c, orderBy: {{ field: {field} }}) {{ nodes {{ id }} pageInfo {{ endCursor }} }} }}"),
            vec!["accounts"],
            false,
        ));
    }
    for field in ["NAME", "LEAD_SCORE", "UPDATED_AT"] {
        cases.push((
            format!("stakeholders {field}"),
            format!("query($c: String) {{ stakeholders(first: 1, after: $c, orderBy: {{ field: {field} }}) {{ nodes {{ id }} pageInfo {{ endCursor }} }} }}"),
            vec!["stakeholders"],
            false,
        ));
    }
    // A nested connection decodes its cursor the same way.
    cases.push((
        "account.opportunities AMOUNT".into(),
        "query($c: String) { accounts(first: 1, orderBy: { field: NAME }) { nodes { opportunities(first: 1, after: $c, orderBy: { field: AMOUNT }) { nodes { id } pageInfo { endCursor } } } } }".into(),
        vec!["accounts", "nodes", "0", "opportunities"],
        true,
    ));

    for (label, query, path, nullable) in &cases {
        let path: Vec<&str> = path.clone();
        let real = if path.len() > 1 {
            // `nodes.0` is an array index.
            let data = app.data(query, json!({ "c": null })).await;
            data["accounts"]["nodes"][0]["opportunities"]["pageInfo"]["endCursor"]
                .as_str()
                .unwrap_or_else(|| panic!("no cursor in {data}"))
                .to_owned()
        } else {
            first_cursor(&app, query, &path).await
        };
        // The real cursor itself pages on.
        let body = app.gql(query, json!({ "c": real })).await;
        assert!(body.get("errors").is_none(), "{label}: {body}");
        forge_each(&app, label, query, &real, *nullable).await;
    }
}

on_both_stores!(a_tampered_cursor_is_bad_user_input_for_every_ordering);
