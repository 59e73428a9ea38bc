//! Voluntary suspension (shared/DOMAIN.md, "Services and tariffs"): 1–90 days,
//! at most 90 days a calendar year, no charges meanwhile (or the configured
//! daily fee, shown first and charged once), an early resume, and the worker
//! starting and ending it at Moscow midnights once.

use serde_json::{Value, json};

use crate::common::{TestApp, data};
use crate::services::{codes, entries_on, kopecks, me, moscow};

async fn preview(app: &TestApp, token: &str, from: &str, until: &str) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            "query ($f: Date!, $u: Date!) { me { suspensionPreview(from: $f, until: $u) {
               from until days dailyFee { amount } totalFee { amount } daysUsedThisYear daysLeftThisYear
               allowed blockers { field code message } } } }",
            json!({ "f": from, "u": until }),
        )
        .await;
    data(&body)["me"]["suspensionPreview"].clone()
}

async fn suspend(app: &TestApp, token: &str, from: &str, until: &str) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            "mutation ($i: SuspendServicesInput!) { suspendServices(input: $i) {
               suspension { from until status days totalFee { amount } } userErrors { field code message } } }",
            json!({ "i": { "from": from, "until": until } }),
        )
        .await;
    data(&body)["suspendServices"].clone()
}

async fn resume(app: &TestApp, token: &str) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            "mutation { resumeServices { suspension { from until status } refund { amount } userErrors { code } } }",
            json!({}),
        )
        .await;
    data(&body)["resumeServices"].clone()
}

async fn state(app: &TestApp, token: &str) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            "{ me { status summary { daysUntilBlock } suspension { from until status } } }",
            json!({}),
        )
        .await;
    data(&body)["me"].clone()
}

