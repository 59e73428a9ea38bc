//! Antivirus bought outright or in instalments (shared/DOMAIN.md, "Services
//! and tariffs"): products with their price and instalment terms, a licence
//! key, instalments that add up to the price charged once each when due, and
//! shown in the monthly cost and the cost of leaving until paid.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

use crate::common::{TestApp, data};
use crate::services::{codes, kopecks};

async fn purchase(app: &TestApp, token: &str, product: &str, months: i32) -> Value {
    let body = app
        .graphql_as(
            Some(token),
            "mutation ($i: PurchaseAntivirusInput!) { purchaseAntivirus(input: $i) {
               subscription { id name licenceKey startsOn endsOn }
               instalments { number of dueOn amount { amount } charged }
               userErrors { field code message } } }",
            json!({ "i": { "productId": product, "instalmentMonths": months } }),
        )
        .await;
    data(&body)["purchaseAntivirus"].clone()
}

fn moscow(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 1).unwrap() - chrono::Duration::hours(3)
}

async fn instalment_entries(app: &TestApp, token: &str) -> Vec<(String, i64)> {
    let body = app
        .graphql_as(
            Some(token),
            "{ me { transactions(kinds: [INSTALMENT], first: 100) { nodes { day amount { amount } description } } } }",
            json!({}),
        )
        .await;
    data(&body)["me"]["transactions"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["description"].as_str().unwrap().contains("Dr.Web"))
        .map(|n| (n["day"].as_str().unwrap().to_owned(), kopecks(&n["amount"])))
        .collect()
}

#[tokio::test]
async fn products_show_their_price_and_instalment_terms() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            "{ serviceCatalog(kind: ANTIVIRUS) { id code purchasePrice { amount } instalmentMonths monthlyFee { amount } } }",
            json!({}),
        )
        .await;
    let products = data(&body)["serviceCatalog"].as_array().unwrap().clone();
    let kaspersky = products
        .iter()
        .find(|p| p["code"] == "kaspersky-plus-1y")
        .unwrap();
    assert_eq!(kaspersky["purchasePrice"]["amount"], "2990.00");
    assert_eq!(kaspersky["instalmentMonths"], json!([1, 3, 6, 12]));
    let monthly = products.iter().find(|p| p["code"] == "antivirus").unwrap();
    assert_eq!(monthly["purchasePrice"], Value::Null);
    assert_eq!(monthly["instalmentMonths"], Value::Null);
}

