//! The frontend's operations (`operations/`): every one of them is valid
//! against the schema and runs by its hash alone in allow-list mode, where
//! nothing else runs.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use async_graphql::parser::types::OperationType;
use kabinet::money::Kopecks;
use serde_json::{Value, json};

use crate::common::{TestApp, WsClient, credentials_in, data, error_codes};

// The frontend's operations: `operations/` holds one file per operation
// (named as the operation) and `fragments.graphql` with the fragments they
// share. In allow-list mode they are the only documents the server runs.

/// The operations folder of the frontend.
fn operations_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("operations")
}

/// One operation file: what kind of operation it holds, and the hash the
/// server knows it by (of the file's text as written).
struct Operation {
    kind: OperationType,
    hash: String,
}

/// Reads `operations/` and checks its shape: each file but
/// `fragments.graphql` holds exactly one operation, named as the file, and no
/// fragment; `fragments.graphql` holds only fragments, each of them used.
fn read_operations() -> BTreeMap<String, Operation> {
    let mut operations = BTreeMap::new();
    let mut shared = Vec::new();
    let mut every_text = String::new();
    for entry in std::fs::read_dir(operations_dir()).expect("the operations folder") {
        let path = entry.expect("a directory entry").path();
        if path.extension().is_none_or(|e| e != "graphql") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a UTF-8 file name")
            .to_owned();
        let text = std::fs::read_to_string(&path).expect("a readable file");
        every_text.push_str(&text);
        if name == "fragments" {
            // The parser wants an operation: give it one to find the fragments.
            let probe = format!("{text}\nquery FragmentsOnlyProbe {{ __typename }}");
            let doc = async_graphql::parser::parse_query(probe)
                .unwrap_or_else(|e| panic!("fragments.graphql does not parse: {e}"));
            assert_eq!(
                doc.operations.iter().count(),
                1,
                "fragments.graphql holds fragments only"
            );
            shared.extend(doc.fragments.keys().map(|n| n.to_string()));
            continue;
        }
        let doc = async_graphql::parser::parse_query(&text)
            .unwrap_or_else(|e| panic!("{name}.graphql does not parse: {e}"));
        let found: Vec<_> = doc.operations.iter().collect();
        assert_eq!(found.len(), 1, "{name}.graphql holds exactly one operation");
        let (operation_name, operation) = found[0];
        assert_eq!(
            operation_name.map(|n| n.as_str()),
            Some(name.as_str()),
            "{name}.graphql: the operation is named as its file"
        );
        assert!(
            doc.fragments.is_empty(),
            "{name}.graphql: fragments live in fragments.graphql"
        );
        operations.insert(
            name,
            Operation {
                kind: operation.node.ty,
                hash: kabinet::digest::sha256_hex(&text),
            },
        );
    }
    assert!(!shared.is_empty(), "fragments.graphql shares fragments");
    let spread = regex_lite::Regex::new(r"\.\.\.\s*([_A-Za-z][_0-9A-Za-z]*)").expect("a pattern");
    let spread: HashSet<&str> = spread
        .captures_iter(&every_text)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect();
    for fragment in &shared {
        assert!(
            spread.contains(fragment.as_str()),
            "fragment {fragment} is used by no operation"
        );
    }
    operations
}

/// Who sends an operation. `Login` signs this one in (and is sent anonymously).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Who {
    Anonymous,
    /// `demo` in the browser.
    Demo,
    /// `demo` again, on a phone (a second session).
    DemoPhone,
    /// `demo2`, signed in with credentials received by SMS.
    Demo2,
}

/// One run of an operation: who sends it and its variables (from what the
/// earlier runs answered).
struct Step {
    op: &'static str,
    who: Who,
    variables: fn(&Seen) -> Value,
}

fn step(op: &'static str, who: Who, variables: fn(&Seen) -> Value) -> Step {
    Step { op, who, variables }
}

/// What the session has seen so far.
#[derive(Default)]
struct Seen {
    /// The `data` of each operation's latest run.
    data: HashMap<&'static str, Value>,
    tokens: HashMap<Who, String>,
    /// Things learnt outside GraphQL (an SMS, a balance from an event).
    notes: HashMap<&'static str, Value>,
    /// The signed-in WebSocket of `demo`, while subscriptions run.
    socket: Option<WsClient>,
}

impl Seen {
    /// The value at `pointer` in the latest answer of `op`; never null.
    fn at(&self, op: &str, pointer: &str) -> Value {
        let data = self
            .data
            .get(op)
            .unwrap_or_else(|| panic!("{op} has not run yet"));
        data.pointer(pointer)
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or_else(|| panic!("no {pointer} in what {op} answered: {data}"))
    }

    /// The item of the list at `pointer` (in `op`'s answer) whose `key` is `value`.
    fn find(&self, op: &str, pointer: &str, key: &str, value: Value) -> Value {
        let list = self.at(op, pointer);
        list.as_array()
            .unwrap_or_else(|| panic!("{pointer} of {op} is not a list: {list}"))
            .iter()
            .find(|item| item[key] == value)
            .cloned()
            .unwrap_or_else(|| panic!("no {key} = {value} in {pointer} of {op}: {list}"))
    }

