//! Internet sessions and traffic: the accounting endpoint (off without a
//! secret, bearer only, idempotent by session id, a bad record refuses the
//! whole batch), owner-only reads, traffic per day, the speed report beside
//! the tariff, and the "new device" notification told once.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};

const SECRET: &str = "network-accounting-secret";
const DEMO: &str = "100000000001";
const DEMO2: &str = "100000000002";

async fn app() -> TestApp {
    TestApp::spawn_with(|s| s.accounting_secret = Some(SECRET.to_owned())).await
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A report of `session_id` for `account`, from `start` for `minutes`.
fn session(
    session_id: &str,
    account: &str,
    start: DateTime<Utc>,
    minutes: i64,
    mac: &str,
) -> Value {
    json!({
        "sessionId": session_id,
        "accountNumber": account,
        "start": start.to_rfc3339(),
        "end": (start + Duration::minutes(minutes)).to_rfc3339(),
        "ip": "10.20.30.40",
        "mac": mac,
        "bytesIn": 1_000_000,
        "bytesOut": 100_000,
        "avgRateKbps": 50_000,
        "peakRateKbps": 90_000,
    })
}

async fn post(app: &TestApp, token: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = app.http.post(app.url("/accounting/sessions")).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

async fn report(app: &TestApp, batch: Value) -> Value {
    let (status, body) = post(app, Some(SECRET), &batch).await;
    assert_eq!(status, 200, "{body}");
    body
}

const SESSIONS: &str = "query($from: DateTime, $to: DateTime) { me { internetSessions(from: $from, to: $to, first: 100) {
    totalCount nodes { sessionId start end ip mac bytesIn bytesOut avgRateKbps peakRateKbps durationSeconds } } } }";

async fn sessions(app: &TestApp, token: &str, vars: Value) -> Value {
    let body = app.graphql_as(Some(token), SESSIONS, vars).await;
    data(&body)["me"]["internetSessions"].clone()
}

