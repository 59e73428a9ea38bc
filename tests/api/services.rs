//! Service changes (shared/DOMAIN.md, "Services and tariffs"): connecting and
//! disconnecting services and changing the tariff at the next Moscow
//! midnight, previews that show every sum and obligation first, the rules,
//! cancelling, and applying each change once.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use kabinet::money::Kopecks;
use serde_json::{Value, json};

use crate::common::{TestApp, data};
use crate::money::{adjust, staff_token};

/// An instant given as Moscow wall time (UTC+3, no DST).
pub fn moscow(d: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, m, s).unwrap() - Duration::hours(3)
}

pub fn kopecks(amount: &Value) -> i64 {
    Kopecks::parse_decimal(
        amount["amount"]
            .as_str()
            .unwrap_or_else(|| panic!("no amount in {amount}")),
    )
    .unwrap()
    .get()
}

pub fn codes(payload: &Value) -> Vec<String> {
    payload["userErrors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

const PREVIEW_FIELDS: &str = "kind firstChargeDate effectiveAt currentMonthlyTotal { amount }
  newMonthlyTotal { amount } newMonthlyTotalAfterPromos { amount }
  oneOffCharges { reason what amount { amount } } oneOffTotal { amount } firstDayCharge { amount }
  obligations { kind effect service amount { amount } amountAfter { amount } until waived description }
  allowed blockers { code message } amountNeeded { amount } possibleAgainAt";

const CHANGE_FIELDS: &str =
    "id kind status effectiveOn effectiveAt monthlyTotalAfter { amount } oneOffTotal { amount }";

pub async fn service_preview(app: &TestApp, token: &str, args: &str) -> Value {
    let query = format!(
        "{{ me {{ serviceChangePreview({args}) {{ service {{ id name }} subscription {{ id }} {PREVIEW_FIELDS} }} }} }}"
    );
    let body = app.graphql_as(Some(token), &query, json!({})).await;
    data(&body)["me"]["serviceChangePreview"].clone()
}

pub async fn tariff_preview(app: &TestApp, token: &str, tariff: &str) -> Value {
    let query = format!(
        "query ($t: ID!) {{ me {{ tariffChangePreview(tariffId: $t) {{ tariff {{ id code }} currentTariff {{ id code }} {PREVIEW_FIELDS} }} }} }}"
    );
    let body = app
        .graphql_as(Some(token), &query, json!({ "t": tariff }))
        .await;
    data(&body)["me"]["tariffChangePreview"].clone()
}

/// Runs a change mutation (`connectService`, `disconnectService`, `changeTariff`).
pub async fn change(app: &TestApp, token: &str, mutation: &str, input: Value) -> Value {
    let input_type = format!("{}{}Input", mutation[..1].to_uppercase(), &mutation[1..]);
    let query = format!(
        "mutation ($i: {input_type}!) {{ {mutation}(input: $i) {{
           scheduledChange {{ {CHANGE_FIELDS} }}
           preview {{ newMonthlyTotal {{ amount }} amountNeeded {{ amount }} possibleAgainAt }}
           userErrors {{ field code message }} }} }}"
    );
    let body = app
        .graphql_as(Some(token), &query, json!({ "i": input }))
        .await;
    data(&body)[mutation].clone()
}

/// Previews connecting `service` and connects it at the previewed total.
pub async fn connect(app: &TestApp, token: &str, service: &str) -> Value {
    let preview = service_preview(app, token, &format!("serviceId: \"{service}\"")).await;
    change(
        app,
        token,
        "connectService",
        json!({ "serviceId": service, "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
    )
    .await
}

async fn cancel(app: &TestApp, token: &str, id: &Value) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            &format!(
                "mutation ($i: CancelScheduledChangeInput!) {{ cancelScheduledChange(input: $i) {{
                   scheduledChange {{ {CHANGE_FIELDS} }} userErrors {{ code message }} }} }}"
            ),
            json!({ "i": { "id": id } }),
        )
        .await;
    data(&body)["cancelScheduledChange"].clone()
}

pub async fn me(app: &TestApp, token: &str) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            &format!(
                "{{ me {{ number balance {{ amount }} scheduledChanges {{ {CHANGE_FIELDS} }}
                   subscriptions {{ id name startsOn endsOn }} monthlyCost {{ total {{ amount }} }}
                   transactions(first: 100) {{ nodes {{ kind amount {{ amount }} day description }} }} }} }}"
            ),
            json!({}),
        )
        .await;
    data(&body)["me"].clone()
}