    /// The ids of the first `n` items of the list at `pointer` in `op`'s answer.
    fn ids(&self, op: &str, pointer: &str, n: usize) -> Vec<Value> {
        let list = self.at(op, pointer);
        let ids: Vec<Value> = list
            .as_array()
            .unwrap_or_else(|| panic!("{pointer} of {op} is not a list: {list}"))
            .iter()
            .take(n)
            .map(|item| item["id"].clone())
            .collect();
        assert_eq!(ids.len(), n, "{op} gave fewer than {n} items: {list}");
        ids
    }

    fn note(&self, key: &str) -> Value {
        self.notes
            .get(key)
            .cloned()
            .unwrap_or_else(|| panic!("nothing noted as {key}"))
    }

    fn token(&self, who: Who) -> &str {
        self.tokens
            .get(&who)
            .unwrap_or_else(|| panic!("{who:?} has not signed in"))
    }
}

/// Kopecks of a `Decimal` value.
fn kopecks(amount: &Value) -> i64 {
    let text = amount
        .as_str()
        .unwrap_or_else(|| panic!("not a Decimal: {amount}"));
    Kopecks::parse_decimal(text)
        .unwrap_or_else(|e| panic!("{text}: {e:?}"))
        .get()
}

/// Every operation, in the order a subscriber's session runs them: public
/// pages first, then reads of the untouched demo data, then the changes, and
/// signing out last. Each operation file needs an entry here.
fn plan() -> Vec<Step> {
    use Who::*;
    vec![
        // Public pages.
        step("SupportContacts", Anonymous, |_| json!({})),
        step("ServiceNotices", Anonymous, |_| json!({ "first": 10 })),
        step("Tariffs", Anonymous, |_| json!({ "kind": null })),
        step("ServiceCatalog", Anonymous, |_| json!({})),
        step(
            "ConnectionAvailability",
            Anonymous,
            |_| json!({ "address": { "street": "Ленинский пр-т", "house": "10" } }),
        ),
        step("ApplyForConnection", Anonymous, |s| {
            json!({ "input": {
                "address": { "street": "Ленинский проспект", "house": "10" },
                "tariffId": s.find("ConnectionAvailability", "/connectionAvailability/tariffs", "code", json!("internet-500"))["id"],
                "name": "Петров Пётр",
                "phone": "+7 999 555-12-34",
            } })
        }),
        step("ConnectionApplication", Anonymous, |s| {
            json!({
                "number": s.at("ApplyForConnection", "/submitConnectionApplication/application/number"),
                "phone": "+7 999 555-12-34",
            })
        }),
        step("TvChannels", Anonymous, |_| json!({ "first": 20 })),
        step(
            "ChannelDay",
            Anonymous,
            |s| json!({ "channelId": s.ids("TvChannels", "/tvChannels/nodes", 1)[0], "date": "2026-11-25" }),
        ),
        step("TvGrid", Anonymous, |s| {
            json!({
                "channelIds": s.ids("TvChannels", "/tvChannels/nodes", 5),
                "from": "2026-11-25T18:00:00+03:00",
                "to": "2026-11-25T21:00:00+03:00",
            })
        }),
        step("OnAir", Anonymous, |_| json!({ "slots": 2 })),
        step(
            "SearchProgrammes",
            Anonymous,
            |_| json!({ "filter": { "title": "Новости", "from": "2026-11-25T12:00:00+03:00" }, "first": 10 }),
        ),
        step(
            "TvHighlights",
            Anonymous,
            |_| json!({ "date": "2026-11-26" }),
        ),
        step(
            "Programme",
            Anonymous,
            |s| json!({ "id": s.ids("SearchProgrammes", "/searchProgrammes/nodes", 1)[0] }),
        ),
        step("TechnicianSlots", Anonymous, |_| json!({})),
        step("BonusCatalog", Anonymous, |_| json!({ "first": 20 })),
        // Getting credentials, and signing in on two devices.
        step(
            "RequestCredentials",
            Anonymous,
            |_| json!({ "input": { "accountNumber": "100000000002", "phone": "8 999 000-00-02", "acceptRules": true } }),
        ),
        step(
            "Login",
            Demo,
            |_| json!({ "input": { "login": "demo", "password": "demo12345" } }),
        ),
        step(
            "Login",
            DemoPhone,
            |_| json!({ "input": { "login": "demo", "password": "demo12345" } }),
        ),
        step(
            "Login",
            Demo2,
            |s| json!({ "input": { "login": s.note("login"), "password": s.note("password") } }),
        ),
        // The personal account as the demo data left it.
        step("Dashboard", Demo, |_| json!({})),
        step("Profile", Demo, |_| json!({})),
        step("Contract", Demo, |_| json!({})),
        step("ExitCost", Demo, |_| json!({})),
        step("MonthlyCost", Demo, |_| json!({})),
        step("MonthlyStatement", Demo, |_| json!({ "month": "2026-10" })),
        step(
            "Transactions",
            Demo,
            |_| json!({ "from": "2026-11-01", "to": "2026-11-30", "kinds": null, "first": 20 }),
        ),
        step("Payments", Demo, |_| json!({ "first": 10 })),
        step("Equipment", Demo, |_| json!({})),
        step("MyServices", Demo, |_| json!({})),
        step("Offers", Demo, |_| json!({})),
        step(
            "Traffic",
            Demo,
            |_| json!({ "from": "2026-11-18", "to": "2026-11-24", "first": 20 }),
        ),
        step("Notifications", Demo, |_| json!({ "first": 20 })),
        step("NotificationSettings", Demo, |_| json!({})),
        step("LoginSessions", Demo, |_| json!({})),
        step("TurboOptions", Demo, |_| json!({})),
        step("PaymentMethods", Demo, |_| json!({ "amount": "3000.00" })),
        step("PromisedPaymentOffer", Demo2, |_| json!({})),
        // Changes.
        step(
            "RevokeLoginSession",
            Demo,
            |s| json!({ "id": s.find("LoginSessions", "/me/loginSessions", "current", json!(false))["id"] }),
        ),
        step("JoinBonusProgram", Demo, |_| json!({})),
        step("TopUp", Demo, |_| {
            json!({ "input": {
                "amount": "3000.00",
                "method": "BANK_CARD",
                "returnUrl": "https://kabinet.example/payments/return",
                "saveCard": true,
                "idempotencyKey": "operations-top-up-1",
            } })
        }),
        // Listening while the payer pays on the provider's page.
        step("AccountEvents", Demo, |_| json!({})),
        step(
            "PaymentUpdates",
            Demo,
            |s| json!({ "paymentId": s.at("TopUp", "/createPayment/payment/id") }),
        ),
        step(
            "ActivateTurbo",
            Demo,
            |s| json!({ "optionId": s.find("TurboOptions", "/turboOptions", "hours", json!(1))["id"] }),
        ),
        step(
            "PaymentStatus",
            Demo,
            |s| json!({ "id": s.at("TopUp", "/createPayment/payment/id") }),
        ),
        step("BonusProgram", Demo, |_| json!({ "first": 20 })),
        step("RedeemBonus", Demo, |s| {
            json!({ "input": {
                "itemId": s.find("BonusCatalog", "/bonusCatalog/nodes", "name", json!("Фирменная кружка"))["id"],
                "idempotencyKey": "operations-mug-1",
            } })
        }),
        step("Autopayment", Demo, |_| json!({})),
        step("SetAutopayment", Demo, |s| {
            json!({ "input": {
                "enabled": true,
                "mode": "BELOW_THRESHOLD",
                "amount": "500",
                "threshold": "0",
                "cardId": s.ids("Autopayment", "/me/savedCards", 1)[0],
            } })
        }),
        step("PaymentSlip", Demo, |_| json!({ "amount": "1500.00" })),
        step(
            "PromisedPayment",
            Demo2,
            |_| json!({ "idempotencyKey": "operations-promise-1" }),
        ),
        step(
            "TariffChangePreview",
            Demo,
            |s| json!({ "tariffId": s.find("Tariffs", "/tariffs", "code", json!("internet-500"))["id"] }),
        ),
        step("ChangeTariff", Demo, |s| {
            json!({ "input": {
                "tariffId": s.at("TariffChangePreview", "/me/tariffChangePreview/tariff/id"),
                "expectedMonthlyTotal": s.at("TariffChangePreview", "/me/tariffChangePreview/newMonthlyTotal/amount"),
            } })
        }),
        step(
            "ServiceChangePreview",
            Demo,
            |s| json!({ "serviceId": s.find("ServiceCatalog", "/serviceCatalog", "code", json!("parental"))["id"] }),
        ),
        step("ConnectService", Demo, |s| {
            json!({ "input": {
                "serviceId": s.at("ServiceChangePreview", "/me/serviceChangePreview/service/id"),
                "expectedMonthlyTotal": s.at("ServiceChangePreview", "/me/serviceChangePreview/newMonthlyTotal/amount"),
            } })
        }),
        step(
            "ServiceChangePreview",
            Demo,
            |s| json!({ "subscriptionId": s.find("MyServices", "/me/subscriptions", "name", json!("Как дома"))["id"] }),
        ),
        step("DisconnectService", Demo, |s| {
            json!({ "input": {
                "subscriptionId": s.at("ServiceChangePreview", "/me/serviceChangePreview/subscription/id"),
                "expectedMonthlyTotal": s.at("ServiceChangePreview", "/me/serviceChangePreview/newMonthlyTotal/amount"),
            } })
        }),
        step("ScheduledChanges", Demo, |_| json!({})),
        step(
            "CancelScheduledChange",
            Demo,
            |s| json!({ "id": s.at("DisconnectService", "/disconnectService/scheduledChange/id") }),
        ),
        step("BuyAntivirus", Demo, |s| {
            json!({ "input": {
                "productId": s.find("ServiceCatalog", "/serviceCatalog", "code", json!("drweb-1y"))["id"],
                "instalmentMonths": 3,
            } })
        }),
        step(
            "SuspensionPreview",
            Demo,
            |_| json!({ "from": "2026-12-10", "until": "2026-12-20" }),
        ),
        step(
            "Suspend",
            Demo,
            |_| json!({ "input": { "from": "2026-12-10", "until": "2026-12-20" } }),
        ),
        step("Resume", Demo, |_| json!({})),
        // Support.
        step("CreateTicket", Demo, |_| {
            json!({ "input": {
                "category": "LOW_SPEED",
                "subject": "Вечером скорость ниже тарифа",
                "message": "После 20:00 замеры показывают 40 Мбит/с вместо 500.",
            } })
        }),
        step(
            "TicketThread",
            Demo,
            |s| json!({ "id": s.at("CreateTicket", "/createTicket/ticket/id"), "first": 50 }),
        ),
        step("AddTicketMessage", Demo, |s| {
            json!({ "input": {
                "ticketId": s.at("CreateTicket", "/createTicket/ticket/id"),
                "message": "Замер по кабелю: 43 Мбит/с.",
            } })
        }),
        step("RequestTechnicianVisit", Demo, |s| {
            json!({ "input": {
                "ticketId": s.at("CreateTicket", "/createTicket/ticket/id"),
                "reason": "Проверить кабель в подъезде",
                "preferredWindows": [
                    s.at("TechnicianSlots", "/technicianSlots/1/start"),
                    s.at("TechnicianSlots", "/technicianSlots/7/start"),
                ],
            } })
        }),
        step(
            "CancelTechnicianVisit",
            Demo,
            |s| json!({ "visitId": s.at("RequestTechnicianVisit", "/requestTechnicianVisit/technicianVisit/id") }),
        ),
        step("Tickets", Demo, |_| json!({ "first": 10 })),
        step(
            "CloseTicket",
            Demo,
            |s| json!({ "ticketId": s.at("CreateTicket", "/createTicket/ticket/id") }),
        ),
        // TV, signed in.
        step(
            "RateProgramme",
            Demo,
            |s| json!({ "programmeId": s.at("Programme", "/node/id"), "stars": 5 }),
        ),
        step(
            "AddTvFavourite",
            Demo,
            |s| json!({ "input": { "programmeId": s.at("Programme", "/node/id") } }),
        ),
        step("TvFavourites", Demo, |_| json!({ "category": null })),
        step(
            "RemoveTvFavourite",
            Demo,
            |s| json!({ "id": s.at("AddTvFavourite", "/addTvFavourite/favourite/id") }),
        ),
        step(
            "SetChannelVisibility",
            Demo,
            |s| json!({ "channelIds": [s.ids("TvChannels", "/tvChannels/nodes", 2)[1]], "visible": false }),
        ),
        step("ShowOnlyMyPackages", Demo, |_| json!({ "enabled": true })),
        // Settings and signing out.
        step(
            "UpdateNotificationSettings",
            Demo,
            |_| json!({ "input": { "smsTv": true, "smsNews": false } }),
        ),
        step("MarkNotificationsRead", Demo, |_| json!({ "ids": null })),
        step(
            "ChangePassword",
            Demo,
            |_| json!({ "input": { "currentPassword": "demo12345", "newPassword": "operations-2026" } }),
        ),
        step("LogoutEverywhere", Demo2, |_| json!({})),
        step("Logout", Demo, |_| json!({})),
    ]
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// POSTs a shipped operation by its hash alone; the JSON body.
async fn post_by_hash(
    app: &TestApp,
    token: Option<&str>,
    name: &str,
    operation: &Operation,
    variables: Value,
) -> Value {
    let body = json!({
        "operationName": name,
        "variables": variables,
        "extensions": persisted(&operation.hash),
    });
    let response = app.post_graphql(token, &body).await;
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(status, 200, "{name}: {body}");
    body
}

/// Every `userErrors` list in a mutation's answer.
fn user_errors<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(fields) => {
            for (key, value) in fields {
                if key == "userErrors" {
                    out.push(value);
                } else {
                    user_errors(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| user_errors(v, out)),
        _ => {}
    }
}

/// Runs a query or mutation over HTTP by hash; its `data`, after checking
/// there are no errors and, for a mutation, no user errors.
async fn run_http(app: &TestApp, seen: &Seen, step: &Step, operation: &Operation) -> Value {
    let variables = (step.variables)(seen);
    let token = match step.who {
        Who::Anonymous => None,
        _ if step.op == "Login" => None,
        who => Some(seen.token(who)),
    };
    let body = post_by_hash(app, token, step.op, operation, variables.clone()).await;
    assert!(
        body.get("errors").is_none(),
        "{} as {:?} with {variables}: {body:#}",
        step.op,
        step.who
    );
    let data = body["data"].clone();
    assert!(data.is_object(), "{}: no data: {body}", step.op);
    if operation.kind == OperationType::Mutation {
        let mut lists = Vec::new();
        user_errors(&data, &mut lists);
        assert!(!lists.is_empty(), "{} selects its userErrors", step.op);
        for list in lists {
            assert_eq!(
                list,
                &json!([]),
                "{} as {:?} with {variables}: {data:#}",
                step.op,
                step.who
            );
        }
    }
    data
}

/// Starts a subscription by hash on `demo`'s WebSocket (opened on first use).
async fn subscribe(app: &TestApp, seen: &mut Seen, step: &Step, operation: &Operation) {
    let variables = (step.variables)(seen);
    if seen.socket.is_none() {
        let token = seen.token(step.who).to_owned();
        seen.socket = Some(
            app.ws(
                "graphql-transport-ws",
                json!({ "authorization": format!("Bearer {token}") }),
            )
            .await,
        );
    }
    let socket = seen.socket.as_mut().expect("an open socket");
    socket
        .send(json!({
            "id": step.op,
            "type": "subscribe",
            "payload": {
                "operationName": step.op,
                "variables": variables,
                "extensions": persisted(&operation.hash),
            },
        }))
        .await;
}

/// The next message on the socket, which must not be an error.
async fn next_event(socket: &mut WsClient) -> Value {
    let message = socket.next().await;
    assert!(
        matches!(message["type"].as_str(), Some("next" | "complete")),
        "{message}"
    );
    assert!(message["payload"].get("errors").is_none(), "{message}");
    message
}

/// Reads events until `wanted` returns something; at most 20 messages.
async fn wait_for_event<T>(
    socket: &mut WsClient,
    mut wanted: impl FnMut(&Value) -> Option<T>,
) -> T {
    let mut skipped = Vec::new();
    for _ in 0..20 {
        let message = next_event(socket).await;
        if let Some(found) = wanted(&message) {
            return found;
        }
        skipped.push(message);
    }
    panic!("not among the events: {skipped:#?}");
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client")
}

/// What each run must have shown beyond "no errors", and what happens
/// around it outside GraphQL (an SMS read, a payer paying, events arriving).
async fn check(app: &TestApp, seen: &mut Seen, step: &Step, shipped: &BTreeMap<String, Operation>) {
    let d = seen.data.get(step.op).cloned().unwrap_or(Value::Null);
    match step.op {
        "SupportContacts" => assert!(d["supportContacts"]["phone"].is_string(), "{d}"),
        "ServiceNotices" => assert!(
            d["serviceNotices"]["nodes"]
                .as_array()
                .is_some_and(|n| n.iter().any(|n| n["active"] == true)),
            "the planned works are on now: {d}"
        ),
        "Tariffs" => assert!(d["tariffs"].as_array().is_some_and(|t| t.len() >= 4), "{d}"),
        "ServiceCatalog" => {
            for code in ["parental", "drweb-1y"] {
                seen.find("ServiceCatalog", "/serviceCatalog", "code", json!(code));
            }
        }
        "ConnectionAvailability" => {
            assert_eq!(d["connectionAvailability"]["available"], true, "{d}")
        }
        "ApplyForConnection" => assert_eq!(
            d["submitConnectionApplication"]["application"]["status"], "NEW",
            "{d}"
        ),
        "ConnectionApplication" => assert_eq!(
            d["connectionApplication"]["number"],
            seen.at(
                "ApplyForConnection",
                "/submitConnectionApplication/application/number"
            )
        ),
        "TvChannels" => assert_eq!(
            d["tvChannels"]["nodes"].as_array().map(Vec::len),
            Some(20),
            "{d}"
        ),
        "ChannelDay" => assert!(
            d["tvChannel"]["programmes"]
                .as_array()
                .is_some_and(|p| !p.is_empty()),
            "{d}"
        ),
        "TvGrid" => {
            let grid = d["tvSchedule"].as_array().expect("a grid");
            assert_eq!(grid.len(), 5, "{d}");
            assert!(
                grid.iter()
                    .all(|c| c["programmes"].as_array().is_some_and(|p| !p.is_empty()))
            );
        }
        "TvHighlights" => assert!(
            d["tvHighlights"].as_array().is_some_and(|h| !h.is_empty()),
            "{d}"
        ),
        "OnAir" => assert_eq!(d["onAir"][0]["now"], true, "{d}"),
        "SearchProgrammes" => assert!(
            d["searchProgrammes"]["totalCount"].as_i64() > Some(0),
            "{d}"
        ),
        "Programme" => {
            assert_eq!(
                d["node"]["id"],
                seen.at("SearchProgrammes", "/searchProgrammes/nodes/0/id")
            );
            assert!(
                d["node"]["title"]
                    .as_str()
                    .is_some_and(|t| t.contains("Новости")),
                "{d}"
            );
        }
        "TechnicianSlots" => assert!(
            d["technicianSlots"].as_array().is_some_and(|s| s.len() > 7),
            "{d}"
        ),
        "BonusCatalog" => assert!(
            d["bonusCatalog"]["nodes"]
                .as_array()
                .is_some_and(|items| items.iter().all(|i| i["available"].is_null())),
            "anonymous: no availability: {d}"
        ),
        "RequestCredentials" => {
            assert_eq!(d["requestCredentials"]["accepted"], true, "{d}");
            // The SMS with the login and a new password.
            let mut sms = None;
            for _ in 0..400 {
                sms = app
                    .sms_messages()
                    .into_iter()
                    .find(|m| m["to"] == "+79990000002");
                if sms.is_some() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            }
            let (login, password) = credentials_in(&sms.expect("the credentials SMS"));
            assert_eq!(login, "demo2");
            seen.notes.insert("login", json!(login));
            seen.notes.insert("password", json!(password));
        }
        "Login" => {
            let token = d["login"]["token"].as_str().expect("a token");
            let number = if step.who == Who::Demo2 {
                "100000000002"
            } else {
                "100000000001"
            };
            assert_eq!(d["login"]["account"]["number"], number, "{d}");
            assert_eq!(d["login"]["role"], "SUBSCRIBER");
            seen.tokens.insert(step.who, token.to_owned());
        }
        "Dashboard" => {
            let me = &d["me"];
            assert_eq!(me["number"], "100000000001", "{d}");
            assert_eq!(me["summary"]["status"], "ACTIVE");
            assert_eq!(me["summary"]["bonusPoints"], 0);
            assert_eq!(me["tariff"]["code"], "internet-500-tv");
            assert!(me["unreadNotificationCount"].as_i64() > Some(0));
            seen.notes
                .insert("balance", me["summary"]["balance"]["amount"].clone());
        }
        "Profile" => assert_eq!(d["me"]["phone"], "+7 999 ***-**-01", "{d}"),
        "Contract" => assert!(d["me"]["contract"]["documentUrl"].is_string(), "{d}"),
        "ExitCost" => assert_eq!(d["me"]["contract"]["exitCost"]["asOf"], "2026-11-25", "{d}"),
        "MonthlyCost" => assert!(
            kopecks(&d["me"]["monthlyCost"]["total"]["amount"]) > 0,
            "{d}"
        ),
        "MonthlyStatement" => {
            let statement = &d["me"]["statement"];
            let lines: i64 = statement["lines"]
                .as_array()
                .expect("lines")
                .iter()
                .map(|l| kopecks(&l["amount"]["amount"]))
                .sum();
            assert_eq!(
                kopecks(&statement["openingBalance"]["amount"]) + lines,
                kopecks(&statement["closingBalance"]["amount"]),
                "{d}"
            );
        }
        "Transactions" => assert!(
            d["me"]["transactions"]["totalCount"].as_i64() > Some(0),
            "{d}"
        ),
        "Payments" => assert!(d["me"]["payments"]["nodes"].is_array(), "{d}"),
        "Equipment" => assert_eq!(
            d["me"]["equipment"].as_array().map(Vec::len),
            Some(2),
            "{d}"
        ),
        "MyServices" => assert!(
            d["me"]["subscriptions"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s["name"] == "Как дома")),
            "{d}"
        ),
        "Offers" => assert!(
            d["me"]["offers"].as_array().is_some_and(|o| !o.is_empty()),
            "{d}"
        ),
        "Traffic" => assert_eq!(
            d["me"]["trafficByDay"].as_array().map(Vec::len),
            Some(7),
            "{d}"
        ),
        "Notifications" => assert!(
            d["me"]["notifications"]["totalCount"].as_i64() > Some(0),
            "{d}"
        ),
        "NotificationSettings" => assert!(
            d["me"]["notificationSettings"]["smsBilling"].is_boolean(),
            "{d}"
        ),
        "LoginSessions" => {
            let sessions = d["me"]["loginSessions"].as_array().expect("sessions");
            assert_eq!(sessions.len(), 2, "the browser and the phone: {d}");
            assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
        }
        "TurboOptions" => assert!(d["me"]["turbo"].is_null(), "{d}"),
        "PaymentMethods" => assert!(
            d["paymentMethods"]
                .as_array()
                .is_some_and(|m| m.iter().any(|m| m["method"] == "BANK_CARD")),
            "{d}"
        ),
        "PromisedPaymentOffer" => assert_eq!(d["me"]["promisedPayment"]["available"], true, "{d}"),
        "RevokeLoginSession" => {
            assert_eq!(d["revokeLoginSession"]["ok"], true, "{d}");
            let phone = seen.token(Who::DemoPhone).to_owned();
            assert_signed_out(app, shipped, &phone).await;
        }
        "JoinBonusProgram" => {
            assert_eq!(d["enrollInBonusProgram"]["bonus"]["enrolled"], true, "{d}")
        }
        "TopUp" => {
            let payment = &d["createPayment"]["payment"];
            assert_eq!(payment["status"], "PENDING", "{d}");
            assert!(payment["confirmationUrl"].is_string(), "{d}");
        }
        "AccountEvents" => {}
        "PaymentUpdates" => {
            let payment_id = seen.at("TopUp", "/createPayment/payment/id");
            let url = seen.at("TopUp", "/createPayment/payment/confirmationUrl");
            let url = url.as_str().expect("a URL");
            let checkout = &url[url.find("/sandbox/checkout/").expect("a sandbox page")..];
            let socket = seen.socket.as_mut().expect("the socket");
            // The payment's stream starts with its status now; both
            // subscriptions are running once it arrives.
            let first = next_event(socket).await;
            assert_eq!(first["id"], "PaymentUpdates", "{first}");
            assert_eq!(
                first["payload"]["data"]["paymentStatus"]["status"],
                "PENDING"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;

            let paid = no_redirects()
                .post(app.url(&format!("{checkout}/pay")))
                .send()
                .await
                .expect("the sandbox answers");
            assert_eq!(paid.status(), 303);

            let (mut balance, mut status_changed, mut succeeded) = (None, false, false);
            let mut seen_messages = Vec::new();
            while balance.is_none() || !status_changed || !succeeded {
                assert!(seen_messages.len() < 20, "{seen_messages:#?}");
                let message = next_event(socket).await;
                let data = &message["payload"]["data"];
                match (message["id"].as_str(), message["type"].as_str()) {
                    (Some("PaymentUpdates"), Some("next")) => {
                        succeeded |= data["paymentStatus"]["status"] == "SUCCEEDED";
                    }
                    (Some("AccountEvents"), Some("next")) => {
                        let event = &data["accountEvents"];
                        match event["__typename"].as_str() {
                            Some("BalanceChanged") => {
                                balance = Some(kopecks(&event["balance"]["amount"]))
                            }
                            Some("PaymentStatusChanged")
                                if event["payment"]["id"] == payment_id =>
                            {
                                assert_eq!(event["paymentStatus"], "SUCCEEDED", "{message}");
                                status_changed = true;
                            }
                            _ => {}
                        }
                    }
                    _ => {}
                }
                seen_messages.push(message);
            }
            let before = kopecks(&seen.note("balance"));
            assert_eq!(balance, Some(before + 300_000), "{seen_messages:#?}");
            seen.notes.insert("balance", json!(balance));
        }
        "ActivateTurbo" => {
            let price = kopecks(&d["activateTurbo"]["turbo"]["price"]["amount"]);
            let before = seen.note("balance").as_i64().expect("kopecks");
            let mut socket = seen.socket.take().expect("the socket");
            // The charge reaches the account's events.
            // (A late echo of the payment's balance is not this charge.)
            let balance = wait_for_event(&mut socket, |m| {
                let event = &m["payload"]["data"]["accountEvents"];
                (m["id"] == "AccountEvents" && event["__typename"] == "BalanceChanged")
                    .then(|| kopecks(&event["balance"]["amount"]))
                    .filter(|balance| *balance != before)
            })
            .await;
            assert_eq!(balance, before - price);
            socket
                .send(json!({ "id": "AccountEvents", "type": "complete" }))
                .await;
        }
        "PaymentStatus" => {
            assert_eq!(d["node"]["status"], "SUCCEEDED", "{d}");
            assert_eq!(d["node"]["transaction"]["kind"], "PAYMENT", "{d}");
        }
        "BonusProgram" => assert_eq!(
            d["me"]["bonus"]["points"], 200,
            "for joining and for a large payment: {d}"
        ),
        "RedeemBonus" => {
            let payload = &d["redeemBonusItem"];
            assert_eq!(payload["redemption"]["points"], 150, "{d}");
            assert_eq!(payload["bonus"]["points"], 50, "{d}");
        }
        "Autopayment" => assert!(
            d["me"]["savedCards"]
                .as_array()
                .is_some_and(|c| c.len() == 1),
            "{d}"
        ),
        "SetAutopayment" => assert_eq!(d["setAutopayment"]["autopayment"]["enabled"], true, "{d}"),
        "PaymentSlip" => assert!(
            d["createPaymentReceipt"]["receipt"]["qrPayload"].is_string(),
            "{d}"
        ),
        "PromisedPayment" => assert_eq!(
            d["activatePromisedPayment"]["promisedPayment"]["state"], "ACTIVE",
            "{d}"
        ),
        "TariffChangePreview" => assert_eq!(d["me"]["tariffChangePreview"]["allowed"], true, "{d}"),
        "ServiceChangePreview" => {
            assert_eq!(d["me"]["serviceChangePreview"]["allowed"], true, "{d}")
        }
        "ChangeTariff" | "ConnectService" | "DisconnectService" => {
            let root = d
                .as_object()
                .and_then(|o| o.values().next())
                .expect("a payload");
            assert_eq!(root["scheduledChange"]["status"], "PENDING", "{d}");
            assert_eq!(root["scheduledChange"]["effectiveOn"], "2026-11-26", "{d}");
        }
        "ScheduledChanges" => {
            let kinds: Vec<&Value> = d["me"]["scheduledChanges"]
                .as_array()
                .expect("changes")
                .iter()
                .map(|c| &c["kind"])
                .collect();
            assert_eq!(kinds.len(), 3, "{d}");
            for kind in ["CHANGE_TARIFF", "CONNECT", "DISCONNECT"] {
                assert!(kinds.contains(&&json!(kind)), "{kind}: {d}");
            }
        }
        "CancelScheduledChange" => assert_eq!(
            d["cancelScheduledChange"]["scheduledChange"]["status"], "CANCELED",
            "{d}"
        ),
        "BuyAntivirus" => assert!(
            d["purchaseAntivirus"]["subscription"]["licenceKey"].is_string(),
            "{d}"
        ),
        "SuspensionPreview" => assert_eq!(d["me"]["suspensionPreview"]["allowed"], true, "{d}"),
        "Suspend" => assert_eq!(
            d["suspendServices"]["suspension"]["status"], "SCHEDULED",
            "{d}"
        ),
        "Resume" => assert_eq!(
            d["resumeServices"]["suspension"]["status"], "CANCELED",
            "{d}"
        ),
        "CreateTicket" => assert_eq!(d["createTicket"]["ticket"]["status"], "NEW", "{d}"),
        "TicketThread" => {
            assert_eq!(
                d["node"]["id"],
                seen.at("CreateTicket", "/createTicket/ticket/id")
            );
            assert_eq!(d["node"]["messages"]["totalCount"], 1, "{d}");
        }
        "AddTicketMessage" => assert_eq!(
            d["addTicketMessage"]["ticket"]["messages"]["totalCount"], 2,
            "{d}"
        ),
        "RequestTechnicianVisit" => assert_eq!(
            d["requestTechnicianVisit"]["technicianVisit"]["status"], "REQUESTED",
            "{d}"
        ),
        "CancelTechnicianVisit" => assert_eq!(
            d["cancelTechnicianVisit"]["technicianVisit"]["status"], "CANCELED",
            "{d}"
        ),
        "Tickets" => assert_eq!(d["me"]["tickets"]["totalCount"], 1, "{d}"),
        "CloseTicket" => assert_eq!(d["closeTicket"]["ticket"]["status"], "CLOSED", "{d}"),
        "RateProgramme" => assert_eq!(
            d["rateProgramme"]["programme"]["rating"]["myStars"], 5,
            "{d}"
        ),
        "AddTvFavourite" => assert_eq!(
            d["addTvFavourite"]["favourite"]["title"],
            seen.at("Programme", "/node/title"),
            "{d}"
        ),
        "TvFavourites" => assert_eq!(
            d["me"]["tvFavourites"][0]["id"],
            seen.at("AddTvFavourite", "/addTvFavourite/favourite/id"),
            "{d}"
        ),
        "RemoveTvFavourite" => assert_eq!(
            d["removeTvFavourite"]["removedId"],
            seen.at("AddTvFavourite", "/addTvFavourite/favourite/id")
        ),
        "SetChannelVisibility" => assert_eq!(
            d["setChannelVisibility"]["channels"][0]["visible"], false,
            "{d}"
        ),
        "ShowOnlyMyPackages" => assert_eq!(d["showOnlyMyPackages"]["enabled"], true, "{d}"),
        "UpdateNotificationSettings" => {
            let settings = &d["updateNotificationSettings"]["notificationSettings"];
            assert_eq!(settings["smsTv"], true, "{d}");
            assert_eq!(settings["smsNews"], false, "{d}");
        }
        "MarkNotificationsRead" => assert_eq!(d["markNotificationsRead"]["unreadCount"], 0, "{d}"),
        "ChangePassword" => assert_eq!(d["changePassword"]["ok"], true, "{d}"),
        "LogoutEverywhere" => {
            assert!(
                d["logoutEverywhere"]["endedSessions"].as_i64() >= Some(1),
                "{d}"
            );
            let token = seen.token(Who::Demo2).to_owned();
            assert_signed_out(app, shipped, &token).await;
        }
        "Logout" => {
            assert_eq!(d["logout"]["ok"], true, "{d}");
            let token = seen.token(Who::Demo).to_owned();
            assert_signed_out(app, shipped, &token).await;
        }
        other => panic!("no check for {other}: add one"),
    }
}

/// A token whose session has ended reads no account.
async fn assert_signed_out(app: &TestApp, shipped: &BTreeMap<String, Operation>, token: &str) {
    let body = post_by_hash(app, Some(token), "Profile", &shipped["Profile"], json!({})).await;
    assert!(data(&body)["me"].is_null(), "the session has ended: {body}");
}

#[tokio::test]
async fn every_shipped_operation_is_valid_and_runs_by_its_hash_alone() {
    let shipped = read_operations();
    assert!(
        shipped.len() >= 30,
        "the frontend ships at least 30 operations, found {}",
        shipped.len()
    );
    let plan = plan();
    let planned: HashSet<&str> = plan.iter().map(|s| s.op).collect();
    for name in shipped.keys() {
        assert!(
            planned.contains(name.as_str()),
            "operations/{name}.graphql has no entry in plan(): add one"
        );
    }
    for name in &planned {
        assert!(
            shipped.contains_key(*name),
            "plan() runs {name}, which is not shipped"
        );
    }

    let dir = operations_dir();
    let app = TestApp::spawn_with(move |settings| {
        settings.persisted_queries_dir = Some(dir);
        settings.persisted_only = true;
    })
    .await;
    assert_eq!(
        app.state.persisted.shipped(),
        shipped.len(),
        "the server knows every operation file"
    );

    let mut seen = Seen::default();
    for step in &plan {
        let operation = &shipped[step.op];
        let answer = match operation.kind {
            OperationType::Subscription => {
                subscribe(&app, &mut seen, step, operation).await;
                Value::Null
            }
            _ => run_http(&app, &seen, step, operation).await,
        };
        seen.data.insert(step.op, answer);
        check(&app, &mut seen, step, &shipped).await;
    }
    assert!(
        seen.socket.is_none(),
        "the subscriptions were followed to the end"
    );
}

#[tokio::test]
async fn with_the_operations_as_the_allow_list_nothing_else_runs() {
    let shipped = read_operations();
    let dir = operations_dir();
    let app = TestApp::spawn_with(move |settings| {
        settings.persisted_queries_dir = Some(dir);
        settings.persisted_only = true;
    })
    .await;
    let text = std::fs::read_to_string(operations_dir().join("SupportContacts.graphql"))
        .expect("a shipped operation");
    // The shipped operation runs by its hash and by its exact text.
    let body = post_by_hash(
        &app,
        None,
        "SupportContacts",
        &shipped["SupportContacts"],
        json!({}),
    )
    .await;
    assert!(data(&body)["supportContacts"]["phone"].is_string());
    let response = app.post_graphql(None, &json!({ "query": text })).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("a JSON body");
    assert!(data(&body)["supportContacts"]["phone"].is_string());

    // Anything else is refused: other text, the same text changed by a
    // space, a hash nobody shipped, with or without its text.
    let other = "query SupportContacts { supportContacts { phone email } }";
    let changed = format!(" {text}");
    for body in [
        json!({ "query": other }),
        json!({ "query": changed }),
        json!({ "query": other, "extensions": persisted(&kabinet::digest::sha256_hex(other)) }),
        json!({ "extensions": persisted(&kabinet::digest::sha256_hex(other)) }),
        json!({ "extensions": persisted(&kabinet::digest::sha256_hex(&changed)) }),
    ] {
        let response = app.post_graphql(None, &body).await;
        let status = response.status();
        let refused: Value = response.json().await.expect("a JSON body");
        assert_eq!(status, 400, "{body}: {refused}");
        assert_eq!(
            error_codes(&refused),
            ["PERSISTED_QUERY_NOT_ALLOWED"],
            "{body}: {refused}"
        );
    }
}