async fn new_device_notes(app: &TestApp, token: &str) -> Vec<String> {
    let body = app
        .graphql_as(
            Some(token),
            "{ me { notifications(first: 100) { nodes { kind body } } } }",
            json!({}),
        )
        .await;
    data(&body)["me"]["notifications"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "NEW_DEVICE")
        .map(|n| n["body"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_endpoint_is_off_without_a_secret_and_wants_the_bearer() {
    let off = TestApp::spawn().await;
    let (status, _) = post(&off, Some(SECRET), &json!([])).await;
    assert_eq!(status, 404);

    let app = app().await;
    assert_eq!(post(&app, None, &json!([])).await.0, 401);
    assert_eq!(post(&app, Some("wrong"), &json!([])).await.0, 401);
    // A subscriber's session token is not the network's secret.
    let demo = app.login("demo", "demo12345").await;
    assert_eq!(post(&app, Some(&demo), &json!([])).await.0, 401);
    let body = report(&app, json!([])).await;
    assert_eq!(body["accepted"], 0);
}

#[tokio::test]
async fn reports_are_idempotent_by_session_id_and_read_only_by_their_owner() {
    let app = app().await;
    let start = at("2026-11-24T10:00:00Z");
    let batch = json!([
        session("s-1", DEMO2, start, 30, "aa-bb-cc-00-00-01"),
        session(
            "s-2",
            DEMO2,
            start + Duration::hours(1),
            30,
            "AA:BB:CC:00:00:01"
        ),
        session(
            "s-3",
            DEMO2,
            start + Duration::hours(2),
            30,
            "AA:BB:CC:00:00:02"
        ),
    ]);
    let first = report(&app, batch.clone()).await;
    assert_eq!(
        (
            first["accepted"].clone(),
            first["created"].clone(),
            first["updated"].clone()
        ),
        (json!(3), json!(3), json!(0))
    );
    let again = report(&app, batch).await;
    assert_eq!(
        (
            again["created"].clone(),
            again["updated"].clone(),
            again["newDevices"].clone()
        ),
        (json!(0), json!(3), json!(0))
    );

    let demo2 = app.login("demo2", "demo12345").await;
    let list = sessions(&app, &demo2, json!({})).await;
    assert_eq!(list["totalCount"], 3);
    let newest = &list["nodes"][0];
    assert_eq!(newest["sessionId"], "s-3");
    assert_eq!(newest["mac"], "AA:BB:CC:00:00:02");
    assert_eq!(newest["ip"], "10.20.30.40");
    assert_eq!(newest["bytesIn"], 1_000_000.0);
    assert_eq!(newest["durationSeconds"], 1800);
    assert_eq!(
        list["nodes"][2]["mac"], "AA:BB:CC:00:00:01",
        "one canonical MAC"
    );

    // An interim report of an open session updates its figures, not the count.
    let mut interim = session(
        "s-3",
        DEMO2,
        start + Duration::hours(2),
        90,
        "AA:BB:CC:00:00:02",
    );
    interim["bytesIn"] = json!(5_000_000_000_i64);
    report(&app, json!([interim])).await;
    let list = sessions(&app, &demo2, json!({})).await;
    assert_eq!(list["totalCount"], 3);
    assert_eq!(list["nodes"][0]["bytesIn"], 5_000_000_000.0, "past 32 bits");
    assert_eq!(list["nodes"][0]["durationSeconds"], 5400);

    // The window: sessions open some time in it.
    let window = sessions(
        &app,
        &demo2,
        json!({ "from": "2026-11-24T10:45:00Z", "to": "2026-11-24T12:00:00Z" }),
    )
    .await;
    let ids: Vec<&str> = window["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["sessionId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["s-2"]);
    let reversed = app
        .graphql_as(
            Some(&demo2),
            SESSIONS,
            json!({ "from": "2026-11-25T00:00:00Z", "to": "2026-11-24T00:00:00Z" }),
        )
        .await;
    assert_eq!(error_codes(&reversed), ["BAD_USER_INPUT"]);

    // Another subscriber sees none of them.
    let demo = app.login("demo", "demo12345").await;
    let theirs = sessions(&app, &demo, json!({})).await;
    assert!(
        theirs["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| !n["sessionId"].as_str().unwrap().starts_with("s-")),
        "{theirs}"
    );
    // A session id of one account reported for another is refused.
    let (status, body) = post(
        &app,
        Some(SECRET),
        &json!([session("s-1", DEMO, start, 30, "AA:BB:CC:00:00:09")]),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "BAD_RECORD");
    assert_eq!(body["error"]["index"], 0);
}

#[tokio::test]
async fn one_bad_record_refuses_the_whole_batch_with_its_index() {
    let app = app().await;
    let start = at("2026-11-24T10:00:00Z");
    let good = |id: &str| session(id, DEMO2, start, 30, "AA:BB:CC:00:00:01");
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut bad_mac = good("b-2");
    bad_mac["mac"] = json!("AA:BB:CC:00:00");
    cases.push((bad_mac, "mac"));
    let mut unknown = good("b-2");
    unknown["accountNumber"] = json!("999999999999");
    cases.push((unknown, "account"));
    let mut nul = good("b-2");
    nul["sessionId"] = json!("b\u{0}2");
    cases.push((nul, "sessionId"));
    let mut reversed = good("b-2");
    reversed["end"] = json!("2026-11-24T09:00:00Z");
    cases.push((reversed, "start"));
    let mut future = good("b-2");
    future["start"] = json!("2026-11-25T09:00:00Z");
    future["end"] = json!("2026-11-25T10:00:00Z");
    cases.push((future, "now"));
    let mut negative = good("b-2");
    negative["bytesOut"] = json!(-1);
    cases.push((negative, "negative"));
    let mut shape = good("b-2");
    shape["bytesIn"] = json!("lots");
    cases.push((shape, "not a session report"));
    let mut bad_ip = good("b-2");
    bad_ip["ip"] = json!("10.0.0.300");
    cases.push((bad_ip, "ip"));
    for (bad, what) in cases {
        let (status, body) =
            post(&app, Some(SECRET), &json!([good("b-1"), bad, good("b-3")])).await;
        assert_eq!(status, 422, "{what}: {body}");
        assert_eq!(body["error"]["code"], "BAD_RECORD", "{what}");
        assert_eq!(body["error"]["index"], 1, "{what}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(what),
            "{what}: {body}"
        );
    }
    // The same session id twice for different accounts.
    let mut twin = good("b-1");
    twin["accountNumber"] = json!(DEMO);
    let (status, body) = post(&app, Some(SECRET), &json!([good("b-1"), twin])).await;
    assert_eq!((status, body["error"]["index"].clone()), (422, json!(1)));

    let (status, body) = post(&app, Some(SECRET), &json!({ "sessionId": "b-1" })).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (400, json!("BAD_REQUEST"))
    );
    let too_many: Vec<Value> = (0..1001).map(|i| good(&format!("m-{i}"))).collect();
    let (status, body) = post(&app, Some(SECRET), &json!(too_many)).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (413, json!("BATCH_TOO_LARGE"))
    );

    let demo2 = app.login("demo2", "demo12345").await;
    assert_eq!(
        sessions(&app, &demo2, json!({})).await["totalCount"],
        0,
        "nothing written"
    );
    assert!(new_device_notes(&app, &demo2).await.is_empty());

    // The largest batch goes in whole.
    let full: Vec<Value> = (0..1000).map(|i| good(&format!("m-{i}"))).collect();
    assert_eq!(report(&app, json!(full)).await["created"], 1000);
    assert_eq!(sessions(&app, &demo2, json!({})).await["totalCount"], 1000);
}

#[tokio::test]
async fn a_new_device_is_told_once_and_again_after_ninety_days_away() {
    let app = app().await;
    let demo2 = app.login("demo2", "demo12345").await;
    let phone = "+79990000002";
    let sms_to_demo2 = |app: &TestApp| {
        app.sms_messages()
            .iter()
            .filter(|m| m["to"] == phone && m["text"].as_str().unwrap().contains("устройство"))
            .count()
    };
    let start = at("2026-11-24T18:00:00Z");
    // Two sessions of one new device in one batch: one notification, no SMS (not opted in).
    let body = report(
        &app,
        json!([
            session("d-1", DEMO2, start, 30, "AA:BB:CC:00:00:01"),
            session(
                "d-2",
                DEMO2,
                start + Duration::hours(1),
                30,
                "aa:bb:cc:00:00:01"
            ),
        ]),
    )
    .await;
    assert_eq!(body["newDevices"], 1);
    let notes = new_device_notes(&app, &demo2).await;
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("AA:BB:CC:00:00:01"), "{}", notes[0]);
    assert!(notes[0].contains("24.11.2026 21:00 МСК"), "{}", notes[0]);
    // Repeated and later sessions of the same device tell nothing new.
    report(
        &app,
        json!([session("d-1", DEMO2, start, 30, "AA:BB:CC:00:00:01")]),
    )
    .await;
    report(
        &app,
        json!([session(
            "d-3",
            DEMO2,
            start + Duration::hours(3),
            30,
            "AA:BB:CC:00:00:01"
        )]),
    )
    .await;
    assert_eq!(new_device_notes(&app, &demo2).await.len(), 1);

    // Opted in to SMS alerts: the next new device comes by SMS too.
    let body = app
        .graphql_as(
            Some(&demo2),
            "mutation { updateNotificationSettings(input: { smsSecurity: true }) { notificationSettings { smsSecurity } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["updateNotificationSettings"]["notificationSettings"]["smsSecurity"],
        true
    );
    report(
        &app,
        json!([session(
            "d-4",
            DEMO2,
            start + Duration::hours(4),
            30,
            "AA:BB:CC:00:00:02"
        )]),
    )
    .await;
    assert_eq!(new_device_notes(&app, &demo2).await.len(), 2);
    app.wait_for_sms(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    assert_eq!(sms_to_demo2(&app), 1);

    // 89 days later the first device is still known; 91 days after it was last seen, new again.
    app.clock.set(at("2027-02-22T09:00:00Z"));
    // Sessions end with time; sign in again.
    let demo2 = app.login("demo2", "demo12345").await;
    let back = at("2027-02-21T18:00:00Z");
    report(
        &app,
        json!([session("d-5", DEMO2, back, 30, "AA:BB:CC:00:00:01")]),
    )
    .await;
    assert_eq!(new_device_notes(&app, &demo2).await.len(), 2);
    app.clock.set(at("2027-05-26T09:00:00Z"));
    let demo2 = app.login("demo2", "demo12345").await;
    let away = at("2027-05-25T18:00:00Z");
    let body = report(
        &app,
        json!([session("d-6", DEMO2, away, 30, "AA:BB:CC:00:00:01")]),
    )
    .await;
    assert_eq!(body["newDevices"], 1);
    assert_eq!(new_device_notes(&app, &demo2).await.len(), 3);
    report(
        &app,
        json!([session("d-6", DEMO2, away, 30, "AA:BB:CC:00:00:01")]),
    )
    .await;
    assert_eq!(new_device_notes(&app, &demo2).await.len(), 3);
}

#[tokio::test]
async fn two_batches_racing_over_one_new_device_tell_it_once() {
    let app = app().await;
    let demo2 = app.login("demo2", "demo12345").await;
    let start = at("2026-11-24T18:00:00Z");
    let batches: Vec<Value> = (0..4)
        .map(|i| {
            json!([session(
                &format!("r-{i}"),
                DEMO2,
                start + Duration::minutes(i),
                30,
                "AA:BB:CC:00:00:07"
            )])
        })
        .collect();
    let posts = batches.iter().map(|b| post(&app, Some(SECRET), b));
    for (status, body) in futures_util::future::join_all(posts).await {
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(new_device_notes(&app, &demo2).await.len(), 1);
}

#[tokio::test]
async fn traffic_by_day_splits_a_session_over_midnight_and_adds_up() {
    let app = app().await;
    let demo2 = app.login("demo2", "demo12345").await;
    // 23:00–02:00 Moscow: a third on the 23rd, two thirds on the 24th.
    let mut night = session(
        "t-1",
        DEMO2,
        at("2026-11-23T20:00:00Z"),
        180,
        "AA:BB:CC:00:00:01",
    );
    night["bytesIn"] = json!(3_000_000_001_i64);
    night["bytesOut"] = json!(300);
    report(&app, json!([night])).await;
    let query = "query($from: Date!, $to: Date!) { me { trafficByDay(from: $from, to: $to) { date bytesIn bytesOut sessions } } }";
    let body = app
        .graphql_as(
            Some(&demo2),
            query,
            json!({ "from": "2026-11-23", "to": "2026-11-25" }),
        )
        .await;
    assert_eq!(
        data(&body)["me"]["trafficByDay"],
        json!([
            { "date": "2026-11-23", "bytesIn": 1_000_000_000.0, "bytesOut": 100.0, "sessions": 1 },
            { "date": "2026-11-24", "bytesIn": 2_000_000_001.0, "bytesOut": 200.0, "sessions": 1 },
            { "date": "2026-11-25", "bytesIn": 0.0, "bytesOut": 0.0, "sessions": 0 },
        ])
    );
    for (from, to) in [("2026-11-25", "2026-11-24"), ("2026-08-01", "2026-11-01")] {
        let body = app
            .graphql_as(Some(&demo2), query, json!({ "from": from, "to": to }))
            .await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{from}..{to}");
    }
    // Another subscriber's traffic is not in theirs.
    let demo = app.login("demo", "demo12345").await;
    let body = app
        .graphql_as(
            Some(&demo),
            query,
            json!({ "from": "2026-11-23", "to": "2026-11-23" }),
        )
        .await;
    let day = &data(&body)["me"]["trafficByDay"][0];
    assert_ne!(day["bytesOut"], 100.0);
}

#[tokio::test]
async fn the_speed_report_sets_measured_rates_beside_the_tariff() {
    let app = app().await;
    let demo2 = app.login("demo2", "demo12345").await;
    let body = app
        .graphql_as(Some(&demo2), "{ me { tariff { speedMbps } } }", json!({}))
        .await;
    let tariff_kbps = data(&body)["me"]["tariff"]["speedMbps"].as_i64().unwrap() * 1000;
    let day = at("2026-11-24T07:00:00Z");
    let batch: Vec<Value> = [
        tariff_kbps * 3 / 10,
        tariff_kbps * 4 / 10,
        tariff_kbps * 9 / 10,
    ]
    .iter()
    .enumerate()
    .map(|(i, rate)| {
        let mut s = session(
            &format!("v-{i}"),
            DEMO2,
            day + Duration::hours(i as i64),
            30,
            "AA:BB:CC:00:00:01",
        );
        s["avgRateKbps"] = json!(rate);
        s["peakRateKbps"] = json!(rate + 1000);
        s
    })
    .collect();
    report(&app, json!(batch)).await;
    let body = app
        .graphql_as(
            Some(&demo2),
            "{ me { speedReport(from: \"2026-11-24\", to: \"2026-11-25\") { daysBelowHalf days { date tariffKbps sessions medianKbps p90Kbps peakKbps medianPercentOfTariff } } } }",
            json!({}),
        )
        .await;
    let report = &data(&body)["me"]["speedReport"];
    assert_eq!(report["daysBelowHalf"], 1);
    assert_eq!(
        report["days"][0],
        json!({
            "date": "2026-11-24", "tariffKbps": tariff_kbps, "sessions": 3,
            "medianKbps": tariff_kbps * 4 / 10, "p90Kbps": tariff_kbps * 9 / 10,
            "peakKbps": tariff_kbps * 9 / 10 + 1000, "medianPercentOfTariff": 40,
        })
    );
    assert_eq!(report["days"][1]["sessions"], 0);
    assert_eq!(report["days"][1]["medianKbps"], Value::Null);
    assert_eq!(report["days"][1]["tariffKbps"], tariff_kbps);
}

#[tokio::test]
async fn the_demo_household_has_a_month_of_sessions_and_one_new_device() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let list = sessions(&app, &demo, json!({})).await;
    assert!(list["totalCount"].as_i64().unwrap() > 100, "{list}");
    assert_eq!(new_device_notes(&app, &demo).await.len(), 1);
    let body = app
        .graphql_as(
            Some(&demo),
            "{ me { speedReport(from: \"2026-10-27\", to: \"2026-11-24\") { daysBelowHalf days { medianKbps } } } }",
            json!({}),
        )
        .await;
    let report = &data(&body)["me"]["speedReport"];
    assert!(report["daysBelowHalf"].as_i64().unwrap() >= 1, "{report}");
    assert!(
        report["days"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| !d["medianKbps"].is_null())
    );
}
