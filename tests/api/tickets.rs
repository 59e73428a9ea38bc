//! Support end to end: a subscriber's tickets (thread, status, close, reopen
//! within 7 days, limits), nobody else's; operators' replies, every status
//! transition allowed and refused, the queue, assignment; the subscriber told
//! on `accountEvents` and by SMS; technician visits (windows, capacity under
//! concurrent scheduling, cancelling until 2 hours before); the report.

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes, test_epoch};
use crate::money::staff_token;

const CREATE: &str = "mutation ($i: CreateTicketInput!) { createTicket(input: $i) { \
    ticket { id number status category subject messages(first: 10) { totalCount nodes { fromSupport text } } } \
    userErrors { field code } } }";

const ADD: &str = "mutation ($i: AddTicketMessageInput!) { addTicketMessage(input: $i) { \
    ticket { status messages(first: 50) { totalCount nodes { fromSupport text } } } userErrors { field code } } }";

const CLOSE: &str = "mutation ($i: TicketInput!) { closeTicket(input: $i) { ticket { status reopenable } userErrors { code } } }";
const REOPEN: &str = "mutation ($i: TicketInput!) { reopenTicket(input: $i) { ticket { status } userErrors { code } } }";

const REPLY: &str = "mutation ($i: ReplyToTicketInput!) { staff { replyToTicket(input: $i) { \
    ticket { status firstResponseAt } userErrors { code } } } }";

const SET: &str = "mutation ($i: SetTicketStatusInput!) { staff { setTicketStatus(input: $i) { \
    ticket { status } userErrors { code } } } }";

async fn create(app: &TestApp, token: &str, category: &str, subject: &str) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            CREATE,
            json!({ "i": { "category": category, "subject": subject, "message": "Не работает с утра" } }),
        )
        .await;
    data(&body)["createTicket"].clone()
}

async fn ticket_id(app: &TestApp, token: &str) -> String {
    let made = create(app, token, "NO_CONNECTION", "Нет интернета").await;
    assert_eq!(made["userErrors"], json!([]), "{made}");
    made["ticket"]["id"].as_str().unwrap().to_owned()
}

async fn run(app: &TestApp, token: &str, query: &str, input: Value) -> Value {
    let body = app
        .graphql_as(Some(token), query, json!({ "i": input }))
        .await;
    let data = data(&body);
    let root = data.as_object().unwrap().values().next().unwrap().clone();
    // Staff mutations answer one level deeper.
    match root.as_object().map(|o| o.len()) {
        Some(1) if root.get("ticket").is_none() && root.get("userErrors").is_none() => {
            root.as_object().unwrap().values().next().unwrap().clone()
        }
        _ => root,
    }
}

