//! Payments through terminals and banks: the OSMP check/pay protocol, each
//! operator signed in by HTTP Basic, a repeated `pay` credited once.

use serde_json::json;

use crate::common::{TestApp, data};

async fn app() -> TestApp {
    TestApp::spawn_with(|s| {
        s.terminal_operators = vec!["qiwi:s3cret".into(), "sber:other".into()];
    })
    .await
}

/// Sends a terminal request; returns the status and the XML.
async fn send(app: &TestApp, auth: Option<(&str, &str)>, query: &[(&str, &str)]) -> (u16, String) {
    let mut request = app.http.get(app.url("/payments/terminal")).query(query);
    if let Some((login, secret)) = auth {
        request = request.basic_auth(login, Some(secret));
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

fn tag<'a>(xml: &'a str, name: &str) -> &'a str {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml
        .find(&open)
        .map(|i| i + open.len())
        .unwrap_or_else(|| panic!("no <{name}> in {xml}"));
    let end = xml[start..].find(&close).expect("a closing tag") + start;
    &xml[start..end]
}

const QIWI: Option<(&str, &str)> = Some(("qiwi", "s3cret"));

async fn balance(app: &TestApp, token: &str) -> String {
    let body = app
        .graphql_as(
            Some(token),
            "{ me { balance { amount } transactions(kinds: [PAYMENT]) { totalCount } } }",
            json!({}),
        )
        .await;
    let me = &data(&body)["me"];
    format!(
        "{} / {}",
        me["balance"]["amount"], me["transactions"]["totalCount"]
    )
}

#[tokio::test]
async fn check_then_pay_credits_once_however_often_pay_is_repeated() {
    let app = app().await;
    let token = app.login("demo", "demo12345").await;
    let before = balance(&app, &token).await;
    let (status, xml) = send(
        &app,
        QIWI,
        &[
            ("command", "check"),
            ("txn_id", "1001"),
            ("account", "100000000001"),
            ("sum", "200.00"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(tag(&xml, "result"), "0");
    assert_eq!(tag(&xml, "osmp_txn_id"), "1001");
    assert_eq!(balance(&app, &token).await, before, "check moves no money");

    let pay = [
        ("command", "pay"),
        ("txn_id", "1001"),
        ("account", "100000000001"),
        ("sum", "200.00"),
        ("txn_date", "20261125120000"),
    ];
    let (_, first) = send(&app, QIWI, &pay).await;
    assert_eq!(tag(&first, "result"), "0", "{first}");
    let prv_txn = tag(&first, "prv_txn").to_owned();
    assert!(!prv_txn.is_empty());
    assert_eq!(tag(&first, "sum"), "200.00");
    let after = balance(&app, &token).await;
    assert_ne!(after, before);

    // Repeated, also at the same moment: the original prv_txn, nothing credited.
    let repeats = futures_util::future::join_all((0..5).map(|_| send(&app, QIWI, &pay))).await;
    for (status, xml) in repeats {
        assert_eq!(status, 200);
        assert_eq!(tag(&xml, "result"), "0");
        assert_eq!(tag(&xml, "prv_txn"), prv_txn);
    }
    assert_eq!(balance(&app, &token).await, after);
    let body = app
        .graphql_as(
            Some(&token),
            "{ me { transactions(first: 1) { nodes { kind amount { amount } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["me"]["transactions"]["nodes"][0]["amount"]["amount"],
        "200.00"
    );

    // The same id from another operator is another transaction; the same id
    // for another sum from the same operator is refused.
    let (_, other_operator) = send(&app, Some(("sber", "other")), &pay).await;
    assert_eq!(tag(&other_operator, "result"), "0");
    assert_ne!(tag(&other_operator, "prv_txn"), prv_txn);
    let mut changed = pay;
    changed[3] = ("sum", "300.00");
    let (_, reused) = send(&app, QIWI, &changed).await;
    assert_eq!(tag(&reused, "result"), "300");
}

#[tokio::test]
async fn bad_accounts_and_sums_get_their_protocol_codes() {
    let app = app().await;
    let token = app.login("demo", "demo12345").await;
    let before = balance(&app, &token).await;
    for (account, sum, code) in [
        ("12345", "100", "4"),
        ("100000000099", "100", "5"),
        ("100000000001", "0.50", "241"),
        ("100000000001", "100000.01", "242"),
        ("100000000001", "abc", "300"),
    ] {
        for command in ["check", "pay"] {
            let (_, xml) = send(
                &app,
                QIWI,
                &[
                    ("command", command),
                    ("txn_id", "77"),
                    ("account", account),
                    ("sum", sum),
                ],
            )
            .await;
            assert_eq!(
                tag(&xml, "result"),
                code,
                "{command} {account} {sum}: {xml}"
            );
        }
    }
    let (_, unknown) = send(&app, QIWI, &[("command", "refund"), ("txn_id", "1")]).await;
    assert_eq!(tag(&unknown, "result"), "300");
    let (_, bad_id) = send(
        &app,
        QIWI,
        &[
            ("command", "pay"),
            ("txn_id", "1 2"),
            ("account", "100000000001"),
            ("sum", "10"),
        ],
    )
    .await;
    assert_eq!(tag(&bad_id, "result"), "300");
    assert_eq!(balance(&app, &token).await, before, "nothing credited");
}

#[tokio::test]
async fn a_terminated_contract_takes_no_payments() {
    let app = app().await;
    {
        use sea_orm::ConnectionTrait;
        let db = &app.state.db;
        db.execute_raw(kabinet::db::statement(
            db,
            "UPDATE account SET status = 'closed' WHERE number = $1",
            vec!["100000000002".into()],
        ))
        .await
        .unwrap();
    }
    let (_, xml) = send(
        &app,
        QIWI,
        &[
            ("command", "pay"),
            ("txn_id", "5"),
            ("account", "100000000002"),
            ("sum", "100"),
        ],
    )
    .await;
    assert_eq!(tag(&xml, "result"), "79");
}

#[tokio::test]
async fn operators_must_sign_in_and_without_operators_there_is_no_endpoint() {
    let app = app().await;
    let query = [
        ("command", "check"),
        ("txn_id", "1"),
        ("account", "100000000001"),
        ("sum", "10"),
    ];
    assert_eq!(send(&app, None, &query).await.0, 401);
    assert_eq!(send(&app, Some(("qiwi", "wrong")), &query).await.0, 401);
    assert_eq!(send(&app, Some(("nobody", "s3cret")), &query).await.0, 401);
    assert_eq!(send(&app, QIWI, &query).await.0, 200);

    let plain = TestApp::spawn().await;
    assert_eq!(send(&plain, QIWI, &query).await.0, 404);
}
