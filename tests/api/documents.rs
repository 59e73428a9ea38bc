//! Documents: the payment slip (the PDF holds the account number and the sum,
//! its QR code decodes to exactly `qrPayload`, GOST R 56042-2014) and the
//! monthly statement (it adds up to the kopeck); only the owner opens either.

use serde_json::json;

use crate::common::{TestApp, data};

const CREATE: &str = "mutation ($i: CreatePaymentReceiptInput!) { createPaymentReceipt(input: $i) { \
    receipt { id url qrPayload amount { amount } } userErrors { field code } } }";

async fn pdf(app: &TestApp, token: Option<&str>, url: &str) -> (u16, Vec<u8>) {
    let path = &url[url.find("/documents/").expect("a document URL")..];
    let mut request = app.http.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// The QR image embedded in the PDF, decoded.
fn decode_qr(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).expect("a PDF lopdf reads");
    for object in document.objects.values() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        let is_image = stream
            .dict
            .get(b"Subtype")
            .and_then(|s| s.as_name())
            .is_ok_and(|name| name == b"Image");
        if !is_image {
            continue;
        }
        let width = stream.dict.get(b"Width").and_then(|w| w.as_i64()).unwrap() as usize;
        let height = stream.dict.get(b"Height").and_then(|h| h.as_i64()).unwrap() as usize;
        let pixels = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        assert_eq!(pixels.len(), width * height, "one grey byte per pixel");
        // Eight screen pixels per module, as a phone camera would see it.
        let scale = 8;
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(width * scale, height * scale, |x, y| {
                pixels[(y / scale) * width + x / scale]
            });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code");
        let (_, content) = grids[0].decode().expect("the QR code decodes");
        return content;
    }
    panic!("no image in the PDF");
}

#[tokio::test]
async fn a_slip_has_the_account_the_sum_and_a_qr_code_that_decodes_to_its_payload() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let body = app
        .graphql_as(
            Some(&token),
            CREATE,
            json!({ "i": { "amount": "1234.50" } }),
        )
        .await;
    let receipt = data(&body)["createPaymentReceipt"]["receipt"].clone();
    let payload = receipt["qrPayload"].as_str().unwrap().to_owned();
    assert!(payload.starts_with(
        "ST00012|Name=ООО «Кабинет Телеком» (демо)|PersonalAcc=40702810900000000001|BankName=ПАО Сбербанк|BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7700000000|KPP=770001001|Purpose="
    ), "{payload}");
    assert!(
        payload.ends_with("|PersAcc=100000000001|Sum=123450"),
        "{payload}"
    );
    assert!(receipt["url"].as_str().unwrap().ends_with(".pdf"));

    let (status, bytes) = pdf(&app, Some(&token), receipt["url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("the PDF's text");
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("100000000001"), "{flat}");
    assert!(flat.contains("1234.50"), "{flat}");
    assert!(
        flat.contains("ИЗВЕЩЕНИЕ") && flat.contains("КВИТАНЦИЯ"),
        "{flat}"
    );
    assert!(flat.contains("БИК 044525225"), "{flat}");
    assert_eq!(decode_qr(&bytes), payload);
}

#[tokio::test]
async fn only_the_owner_opens_a_slip_and_the_sum_has_limits() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let other = app.login("demo2", "demo12345").await;
    let body = app
        .graphql_as(Some(&token), CREATE, json!({ "i": { "amount": "500" } }))
        .await;
    let url = data(&body)["createPaymentReceipt"]["receipt"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(pdf(&app, Some(&other), &url).await.0, 404);
    assert_eq!(pdf(&app, None, &url).await.0, 404);
    assert_eq!(pdf(&app, Some("not-a-token"), &url).await.0, 404);
    assert_eq!(
        pdf(&app, Some(&token), &url.replace(".pdf", "")).await.0,
        404
    );
    assert_eq!(pdf(&app, Some(&token), &url).await.0, 200);

    for (sum, code) in [
        ("0.50", "AMOUNT_TOO_SMALL"),
        ("100000.01", "AMOUNT_TOO_LARGE"),
    ] {
        let body = app
            .graphql_as(Some(&token), CREATE, json!({ "i": { "amount": sum } }))
            .await;
        let payload = &data(&body)["createPaymentReceipt"];
        assert!(payload["receipt"].is_null());
        assert_eq!(payload["userErrors"][0]["code"], code);
    }
}

