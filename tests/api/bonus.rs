//! The bonus program end to end: enrolment by the subscriber's own act, the
//! catalog with availability, redemption (idempotent, never below zero points
//! or stock, also under concurrency), the internet discount billed on exactly
//! its month, points for payments and for a month's charges (once, on two
//! replicas), expiry on the test clock, and the operators' tools.

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use crate::common::{TestApp, credentials_in, data, error_codes};
use crate::money::{account_with, adjust, bill, staff_token};

const BONUS: &str = "{ me { summary { bonusPoints } bonus { enrolled points referralCode referralLink \
    nextExpiry { points expiresAt } \
    history(first: 100) { totalCount nodes { points reason description remaining expiresAt \
      transaction { kind amount { amount } } redemption { id code } } } } } }";

const ENROLL: &str =
    "mutation { enrollInBonusProgram { bonus { enrolled points } userErrors { code message } } }";

const CATALOG: &str = "query ($c: BonusCategory) { bonusCatalog(category: $c, first: 20) { totalCount nodes { \
    id name category price stock effect available unavailableReason unavailableMessage } } }";

const REDEEM: &str = "mutation ($i: RedeemBonusItemInput!) { redeemBonusItem(input: $i) { \
    redemption { id points code discountMonth discountPercent item { name } } \
    bonus { points } userErrors { field code message } } }";

const GRANT: &str = "mutation ($i: GrantBonusPointsInput!) { staff { grantBonusPoints(input: $i) { \
    points userErrors { field code } } } }";

const ADD_ITEM: &str = "mutation ($i: AddBonusItemInput!) { staff { addBonusItem(input: $i) { \
    item { id stock } userErrors { field code } } } }";

async fn bonus(app: &TestApp, token: &str) -> Value {
    let body = app.graphql_as(Some(token), BONUS, json!({})).await;
    data(&body)["me"].clone()
}

async fn enroll(app: &TestApp, token: &str) -> Value {
    let body = app.graphql_as(Some(token), ENROLL, json!({})).await;
    data(&body)["enrollInBonusProgram"].clone()
}

async fn catalog(app: &TestApp, token: Option<&str>) -> Vec<Value> {
    let body = app.graphql_as(token, CATALOG, json!({})).await;
    data(&body)["bonusCatalog"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

fn item<'a>(items: &'a [Value], name: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["name"].as_str().is_some_and(|n| n.contains(name)))
        .unwrap_or_else(|| panic!("no {name} in {items:?}"))
}

async fn redeem(app: &TestApp, token: &str, item_id: &Value, key: Option<&str>) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            REDEEM,
            json!({ "i": { "itemId": item_id, "idempotencyKey": key } }),
        )
        .await;
    data(&body)["redeemBonusItem"].clone()
}

async fn grant(app: &TestApp, staff: &str, number: &str, points: i64) -> Value {
    let body = app
        .graphql_as(
            Some(staff),
            GRANT,
            json!({ "i": { "accountNumber": number, "points": points, "reason": "Компенсация за аварию" } }),
        )
        .await;
    data(&body)["staff"]["grantBonusPoints"].clone()
}

async fn add_item(app: &TestApp, staff: &str, input: Value) -> Value {
    let body = app
        .graphql_as(Some(staff), ADD_ITEM, json!({ "i": input }))
        .await;
    data(&body)["staff"]["addBonusItem"]["item"].clone()
}

fn codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