async fn wait_status(app: &TestApp, token: &str, status: &str) -> Value {
    for _ in 0..400 {
        let me = state(app, token).await;
        if me["status"] == status {
            return me;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!(
        "the account never became {status}: {}",
        state(app, token).await
    );
}

/// Waits until the worker has billed `day` (it records the day as billed).
async fn wait_day_billed(app: &TestApp, day: chrono::NaiveDate) {
    for _ in 0..400 {
        if kabinet::billing::run::last_billed_day(&app.state.db)
            .await
            .unwrap()
            .is_some_and(|last| last >= day)
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{day} was not billed");
}

fn ymd(d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, d)
        .or_else(|| chrono::NaiveDate::from_ymd_opt(2026, 12, d - 30))
        .unwrap()
}

#[tokio::test]
async fn a_suspension_has_bounds_and_a_yearly_cap() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    // Today is 2026-11-25: tomorrow at the earliest, 1–90 days.
    let field = |p: &Value| p["userErrors"][0]["field"].clone();
    let today = suspend(&app, &demo, "2026-11-25", "2026-11-30").await;
    assert_eq!(codes(&today), ["INVALID_VALUE"]);
    assert_eq!(field(&today), json!(["input", "from"]));
    let backwards = suspend(&app, &demo, "2026-12-10", "2026-12-01").await;
    assert_eq!(codes(&backwards), ["INVALID_VALUE"]);
    assert_eq!(field(&backwards), json!(["input", "until"]));
    let long = suspend(&app, &demo, "2026-12-01", "2027-03-01").await;
    assert_eq!(codes(&long), ["INVALID_VALUE"], "91 days");
    let far = suspend(&app, &demo, "2027-06-01", "2027-06-05").await;
    assert_eq!(codes(&far), ["INVALID_VALUE"], "too far ahead");
    assert_eq!(state(&app, &demo).await["suspension"], Value::Null);

    // Exactly 90 days is allowed; one day is allowed.
    let p = preview(&app, &demo, "2026-11-26", "2027-02-23").await;
    assert_eq!(p["days"], 90);
    assert_eq!(p["allowed"], true, "{p}");
    assert_eq!(p["totalFee"]["amount"], "0.00");

    let first = suspend(&app, &demo, "2026-11-26", "2026-12-25").await;
    assert_eq!(codes(&first), Vec::<String>::new(), "{first}");
    assert_eq!(first["suspension"]["status"], "SCHEDULED");
    assert_eq!(first["suspension"]["days"], 30);
    let second = suspend(&app, &demo, "2026-12-27", "2026-12-28").await;
    assert_eq!(codes(&second), ["ALREADY_ACTIVE"], "one at a time");

    // Withdrawn before it starts: nothing counts.
    let withdrawn = resume(&app, &demo).await;
    assert_eq!(withdrawn["suspension"]["status"], "CANCELED");
    let p = preview(&app, &demo, "2026-12-01", "2026-12-31").await;
    assert_eq!(p["daysUsedThisYear"], 0);

    // Started, then ended early on its first day: one day counts.
    assert_eq!(
        codes(&suspend(&app, &demo, "2026-11-26", "2026-12-25").await),
        Vec::<String>::new()
    );
    app.clock.set(moscow(26, 0, 0, 1));
    wait_status(&app, &demo, "SUSPENDED").await;
    let back = resume(&app, &demo).await;
    assert_eq!(back["suspension"]["status"], "ENDED");
    assert_eq!(back["suspension"]["until"], "2026-11-26");
    let p = preview(&app, &demo, "2026-11-28", "2026-12-31").await;
    assert_eq!(p["daysUsedThisYear"], 1);
    assert_eq!(p["daysLeftThisYear"], 89);
    assert_eq!(p["allowed"], true);
}

#[tokio::test]
async fn ninety_days_a_calendar_year_at_most() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    // demo paused for 80 days this spring (the history a past suspension leaves).
    use sea_orm::ConnectionTrait;
    app.state
        .db
        .execute_unprepared(
            "INSERT INTO suspension (account_id, starts_on, ends_on, status, daily_fee, fee_charged, created_at) \
             SELECT id, '2026-03-01', '2026-05-19', 'ended', 0, 0, '2026-02-20T10:00:00Z' FROM account WHERE number = '100000000001'",
        )
        .await
        .unwrap();
    let p = preview(&app, &demo, "2026-12-01", "2026-12-11").await;
    assert_eq!(p["daysUsedThisYear"], 80);
    assert_eq!(p["daysLeftThisYear"], 10);
    assert_eq!(p["allowed"], false);
    assert_eq!(p["blockers"][0]["code"], "LIMIT_REACHED");
    assert!(
        p["blockers"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ещё на 10 дн.")
    );
    assert_eq!(
        codes(&suspend(&app, &demo, "2026-12-01", "2026-12-11").await),
        ["LIMIT_REACHED"]
    );
    // Ten days fit; over New Year only 2026's days count against 2026.
    assert_eq!(
        preview(&app, &demo, "2026-12-01", "2026-12-10").await["allowed"],
        true
    );
    assert_eq!(
        preview(&app, &demo, "2026-12-15", "2027-01-20").await["allowed"],
        false
    );
    let p = preview(&app, &demo, "2026-12-22", "2027-02-20").await;
    assert_eq!(p["allowed"], true, "{p}");
    assert_eq!(
        codes(&suspend(&app, &demo, "2026-12-22", "2027-02-20").await),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn nothing_is_charged_while_suspended_and_an_early_resume_brings_charges_back() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let made = suspend(&app, &demo, "2026-11-27", "2026-11-30").await;
    assert_eq!(codes(&made), Vec::<String>::new());

    // The 26th is billed as usual.
    app.clock.set(moscow(26, 0, 0, 1));
    wait_day_billed(&app, ymd(26)).await;
    assert_eq!(state(&app, &demo).await["status"], "ACTIVE");

    // From the 27th: suspended, not charged.
    app.clock.set(moscow(27, 0, 0, 1));
    let me_now = wait_status(&app, &demo, "SUSPENDED").await;
    assert_eq!(me_now["suspension"]["status"], "ACTIVE");
    assert_eq!(me_now["summary"]["daysUntilBlock"], Value::Null);
    app.clock.set(moscow(28, 0, 0, 1));
    wait_day_billed(&app, ymd(28)).await;
    let account = me(&app, &demo).await;
    assert!(!entries_on(&account, "2026-11-26").is_empty());
    assert_eq!(entries_on(&account, "2026-11-27"), Vec::new());
    assert_eq!(entries_on(&account, "2026-11-28"), Vec::new());

    // Resumed on the 28th: services at once, charged again from the 29th.
    let back = resume(&app, &demo).await;
    assert_eq!(codes(&back), Vec::<String>::new());
    assert_eq!(back["suspension"]["until"], "2026-11-28");
    assert_eq!(state(&app, &demo).await["status"], "ACTIVE");
    assert_eq!(codes(&resume(&app, &demo).await), ["NOT_SUSPENDED"]);
    app.clock.set(moscow(29, 0, 0, 1));
    wait_day_billed(&app, ymd(29)).await;
    let account = me(&app, &demo).await;
    assert!(!entries_on(&account, "2026-11-29").is_empty());
    // The status history says why.
    let body = app
        .graphql_as(
            Some(&demo),
            "{ me { statusHistory { from to reason } } }",
            json!({}),
        )
        .await;
    let history = data(&body)["me"]["statusHistory"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(history[0]["to"], "ACTIVE");
    assert_eq!(history[1]["to"], "SUSPENDED");
}

#[tokio::test]
async fn a_suspension_ends_by_itself_after_its_last_day() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    suspend(&app, &demo, "2026-11-26", "2026-11-26").await;
    app.clock.set(moscow(26, 0, 0, 1));
    wait_status(&app, &demo, "SUSPENDED").await;
    app.clock.set(moscow(27, 0, 0, 1));
    let me_now = wait_status(&app, &demo, "ACTIVE").await;
    assert_eq!(me_now["suspension"], Value::Null);
    wait_day_billed(&app, ymd(27)).await;
    let account = me(&app, &demo).await;
    assert_eq!(entries_on(&account, "2026-11-26"), Vec::new());
    assert!(!entries_on(&account, "2026-11-27").is_empty());
}

#[tokio::test]
async fn a_daily_fee_is_shown_first_charged_once_and_its_unused_days_come_back() {
    let app = TestApp::spawn_with(|s| s.suspension_daily_fee_kopecks = 500).await;
    let replica = app.spawn_replica().await;
    let demo = app.login("demo", "demo12345").await;
    let p = preview(&app, &demo, "2026-11-26", "2026-12-05").await;
    assert_eq!(p["dailyFee"]["amount"], "5.00");
    assert_eq!(p["totalFee"]["amount"], "50.00");
    let made = suspend(&app, &demo, "2026-11-26", "2026-12-05").await;
    assert_eq!(made["suspension"]["totalFee"]["amount"], "50.00");
    let before = kopecks(&me(&app, &demo).await["balance"]);

    // Both replicas reach midnight: the fee is charged once.
    app.clock.set(moscow(26, 0, 0, 1));
    replica.clock.set(moscow(26, 0, 0, 1));
    wait_status(&app, &demo, "SUSPENDED").await;
    wait_day_billed(&app, ymd(26)).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let account = me(&app, &demo).await;
    let fees: Vec<i64> = entries_on(&account, "2026-11-26")
        .iter()
        .filter(|(_, _, d)| d.starts_with("Плата за приостановку"))
        .map(|(_, amount, _)| *amount)
        .collect();
    assert_eq!(fees, [-5_000]);
    assert_eq!(kopecks(&account["balance"]), before - 5_000);

    // Resumed on the 28th: the 29th … 5th (7 days) come back.
    app.clock.set(moscow(28, 10, 0, 0));
    replica.clock.set(moscow(28, 10, 0, 0));
    let back = resume(&app, &demo).await;
    assert_eq!(back["refund"]["amount"], "35.00");
}
