//! Documents built to crash, stall or inflate the gateway: nesting thousands
//! deep, fragment bombs, lists that multiply, oversized WebSocket messages,
//! strings with control characters, and a seeded stream of random documents.
//! Each is refused with a code, quickly, and the server keeps serving.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};

/// Sends `query` by POST; the status and body.
async fn post(app: &TestApp, query: &str, variables: Value) -> (u16, Value) {
    let response = app
        .post_graphql(None, &json!({ "query": query, "variables": variables }))
        .await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Sends `query` by GET; the status and body.
async fn get(app: &TestApp, query: &str) -> (u16, Value) {
    let response = app
        .http
        .get(app.url("/graphql"))
        .query(&[("query", query)])
        .send()
        .await
        .expect("the request is sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn assert_alive(app: &TestApp) {
    let body = app
        .graphql("{ supportContacts { phone } }", json!({}))
        .await;
    data(&body);
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

#[tokio::test]
async fn values_and_selections_nested_thousands_deep_are_refused_before_parsing() {
    let app = TestApp::spawn().await;
    let documents = [
        format!(
            "{{ node(id: {}) {{ id }} }}",
            nested("[", "\"x\"", "]", 2_000)
        ),
        format!(
            "{{ searchProgrammes(filter: {}) {{ totalCount }} }}",
            nested("{a:", "1", "}", 2_000)
        ),
        format!("{{ {} }}", nested("me { ", "id", " }", 2_000)),
        format!(
            "query ($x: ID = {}) {{ __typename }}",
            nested("[", "1", "]", 2_000)
        ),
        format!(
            "{{ __typename @include(if: {}) }}",
            nested("[", "true", "]", 2_000)
        ),
        // Unbalanced: only opening brackets.
        format!("{{ node(id: {}", "[".repeat(100_000)),
    ];
    for document in &documents {
        let (status, body) = post(&app, document, json!({})).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"], "{body}");
        let (status, body) = get(&app, &document[..document.len().min(6_000)]).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"], "{body}");
    }
    // Variables nested past what the JSON reader takes are a malformed body.
    let deep_json = format!(
        "{{\"query\":\"{{ __typename }}\",\"variables\":{{\"x\":{}}}}}",
        nested("[", "1", "]", 100_000)
    );
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(deep_json)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_alive(&app).await;
}

#[tokio::test]
async fn a_too_deep_selection_is_query_too_complex_however_it_is_nested() {
    let app = TestApp::spawn().await;
    // Past the parser's own recursion limit (64) but inside our bracket limit it
    // cannot be; below both it is our depth rule that answers.
    let deep_fields = format!("{{ {} }}", nested("me { ", "id", " }", 30));
    let (status, body) = post(&app, &deep_fields, json!({})).await;
    assert_eq!(
        (status, error_codes(&body)),
        (400, vec!["QUERY_TOO_COMPLEX".to_owned()])
    );
    let inline = format!(
        "{{ {} }}",
        nested("... on Query { ", "__typename", " }", 45)
    );
    let (status, body) = post(&app, &inline, json!({})).await;
    assert_eq!(
        (status, error_codes(&body)),
        (400, vec!["QUERY_TOO_COMPLEX".to_owned()])
    );
    // A chain of fragments, each adding one level.
    let mut chain = String::from("query { ...F0 }");
    for i in 0..45 {
        chain.push_str(&format!(" fragment F{i} on Query {{ ...F{} }}", i + 1));
    }
    chain.push_str(" fragment F45 on Query { __typename }");
    let (status, body) = post(&app, &chain, json!({})).await;
    assert_eq!(
        (status, error_codes(&body)),
        (400, vec!["QUERY_TOO_COMPLEX".to_owned()])
    );
    let broken = "{ me { id ";
    let (status, body) = post(&app, broken, json!({})).await;
    assert_eq!(
        (status, error_codes(&body)),
        (400, vec!["GRAPHQL_PARSE_FAILED".to_owned()])
    );
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let mut bomb = String::from(
        "query { ...F30 } fragment F0 on Query { __typename supportContacts { phone } }",
    );
    for i in 1..=30 {
        bomb.push_str(&format!(
            " fragment F{i} on Query {{ ...F{p} ...F{p} }}",
            p = i - 1
        ));
    }
    assert!(bomb.len() < 2_000);
    let started = Instant::now();
    let ((status, body), statements) = app.count_sql(post(&app, &bomb, json!({}))).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"], "{body}");
    assert_eq!(statements, 0);
    // Not a benchmark: a guard far above the milliseconds this takes, far
    // below the minutes an exponential walk would.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // Wide instead of deep: one selection with a hundred thousand fields.
    let wide = format!("{{ me {{ {} }} }}", "id ".repeat(100_000));
    let (status, body) = post(&app, &wide, json!({})).await;
    assert_eq!(
        (status, error_codes(&body)),
        (400, vec!["QUERY_TOO_COMPLEX".to_owned()])
    );
    assert_alive(&app).await;
}

#[tokio::test]
async fn lists_multiply_the_cost_of_what_they_select() {
    let app = TestApp::spawn().await;
    let channel = data(
        &app.graphql("{ tvChannels(first: 1) { nodes { id } } }", json!({}))
            .await,
    )["tvChannels"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut inner = String::from("name");
    for _ in 0..5 {
        inner = format!("programmes(date: \"2026-11-25\") {{ channel {{ {inner} }} }}");
    }
    let recursive = format!("query ($id: ID!) {{ tvChannel(id: $id) {{ {inner} }} }}");
    let ((status, body), statements) = app
        .count_sql(post(&app, &recursive, json!({ "id": channel })))
        .await;
    assert_eq!(
        (status, error_codes(&body)),
        (400, vec!["QUERY_TOO_COMPLEX".to_owned()]),
        "{body}"
    );
    assert_eq!(statements, 0, "refused before anything ran");

    let grid = "tvSchedule(from: \"2026-11-25T00:00:00+03:00\", to: \"2026-11-26T12:00:00+03:00\") { channel { name } programmes { title startsAt } }";
    let aliased: String = (0..20).map(|i| format!("g{i}: {grid} ")).collect();
    let (status, body) = post(&app, &format!("{{ {aliased} }}"), json!({})).await;
    assert_eq!(
        (status, error_codes(&body)),
        (400, vec!["QUERY_TOO_COMPLEX".to_owned()]),
        "{body}"
    );

    // The frontend's real grid, a day of every channel, is allowed.
    let day = "{ tvSchedule(from: \"2026-11-25T00:00:00+03:00\", to: \"2026-11-26T00:00:00+03:00\") { channel { id name } programmes { id title startsAt endsAt category } } }";
    let (status, body) = post(&app, day, json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(data(&body)["tvSchedule"].as_array().unwrap().len(), 220);

    // Page sizes far past the cap cannot overflow the arithmetic.
    let huge = "{ a: tvChannels(first: 2147483647) { nodes { programmes(date: \"2026-11-25\") { channel { programmes(date: \"2026-11-25\") { people { name } } } } } } }";
    let (status, body) = post(&app, huge, json!({})).await;
    assert_eq!(
        (status, error_codes(&body)),
        (400, vec!["QUERY_TOO_COMPLEX".to_owned()]),
        "{body}"
    );
    assert_alive(&app).await;
}

#[tokio::test]
async fn a_response_past_the_ceiling_is_refused_not_sent() {
    let app = TestApp::spawn_with(|s| s.max_response_bytes = 20_000).await;
    let day = "{ tvSchedule(from: \"2026-11-25T00:00:00+03:00\", to: \"2026-11-26T00:00:00+03:00\") { channel { name } programmes { title } } }";
    let response = app.post_graphql(None, &json!({ "query": day })).await;
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.len() < 20_000, "{} bytes sent", bytes.len());
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["data"], Value::Null);
    assert_eq!(error_codes(&body), ["QUERY_TOO_COMPLEX"], "{body}");
    let small = app.graphql("{ tvPackages { name } }", json!({})).await;
    data(&small);
}

#[tokio::test]
async fn websocket_messages_meet_the_http_limits() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws", json!({})).await;
    // The same document rules as HTTP.
    let deep = format!("{{ node(id: {}) {{ id }} }}", nested("[", "1", "]", 2_000));
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": deep } }))
        .await;
    let reply = ws.next().await;
    assert_eq!(
        reply["payload"]["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
        "{reply}"
    );
    assert_eq!(ws.next().await["type"], "complete");
    let aliases: String = (0..200).map(|i| format!("a{i}: __typename ")).collect();
    ws.send(json!({ "id": "2", "type": "subscribe", "payload": { "query": format!("{{ {aliases} }}") } }))
        .await;
    let reply = ws.next().await;
    assert_eq!(
        reply["payload"]["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
        "{reply}"
    );
    assert_eq!(ws.next().await["type"], "complete");

    // A message larger than an HTTP body is not read at all: the socket closes.
    let padding = "#".repeat(2 * 1024 * 1024);
    let big = json!({ "id": "3", "type": "subscribe", "payload": { "query": format!("{{ __typename }} {padding}") } });
    ws.send_text(big.to_string()).await;
    assert_eq!(
        ws.next_or_closed().await,
        None,
        "no answer to an oversized message"
    );
    assert_alive(&app).await;
}

#[tokio::test]
async fn strings_with_control_characters_or_past_a_column_are_refused_at_the_edge() {
    let app = TestApp::spawn().await;
    let login =
        "mutation ($i: LoginInput!) { login(input: $i) { token userErrors { field code } } }";
    let long = app
        .graphql(
            login,
            json!({ "i": { "login": "x".repeat(65), "password": "whatever1" } }),
        )
        .await;
    assert_eq!(
        data(&long)["login"]["userErrors"][0],
        json!({ "field": ["input", "login"], "code": "TOO_LONG" })
    );
    let nul = app
        .graphql(
            login,
            json!({ "i": { "login": "demo\u{0}", "password": "demo12345" } }),
        )
        .await;
    assert_eq!(error_codes(&nul), ["BAD_USER_INPUT"], "{nul}");
    assert_eq!(nul["errors"][0]["extensions"]["field"], "$i.login");
    let literal = app
        .graphql(
            "mutation { login(input: {login: \"a\\u0001\", password: \"b\"}) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&literal), ["BAD_USER_INPUT"], "{literal}");

    let token = app.login("demo2", "demo12345").await;
    let operator = app.login("operator", "operator12345").await;
    let promise = "mutation ($k: String) { activatePromisedPayment(input: {idempotencyKey: $k}) { userErrors { code } } }";
    let refused = [
        (
            &token,
            "mutation ($t: String) { addTvFavourite(input: {title: $t}) { userErrors { code } } }",
            json!({ "t": "Новости\u{0}" }),
        ),
        (&token, promise, json!({ "k": "key\u{0}" })),
        (&token, promise, json!({ "k": "к".repeat(201) })),
        (
            &operator,
            "mutation ($r: String!) { staff { adjustBalance(input: {accountNumber: \"100000000002\", amount: \"10.00\", reason: $r}) { userErrors { code } } } }",
            json!({ "r": "ошибка\u{0}" }),
        ),
    ];
    for (who, query, variables) in refused {
        let body = app.graphql_as(Some(who), query, variables).await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{query}: {body}");
    }

    // An XMLTV file whose text decodes to a control character, or is longer
    // than the guide keeps, is refused with its line; nothing is imported.
    let import = "mutation ($x: String!) { staff { importEpg(input: {xmltv: $x}) { report { programmes } userErrors { message } } } }";
    let xml = |title: &str| {
        format!(
            "<tv>\n<channel id=\"z\"><display-name>Z</display-name></channel>\n<programme channel=\"z\" start=\"20261125100000 +0300\" stop=\"20261125110000 +0300\"><title>{title}</title></programme>\n</tv>"
        )
    };
    for title in ["Бокс&#1;".to_owned(), "я".repeat(501)] {
        let body = app
            .graphql_as(Some(&operator), import, json!({ "x": xml(&title) }))
            .await;
        let errors = &data(&body)["staff"]["importEpg"]["userErrors"];
        assert!(
            errors[0]["message"].as_str().unwrap().contains("3"),
            "{body}"
        );
        assert_eq!(data(&body)["staff"]["importEpg"]["report"], Value::Null);
    }
    assert_alive(&app).await;
}

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FIELDS: [&str; 14] = [
    "__typename",
    "me { id number balance { amount } }",
    "tvPackages { name }",
    "supportContacts { phone }",
    "tvChannels(first: 3) { nodes { name } }",
    "tariffs { name monthlyFee { amount } }",
    "onAir(slots: 1) { items { channel { name } } }",
    "node(id: \"eA\") { id }",
    "tvChannel(id: \"x\") { name }",
    "searchProgrammes(filter: {title: \"нов\"}, first: 2) { nodes { title } }",
    "serviceNotices(first: 2) { nodes { title } }",
    "tvHighlights { title }",
    "nodes(ids: [\"a\", \"b\"]) { id }",
    "__schema { queryType { name } }",
];

const JUNK: [&str; 16] = [
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "...",
    "@skip(if: true)",
    "$v",
    "\"\\u0000\"",
    "fragment F on Query { __typename }",
    "...F",
    "query",
    "mutation",
    "\u{0}",
    "a:",
];

fn document(rng: &mut Rng) -> String {
    let mut doc = String::from("{ ");
    for _ in 0..=rng.below(4) {
        doc.push_str(rng.pick(&FIELDS));
        doc.push(' ');
    }
    doc.push('}');
    // Mutations: insert junk, repeat a slice, nest the whole thing.
    for _ in 0..rng.below(5) {
        match rng.below(4) {
            0 => {
                let at = rng.below(doc.len() + 1);
                if doc.is_char_boundary(at) {
                    doc.insert_str(at, rng.pick(&JUNK));
                }
            }
            1 => {
                let depth = rng.below(3_000);
                doc = format!(
                    "{{ node(id: {}) {{ id }} }} {doc}",
                    nested("[", "1", "]", depth)
                );
            }
            2 => {
                let times = rng.below(2_000);
                doc = doc.replace("__typename", &"__typename ".repeat(times.max(1)));
            }
            _ => {
                let cut = rng.below(doc.len() + 1);
                if doc.is_char_boundary(cut) {
                    doc.truncate(cut);
                }
            }
        }
    }
    doc
}

fn variables(rng: &mut Rng) -> Value {
    match rng.below(5) {
        0 => json!({}),
        1 => json!({ "v": "\u{0}\u{1}" }),
        2 => json!({ "v": [[[[1]]]], "w": { "a": { "b": null } } }),
        3 => json!({ "v": "x".repeat(rng.below(100_000)) }),
        _ => Value::Null,
    }
}

#[tokio::test]
async fn random_documents_never_crash_stall_or_leak() {
    let app = TestApp::spawn().await;
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for round in 0..250 {
        let query = document(&mut rng);
        let variables = variables(&mut rng);
        let started = Instant::now();
        let response = app
            .post_graphql(None, &json!({ "query": query, "variables": variables }))
            .await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status < 500, "round {round}: {status} for {query:.300}");
        assert!(
            !error_codes(&body).iter().any(|c| c == "INTERNAL"),
            "round {round}: INTERNAL for {query:.300}: {body}"
        );
        // A guard far above normal, not a benchmark: no request may hang.
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "round {round} took {:?}: {query:.300}",
            started.elapsed()
        );
    }
    assert_alive(&app).await;
}

#[tokio::test]
async fn one_socket_runs_at_most_a_hundred_operations_at_once() {
    let app = TestApp::spawn().await;
    let mut ws = app.ws("graphql-transport-ws", json!({})).await;
    let subscription = "subscription { serviceNotices { title } }";
    for i in 0..100 {
        ws.subscribe(&format!("s{i}"), subscription).await;
        let first = ws.next().await;
        assert_eq!(first["type"], "next", "{first}");
    }
    ws.subscribe("one-too-many", subscription).await;
    let refused = ws.next().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "one-too-many");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "QUERY_TOO_COMPLEX"
    );
    // Stopping one makes room for another.
    ws.send(json!({ "id": "s0", "type": "complete" })).await;
    ws.subscribe("again", subscription).await;
    let mut admitted = ws.next().await;
    if admitted["id"] == "s0" {
        assert_eq!(admitted["type"], "complete", "{admitted}");
        admitted = ws.next().await;
    }
    assert_eq!(
        (admitted["type"].as_str(), admitted["id"].as_str()),
        (Some("next"), Some("again")),
        "{admitted}"
    );
    assert_alive(&app).await;
}

#[tokio::test]
async fn the_response_ceiling_holds_for_a_whole_batch() {
    let app = TestApp::spawn_with(|s| s.max_response_bytes = 20_000).await;
    let hour = "{ tvSchedule(from: \"2026-11-25T12:00:00+03:00\", to: \"2026-11-25T13:00:00+03:00\") { channel { name } } }";
    let batch: Vec<Value> = (0..5).map(|_| json!({ "query": hour })).collect();
    let response = app.post_graphql(None, &json!(batch)).await;
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.len() < 40_000, "{} bytes sent", bytes.len());
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(data(&body[0])["tvSchedule"].as_array().unwrap().len(), 220);
    assert_eq!(error_codes(&body[4]), ["QUERY_TOO_COMPLEX"], "{body}");
}