fn history_sum(me: &Value) -> i64 {
    me["bonus"]["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["points"].as_i64().unwrap())
        .sum()
}

/// Signs in a test account made by `account_with` (credentials by SMS).
async fn sign_in(app: &TestApp, number: &str) -> String {
    let sent = app.sms_messages().len();
    let body = app
        .graphql(
            "mutation ($i: RequestCredentialsInput!) { requestCredentials(input: $i) { accepted } }",
            json!({ "i": { "accountNumber": number, "phone": "+79995550000", "acceptRules": true } }),
        )
        .await;
    data(&body);
    let messages = app.wait_for_sms(sent + 1).await;
    let (login, password) = credentials_in(&messages[sent]);
    app.login(&login, &password).await
}

#[tokio::test]
async fn enrolment_is_the_subscribers_own_act_and_gives_points_once() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let before = bonus(&app, &token).await;
    assert_eq!(before["bonus"]["enrolled"], false, "never automatic");
    assert_eq!(before["bonus"]["points"], 0);
    assert_eq!(before["summary"]["bonusPoints"], 0);
    assert!(before["bonus"]["referralCode"].is_null());

    let joined = enroll(&app, &token).await;
    assert_eq!(joined["userErrors"], json!([]));
    assert_eq!(joined["bonus"]["enrolled"], true);
    let me = bonus(&app, &token).await;
    assert_eq!(me["bonus"]["points"], 100);
    assert_eq!(me["summary"]["bonusPoints"], 100);
    let code = me["bonus"]["referralCode"].as_str().unwrap();
    assert_eq!(code.len(), 8);
    assert!(
        me["bonus"]["referralLink"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/connect?ref={code}"))
    );
    let history = &me["bonus"]["history"];
    assert_eq!(history["totalCount"], 1);
    assert_eq!(history["nodes"][0]["reason"], "ENROLMENT");
    assert_eq!(history["nodes"][0]["points"], 100);
    assert_eq!(me["bonus"]["nextExpiry"]["points"], 100);

    let again = enroll(&app, &token).await;
    assert_eq!(codes(&again), ["ALREADY_ENROLLED"]);
    assert_eq!(bonus(&app, &token).await["bonus"]["points"], 100);

    // Another subscriber is not enrolled by it.
    let other = app.login("demo2", "demo12345").await;
    assert_eq!(bonus(&app, &other).await["bonus"]["enrolled"], false);
    // Anonymous callers cannot enrol.
    let body = app.graphql(ENROLL, json!({})).await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn the_catalog_is_public_and_says_to_the_signed_in_why_an_item_is_out_of_reach() {
    let app = TestApp::spawn().await;
    let anonymous = catalog(&app, None).await;
    assert!(anonymous.len() >= 3);
    assert!(anonymous.iter().all(|i| i["available"].is_null()));
    let discount = item(&anonymous, "50 %");
    assert_eq!(discount["category"], "SERVICE_DISCOUNT");
    assert_eq!(discount["effect"], "INTERNET_DISCOUNT_50");
    let body = app.graphql(CATALOG, json!({ "c": "GOODS" })).await;
    let goods = data(&body)["bonusCatalog"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert!(!goods.is_empty());
    assert!(goods.iter().all(|i| i["category"] == "GOODS"));

    let token = app.login("demo", "demo12345").await;
    let items = catalog(&app, Some(&token)).await;
    let mug = item(&items, "кружка");
    assert_eq!(mug["available"], false);
    assert_eq!(mug["unavailableReason"], "NOT_ENROLLED");
    assert!(
        mug["unavailableMessage"]
            .as_str()
            .unwrap()
            .contains("бонусн")
    );

    enroll(&app, &token).await; // 100 points; the mug costs 150
    let items = catalog(&app, Some(&token)).await;
    assert_eq!(
        item(&items, "кружка")["unavailableReason"],
        "INSUFFICIENT_POINTS"
    );
    let staff = staff_token(&app).await;
    grant(&app, &staff, "100000000001", 100).await;
    let items = catalog(&app, Some(&token)).await;
    assert_eq!(item(&items, "кружка")["available"], true);
    assert!(item(&items, "кружка")["unavailableReason"].is_null());

    // Only for subscribers of a service demo does not have.
    let tv_only = add_item(
        &app,
        &staff,
        json!({ "category": "GOODS", "name": "Датчик протечки", "price": 10,
                "effect": "GOODS", "requiresKind": "SECURITY_ALARM" }),
    )
    .await;
    let items = catalog(&app, Some(&token)).await;
    let remote = items.iter().find(|i| i["id"] == tv_only["id"]).unwrap();
    assert_eq!(remote["unavailableReason"], "NOT_AVAILABLE_FOR_TARIFF");
    let refused = redeem(&app, &token, &tv_only["id"], None).await;
    assert_eq!(codes(&refused), ["NOT_AVAILABLE_FOR_TARIFF"]);
    assert_eq!(bonus(&app, &token).await["bonus"]["points"], 200);
}

#[tokio::test]
async fn a_redemption_spends_points_once_per_key_and_a_digital_product_gives_a_code() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let items = catalog(&app, None).await;
    let cinema = item(&items, "кинотеатр")["id"].clone();
    let mug = item(&items, "кружка")["id"].clone();

    let refused = redeem(&app, &token, &cinema, None).await;
    assert_eq!(codes(&refused), ["NOT_ENROLLED"]);
    enroll(&app, &token).await;
    let refused = redeem(&app, &token, &cinema, Some("k-1")).await;
    assert_eq!(codes(&refused), ["INSUFFICIENT_POINTS"], "300 > 100");
    assert!(refused["redemption"].is_null());
    let me = bonus(&app, &token).await;
    assert_eq!(me["bonus"]["points"], 100, "nothing taken");
    assert_eq!(me["bonus"]["history"]["totalCount"], 1);

    let staff = staff_token(&app).await;
    assert_eq!(
        grant(&app, &staff, "100000000001", 400).await["points"],
        500
    );
    let first = redeem(&app, &token, &cinema, Some("k-2")).await;
    assert_eq!(first["userErrors"], json!([]));
    let code = first["redemption"]["code"].as_str().unwrap();
    assert!(
        regex_lite::Regex::new(r"^KB-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")
            .unwrap()
            .is_match(code),
        "{code}"
    );
    assert_eq!(first["redemption"]["points"], 300);
    assert_eq!(first["bonus"]["points"], 200);

    // The same key: the first result again, nothing spent.
    let repeat = redeem(&app, &token, &cinema, Some("k-2")).await;
    assert_eq!(repeat["redemption"], first["redemption"]);
    assert_eq!(repeat["bonus"]["points"], 200);
    // The same key for another item: refused.
    let reused = redeem(&app, &token, &mug, Some("k-2")).await;
    assert_eq!(codes(&reused), ["IDEMPOTENCY_KEY_REUSED"]);

    let me = bonus(&app, &token).await;
    assert_eq!(me["bonus"]["points"], 200);
    assert_eq!(history_sum(&me), 200, "the history adds up to the points");
    let spent = &me["bonus"]["history"]["nodes"][0];
    assert_eq!(spent["reason"], "REDEMPTION");
    assert_eq!(spent["points"], -300);
    assert_eq!(spent["redemption"]["code"], code);

    // Not an item's ID at all.
    let body = app
        .graphql_as(
            Some(&token),
            REDEEM,
            json!({ "i": { "itemId": "nonsense" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn operators_grant_and_take_points_never_below_zero() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let not_member = grant(&app, &staff, "100000000002", 50).await;
    assert_eq!(codes(&not_member), ["NOT_ENROLLED"]);
    let token = app.login("demo", "demo12345").await;
    enroll(&app, &token).await;
    let too_many = grant(&app, &staff, "100000000001", -101).await;
    assert_eq!(codes(&too_many), ["INSUFFICIENT_POINTS"]);
    assert_eq!(grant(&app, &staff, "100000000001", -40).await["points"], 60);
    assert_eq!(
        codes(&grant(&app, &staff, "100000000001", 0).await),
        ["INVALID_VALUE"]
    );
    assert_eq!(
        codes(&grant(&app, &staff, "999999999999", 5).await),
        ["NOT_FOUND"]
    );
    let me = bonus(&app, &token).await;
    assert_eq!(me["bonus"]["points"], 60);
    let taken = &me["bonus"]["history"]["nodes"][0];
    assert_eq!(taken["reason"], "STAFF");
    assert_eq!(taken["points"], -40);
    assert_eq!(taken["description"], "Компенсация за аварию");
    assert_eq!(history_sum(&me), 60);

    // A subscriber is not an operator.
    let body = app
        .graphql_as(
            Some(&token),
            GRANT,
            json!({ "i": { "accountNumber": "100000000001", "points": 1000, "reason": "x" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    let body = app
        .graphql_as(
            Some(&token),
            ADD_ITEM,
            json!({ "i": { "category": "GOODS", "name": "x", "price": 1, "effect": "GOODS" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
}

#[tokio::test]
async fn concurrent_redemptions_never_take_points_or_stock_below_zero() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let token = app.login("demo", "demo12345").await;
    enroll(&app, &token).await;
    let sticker = add_item(
        &app,
        &staff,
        json!({ "category": "GOODS", "name": "Наклейка", "price": 40, "effect": "GOODS" }),
    )
    .await;
    // 100 + 20 = 120 points: three stickers.
    grant(&app, &staff, "100000000001", 20).await;
    let racing = (0..50).map(|n| {
        let (app, token, id) = (&app, token.clone(), sticker["id"].clone());
        async move { redeem(app, &token, &id, Some(&format!("race-{n}"))).await }
    });
    let results = futures_util::future::join_all(racing).await;
    let won = results
        .iter()
        .filter(|r| r["userErrors"] == json!([]))
        .count();
    assert_eq!(won, 3, "points for exactly three");
    assert!(
        results
            .iter()
            .filter(|r| r["userErrors"] != json!([]))
            .all(|r| codes(r) == ["INSUFFICIENT_POINTS"]),
        "{results:?}"
    );
    let me = bonus(&app, &token).await;
    assert_eq!(me["bonus"]["points"], 0);
    assert_eq!(history_sum(&me), 0);

    // One in stock, ten buyers with points enough.
    grant(&app, &staff, "100000000001", 10_000).await;
    let last = add_item(
        &app,
        &staff,
        json!({ "category": "GOODS", "name": "Последний роутер", "price": 100, "stock": 1, "effect": "GOODS" }),
    )
    .await;
    let racing = (0..10).map(|_| {
        let (app, token, id) = (&app, token.clone(), last["id"].clone());
        async move { redeem(app, &token, &id, None).await }
    });
    let results = futures_util::future::join_all(racing).await;
    let won = results
        .iter()
        .filter(|r| r["userErrors"] == json!([]))
        .count();
    assert_eq!(won, 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter(|r| r["userErrors"] != json!([]))
            .all(|r| codes(r) == ["OUT_OF_STOCK"])
    );
    let items = catalog(&app, Some(&token)).await;
    let router = items.iter().find(|i| i["id"] == last["id"]).unwrap();
    assert_eq!(router["stock"], 0);
    assert_eq!(router["unavailableReason"], "OUT_OF_STOCK");
    let me = bonus(&app, &token).await;
    assert_eq!(me["bonus"]["points"], 10_000 - 100);
    assert_eq!(history_sum(&me), 10_000 - 100);
}

const LEDGER: &str = "query ($n: String!, $from: Date, $to: Date) { staff { account(number: $n) {
  monthlyCost { total { amount } totalAfterBonusDiscount { amount } bonusDiscounts { month percent amount { amount } } }
  transactions(from: $from, to: $to, kinds: [CHARGE, BONUS_DISCOUNT], first: 100) {
    totalCount nodes { kind amount { amount } day } } } } }";

async fn month_sums(
    app: &TestApp,
    staff: &str,
    number: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> (i64, i64, usize) {
    let body = app
        .graphql_as(
            Some(staff),
            LEDGER,
            json!({ "n": number, "from": from, "to": to }),
        )
        .await;
    let nodes = data(&body)["staff"]["account"]["transactions"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let kopecks = |n: &Value| {
        kabinet::money::Kopecks::parse_decimal(n["amount"]["amount"].as_str().unwrap())
            .unwrap()
            .get()
    };
    let charges = nodes
        .iter()
        .filter(|n| n["kind"] == "CHARGE")
        .map(kopecks)
        .sum();
    let discounts: Vec<&Value> = nodes
        .iter()
        .filter(|n| n["kind"] == "BONUS_DISCOUNT")
        .collect();
    (
        charges,
        discounts.iter().map(|n| kopecks(n)).sum(),
        discounts.len(),
    )
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test]
async fn the_internet_discount_halves_exactly_the_next_calendar_month() {
    // Sessions outlive the months the clock jumps over.
    let app = TestApp::spawn_with(|s| s.session_ttl_hours = 24 * 400).await;
    let staff = staff_token(&app).await;
    let number = "500000000900";
    account_with(&app, number, 60_000, ymd(2026, 12, 1)).await; // internet, 600 ₽ a month
    adjust(&app, &staff, number, "5000").await;
    let token = sign_in(&app, number).await;
    enroll(&app, &token).await;
    grant(&app, &staff, number, 900).await;
    let discount = item(&catalog(&app, None).await, "50 %")["id"].clone();

    app.clock
        .set(Utc.with_ymd_and_hms(2026, 12, 15, 9, 0, 0).unwrap());
    let december = redeem(&app, &token, &discount, None).await;
    assert_eq!(december["userErrors"], json!([]));
    assert_eq!(december["redemption"]["discountMonth"], "2027-01-01");
    assert_eq!(december["redemption"]["discountPercent"], 50);
    // Shown before it is charged.
    let body = app
        .graphql_as(
            Some(&staff),
            LEDGER,
            json!({ "n": number, "from": null, "to": null }),
        )
        .await;
    let cost = &data(&body)["staff"]["account"]["monthlyCost"];
    assert_eq!(
        cost["bonusDiscounts"],
        json!([{ "month": "2027-01-01", "percent": 50, "amount": { "amount": "300.00" } }])
    );
    assert_eq!(
        cost["totalAfterBonusDiscount"], cost["total"],
        "not this month"
    );
    // One discount per month.
    let again = redeem(&app, &token, &discount, None).await;
    assert_eq!(codes(&again), ["ALREADY_ACTIVE"]);

    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 10, 9, 0, 0).unwrap());
    let january = redeem(&app, &token, &discount, None).await;
    assert_eq!(january["redemption"]["discountMonth"], "2027-02-01");
    let body = app
        .graphql_as(
            Some(&staff),
            LEDGER,
            json!({ "n": number, "from": null, "to": null }),
        )
        .await;
    let cost = &data(&body)["staff"]["account"]["monthlyCost"];
    assert_eq!(cost["total"]["amount"], "600.00");
    assert_eq!(
        cost["totalAfterBonusDiscount"]["amount"], "300.00",
        "January is discounted"
    );
    assert_eq!(cost["bonusDiscounts"].as_array().unwrap().len(), 2);

    let mut day = ymd(2026, 12, 1);
    while day <= ymd(2027, 3, 2) {
        bill(&app, day).await;
        day = day.succ_opt().unwrap();
    }
    // December: full price, no discount.
    assert_eq!(
        month_sums(&app, &staff, number, ymd(2026, 12, 1), ymd(2026, 12, 31)).await,
        (-60_000, 0, 0)
    );
    // January (31 days) and February (28 days): exactly half, to the kopeck.
    assert_eq!(
        month_sums(&app, &staff, number, ymd(2027, 1, 1), ymd(2027, 1, 31)).await,
        (-60_000, 30_000, 31)
    );
    assert_eq!(
        month_sums(&app, &staff, number, ymd(2027, 2, 1), ymd(2027, 2, 28)).await,
        (-60_000, 30_000, 28)
    );
    // March: full price again.
    assert_eq!(
        month_sums(&app, &staff, number, ymd(2027, 3, 1), ymd(2027, 3, 2))
            .await
            .1,
        0
    );
    // Billing a day again adds no second discount.
    bill(&app, ymd(2027, 2, 14)).await;
    assert_eq!(
        month_sums(&app, &staff, number, ymd(2027, 2, 1), ymd(2027, 2, 28)).await,
        (-60_000, 30_000, 28)
    );
}

#[tokio::test]
async fn a_large_payment_earns_points_with_its_entry() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    enroll(&app, &token).await;
    for amount in ["2999.99", "3000.00"] {
        let created = app
            .graphql_as(
                Some(&token),
                "mutation ($i: CreatePaymentInput!) { createPayment(input: $i) { payment { confirmationUrl } } }",
                json!({ "i": { "amount": amount, "returnUrl": "https://shop.example/" } }),
            )
            .await;
        let url = data(&created)["createPayment"]["payment"]["confirmationUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = &url[url.find("/sandbox/checkout/").unwrap()..];
        let paid = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(app.url(&format!("{path}/pay")))
            .send()
            .await
            .unwrap();
        assert_eq!(paid.status(), 303);
    }
    let me = bonus(&app, &token).await;
    assert_eq!(
        me["bonus"]["points"], 200,
        "100 for joining, 100 for 3000 ₽ only"
    );
    let earned = &me["bonus"]["history"]["nodes"][0];
    assert_eq!(earned["reason"], "LARGE_PAYMENT");
    assert_eq!(earned["transaction"]["kind"], "PAYMENT");
    assert_eq!(earned["transaction"]["amount"]["amount"], "3000.00");
    // A subscriber outside the program earns nothing.
    let other = app.login("demo2", "demo12345").await;
    assert_eq!(bonus(&app, &other).await["bonus"]["points"], 0);
}

async fn wait_for_history(app: &TestApp, token: &str, reason: &str) -> Value {
    for _ in 0..400 {
        let me = bonus(app, token).await;
        let found = me["bonus"]["history"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["reason"] == reason);
        if found {
            return me;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no {reason} entry appeared");
}

#[tokio::test]
async fn a_months_charges_earn_points_once_on_two_replicas() {
    let app = TestApp::spawn().await;
    let replica = app.spawn_replica().await;
    let token = app.login("demo", "demo12345").await;
    enroll(&app, &token).await;
    // December 1st, 10:00 Moscow: both replicas' workers bill through today
    // and then give November's points.
    let december = Utc.with_ymd_and_hms(2026, 12, 1, 7, 0, 0).unwrap();
    app.clock.set(december);
    replica.clock.set(december);
    wait_for_history(&app, &token, "MONTHLY_CHARGES").await;
    // Several more rounds of both workers.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let me_after = bonus(&app, &token).await;
    let monthly: Vec<&Value> = me_after["bonus"]["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["reason"] == "MONTHLY_CHARGES")
        .collect();
    assert_eq!(monthly.len(), 1, "{me_after:#}");
    // Charges made since joining (the 26th to the 30th), 5 points per 100 ₽.
    let body = app
        .graphql_as(
            Some(&token),
            "{ me { transactions(from: \"2026-11-26\", to: \"2026-11-30\", kinds: [CHARGE], first: 100) { nodes { amount { amount } } } } }",
            json!({}),
        )
        .await;
    let charged: i64 = data(&body)["me"]["transactions"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            -kabinet::money::Kopecks::parse_decimal(n["amount"]["amount"].as_str().unwrap())
                .unwrap()
                .get()
        })
        .sum();
    assert!(charged > 0);
    assert_eq!(monthly[0]["points"].as_i64().unwrap(), charged * 5 / 10_000);
    assert_eq!(
        history_sum(&me_after),
        me_after["bonus"]["points"].as_i64().unwrap()
    );
    // Asked again by hand, the month gives nothing more.
    let again = kabinet::bonus::earn::award_month(
        &app.state.db,
        december,
        &app.state.settings.bonus_rules(),
        ymd(2026, 11, 1),
    )
    .await
    .unwrap();
    assert_eq!(again, 0);
}

#[tokio::test]
async fn points_expire_on_time_oldest_spent_first_and_visibly_ahead() {
    let app = TestApp::spawn_with(|s| {
        s.session_ttl_hours = 24 * 400;
        s.bonus_points_days = 10;
        s.bonus_points_per_100_rub = 0; // no monthly points in the way
    })
    .await;
    let staff = staff_token(&app).await;
    let token = app.login("demo", "demo12345").await;
    let start = crate::common::test_epoch();
    enroll(&app, &token).await; // 100, expiring on day 10
    app.clock.set(start + chrono::Duration::days(5));
    grant(&app, &staff, "100000000001", 200).await; // 200, expiring on day 15
    let me = bonus(&app, &token).await;
    assert_eq!(me["bonus"]["nextExpiry"]["points"], 100);
    // The mug (150) uses up the 100 expiring first, then 50 of the 200.
    let mug = item(&catalog(&app, None).await, "кружка")["id"].clone();
    assert_eq!(
        redeem(&app, &token, &mug, None).await["userErrors"],
        json!([])
    );
    let me = bonus(&app, &token).await;
    assert_eq!(me["bonus"]["points"], 150);
    assert_eq!(me["bonus"]["nextExpiry"]["points"], 150);

    // Day 11: the first credit is spent, nothing expires.
    app.clock.set(start + chrono::Duration::days(11));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(bonus(&app, &token).await["bonus"]["points"], 150);

    // Day 16: the rest of the grant expires, once.
    app.clock.set(start + chrono::Duration::days(16));
    // (Points and history are read by two statements: the first answer may
    // straddle the expiry's commit, so look again after more rounds.)
    wait_for_history(&app, &token, "EXPIRY").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let after = bonus(&app, &token).await;
    assert_eq!(after["bonus"]["points"], 0);
    let expired: Vec<&Value> = after["bonus"]["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["reason"] == "EXPIRY")
        .collect();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["points"], -150);
    assert_eq!(history_sum(&after), 0);
    assert!(after["bonus"]["nextExpiry"].is_null());
}
