//! The contract and the cost of leaving (shared/DOMAIN.md, "Services and
//! tariffs"): every obligation in force, what ending the contract today would
//! cost line by line with the rule and the last day of each, falling as terms
//! run, nothing within the trial period, and the same in the contract PDF.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use crate::common::{TestApp, data};
use crate::money::{adjust, staff_token};
use crate::services::{
    change, codes, connect, daily, kopecks, moscow, service_preview, tariff_preview, wait_applied,
};

const CONTRACT: &str = "{ me { number contract { number date terms
  obligations { kind effect service amount { amount } amountAfter { amount } until waived description }
  exitCost { asOf total { amount } inTrial lines { kind what amount { amount } fullAmount { amount } reason until waived } }
  documentUrl trialDays }
  equipment { id name ownership minTermUntil exitCost { amount } instalmentsLeft { amount } } } }";

async fn contract(app: &TestApp, token: &str) -> Value {
    let body = app.graphql_as(Some(token), CONTRACT, json!({})).await;
    data(&body)["me"].clone()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn line<'a>(me: &'a Value, kind: &str) -> &'a Value {
    me["contract"]["exitCost"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} line in {me}"))
}

/// The compensation for leaving so that `leaving` is the first day without
/// service, as DOMAIN.md's rule says it: falling evenly by days, rounded down.
fn compensation(fee: i64, starts: NaiveDate, until: NaiveDate, leaving: NaiveDate) -> i64 {
    let total = (until - starts).num_days() + 1;
    let left = (until - leaving).num_days() + 1;
    fee * left / total
}