/// The id of the account's subscription named `name`.
pub async fn subscription_named(app: &TestApp, token: &str, name: &str) -> Value {
    me(app, token).await["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no subscription {name}"))["id"]
        .clone()
}

async fn status_of(app: &TestApp, token: &str, id: &Value) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            "query ($id: ID!) { node(id: $id) { ... on ScheduledChange { status } } }",
            json!({ "id": id }),
        )
        .await;
    data(&body)["node"]["status"].clone()
}

/// Waits (up to 10 s) for the worker to apply the change.
pub async fn wait_applied(app: &TestApp, token: &str, id: &Value) {
    for _ in 0..400 {
        if status_of(app, token, id).await == "APPLIED" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("change {id} was not applied");
}

/// The account's ledger entries of a Moscow day.
pub fn entries_on(account: &Value, day: &str) -> Vec<(String, i64, String)> {
    account["transactions"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["day"] == day)
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_owned(),
                kopecks(&n["amount"]),
                n["description"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Waits (up to 10 s) until `day` has been billed for the account.
pub async fn wait_billed(app: &TestApp, token: &str, day: &str) -> Value {
    for _ in 0..400 {
        let account = me(app, token).await;
        if entries_on(&account, day)
            .iter()
            .any(|(k, _, _)| k == "CHARGE")
        {
            // Let the run finish the account's batch.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            return me(app, token).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{day} was not billed");
}

#[tokio::test]
async fn a_change_takes_effect_at_the_next_moscow_midnight_and_is_billed_from_then() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;

    // 23:59:59 Moscow on the 25th: effective on the 26th.
    app.clock.set(moscow(25, 23, 59, 59));
    let kids = connect(&app, &demo, "tv-kids").await;
    assert_eq!(codes(&kids), Vec::<String>::new(), "{kids}");
    let kids = &kids["scheduledChange"];
    assert_eq!(kids["kind"], "CONNECT");
    assert_eq!(kids["status"], "PENDING");
    assert_eq!(kids["effectiveOn"], "2026-11-26");
    assert_eq!(kids["effectiveAt"], "2026-11-26T00:00:00+03:00");

    // 00:00:01 on the 26th: effective the night after.
    app.clock.set(moscow(26, 0, 0, 1));
    let parental = connect(&app, &demo, "parental").await;
    let parental = &parental["scheduledChange"];
    assert_eq!(parental["effectiveOn"], "2026-11-27");

    wait_applied(&app, &demo, &kids["id"]).await;
    let account = wait_billed(&app, &demo, "2026-11-26").await;
    let pending: Vec<&Value> = account["scheduledChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(pending, [&parental["id"]], "only the later one still waits");
    let charged: Vec<String> = entries_on(&account, "2026-11-26")
        .into_iter()
        .map(|(_, _, d)| d)
        .collect();
    assert!(
        charged.iter().any(|d| d.ends_with("Детский")),
        "the package is charged from the 26th: {charged:?}"
    );
    assert!(
        !charged.iter().any(|d| d.ends_with("Родительский контроль")),
        "parental control only from the 27th: {charged:?}"
    );
    // 149 ₽ over a 30-day November: 4.96 ₽ a day (the first 20 days 4.97).
    assert!(
        entries_on(&account, "2026-11-26")
            .iter()
            .any(|(_, amount, d)| d.ends_with("Детский") && *amount == -496),
        "{account}"
    );
    assert_eq!(status_of(&app, &demo, &parental["id"]).await, "PENDING");

    // The night after, parental control too, and charged once.
    app.clock.set(moscow(27, 0, 0, 5));
    wait_applied(&app, &demo, &parental["id"]).await;
    let account = wait_billed(&app, &demo, "2026-11-27").await;
    let parental_charges = entries_on(&account, "2026-11-27")
        .into_iter()
        .filter(|(_, _, d)| d.ends_with("Родительский контроль"))
        .count();
    assert_eq!(parental_charges, 1);
    assert_eq!(account["scheduledChanges"], json!([]));
}

async fn channel_visible(app: &TestApp, token: &str, channel: &Value) -> bool {
    let body = app
        .graphql_as(
            Some(token),
            "query ($id: ID!) { node(id: $id) { ... on TvChannel { visible } } }",
            json!({ "id": channel }),
        )
        .await;
    data(&body)["node"]["visible"].as_bool().unwrap()
}

#[tokio::test]
async fn a_connected_tv_package_becomes_one_of_my_packages_from_its_day() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let body = app
        .graphql(
            "{ tvChannels(packageId: \"kids\", first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    let channel = data(&body)["tvChannels"]["nodes"][0]["id"].clone();
    app.graphql_as(
        Some(&demo),
        "mutation { showOnlyMyPackages(input: {enabled: true}) { enabled } }",
        json!({}),
    )
    .await;
    assert!(!channel_visible(&app, &demo, &channel).await);
    let kids = connect(&app, &demo, "tv-kids").await;
    assert!(
        !channel_visible(&app, &demo, &channel).await,
        "not before it takes effect"
    );
    app.clock.set(moscow(26, 0, 0, 1));
    wait_applied(&app, &demo, &kids["scheduledChange"]["id"]).await;
    assert!(channel_visible(&app, &demo, &channel).await);
}

#[tokio::test]
async fn cancelling_before_midnight_leaves_nothing() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let before = me(&app, &demo).await;
    let alarm = connect(&app, &demo, "alarm").await;
    assert_eq!(codes(&alarm), Vec::<String>::new(), "{alarm}");
    let id = alarm["scheduledChange"]["id"].clone();
    let during = me(&app, &demo).await;
    assert_eq!(
        during["subscriptions"].as_array().unwrap().len(),
        before["subscriptions"].as_array().unwrap().len() + 1,
        "the coming service is listed"
    );

    app.clock.set(moscow(25, 23, 59, 58));
    let canceled = cancel(&app, &demo, &id).await;
    assert_eq!(codes(&canceled), Vec::<String>::new());
    assert_eq!(canceled["scheduledChange"]["status"], "CANCELED");
    let again = cancel(&app, &demo, &id).await;
    assert_eq!(codes(&again), ["ALREADY_CANCELED"]);

    app.clock.set(moscow(26, 0, 0, 1));
    let account = wait_billed(&app, &demo, "2026-11-26").await;
    assert_eq!(account["subscriptions"], before["subscriptions"]);
    assert_eq!(account["scheduledChanges"], json!([]));
    assert!(
        entries_on(&account, "2026-11-26")
            .iter()
            .all(|(_, _, d)| !d.contains("сигнализац")),
        "nothing charged for the alarm: {account}"
    );
    assert_eq!(status_of(&app, &demo, &id).await, "CANCELED");
}

#[tokio::test]
async fn a_change_cannot_be_cancelled_once_midnight_has_passed() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let kids = connect(&app, &demo, "tv-kids").await;
    let id = kids["scheduledChange"]["id"].clone();
    // Midnight has passed even if no worker has got to it yet.
    app.clock.set(moscow(26, 0, 0, 0));
    let late = cancel(&app, &demo, &id).await;
    assert_eq!(codes(&late), ["ALREADY_APPLIED"]);
}

#[tokio::test]
async fn the_preview_shows_every_sum_and_billing_charges_exactly_that() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let before = me(&app, &demo).await;
    let preview = service_preview(&app, &demo, "serviceId: \"alarm\"").await;
    assert_eq!(preview["kind"], "CONNECT");
    assert_eq!(preview["allowed"], true);
    assert_eq!(preview["firstChargeDate"], "2026-11-26");
    assert_eq!(
        kopecks(&preview["currentMonthlyTotal"]),
        kopecks(&before["monthlyCost"]["total"])
    );
    assert_eq!(
        kopecks(&preview["newMonthlyTotal"]) - kopecks(&preview["currentMonthlyTotal"]),
        49_000
    );
    assert_eq!(
        preview["oneOffCharges"],
        json!([{ "reason": "CONNECTION", "what": "Подключение «Охранная сигнализация»", "amount": { "amount": "990.00" } }])
    );
    assert_eq!(
        preview["obligations"][0],
        json!({
            "kind": "MINIMUM_TERM", "effect": "BRINGS", "service": "Охранная сигнализация",
            "amount": { "amount": "2400.00" }, "amountAfter": null, "until": "2027-11-25",
            "waived": false, "description": preview["obligations"][0]["description"],
        })
    );

    let made = change(
        &app,
        &demo,
        "connectService",
        json!({ "serviceId": "alarm", "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
    )
    .await;
    assert_eq!(codes(&made), Vec::<String>::new());
    assert_eq!(made["scheduledChange"]["oneOffTotal"]["amount"], "990.00");

    app.clock.set(moscow(26, 0, 0, 1));
    wait_applied(&app, &demo, &made["scheduledChange"]["id"]).await;
    let account = wait_billed(&app, &demo, "2026-11-26").await;
    let first_day: i64 = entries_on(&account, "2026-11-26")
        .iter()
        .map(|(_, amount, _)| *amount)
        .sum();
    assert_eq!(
        -first_day,
        kopecks(&preview["firstDayCharge"]),
        "the preview's first day is what billing charged, to the kopeck: {account}"
    );
    assert_eq!(
        kopecks(&account["monthlyCost"]["total"]),
        kopecks(&preview["newMonthlyTotal"])
    );
    assert_eq!(
        kopecks(&account["balance"]),
        kopecks(&before["balance"]) + first_day
    );
}

#[tokio::test]
async fn leaving_a_minimum_term_early_costs_what_the_preview_shows() {
    // No trial period: leaving the day after connecting already costs.
    let app = TestApp::spawn_with(|s| s.trial_days = 0).await;
    let demo = app.login("demo", "demo12345").await;
    let made = connect(&app, &demo, "alarm").await;
    app.clock.set(moscow(26, 0, 0, 1));
    wait_applied(&app, &demo, &made["scheduledChange"]["id"]).await;
    let alarm = subscription_named(&app, &demo, "Охранная сигнализация").await;

    // Asked on the 26th, effective the 27th: the term ran 2026-11-26..2027-11-25.
    let preview = service_preview(
        &app,
        &demo,
        &format!("subscriptionId: \"{}\"", alarm.as_str().unwrap()),
    )
    .await;
    let term_days = (NaiveDate::from_ymd_opt(2027, 11, 25).unwrap()
        - NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())
    .num_days()
        + 1;
    let left = term_days - 1;
    let expected = 240_000 * left / term_days;
    assert_eq!(preview["kind"], "DISCONNECT");
    assert_eq!(preview["subscription"]["id"], alarm);
    assert_eq!(preview["oneOffCharges"][0]["reason"], "EARLY_TERMINATION");
    assert_eq!(kopecks(&preview["oneOffCharges"][0]["amount"]), expected);
    assert_eq!(preview["obligations"][0]["kind"], "EARLY_TERMINATION");
    assert_eq!(preview["obligations"][0]["effect"], "ENDS");
    assert_eq!(preview["obligations"][0]["until"], "2027-11-25");

    let made = change(
        &app,
        &demo,
        "disconnectService",
        json!({ "subscriptionId": alarm, "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
    )
    .await;
    assert_eq!(codes(&made), Vec::<String>::new(), "{made}");
    let twice = change(
        &app,
        &demo,
        "disconnectService",
        json!({ "subscriptionId": alarm, "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
    )
    .await;
    assert_eq!(codes(&twice), ["ALREADY_SCHEDULED"]);

    app.clock.set(moscow(27, 0, 0, 1));
    wait_applied(&app, &demo, &made["scheduledChange"]["id"]).await;
    let account = wait_billed(&app, &demo, "2026-11-27").await;
    let on_27 = entries_on(&account, "2026-11-27");
    let compensation: Vec<i64> = on_27
        .iter()
        .filter(|(_, _, d)| d.starts_with("Компенсация за досрочное отключение"))
        .map(|(_, amount, _)| *amount)
        .collect();
    assert_eq!(compensation, [-expected]);
    assert!(
        !on_27
            .iter()
            .any(|(_, _, d)| d.starts_with("Абонентская плата") && d.ends_with("сигнализация")),
        "no monthly charge after the last day: {on_27:?}"
    );
}

#[tokio::test]
async fn the_tariff_changes_at_most_once_a_moscow_day() {
    let app = TestApp::spawn().await;
    let demo2 = app.login("demo2", "demo12345").await;
    let staff = staff_token(&app).await;
    adjust(&app, &staff, "100000000002", "5000.00").await;

    let preview = tariff_preview(&app, &demo2, "internet-500").await;
    assert_eq!(preview["kind"], "CHANGE_TARIFF");
    assert_eq!(preview["currentTariff"]["code"], "internet-200");
    let first = change(
        &app,
        &demo2,
        "changeTariff",
        json!({ "tariffId": "internet-500", "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
    )
    .await;
    assert_eq!(codes(&first), Vec::<String>::new(), "{first}");
    assert_eq!(first["scheduledChange"]["kind"], "CHANGE_TARIFF");

    // Same Moscow day, a minute before midnight: refused, with when it is possible.
    app.clock.set(moscow(25, 23, 59, 0));
    let preview = tariff_preview(&app, &demo2, "internet-1000").await;
    assert_eq!(preview["allowed"], false);
    assert_eq!(preview["blockers"][0]["code"], "TARIFF_CHANGE_LIMIT");
    assert_eq!(preview["possibleAgainAt"], "2026-11-26T00:00:00+03:00");
    let second = change(
        &app,
        &demo2,
        "changeTariff",
        json!({ "tariffId": "internet-1000", "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
    )
    .await;
    assert_eq!(codes(&second), ["TARIFF_CHANGE_LIMIT"]);
    assert_eq!(second["scheduledChange"], Value::Null);
    assert_eq!(
        second["preview"]["possibleAgainAt"],
        "2026-11-26T00:00:00+03:00"
    );

    // The next day: allowed, from the tariff in force.
    app.clock.set(moscow(26, 0, 0, 1));
    wait_applied(&app, &demo2, &first["scheduledChange"]["id"]).await;
    let preview = tariff_preview(&app, &demo2, "internet-1000").await;
    assert_eq!(preview["currentTariff"]["code"], "internet-500");
    assert_eq!(preview["allowed"], true, "{preview}");
    let third = change(
        &app,
        &demo2,
        "changeTariff",
        json!({ "tariffId": "internet-1000", "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
    )
    .await;
    assert_eq!(codes(&third), Vec::<String>::new());
    assert_eq!(third["scheduledChange"]["effectiveOn"], "2026-11-27");
    // Moving to the tariff in force is no change.
    let same = tariff_preview(&app, &demo2, "internet-1000").await;
    assert!(
        same["blockers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["code"] == "TARIFF_CHANGE_LIMIT")
    );
}

#[tokio::test]
async fn many_tariff_changes_at_once_make_one() {
    let app = TestApp::spawn().await;
    let demo2 = app.login("demo2", "demo12345").await;
    let staff = staff_token(&app).await;
    adjust(&app, &staff, "100000000002", "5000.00").await;
    let mut previews = Vec::new();
    for tariff in ["internet-500", "internet-1000", "internet-500-tv"] {
        previews.push((tariff, tariff_preview(&app, &demo2, tariff).await));
    }
    let results = futures_util::future::join_all(previews.iter().map(|(tariff, preview)| {
        change(
            &app,
            &demo2,
            "changeTariff",
            json!({ "tariffId": tariff, "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
        )
    }))
    .await;
    let made = results
        .iter()
        .filter(|r| r["scheduledChange"].is_object())
        .count();
    assert_eq!(made, 1, "{results:?}");
    for refused in results.iter().filter(|r| r["scheduledChange"].is_null()) {
        assert_eq!(codes(refused), ["TARIFF_CHANGE_LIMIT"]);
    }
    let account = me(&app, &demo2).await;
    let tariffs_tomorrow = account["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["startsOn"] == "2026-11-26")
        .count();
    assert_eq!(tariffs_tomorrow, 1);
}

#[tokio::test]
async fn services_need_what_they_depend_on() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let staff = staff_token(&app).await;
    adjust(&app, &staff, "100000000002", "5000.00").await;

    // Extra TV packages need base TV: demo2 has internet only.
    let preview = service_preview(&app, &demo2, "serviceId: \"tv-kids\"").await;
    assert_eq!(preview["allowed"], false);
    assert_eq!(preview["blockers"][0]["code"], "REQUIRES_SERVICE");
    let refused = connect(&app, &demo2, "tv-kids").await;
    assert_eq!(codes(&refused), ["REQUIRES_SERVICE"]);

    // With a TV tariff scheduled, the package can come with it...
    let tv = tariff_preview(&app, &demo2, "internet-500-tv").await;
    let tv = change(
        &app,
        &demo2,
        "changeTariff",
        json!({ "tariffId": "internet-500-tv", "expectedMonthlyTotal": tv["newMonthlyTotal"]["amount"] }),
    )
    .await;
    let kids = connect(&app, &demo2, "tv-kids").await;
    assert_eq!(codes(&kids), Vec::<String>::new(), "{kids}");
    // ...and the TV tariff cannot be cancelled from under it.
    let cancel_tv = cancel(&app, &demo2, &tv["scheduledChange"]["id"]).await;
    assert_eq!(codes(&cancel_tv), ["DEPENDENT_SERVICES"]);
    assert!(
        cancel_tv["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Детский")
    );

    // demo has TV and a package; moving to an internet-only tariff would strand it.
    let pkg = connect(&app, &demo, "tv-sport").await;
    assert_eq!(codes(&pkg), Vec::<String>::new());
    let preview = tariff_preview(&app, &demo, "internet-1000").await;
    assert_eq!(preview["blockers"][0]["code"], "DEPENDENT_SERVICES");
}

#[tokio::test]
async fn what_is_there_cannot_be_connected_and_what_is_not_cannot_be_disconnected() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let account = me(&app, &demo).await;
    let id_of = |name: &str| {
        account["subscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()["id"]
            .clone()
    };
    let total = account["monthlyCost"]["total"]["amount"].clone();

    assert_eq!(
        codes(&connect(&app, &demo, "antivirus").await),
        ["ALREADY_CONNECTED"]
    );
    assert_eq!(
        codes(&connect(&app, &demo, "tv-kids").await),
        Vec::<String>::new()
    );
    assert_eq!(
        codes(&connect(&app, &demo, "tv-kids").await),
        ["ALREADY_SCHEDULED"]
    );
    // A tariff or equipment is not a service to connect.
    let tariff = change(
        &app,
        &demo,
        "connectService",
        json!({ "serviceId": "internet-1000", "expectedMonthlyTotal": total }),
    )
    .await;
    assert_eq!(codes(&tariff), ["NOT_CONNECTABLE"]);
    let unknown = change(
        &app,
        &demo,
        "connectService",
        json!({ "serviceId": "no-such-service", "expectedMonthlyTotal": total }),
    )
    .await;
    assert_eq!(codes(&unknown), ["NOT_FOUND"]);

    // The tariff changes with changeTariff; equipment is not dropped here.
    let disconnect = |id: Value| {
        let total = total.clone();
        let app = &app;
        let demo = demo.clone();
        async move {
            change(
                app,
                &demo,
                "disconnectService",
                json!({ "subscriptionId": id, "expectedMonthlyTotal": total }),
            )
            .await
        }
    };
    assert_eq!(
        codes(&disconnect(id_of("Интернет 500 + ТВ")).await),
        ["NOT_DISCONNECTABLE"]
    );
    let body = app
        .graphql_as(Some(&demo), "{ me { equipment { id } } }", json!({}))
        .await;
    let router = data(&body)["me"]["equipment"][0]["id"].clone();
    assert_eq!(codes(&disconnect(router).await), ["NOT_DISCONNECTABLE"]);
    // A pending connection is cancelled, not disconnected.
    let kids = subscription_named(&app, &demo, "Детский").await;
    assert_eq!(codes(&disconnect(kids).await), ["ALREADY_SCHEDULED"]);
    // Someone else's subscription, or nonsense: not found.
    let body = app
        .graphql_as(Some(&demo2), "{ me { subscriptions { id } } }", json!({}))
        .await;
    let foreign = data(&body)["me"]["subscriptions"][0]["id"].clone();
    assert_eq!(codes(&disconnect(foreign.clone()).await), ["NOT_FOUND"]);
    assert_eq!(codes(&disconnect(json!("x-1")).await), ["NOT_FOUND"]);
    let body = app
        .graphql_as(
            Some(&demo),
            "query ($s: ID) { me { serviceChangePreview(subscriptionId: $s) { kind } } }",
            json!({ "s": foreign }),
        )
        .await;
    assert_eq!(crate::common::error_codes(&body), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn a_change_the_balance_cannot_cover_for_its_first_day_is_refused_with_the_sum_needed() {
    let app = TestApp::spawn().await;
    // demo2's balance covers today and not a kopeck more.
    let demo2 = app.login("demo2", "demo12345").await;
    let preview = service_preview(&app, &demo2, "serviceId: \"home-phone\"").await;
    assert_eq!(preview["allowed"], false);
    assert_eq!(preview["blockers"][0]["code"], "INSUFFICIENT_FUNDS");
    let needed = preview["amountNeeded"]["amount"]
        .as_str()
        .unwrap()
        .to_owned();
    let balance = kopecks(&me(&app, &demo2).await["balance"]);
    assert_eq!(
        Kopecks::parse_decimal(&needed).unwrap().get(),
        kopecks(&preview["firstDayCharge"]) - balance
    );
    let refused = connect(&app, &demo2, "home-phone").await;
    assert_eq!(codes(&refused), ["INSUFFICIENT_FUNDS"]);
    assert!(
        refused["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&needed)
    );
    assert_eq!(
        refused["preview"]["amountNeeded"]["amount"],
        needed.as_str()
    );
    assert_eq!(me(&app, &demo2).await["scheduledChanges"], json!([]));

    // A kopeck short is still short; the exact sum is enough.
    let staff = staff_token(&app).await;
    let short = Kopecks::parse_decimal(&needed).unwrap() - Kopecks::new(1);
    adjust(&app, &staff, "100000000002", &short.to_decimal_string()).await;
    assert_eq!(
        codes(&connect(&app, &demo2, "home-phone").await),
        ["INSUFFICIENT_FUNDS"]
    );
    adjust(&app, &staff, "100000000002", "0.01").await;
    assert_eq!(
        codes(&connect(&app, &demo2, "home-phone").await),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn a_change_whose_terms_moved_since_the_preview_is_refused_with_the_new_preview() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let preview = service_preview(&app, &demo, "serviceId: \"tv-kino\"").await;
    // The catalog changes between the preview and the click.
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared("UPDATE catalog_item SET monthly_fee = 34900 WHERE code = 'tv-kino'")
        .await
        .unwrap();
    let refused = change(
        &app,
        &demo,
        "connectService",
        json!({ "serviceId": "tv-kino", "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
    )
    .await;
    assert_eq!(codes(&refused), ["PREVIEW_OUTDATED"]);
    assert_eq!(
        refused["userErrors"][0]["field"],
        json!(["input", "expectedMonthlyTotal"])
    );
    assert_eq!(
        kopecks(&refused["preview"]["newMonthlyTotal"]) - kopecks(&preview["newMonthlyTotal"]),
        5_000
    );
    assert_eq!(me(&app, &demo).await["scheduledChanges"], json!([]));
    // Agreeing to the new total makes it.
    let made = change(
        &app,
        &demo,
        "connectService",
        json!({ "serviceId": "tv-kino", "expectedMonthlyTotal": refused["preview"]["newMonthlyTotal"]["amount"] }),
    )
    .await;
    assert_eq!(codes(&made), Vec::<String>::new());
}

#[tokio::test]
async fn a_promo_and_a_minimum_term_are_shown_before_a_tariff_change() {
    let app = TestApp::spawn().await;
    let demo2 = app.login("demo2", "demo12345").await;
    let preview = tariff_preview(&app, &demo2, "internet-1000").await;
    let obligations = preview["obligations"].as_array().unwrap();
    let kinds: Vec<&str> = obligations
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "PROMO_PRICE",
            "MINIMUM_TERM",
            "PROMO_CLAWBACK",
            "TRIAL_PERIOD"
        ],
        "{preview}"
    );
    assert_eq!(obligations[0]["amount"]["amount"], "890.00");
    assert_eq!(obligations[0]["amountAfter"]["amount"], "1100.00");
    assert_eq!(obligations[0]["until"], "2027-02-25");
    assert_eq!(obligations[1]["until"], "2027-11-25");
    // The whole promo discount, day by day: 2026-11-26 … 2027-02-25.
    let mut discount = 0;
    let mut day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    while day <= NaiveDate::from_ymd_opt(2027, 2, 25).unwrap() {
        discount += daily(110_000, day) - daily(89_000, day);
        day = day.succ_opt().unwrap();
    }
    assert_eq!(kopecks(&obligations[2]["amount"]), discount);
    assert_eq!(obligations[2]["until"], "2027-11-25");
    assert_eq!(
        obligations[3]["until"], "2026-12-09",
        "14 days from the 26th"
    );
    assert_eq!(
        kopecks(&preview["newMonthlyTotalAfterPromos"]) - kopecks(&preview["newMonthlyTotal"]),
        21_000
    );
}

/// A monthly fee's charge on `day`, as DOMAIN.md spreads it.
pub fn daily(fee: i64, day: NaiveDate) -> i64 {
    let days = i64::from(
        NaiveDate::from_ymd_opt(
            if day.month() == 12 {
                day.year() + 1
            } else {
                day.year()
            },
            if day.month() == 12 {
                1
            } else {
                day.month() + 1
            },
            1,
        )
        .unwrap()
        .pred_opt()
        .unwrap()
        .day(),
    );
    fee / days + i64::from(i64::from(day.day()) <= fee % days)
}

#[tokio::test]
async fn changes_are_the_owners_only() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let kids = connect(&app, &demo, "tv-kids").await;
    let id = kids["scheduledChange"]["id"].clone();
    assert_eq!(status_of(&app, &demo, &id).await, "PENDING");
    let body = app
        .graphql_as(
            Some(&demo2),
            "query ($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data(&body)["node"], Value::Null);
    assert_eq!(codes(&cancel(&app, &demo2, &id).await), ["NOT_FOUND"]);
    assert_eq!(status_of(&app, &demo, &id).await, "PENDING");
    let body = app
        .graphql(
            "mutation { connectService(input: {serviceId: \"tv-kids\", expectedMonthlyTotal: \"1.00\"}) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(crate::common::error_codes(&body), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn two_replicas_apply_each_change_once() {
    let app = TestApp::spawn().await;
    let replica = app.spawn_replica().await;
    let demo = app.login("demo", "demo12345").await;
    let alarm = connect(&app, &demo, "alarm").await;
    let phone = connect(&app, &demo, "home-phone").await;
    assert_eq!(codes(&phone), Vec::<String>::new(), "{phone}");
    let midnight = moscow(26, 0, 0, 1);
    app.clock.set(midnight);
    replica.clock.set(midnight);
    wait_applied(&app, &demo, &alarm["scheduledChange"]["id"]).await;
    wait_applied(&app, &demo, &phone["scheduledChange"]["id"]).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let account = me(&app, &demo).await;
    let one_offs: Vec<i64> = entries_on(&account, "2026-11-26")
        .iter()
        .filter(|(_, _, d)| d.starts_with("Разовый платёж"))
        .map(|(_, amount, _)| *amount)
        .collect();
    let mut sorted = one_offs.clone();
    sorted.sort();
    assert_eq!(sorted, [-99_000, -29_000], "each one-off once: {account}");
}

#[tokio::test]
async fn offers_are_what_fits_each_with_its_preview() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let query = "{ me { offers {
        __typename
        ... on TariffChangePreview { tariff { id code } newMonthlyTotal { amount } allowed amountNeeded { amount } }
        ... on ServiceChangePreview { service { id code } newMonthlyTotal { amount } allowed amountNeeded { amount } }
    } } }";
    let ids = |body: &Value| -> Vec<String> {
        data(body)["me"]["offers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                o["tariff"]["code"]
                    .as_str()
                    .or(o["service"]["code"].as_str())
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let body = app.graphql_as(Some(&demo), query, json!({})).await;
    let offered = ids(&body);
    // Not the tariff in force, nothing connected, no equipment; TV packages fit a TV tariff.
    assert!(
        !offered.contains(&"internet-500-tv".to_owned()),
        "{offered:?}"
    );
    assert!(!offered.contains(&"antivirus".to_owned()));
    assert!(!offered.iter().any(|id| id.starts_with("router")));
    assert!(offered.contains(&"internet-1000".to_owned()));
    assert!(offered.contains(&"tv-kids".to_owned()));
    // Each offer's total is what its own preview says.
    let kids = data(&body)["me"]["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["service"]["code"] == "tv-kids")
        .unwrap()
        .clone();
    let preview = service_preview(&app, &demo, "serviceId: \"tv-kids\"").await;
    assert_eq!(kids["newMonthlyTotal"], preview["newMonthlyTotal"]);
    assert_eq!(kids["__typename"], "ServiceChangePreview");

    // Without TV, no TV packages; without money, offers say what to top up.
    let body = app.graphql_as(Some(&demo2), query, json!({})).await;
    let offered = ids(&body);
    assert!(!offered.contains(&"tv-kids".to_owned()), "{offered:?}");
    let phone = data(&body)["me"]["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["service"]["code"] == "home-phone")
        .unwrap()
        .clone();
    assert_eq!(phone["allowed"], false);
    assert!(kopecks(&phone["amountNeeded"]) > 0);
    // Asked once, not per offer.
    let (_, statements) = app
        .count_sql(app.graphql_as(Some(&demo), query, json!({})))
        .await;
    assert!(statements <= 16, "{statements} statements");
}

#[tokio::test]
async fn an_applied_change_reaches_the_account_events() {
    use crate::payment_events::{create, listen, payload, signed_in_socket};
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let kids = connect(&app, &demo, "tv-kids").await;
    let id = kids["scheduledChange"]["id"].clone();
    let (probe, _) = create(&app, &demo, "1").await;
    let mut ws = signed_in_socket(&app, &demo).await;
    ws.subscribe(
        "changes",
        "subscription { accountEvents { __typename ... on ScheduledChangeApplied { at scheduledChange { id status kind } } } }",
    )
    .await;
    listen(&mut ws, &probe).await;
    app.clock.set(moscow(26, 0, 0, 1));
    for _ in 0..10 {
        let message = ws.next().await;
        if message["id"] != "changes" {
            continue;
        }
        let event = payload(&message, "accountEvents");
        if event["__typename"] != "ScheduledChangeApplied" {
            continue;
        }
        assert_eq!(event["scheduledChange"]["id"], id);
        assert_eq!(event["scheduledChange"]["status"], "APPLIED");
        assert_eq!(event["at"], "2026-11-26T00:00:01+03:00");
        return;
    }
    panic!("no ScheduledChangeApplied event");
}