fn codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_subscriber_opens_follows_closes_and_reopens_a_ticket() {
    let app = TestApp::spawn_with(|s| s.session_ttl_hours = 24 * 60).await;
    let token = app.login("demo", "demo12345").await;
    let made = create(&app, &token, "LOW_SPEED", "Скорость ниже 50 Мбит/с").await;
    assert_eq!(made["userErrors"], json!([]));
    let t = &made["ticket"];
    assert_eq!(t["status"], "NEW");
    assert_eq!(t["category"], "LOW_SPEED");
    assert_eq!(t["messages"]["totalCount"], 1);
    assert_eq!(t["messages"]["nodes"][0]["fromSupport"], false);
    let id = t["id"].as_str().unwrap().to_owned();

    let added = run(
        &app,
        &token,
        ADD,
        json!({ "ticketId": id, "message": "Замер: 43 Мбит/с" }),
    )
    .await;
    assert_eq!(added["ticket"]["messages"]["totalCount"], 2);
    let body = app
        .graphql_as(
            Some(&token),
            "{ me { tickets(status: NEW, first: 10) { totalCount nodes { id subject } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&body)["me"]["tickets"]["totalCount"], 1);

    let closed = run(&app, &token, CLOSE, json!({ "ticketId": id })).await;
    assert_eq!(closed["ticket"]["status"], "CLOSED");
    assert_eq!(closed["ticket"]["reopenable"], true);
    let refused = run(
        &app,
        &token,
        ADD,
        json!({ "ticketId": id, "message": "ещё" }),
    )
    .await;
    assert_eq!(codes(&refused), ["INVALID_TRANSITION"]);
    let again = run(&app, &token, CLOSE, json!({ "ticketId": id })).await;
    assert_eq!(codes(&again), ["INVALID_TRANSITION"]);
    app.clock.advance(Duration::days(6));
    let reopened = run(&app, &token, REOPEN, json!({ "ticketId": id })).await;
    assert_eq!(reopened["ticket"]["status"], "IN_PROGRESS");
    let closed = run(&app, &token, CLOSE, json!({ "ticketId": id })).await;
    assert_eq!(closed["ticket"]["status"], "CLOSED");
    app.clock.advance(Duration::days(8));
    let late = run(&app, &token, REOPEN, json!({ "ticketId": id })).await;
    assert_eq!(codes(&late), ["INVALID_TRANSITION"], "more than 7 days");

    // Bad input.
    let empty = create(&app, &token, "OTHER", "  ").await;
    assert_eq!(codes(&empty), ["REQUIRED"]);
    let long = create(&app, &token, "OTHER", &"т".repeat(201)).await;
    assert_eq!(codes(&long), ["TOO_LONG"]);
    let body = app
        .graphql_as(
            Some(&token),
            CREATE,
            json!({ "i": { "category": "OTHER", "subject": "x", "message": "я".repeat(4001) } }),
        )
        .await;
    assert_eq!(codes(&data(&body)["createTicket"]), ["TOO_LONG"]);
}

#[tokio::test]
async fn a_subscriber_cannot_flood_tickets_or_messages() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    for n in 0..5 {
        assert_eq!(
            create(&app, &token, "OTHER", &format!("Вопрос {n}")).await["userErrors"],
            json!([])
        );
    }
    let body = app
        .graphql_as(
            Some(&token),
            CREATE,
            json!({ "i": { "category": "OTHER", "subject": "ещё", "message": "ещё" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["RATE_LIMITED"]);
    assert!(body["errors"][0]["extensions"]["retryAt"].is_string());
    let body = app
        .graphql_as(
            Some(&token),
            "{ me { tickets(first: 1) { nodes { id } } } }",
            json!({}),
        )
        .await;
    let id = data(&body)["me"]["tickets"]["nodes"][0]["id"].clone();
    for n in 0..30 {
        let added = run(
            &app,
            &token,
            ADD,
            json!({ "ticketId": id, "message": format!("сообщение {n}") }),
        )
        .await;
        assert_eq!(added["userErrors"], json!([]));
    }
    let body = app
        .graphql_as(
            Some(&token),
            ADD,
            json!({ "i": { "ticketId": id, "message": "ещё одно" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["RATE_LIMITED"]);
}

#[tokio::test]
async fn nobody_else_reaches_a_ticket_or_its_visit() {
    let app = TestApp::spawn().await;
    let mine = app.login("demo", "demo12345").await;
    let other = app.login("demo2", "demo12345").await;
    let id = ticket_id(&app, &mine).await;
    let body = app
        .graphql_as(
            Some(&other),
            "query ($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(data(&body)["node"].is_null());
    let added = run(
        &app,
        &other,
        ADD,
        json!({ "ticketId": id, "message": "чужое" }),
    )
    .await;
    assert_eq!(codes(&added), ["NOT_FOUND"]);
    assert_eq!(
        codes(&run(&app, &other, CLOSE, json!({ "ticketId": id })).await),
        ["NOT_FOUND"]
    );
    let body = app
        .graphql_as(
            Some(&other),
            "{ me { tickets(first: 5) { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&body)["me"]["tickets"]["totalCount"], 0);
    let body = app
        .graphql_as(
            Some(&mine),
            "query ($id: ID!) { node(id: $id) { ... on Ticket { subject } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data(&body)["node"]["subject"], "Нет интернета");
    // Staff tools refuse subscribers; anonymous callers cannot open tickets.
    let body = app
        .graphql_as(
            Some(&mine),
            "{ staff { tickets(first: 5) { totalCount } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    let body = app
        .graphql_as(
            Some(&mine),
            REPLY,
            json!({ "i": { "ticketId": id, "message": "сам себе" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    let body = app
        .graphql(
            CREATE,
            json!({ "i": { "category": "OTHER", "subject": "x", "message": "y" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
}

/// Brings a fresh ticket to `status` the way operators do.
async fn ticket_in(app: &TestApp, token: &str, staff: &str, status: &str) -> String {
    let id = ticket_id(app, token).await;
    let path: &[&str] = match status {
        "NEW" => &[],
        "IN_PROGRESS" => &["IN_PROGRESS"],
        "WAITING_FOR_SUBSCRIBER" => &["IN_PROGRESS", "WAITING_FOR_SUBSCRIBER"],
        "RESOLVED" => &["RESOLVED"],
        "CLOSED" => &["RESOLVED", "CLOSED"],
        other => panic!("{other}"),
    };
    for step in path {
        let moved = run(app, staff, SET, json!({ "ticketId": id, "status": step })).await;
        assert_eq!(moved["userErrors"], json!([]), "to {step}: {moved}");
    }
    id
}

#[tokio::test]
async fn operators_move_tickets_only_along_the_allowed_transitions() {
    let app = TestApp::spawn_with(|s| s.session_ttl_hours = 24 * 60).await;
    let staff = staff_token(&app).await;
    let token = app.login("demo", "demo12345").await;
    let statuses = [
        "NEW",
        "IN_PROGRESS",
        "WAITING_FOR_SUBSCRIBER",
        "RESOLVED",
        "CLOSED",
    ];
    let allowed = [
        ("NEW", "IN_PROGRESS"),
        ("NEW", "RESOLVED"),
        ("IN_PROGRESS", "WAITING_FOR_SUBSCRIBER"),
        ("IN_PROGRESS", "RESOLVED"),
        ("WAITING_FOR_SUBSCRIBER", "IN_PROGRESS"),
        ("WAITING_FOR_SUBSCRIBER", "RESOLVED"),
        ("RESOLVED", "IN_PROGRESS"),
        ("RESOLVED", "CLOSED"),
    ];
    let mut made = 0;
    for from in statuses {
        for to in statuses {
            if from == to {
                continue;
            }
            // Five tickets an hour per subscriber: let the clock run.
            if made % 5 == 4 {
                app.clock.advance(Duration::hours(1));
            }
            made += 1;
            let id = ticket_in(&app, &token, &staff, from).await;
            let moved = run(&app, &staff, SET, json!({ "ticketId": id, "status": to })).await;
            if allowed.contains(&(from, to)) {
                assert_eq!(moved["userErrors"], json!([]), "{from} → {to}");
                assert_eq!(moved["ticket"]["status"], to);
            } else {
                assert_eq!(codes(&moved), ["INVALID_TRANSITION"], "{from} → {to}");
            }
        }
    }
}

const EVENTS: &str = "subscription { accountEvents { __typename \
    ... on TicketUpdated { status ticket { subject } } } }";

#[tokio::test]
async fn a_reply_reaches_the_subscriber_live_and_by_sms_when_wanted() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let token = app.login("demo", "demo12345").await;
    let id = ticket_id(&app, &token).await;
    let mut ws = app
        .ws(
            "graphql-transport-ws",
            json!({ "authorization": format!("Bearer {token}") }),
        )
        .await;
    ws.subscribe("events", EVENTS).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let sent = app.sms_messages().len();
    let replied = run(
        &app,
        &staff,
        REPLY,
        json!({ "ticketId": id, "message": "Перезагрузите роутер" }),
    )
    .await;
    assert_eq!(replied["userErrors"], json!([]));
    assert_eq!(
        replied["ticket"]["status"], "IN_PROGRESS",
        "a new ticket is taken"
    );
    assert!(replied["ticket"]["firstResponseAt"].is_string());
    let event = ws.next().await;
    assert_eq!(
        event["payload"]["data"]["accountEvents"]["__typename"], "TicketUpdated",
        "{event}"
    );
    assert_eq!(
        event["payload"]["data"]["accountEvents"]["status"],
        "IN_PROGRESS"
    );
    assert_eq!(
        event["payload"]["data"]["accountEvents"]["ticket"]["subject"],
        "Нет интернета"
    );
    let messages = app.wait_for_sms(sent + 1).await;
    let sms = &messages[sent];
    assert_eq!(sms["to"], "+79990000001");
    assert!(
        sms["text"].as_str().unwrap().contains("ответ по обращению"),
        "{sms}"
    );

    // Waiting for the subscriber; their answer gives it back to support.
    let waiting = run(
        &app,
        &staff,
        SET,
        json!({ "ticketId": id, "status": "WAITING_FOR_SUBSCRIBER" }),
    )
    .await;
    assert_eq!(waiting["ticket"]["status"], "WAITING_FOR_SUBSCRIBER");
    let _ = ws.next().await;
    let answered = run(
        &app,
        &token,
        ADD,
        json!({ "ticketId": id, "message": "Перезагрузил, не помогло" }),
    )
    .await;
    assert_eq!(answered["ticket"]["status"], "IN_PROGRESS");
    let thread: Vec<bool> = answered["ticket"]["messages"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["fromSupport"].as_bool().unwrap())
        .collect();
    assert_eq!(thread, [false, true, false]);

    // Support SMS switched off: the next change comes live only.
    let body = app
        .graphql_as(
            Some(&token),
            "mutation { updateNotificationSettings(input: {smsSupport: false}) { notificationSettings { smsSupport } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["updateNotificationSettings"]["notificationSettings"]["smsSupport"],
        false
    );
    let before = app.wait_for_sms(sent + 2).await.len();
    let resolved = run(
        &app,
        &staff,
        SET,
        json!({ "ticketId": id, "status": "RESOLVED" }),
    )
    .await;
    assert_eq!(resolved["ticket"]["status"], "RESOLVED");
    let event = ws.next().await;
    assert_eq!(
        event["payload"]["data"]["accountEvents"]["status"],
        "RESOLVED"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.sms_messages().len(), before, "no SMS once switched off");
}

#[tokio::test]
async fn the_queue_shows_tickets_by_status_category_and_age_and_operators_assign_them() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let token = app.login("demo", "demo12345").await;
    create(&app, &token, "BILLING", "Двойное списание").await;
    app.clock.advance(Duration::hours(3));
    let fresh = create(&app, &token, "LOW_SPEED", "Медленно").await;
    let fresh_id = fresh["ticket"]["id"].as_str().unwrap().to_owned();
    let queue = "query ($s: TicketStatus, $c: TicketCategory, $h: Int) { staff { tickets(status: $s, category: $c, olderThanHours: $h, first: 10) { totalCount nodes { subject } } } }";
    let (app, staff) = (&app, staff.as_str());
    let count = |v: Value| async move {
        let body = app.graphql_as(Some(staff), queue, v).await;
        data(&body)["staff"]["tickets"]["totalCount"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(count(json!({})).await, 2);
    assert_eq!(count(json!({ "c": "BILLING" })).await, 1);
    assert_eq!(
        count(json!({ "h": 2 })).await,
        1,
        "only the one opened 3 hours ago"
    );
    assert_eq!(count(json!({ "s": "NEW" })).await, 2);
    let body = app.graphql_as(Some(staff), queue, json!({})).await;
    assert_eq!(
        data(&body)["staff"]["tickets"]["nodes"][0]["subject"],
        "Двойное списание",
        "oldest first"
    );

    let assign = "mutation ($i: AssignTicketInput!) { staff { assignTicket(input: $i) { ticket { status } userErrors { code } } } }";
    let body = app
        .graphql_as(
            Some(staff),
            assign,
            json!({ "i": { "ticketId": fresh_id, "login": "operator" } }),
        )
        .await;
    assert_eq!(
        data(&body)["staff"]["assignTicket"]["userErrors"],
        json!([])
    );
    let body = app
        .graphql_as(
            Some(staff),
            assign,
            json!({ "i": { "ticketId": fresh_id, "login": "demo" } }),
        )
        .await;
    assert_eq!(
        codes(&data(&body)["staff"]["assignTicket"]),
        ["NOT_FOUND"],
        "a subscriber is not an operator"
    );
}

const SLOTS: &str = "{ technicianSlots { start end free } }";
const REQUEST_VISIT: &str = "mutation ($i: RequestTechnicianVisitInput!) { requestTechnicianVisit(input: $i) { \
    technicianVisit { id status preferredWindows scheduledStart cancellable } userErrors { field code } } }";
const SCHEDULE: &str = "mutation ($i: ScheduleTechnicianVisitInput!) { staff { scheduleTechnicianVisit(input: $i) { \
    technicianVisit { id status scheduledStart scheduledEnd } userErrors { field code } } } }";
const CANCEL_VISIT: &str = "mutation ($i: CancelTechnicianVisitInput!) { cancelTechnicianVisit(input: $i) { \
    technicianVisit { status } userErrors { field code } } }";

async fn slots(app: &TestApp) -> Vec<Value> {
    let body = app.graphql(SLOTS, json!({})).await;
    data(&body)["technicianSlots"].as_array().unwrap().clone()
}

async fn request_visit(app: &TestApp, token: &str, ticket: &str, windows: &[&Value]) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            REQUEST_VISIT,
            json!({ "i": { "ticketId": ticket, "reason": "Проверить кабель в подъезде", "preferredWindows": windows } }),
        )
        .await;
    data(&body)["requestTechnicianVisit"].clone()
}

async fn schedule(app: &TestApp, staff: &str, visit: &Value, window: &Value) -> Value {
    let body = app
        .graphql_as(
            Some(staff),
            SCHEDULE,
            json!({ "i": { "visitId": visit, "window": window } }),
        )
        .await;
    data(&body)["staff"]["scheduleTechnicianVisit"].clone()
}

#[tokio::test]
async fn a_technician_visit_is_asked_for_scheduled_in_a_preferred_window_and_cancelled_in_time() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let token = app.login("demo", "demo12345").await;
    // Wednesday 25 November: Thursday to the next Wednesday, six windows a day.
    let offered = slots(&app).await;
    assert_eq!(offered.len(), 30);
    assert!(offered.iter().all(|s| s["free"] == 2));
    assert_eq!(offered[0]["start"], "2026-11-26T09:00:00+03:00");
    assert_eq!(offered[0]["end"], "2026-11-26T11:00:00+03:00");
    assert!(
        offered
            .iter()
            .all(|s| !s["start"].as_str().unwrap().starts_with("2026-11-28")),
        "no Saturday"
    );

    let ticket = ticket_id(&app, &token).await;
    let bad = request_visit(
        &app,
        &token,
        &ticket,
        &[&json!("2026-11-26T10:00:00+03:00")],
    )
    .await;
    assert_eq!(codes(&bad), ["INVALID_VALUE"], "not a window start");
    let asked = request_visit(
        &app,
        &token,
        &ticket,
        &[&offered[1]["start"], &offered[7]["start"]],
    )
    .await;
    assert_eq!(asked["userErrors"], json!([]), "{asked}");
    let visit = &asked["technicianVisit"];
    assert_eq!(visit["status"], "REQUESTED");
    assert_eq!(visit["cancellable"], true);
    let twice = request_visit(&app, &token, &ticket, &[&offered[2]["start"]]).await;
    assert_eq!(codes(&twice), ["ALREADY_ACTIVE"]);

    let elsewhere = schedule(&app, &staff, &visit["id"], &offered[3]["start"]).await;
    assert_eq!(
        codes(&elsewhere),
        ["INVALID_VALUE"],
        "not a preferred window"
    );
    let sent = app.sms_messages().len();
    let booked = schedule(&app, &staff, &visit["id"], &offered[7]["start"]).await;
    assert_eq!(booked["userErrors"], json!([]));
    assert_eq!(booked["technicianVisit"]["status"], "SCHEDULED");
    assert_eq!(
        booked["technicianVisit"]["scheduledStart"],
        offered[7]["start"]
    );
    let messages = app.wait_for_sms(sent + 1).await;
    assert!(
        messages[sent]["text"]
            .as_str()
            .unwrap()
            .contains("техник придёт")
    );
    assert_eq!(slots(&app).await[7]["free"], 1);

    // 1 h 30 min before the window: too late to cancel.
    let start = chrono::DateTime::parse_from_rfc3339(offered[7]["start"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    app.clock.set(start - Duration::minutes(90));
    let late = app
        .graphql_as(
            Some(&token),
            CANCEL_VISIT,
            json!({ "i": { "visitId": visit["id"] } }),
        )
        .await;
    assert_eq!(
        codes(&data(&late)["cancelTechnicianVisit"]),
        ["INVALID_TRANSITION"]
    );
    app.clock.set(start - Duration::hours(3));
    let cancelled = app
        .graphql_as(
            Some(&token),
            CANCEL_VISIT,
            json!({ "i": { "visitId": visit["id"] } }),
        )
        .await;
    assert_eq!(
        data(&cancelled)["cancelTechnicianVisit"]["technicianVisit"]["status"],
        "CANCELED"
    );
    app.clock.set(test_epoch());
    assert_eq!(slots(&app).await[7]["free"], 2, "the place is free again");
    // Someone else's visit is not theirs to see or cancel.
    let other = app.login("demo2", "demo12345").await;
    let node = "query ($id: ID!) { node(id: $id) { ... on TechnicianVisit { status } } }";
    let body = app
        .graphql_as(Some(&other), node, json!({ "id": visit["id"] }))
        .await;
    assert!(data(&body)["node"].is_null());
    let body = app
        .graphql_as(Some(&token), node, json!({ "id": visit["id"] }))
        .await;
    assert_eq!(data(&body)["node"]["status"], "CANCELED");
    let body = app
        .graphql_as(
            Some(&other),
            CANCEL_VISIT,
            json!({ "i": { "visitId": visit["id"] } }),
        )
        .await;
    assert_eq!(codes(&data(&body)["cancelTechnicianVisit"]), ["NOT_FOUND"]);
}

#[tokio::test]
async fn a_windows_capacity_holds_when_operators_schedule_at_once() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let offered = slots(&app).await;
    let window = offered[4]["start"].clone();
    let mut visits = Vec::new();
    for login in ["demo", "demo2"] {
        let token = app.login(login, "demo12345").await;
        for _ in 0..3 {
            let ticket = ticket_id(&app, &token).await;
            let asked = request_visit(&app, &token, &ticket, &[&window]).await;
            visits.push(asked["technicianVisit"]["id"].clone());
        }
    }
    let racing = visits.iter().map(|v| schedule(&app, &staff, v, &window));
    let results = futures_util::future::join_all(racing).await;
    let booked = results
        .iter()
        .filter(|r| r["userErrors"] == json!([]))
        .count();
    assert_eq!(booked, 2, "{results:?}");
    assert!(
        results
            .iter()
            .filter(|r| r["userErrors"] != json!([]))
            .all(|r| codes(r) == ["LIMIT_REACHED"])
    );
    assert_eq!(slots(&app).await[4]["free"], 0);
}

#[tokio::test]
async fn the_report_gives_median_and_90th_percentile_by_category_and_week() {
    let app = TestApp::spawn_with(|s| s.session_ttl_hours = 24 * 60).await;
    let staff = staff_token(&app).await;
    let token = app.login("demo", "demo12345").await;
    // Monday 30 November, 10:00 Moscow: three billing tickets answered after
    // 10, 20 and 60 minutes, resolved after 1, 2 and 10 hours.
    let monday = Utc.with_ymd_and_hms(2026, 11, 30, 7, 0, 0).unwrap();
    for (n, (answer, solve)) in [(10, 1), (20, 2), (60, 10)].into_iter().enumerate() {
        app.clock.set(monday + Duration::hours(n as i64));
        let id = create(&app, &token, "BILLING", &format!("Счёт {n}")).await["ticket"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.clock.advance(Duration::minutes(answer));
        run(
            &app,
            &staff,
            REPLY,
            json!({ "ticketId": id, "message": "Проверяем" }),
        )
        .await;
        app.clock
            .set(monday + Duration::hours(n as i64) + Duration::hours(solve));
        run(
            &app,
            &staff,
            SET,
            json!({ "ticketId": id, "status": "RESOLVED" }),
        )
        .await;
    }
    // One unanswered ticket of another category the next week.
    app.clock.set(monday + Duration::days(7));
    create(&app, &token, "OTHER", "Вопрос").await;
    let body = app
        .graphql_as(
            Some(&staff),
            "{ staff { supportReport(from: \"2026-11-30\", to: \"2026-12-13\") { category week tickets answered resolved \
              firstResponseMedianMinutes firstResponseP90Minutes resolutionMedianHours resolutionP90Hours } } }",
            json!({}),
        )
        .await;
    let rows = data(&body)["staff"]["supportReport"].clone();
    assert_eq!(
        rows,
        json!([
            { "category": "BILLING", "week": "2026-11-30", "tickets": 3, "answered": 3, "resolved": 3,
              "firstResponseMedianMinutes": 20.0, "firstResponseP90Minutes": 60.0,
              "resolutionMedianHours": 2.0, "resolutionP90Hours": 10.0 },
            { "category": "OTHER", "week": "2026-12-07", "tickets": 1, "answered": 0, "resolved": 0,
              "firstResponseMedianMinutes": null, "firstResponseP90Minutes": null,
              "resolutionMedianHours": null, "resolutionP90Hours": null }
        ])
    );
}