#[tokio::test]
async fn instalments_add_up_to_the_price_and_are_charged_once_each_when_due() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let bought = purchase(&app, &demo, "drweb-1y", 3).await;
    assert_eq!(codes(&bought), Vec::<String>::new(), "{bought}");
    let key = bought["subscription"]["licenceKey"].as_str().unwrap();
    assert_eq!(key.len(), 29);
    assert_eq!(bought["subscription"]["endsOn"], "2027-11-24");
    // 1 990 ₽ in three: the odd kopeck in the first.
    assert_eq!(
        bought["instalments"],
        json!([
            { "number": 1, "of": 3, "dueOn": "2026-11-25", "amount": { "amount": "663.34" }, "charged": true },
            { "number": 2, "of": 3, "dueOn": "2026-12-25", "amount": { "amount": "663.33" }, "charged": false },
            { "number": 3, "of": 3, "dueOn": "2027-01-25", "amount": { "amount": "663.33" }, "charged": false },
        ])
    );
    assert_eq!(
        instalment_entries(&app, &demo).await,
        [("2026-11-25".to_owned(), -66_334)]
    );

    // The monthly cost and the cost of leaving show what is left.
    let body = app
        .graphql_as(
            Some(&demo),
            "{ me { subscriptions { licenceKey } monthlyCost { instalments { name next { number dueOn amount { amount } } paymentsLeft leftToPay { amount } } }
               contract { exitCost { lines { kind what amount { amount } fullAmount { amount } waived until } } } } }",
            json!({}),
        )
        .await;
    let me = &data(&body)["me"];
    assert!(
        me["subscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["licenceKey"] == key)
    );
    assert_eq!(
        me["monthlyCost"]["instalments"],
        json!([{ "name": "Dr.Web Security Space на год", "next": { "number": 2, "dueOn": "2026-12-25", "amount": { "amount": "663.33" } },
                 "paymentsLeft": 2, "leftToPay": { "amount": "1326.66" } }])
    );
    let line = me["contract"]["exitCost"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["what"].as_str().unwrap().contains("Dr.Web"))
        .unwrap()
        .clone();
    assert_eq!(line["kind"], "INSTALMENTS");
    assert_eq!(line["fullAmount"]["amount"], "1326.66");
    assert_eq!(line["waived"], true, "bought today: in its trial period");
    assert_eq!(line["until"], "2027-01-25");

    // A month on, the second; two months on, the third; each once.
    app.clock.set(moscow(2026, 12, 25, 0));
    let demo = app.login("demo", "demo12345").await;
    let mut entries = Vec::new();
    for _ in 0..400 {
        entries = instalment_entries(&app, &demo).await;
        if entries.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(entries.len(), 2, "{entries:?}");
    app.clock.set(moscow(2027, 1, 25, 0));
    let demo = app.login("demo", "demo12345").await;
    for _ in 0..400 {
        entries = instalment_entries(&app, &demo).await;
        if entries.len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let entries = instalment_entries(&app, &demo).await;
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(
        entries.iter().map(|(_, a)| a).sum::<i64>(),
        -199_000,
        "exactly the price"
    );
    let body = app
        .graphql_as(
            Some(&demo),
            "{ me { monthlyCost { instalments { paymentsLeft } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&body)["me"]["monthlyCost"]["instalments"], json!([]));
}

#[tokio::test]
async fn a_purchase_has_its_rules() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let wrong = purchase(&app, &demo, "kaspersky-plus-1y", 5).await;
    assert_eq!(codes(&wrong), ["INVALID_VALUE"]);
    assert_eq!(
        wrong["userErrors"][0]["field"],
        json!(["input", "instalmentMonths"])
    );
    assert!(
        wrong["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1, 3, 6, 12")
    );
    assert_eq!(
        codes(&purchase(&app, &demo, "antivirus", 1).await),
        ["NOT_FOUND"]
    );
    assert_eq!(
        codes(&purchase(&app, &demo, "internet-1000", 1).await),
        ["NOT_FOUND"]
    );
    assert_eq!(
        codes(&purchase(&app, &demo, "kaspersky-plus-1y", -1).await),
        ["INVALID_VALUE"]
    );
    // Paid at once: the whole price now.
    let staff = crate::money::staff_token(&app).await;
    crate::money::adjust(&app, &staff, "100000000001", "3000.00").await;
    let once = purchase(&app, &demo, "kaspersky-plus-1y", 1).await;
    assert_eq!(codes(&once), Vec::<String>::new(), "{once}");
    assert_eq!(once["instalments"][0]["amount"]["amount"], "2990.00");
    assert_eq!(
        codes(&purchase(&app, &demo, "kaspersky-plus-1y", 12).await),
        ["ALREADY_CONNECTED"]
    );
    // Not through connectService.
    let body = app
        .graphql_as(
            Some(&demo),
            "mutation { connectService(input: {serviceId: \"drweb-1y\", expectedMonthlyTotal: \"0.00\"}) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["connectService"]["userErrors"][0]["code"],
        "NOT_CONNECTABLE"
    );
    // The first instalment must be covered.
    let poor = purchase(&app, &demo2, "drweb-1y", 6).await;
    assert_eq!(codes(&poor), ["INSUFFICIENT_FUNDS"]);
    let body = app
        .graphql_as(Some(&demo2), "{ me { subscriptions { name } } }", json!({}))
        .await;
    assert!(
        !data(&body)["me"]["subscriptions"]
            .to_string()
            .contains("Dr.Web")
    );
}
