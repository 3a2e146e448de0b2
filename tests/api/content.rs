//! Marketing content: tags in their own tables, filters by tag, publishing and archiving.

use serde_json::{Value, json};

use crate::helpers::{TestApp, first_code, on_both_stores};

const CREATE: &str = "mutation($i: CreateContentInput!) {
  createContent(input: $i) {
    content { id title kind status url buyingStages buyingRoles topics competitors personas { name } owner { id } publishedAt version }
    userErrors { field code }
  }
}";

async fn persona(app: &TestApp, name: &str) -> Value {
    app.data(
        "mutation($n: String!) { createPersona(input: { name: $n }) { persona { id } } }",
        json!({ "n": name }),
    )
    .await["createPersona"]["persona"]["id"]
        .clone()
}

fn titles(data: &Value) -> Vec<String> {
    data["contents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn marketing_writes_tagged_content_and_sales_reads_it(app: TestApp) {
    let cfo = persona(&app, "CFO").await;
    let (marketing_id, marketing) = app.user_with_role("marketing").await;
    let (_, sales) = app.user_with_role("sales").await;
    let input = json!({
        "title": "The ROI of shared pipelines", "kind": "WHITEPAPER", "url": "https://example.com/roi",
        "buyingStages": ["SOLUTION_EXPLORATION", "VALIDATION", "VALIDATION"], "buyingRoles": ["ECONOMIC_BUYER"],
        "topics": ["Pipeline ", "pipeline", "ROI"], "competitors": ["Globex"], "personaIds": [cfo]
    });
    let created = app.data_as(Some(&marketing), CREATE, json!({ "i": input })).await["createContent"].clone();
    assert_eq!(created["userErrors"], json!([]));
    let c = &created["content"];
    assert_eq!(c["status"], "DRAFT");
    assert_eq!(c["buyingStages"], json!(["SOLUTION_EXPLORATION", "VALIDATION"]));
    assert_eq!(c["buyingRoles"], json!(["ECONOMIC_BUYER"]));
    assert_eq!(c["topics"], json!(["pipeline", "roi"]));
    assert_eq!(c["competitors"], json!(["Globex"]));
    assert_eq!(c["personas"], json!([{ "name": "CFO" }]));
    assert_eq!(c["owner"]["id"], marketing_id.as_str());

    let by_sales = app
        .gql_as(
            Some(&sales),
            CREATE,
            json!({ "i": { "title": "Mine", "kind": "BLOG_POST" } }),
        )
        .await;
    assert_eq!(first_code(&by_sales), "FORBIDDEN");
    let read = app
        .data_as(
            Some(&sales),
            "query($id: ID!) { content(id: $id) { title topics } }",
            json!({ "id": c["id"] }),
        )
        .await;
    assert_eq!(read["content"]["title"], "The ROI of shared pipelines");

    let bad = app
        .data_as(
            Some(&marketing),
            CREATE,
            json!({ "i": { "title": " ", "kind": "VIDEO", "url": "ftp://x", "personaIds": ["nope"] } }),
        )
        .await;
    let mut fields: Vec<String> = bad["createContent"]["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"][0].as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    assert_eq!(fields, vec!["personaIds", "title", "url"]);
}

async fn content_is_found_by_its_tags(app: TestApp) {
    let cfo = persona(&app, "CFO").await;
    for (title, stage, topic, competitor, personas) in [
        ("Battlecard", "SUPPLIER_SELECTION", "pricing", "Globex", json!([])),
        (
            "Explainer",
            "PROBLEM_IDENTIFICATION",
            "ai",
            "Initech",
            json!([cfo]),
        ),
        ("Case study", "VALIDATION", "ai", "Globex", json!([cfo])),
    ] {
        let input = json!({ "title": title, "kind": "OTHER", "buyingStages": [stage], "topics": [topic], "competitors": [competitor], "personaIds": personas });
        app.data(CREATE, json!({ "i": input })).await;
    }
    let list = "query($f: ContentFilter) { contents(first: 10, filter: $f) { totalCount nodes { title } } }";
    assert_eq!(
        titles(&app.data(list, json!({ "f": { "topic": "AI" } })).await),
        vec!["Explainer", "Case study"]
    );
    assert_eq!(
        titles(&app.data(list, json!({ "f": { "competitor": "Globex" } })).await),
        vec!["Battlecard", "Case study"]
    );
    assert_eq!(
        titles(
            &app.data(list, json!({ "f": { "buyingStage": "VALIDATION" } }))
                .await
        ),
        vec!["Case study"]
    );
    assert_eq!(
        titles(
            &app.data(
                list,
                json!({ "f": { "personaId": cfo, "topic": "ai", "competitor": "Initech" } })
            )
            .await
        ),
        vec!["Explainer"]
    );
    assert_eq!(
        titles(&app.data(list, json!({ "f": { "kind": "VIDEO" } })).await),
        Vec::<String>::new()
    );

    // Tags given to an update replace that kind of tag; the others stay.
    let id = app
        .data("{ contents(first: 1) { nodes { id } } }", json!({}))
        .await["contents"]["nodes"][0]["id"]
        .clone();
    let update = "mutation($i: UpdateContentInput!) { updateContent(input: $i) { content { topics competitors version } userErrors { code } } }";
    let updated = app
        .data(
            update,
            json!({ "i": { "id": id, "topics": ["negotiation"], "expectedVersion": 1 } }),
        )
        .await;
    assert_eq!(
        updated["updateContent"]["content"],
        json!({ "topics": ["negotiation"], "competitors": ["Globex"], "version": 2 })
    );
}

async fn drafts_publish_and_archived_content_leaves_lists_for_good(app: TestApp) {
    let (_, marketing) = app.user_with_role("marketing").await;
    let id = app
        .data_as(
            Some(&marketing),
            CREATE,
            json!({ "i": { "title": "Guide", "kind": "EBOOK" } }),
        )
        .await["createContent"]["content"]["id"]
        .clone();
    let publish = "mutation($id: ID!) { publishContent(input: { id: $id }) { content { status publishedAt } userErrors { field code } } }";
    let published = app.data_as(Some(&marketing), publish, json!({ "id": id })).await;
    assert_eq!(published["publishContent"]["content"]["status"], "PUBLISHED");
    assert!(published["publishContent"]["content"]["publishedAt"].is_string());
    let list = "query($f: ContentFilter) { contents(first: 10, filter: $f) { totalCount nodes { title } } }";
    assert_eq!(
        titles(&app.data(list, json!({ "f": { "status": "PUBLISHED" } })).await),
        vec!["Guide"]
    );

    let archive = "mutation($id: ID!) { archiveContent(input: { id: $id }) { content { status archivedAt } userErrors { code } } }";
    let archived = app.data_as(Some(&marketing), archive, json!({ "id": id })).await;
    assert_eq!(archived["archiveContent"]["content"]["status"], "ARCHIVED");
    assert_eq!(app.data(list, json!({})).await["contents"]["totalCount"], 0);
    assert_eq!(
        titles(&app.data(list, json!({ "f": { "status": "ARCHIVED" } })).await),
        vec!["Guide"]
    );
    let again = app.data_as(Some(&marketing), publish, json!({ "id": id })).await;
    assert_eq!(
        again["publishContent"]["userErrors"],
        json!([{ "field": ["id"], "code": "INVALID_TRANSITION" }])
    );
}

on_both_stores!(
    marketing_writes_tagged_content_and_sales_reads_it,
    content_is_found_by_its_tags,
    drafts_publish_and_archived_content_leaves_lists_for_good,
);