const STATEMENT: &str = "query ($m: String!) { me { balance { amount } statement(month: $m) { month \
    openingBalance { amount } credits { amount } debits { amount } closingBalance { amount } url \
    lines { day kind description amount { amount } entries } } \
    transactions(from: \"2026-11-01\", to: \"2026-11-30\", first: 1) { totalCount } } }";

fn kopecks(value: &serde_json::Value) -> i64 {
    let text = value["amount"].as_str().unwrap();
    let negative = text.starts_with('-');
    let digits: i64 = text
        .trim_start_matches('-')
        .replace('.', "")
        .parse()
        .unwrap();
    if negative { -digits } else { digits }
}

#[tokio::test]
async fn a_statement_adds_up_to_the_kopeck_and_is_the_owners_alone() {
    let app = TestApp::spawn().await;
    let token = app.login("demo", "demo12345").await;
    let body = app
        .graphql_as(Some(&token), STATEMENT, json!({ "m": "2026-11" }))
        .await;
    let me = data(&body)["me"].clone();
    let statement = &me["statement"];
    assert_eq!(statement["month"], "2026-11");
    let lines = statement["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    let sum: i64 = lines.iter().map(|l| kopecks(&l["amount"])).sum();
    let opening = kopecks(&statement["openingBalance"]);
    let closing = kopecks(&statement["closingBalance"]);
    assert_eq!(opening + sum, closing, "opening + lines = closing");
    assert_eq!(
        kopecks(&statement["credits"]) + kopecks(&statement["debits"]),
        sum
    );
    // The month's entries are all there (charges summed per service).
    let entries: i64 = lines.iter().map(|l| l["entries"].as_i64().unwrap()).sum();
    assert_eq!(entries, me["transactions"]["totalCount"].as_i64().unwrap());
    // The current month closes at today's balance.
    assert_eq!(closing, kopecks(&me["balance"]));

    let url = statement["url"].as_str().unwrap().to_owned();
    let (status, bytes) = pdf(&app, Some(&token), &url).await;
    assert_eq!(status, 200);
    let text = pdf_extract::extract_text_from_mem(&bytes).expect("the PDF's text");
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("100000000001"), "{flat}");
    assert!(flat.contains("ноябрь 2026"), "{flat}");
    assert!(
        flat.contains(&format!(
            "Баланс на конец месяца: {} руб.",
            statement["closingBalance"]["amount"].as_str().unwrap()
        )),
        "{flat}"
    );
    assert!(
        flat.contains(&format!(
            "Баланс на начало месяца: {} руб.",
            statement["openingBalance"]["amount"].as_str().unwrap()
        )),
        "{flat}"
    );

    let other = app.login("demo2", "demo12345").await;
    assert_eq!(
        pdf(&app, Some(&other), &url).await.0,
        200,
        "demo2 gets its own"
    );
    let own = pdf(&app, Some(&other), &url).await.1;
    let own_text = pdf_extract::extract_text_from_mem(&own).unwrap();
    assert!(own_text.contains("100000000002") && !own_text.contains("100000000001"));
    assert_eq!(pdf(&app, None, &url).await.0, 404);
    assert_eq!(
        pdf(&app, Some(&token), &url.replace("2026-11", "2027-01"))
            .await
            .0,
        404
    );
    let future = app
        .graphql_as(Some(&token), STATEMENT, json!({ "m": "2027-01" }))
        .await;
    assert_eq!(crate::common::error_codes(&future), ["BAD_USER_INPUT"]);
    let malformed = app
        .graphql_as(Some(&token), STATEMENT, json!({ "m": "ноябрь" }))
        .await;
    assert_eq!(crate::common::error_codes(&malformed), ["BAD_USER_INPUT"]);
}