#[tokio::test]
async fn the_cost_of_leaving_is_shown_line_by_line_and_falls_as_the_term_runs() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let me = contract(&app, &demo).await;
    let exit = &me["contract"]["exitCost"];
    assert_eq!(exit["asOf"], "2026-11-25");
    assert_eq!(exit["inTrial"], false);
    // demo's "free" router came with 18 months (2026-08-25 … 2028-02-24) and 849 ₽.
    let router = line(&me, "EQUIPMENT_COMPENSATION");
    assert_eq!(router["until"], "2028-02-24");
    assert_eq!(
        kopecks(&router["amount"]),
        compensation(
            84_900,
            ymd(2026, 8, 25),
            ymd(2028, 2, 24),
            ymd(2026, 11, 26)
        )
    );
    assert!(router["what"].as_str().unwrap().contains("Wi-Fi роутер"));
    assert!(router["reason"].as_str().unwrap().contains("24.02.2028"));
    // The TV box in instalments: what is left of 300 ₽ a month to 2027-08-24.
    let box_line = line(&me, "INSTALMENTS");
    assert_eq!(box_line["until"], "2027-08-24");
    let mut left = 0;
    let mut day = ymd(2026, 11, 26);
    while day <= ymd(2027, 8, 24) {
        left += daily(30_000, day);
        day = day.succ_opt().unwrap();
    }
    assert_eq!(kopecks(&box_line["amount"]), left);
    let lines = exit["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "{exit}");
    assert_eq!(
        kopecks(&exit["total"]),
        lines.iter().map(|l| kopecks(&l["amount"])).sum::<i64>()
    );
    // The equipment says the same.
    let equipment = me["equipment"].as_array().unwrap();
    let router_item = equipment.iter().find(|e| e["ownership"] == "RENT").unwrap();
    assert_eq!(router_item["minTermUntil"], "2028-02-24");
    assert_eq!(router_item["exitCost"], router["amount"]);
    let box_item = equipment
        .iter()
        .find(|e| e["ownership"] == "INSTALMENT")
        .unwrap();
    assert_eq!(box_item["instalmentsLeft"], box_line["amount"]);
    // Obligations in force name the same terms.
    let kinds: Vec<&str> = me["contract"]["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"MINIMUM_TERM") && kinds.contains(&"INSTALMENTS"),
        "{kinds:?}"
    );
    // The "free" router says it is free until when, and what it costs after.
    let free = me["contract"]["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "PROMO_PRICE" && o["service"] == "Wi-Fi роутер")
        .unwrap();
    let text = free["description"].as_str().unwrap();
    assert!(
        text.starts_with("«Wi-Fi роутер»: бесплатно до ") && text.contains("затем 150"),
        "{text}"
    );

    // Ten days on, the compensation is ten days' worth smaller.
    app.clock.set(moscow(25, 12, 0, 0) + Duration::days(10));
    let later = contract(&app, &demo).await;
    let router_later = line(&later, "EQUIPMENT_COMPENSATION");
    assert_eq!(
        kopecks(&router_later["amount"]),
        compensation(84_900, ymd(2026, 8, 25), ymd(2028, 2, 24), ymd(2026, 12, 6))
    );
    assert!(kopecks(&router_later["amount"]) < kopecks(&router["amount"]));
}

#[tokio::test]
async fn leaving_within_the_trial_period_costs_nothing() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let alarm = connect(&app, &demo, "alarm").await;
    assert_eq!(codes(&alarm), Vec::<String>::new(), "{alarm}");
    app.clock.set(moscow(26, 0, 0, 1));
    wait_applied(&app, &demo, &alarm["scheduledChange"]["id"]).await;

    let me = contract(&app, &demo).await;
    assert_eq!(me["contract"]["trialDays"], 14);
    assert_eq!(me["contract"]["exitCost"]["inTrial"], true);
    let line = line(&me, "EARLY_TERMINATION");
    assert_eq!(line["waived"], true);
    assert_eq!(line["amount"]["amount"], "0.00");
    assert!(kopecks(&line["fullAmount"]) > 0);
    let trial = me["contract"]["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "TRIAL_PERIOD")
        .unwrap()
        .clone();
    assert_eq!(trial["until"], "2026-12-09");

    // Disconnecting in the trial: the preview says it costs nothing.
    let sub = crate::services::subscription_named(&app, &demo, "Охранная сигнализация").await;
    let args = format!("subscriptionId: \"{}\"", sub.as_str().unwrap());
    let preview = service_preview(&app, &demo, &args).await;
    assert_eq!(preview["oneOffCharges"], json!([]), "{preview}");
    assert_eq!(preview["obligations"][0]["kind"], "EARLY_TERMINATION");
    assert_eq!(preview["obligations"][0]["waived"], true);

    // The day after the trial's last day, the compensation applies.
    app.clock.set(moscow(26, 12, 0, 0) + Duration::days(14));
    let me = contract(&app, &demo).await;
    let line = crate::contract::line(&me, "EARLY_TERMINATION");
    assert_eq!(line["waived"], false);
    // Service through 2026-12-10, leaving on the 11th.
    assert_eq!(
        kopecks(&line["amount"]),
        compensation(
            240_000,
            ymd(2026, 11, 26),
            ymd(2027, 11, 25),
            ymd(2026, 12, 11)
        )
    );
    let preview = service_preview(&app, &demo, &args).await;
    assert_eq!(preview["oneOffCharges"][0]["amount"], line["amount"]);
}

#[tokio::test]
async fn leaving_a_promo_before_its_term_gives_the_discount_back() {
    let app = TestApp::spawn_with(|s| s.trial_days = 0).await;
    let demo2 = app.login("demo2", "demo12345").await;
    let staff = staff_token(&app).await;
    adjust(&app, &staff, "100000000002", "5000.00").await;
    let preview = tariff_preview(&app, &demo2, "internet-1000").await;
    let made = change(
        &app,
        &demo2,
        "changeTariff",
        json!({ "tariffId": "internet-1000", "expectedMonthlyTotal": preview["newMonthlyTotal"]["amount"] }),
    )
    .await;
    app.clock.set(moscow(26, 0, 0, 1));
    wait_applied(&app, &demo2, &made["scheduledChange"]["id"]).await;

    // On the 30th, back to 200 Mbit/s from the 1st: four promo days to give back.
    app.clock.set(moscow(30, 12, 0, 0));
    let back = tariff_preview(&app, &demo2, "internet-200").await;
    let expected: i64 = [26, 27, 28, 29, 30]
        .iter()
        .map(|d| daily(110_000, ymd(2026, 11, *d)) - daily(89_000, ymd(2026, 11, *d)))
        .sum();
    let clawback = back["oneOffCharges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["reason"] == "PROMO_CLAWBACK")
        .unwrap_or_else(|| panic!("{back}"));
    assert_eq!(kopecks(&clawback["amount"]), expected);
    let me = contract(&app, &demo2).await;
    assert_eq!(kopecks(&line(&me, "PROMO_CLAWBACK")["amount"]), expected);
}

#[tokio::test]
async fn the_contract_document_is_the_owners_and_says_the_same() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let me = contract(&app, &demo).await;
    let url = me["contract"]["documentUrl"].as_str().unwrap().to_owned();
    assert!(url.ends_with("/documents/contract.pdf"));
    let path = "/documents/contract.pdf";
    let anonymous = app.get(path).await;
    assert_eq!(anonymous.status(), 404);
    let response = app
        .http
        .get(app.url(path))
        .bearer_auth(&demo)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.bytes().await.unwrap();
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("the PDF's text");
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(me["contract"]["number"].as_str().unwrap()),
        "{flat}"
    );
    assert!(flat.contains("Стоимость расторжения сегодня"));
    let total = me["contract"]["exitCost"]["total"]["amount"]
        .as_str()
        .unwrap();
    assert!(flat.contains(&format!("Итого: {total} руб.")), "{flat}");
    assert!(flat.contains("компенсация за оборудование"));
    assert!(flat.contains("остаток рассрочки"));

    let theirs = app
        .http
        .get(app.url(path))
        .bearer_auth(&demo2)
        .send()
        .await
        .unwrap();
    let theirs = pdf_extract::extract_text_from_mem(&theirs.bytes().await.unwrap()).unwrap();
    assert!(!theirs.contains(me["number"].as_str().unwrap()));
}
