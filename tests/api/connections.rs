//! New connections end to end: the coverage check as people type addresses,
//! applications (limits, following one by number and phone), the operators'
//! status changes (only the allowed ones), connecting (the account opens, the
//! referring friend's points come once) and the coverage import (atomic, with
//! its line), over GraphQL and from the command line.

use serde_json::{Value, json};

use crate::common::{TestApp, credentials_in, data, error_codes};
use crate::money::staff_token;

const CHECK: &str = "query ($a: AddressInput!) { connectionAvailability(address: $a) { \
    available street house entrance technologies tariffs { id code name } suggestions message } }";

const SUBMIT: &str = "mutation ($i: SubmitConnectionApplicationInput!) { submitConnectionApplication(input: $i) { \
    application { number status address installationDate name phone tariff { id code } referred accountNumber } \
    suggestions userErrors { field code message } } }";

const FOLLOW: &str = "query ($n: String!, $p: String!) { connectionApplication(number: $n, phone: $p) { \
    number status installationDate accountNumber } }";

const SET_STATUS: &str = "mutation ($i: SetConnectionApplicationStatusInput!) { staff { \
    setConnectionApplicationStatus(input: $i) { application { status installationDate } userErrors { field code } } } }";

const CONNECT: &str = "mutation ($n: String!) { staff { markApplicationConnected(input: {number: $n}) { \
    application { status accountNumber } referralPoints userErrors { code } } } }";

async fn check(app: &TestApp, street: &str, house: &str, entrance: Option<i32>) -> Value {
    let body = app
        .graphql(
            CHECK,
            json!({ "a": { "street": street, "house": house, "entrance": entrance } }),
        )
        .await;
    data(&body)["connectionAvailability"].clone()
}

fn tariff_ids(found: &Value) -> Vec<String> {
    found["tariffs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["code"].as_str().unwrap().to_owned())
        .collect()
}

fn application(street: &str, house: &str, tariff: &str, phone: &str) -> Value {
    json!({ "i": { "address": { "street": street, "house": house }, "tariffId": tariff,
        "name": "Петров Пётр", "phone": phone } })
}

async fn submit(app: &TestApp, variables: Value) -> Value {
    let body = app.graphql(SUBMIT, variables).await;
    data(&body)["submitConnectionApplication"].clone()
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
async fn the_coverage_check_understands_addresses_as_people_type_them() {
    let app = TestApp::spawn().await;
    let found = check(&app, "Ленинский пр-т", "10", None).await;
    assert_eq!(found["available"], true, "{found}");
    assert_eq!(found["street"], "Ленинский проспект");
    assert_eq!(found["technologies"], json!(["GPON"]));
    assert!(tariff_ids(&found).contains(&"internet-1000".to_owned()));
    for (street, house) in [
        ("проспект Ленинский", "10"),
        ("ленинский просп.", "д. 10"),
        ("ЛЕНИНСКИЙ ПРОСПЕКТ", "дом 10"),
    ] {
        let same = check(&app, street, house, None).await;
        assert_eq!(same["available"], true, "{street} {house}");
        assert_eq!(same["street"], "Ленинский проспект");
    }
    // ё = е, a корпус however written.
    assert_eq!(
        check(&app, "Планёрная ул.", "12 корп. 2", None).await["available"],
        true
    );
    assert_eq!(
        check(&app, "улица Планерная", "12к2", None).await["house"],
        "12к2"
    );
    // FTTB houses offer up to 500 Mbit/s.
    let tverskaya = check(&app, "ул. Тверская", "4", None).await;
    assert_eq!(tverskaya["technologies"], json!(["FTTB"]));
    assert!(!tariff_ids(&tverskaya).contains(&"internet-1000".to_owned()));
    // A house of a known street that is not connected.
    let far = check(&app, "Ленинский проспект", "95", None).await;
    assert_eq!(far["available"], false);
    assert_eq!(far["street"], "Ленинский проспект");
    assert_eq!(far["tariffs"], json!([]));
    // Entrances: only two of this house are wired.
    assert_eq!(
        check(&app, "улица Вавилова", "5", Some(1)).await["available"],
        true
    );
    assert_eq!(
        check(&app, "улица Вавилова", "5", Some(3)).await["available"],
        false
    );
    assert_eq!(
        check(&app, "улица Вавилова", "5", None).await["available"],
        true
    );
    // A typo: suggestions.
    let typo = check(&app, "Ленинскй проспект", "10", None).await;
    assert_eq!(typo["available"], false);
    assert!(typo["street"].is_null());
    assert!(
        typo["suggestions"]
            .as_array()
            .unwrap()
            .contains(&json!("Ленинский проспект")),
        "{typo}"
    );
    // Nonsense is a bad input, not a crash.
    let body = app
        .graphql(CHECK, json!({ "a": { "street": "улица", "house": "5" } }))
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
    let body = app
        .graphql(
            CHECK,
            json!({ "a": { "street": "Тверская", "house": "корпус" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn an_application_is_followed_by_its_number_and_phone_only() {
    let app = TestApp::spawn().await;
    let made = submit(
        &app,
        application("Тверская улица", "7", "internet-500", "+7 (916) 123-45-67"),
    )
    .await;
    assert_eq!(made["userErrors"], json!([]));
    let a = &made["application"];
    let number = a["number"].as_str().unwrap().to_owned();
    assert_eq!(number.len(), 8);
    assert_eq!(a["status"], "NEW");
    assert_eq!(a["address"], "Тверская улица, д. 7");
    assert_eq!(a["tariff"]["code"], "internet-500");
    // The test clock stands on Wednesday 25 November: Thursday is proposed.
    assert_eq!(a["installationDate"], "2026-11-26");
    assert_eq!(
        a["phone"], "+7 916 ***-**-67",
        "masked for anyone but staff"
    );

    let body = app
        .graphql(FOLLOW, json!({ "n": number, "p": "89161234567" }))
        .await;
    assert_eq!(data(&body)["connectionApplication"]["status"], "NEW");
    let body = app
        .graphql(FOLLOW, json!({ "n": number, "p": "+79160000000" }))
        .await;
    assert!(
        data(&body)["connectionApplication"].is_null(),
        "wrong phone"
    );
    let body = app
        .graphql(FOLLOW, json!({ "n": "00000000", "p": "+79161234567" }))
        .await;
    assert!(data(&body)["connectionApplication"].is_null());
}

#[tokio::test]
async fn applications_for_what_cannot_be_connected_are_refused_with_reasons() {
    let app = TestApp::spawn().await;
    let phone = "+79161112233";
    let cases = [
        (
            application("Ленинский проспект", "95", "internet-500", phone),
            "NOT_COVERED",
        ),
        (
            application("Тверская улица", "4", "internet-1000", phone),
            "NOT_OFFERED",
        ),
        (
            application("Тверская улица", "4", "no-such-tariff", phone),
            "NOT_FOUND",
        ),
        (
            application("Тверская улица", "4", "internet-500", "12345"),
            "INVALID_VALUE",
        ),
    ];
    for (variables, code) in cases {
        let refused = submit(&app, variables).await;
        assert_eq!(codes(&refused), [code], "{refused}");
        assert!(refused["application"].is_null());
    }
    let mut nameless = application("Тверская улица", "4", "internet-500", phone);
    nameless["i"]["name"] = json!("  ");
    let refused = submit(&app, nameless).await;
    assert_eq!(codes(&refused), ["REQUIRED"]);
    assert_eq!(refused["userErrors"][0]["field"], json!(["input", "name"]));
    let typo = submit(
        &app,
        application("Ленинскй проспект", "10", "internet-500", "+79161112234"),
    )
    .await;
    assert_eq!(codes(&typo), ["NOT_COVERED"]);
    assert!(
        typo["suggestions"]
            .as_array()
            .unwrap()
            .contains(&json!("Ленинский проспект"))
    );
}

#[tokio::test]
async fn applications_are_limited_per_phone() {
    let app = TestApp::spawn().await;
    for house in ["1", "2", "4"] {
        let made = submit(
            &app,
            application("Тверская улица", house, "internet-200", "+79163334455"),
        )
        .await;
        assert_eq!(made["userErrors"], json!([]));
    }
    let body = app
        .graphql(
            SUBMIT,
            application("Тверская улица", "5", "internet-200", "+79163334455"),
        )
        .await;
    assert_eq!(error_codes(&body), ["RATE_LIMITED"]);
    assert!(body["errors"][0]["extensions"]["retryAt"].is_string());
}

async fn staff_set(
    app: &TestApp,
    staff: &str,
    number: &str,
    status: &str,
    date: Option<&str>,
) -> Value {
    let body = app
        .graphql_as(
            Some(staff),
            SET_STATUS,
            json!({ "i": { "number": number, "status": status, "installationDate": date } }),
        )
        .await;
    data(&body)["staff"]["setConnectionApplicationStatus"].clone()
}

#[tokio::test]
async fn operators_move_applications_only_along_the_allowed_transitions() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let made = submit(
        &app,
        application("Тверская улица", "8", "internet-500", "+79165550011"),
    )
    .await;
    let number = made["application"]["number"].as_str().unwrap().to_owned();

    assert_eq!(
        codes(&staff_set(&app, &staff, &number, "SCHEDULED", None).await),
        ["INVALID_TRANSITION"]
    );
    assert_eq!(
        codes(&staff_set(&app, &staff, &number, "CONNECTED", None).await),
        ["INVALID_TRANSITION"]
    );
    let contacted = staff_set(&app, &staff, &number, "CONTACTED", None).await;
    assert_eq!(contacted["application"]["status"], "CONTACTED");
    let past = staff_set(&app, &staff, &number, "SCHEDULED", Some("2026-11-01")).await;
    assert_eq!(codes(&past), ["INVALID_VALUE"]);
    let scheduled = staff_set(&app, &staff, &number, "SCHEDULED", Some("2026-11-28")).await;
    assert_eq!(scheduled["application"]["status"], "SCHEDULED");
    assert_eq!(scheduled["application"]["installationDate"], "2026-11-28");
    assert_eq!(
        staff_set(&app, &staff, &number, "CONTACTED", None).await["userErrors"],
        json!([])
    );
    assert_eq!(
        staff_set(&app, &staff, &number, "CANCELED", None).await["userErrors"],
        json!([])
    );
    for to in ["NEW", "CONTACTED", "SCHEDULED", "CANCELED"] {
        assert_eq!(
            codes(&staff_set(&app, &staff, &number, to, None).await),
            ["INVALID_TRANSITION"],
            "{to}"
        );
    }
    let body = app
        .graphql_as(Some(&staff), CONNECT, json!({ "n": number }))
        .await;
    assert_eq!(
        codes(&data(&body)["staff"]["markApplicationConnected"]),
        ["INVALID_TRANSITION"],
        "a cancelled application is not connected"
    );
    assert_eq!(
        codes(&staff_set(&app, &staff, "12345678", "CONTACTED", None).await),
        ["NOT_FOUND"]
    );

    // The list, by status, for operators only.
    let list = "query ($s: ConnectionApplicationStatus) { staff { connectionApplications(status: $s, first: 10) { totalCount nodes { number phone } } } }";
    let body = app
        .graphql_as(Some(&staff), list, json!({ "s": "CANCELED" }))
        .await;
    let page = &data(&body)["staff"]["connectionApplications"];
    assert_eq!(page["totalCount"], 1);
    assert_eq!(
        page["nodes"][0]["phone"], "+79165550011",
        "operators see the phone in full"
    );
    let body = app
        .graphql_as(Some(&staff), list, json!({ "s": "NEW" }))
        .await;
    assert_eq!(
        data(&body)["staff"]["connectionApplications"]["totalCount"],
        0
    );
    let token = app.login("demo", "demo12345").await;
    let body = app.graphql_as(Some(&token), list, json!({})).await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    let body = app
        .graphql_as(
            Some(&token),
            SET_STATUS,
            json!({ "i": { "number": number, "status": "CONTACTED" } }),
        )
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
}

#[tokio::test]
async fn connecting_opens_the_account_and_gives_the_friend_points_once() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let friend = app.login("demo", "demo12345").await;
    let body = app
        .graphql_as(
            Some(&friend),
            "mutation { enrollInBonusProgram { bonus { referralCode } } }",
            json!({}),
        )
        .await;
    let code = data(&body)["enrollInBonusProgram"]["bonus"]["referralCode"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut unknown = application("Профсоюзная улица", "14", "internet-1000", "+79167778899");
    unknown["i"]["referralCode"] = json!("NOSUCHCODE");
    assert_eq!(codes(&submit(&app, unknown).await), ["INVALID_VALUE"]);

    let mut referred = application("Профсоюзная улица", "14", "internet-1000", "+79167778899");
    referred["i"]["referralCode"] = json!(code.to_lowercase());
    let made = submit(&app, referred).await;
    assert_eq!(made["userErrors"], json!([]));
    assert_eq!(made["application"]["referred"], true);
    let number = made["application"]["number"].as_str().unwrap().to_owned();

    let body = app
        .graphql_as(Some(&staff), CONNECT, json!({ "n": number }))
        .await;
    let connected = &data(&body)["staff"]["markApplicationConnected"];
    assert_eq!(connected["userErrors"], json!([]));
    assert_eq!(connected["application"]["status"], "CONNECTED");
    assert_eq!(connected["referralPoints"], 300);
    let account = connected["application"]["accountNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(account.len(), 12);

    // Again: refused, and no second points.
    let body = app
        .graphql_as(Some(&staff), CONNECT, json!({ "n": number }))
        .await;
    assert_eq!(
        codes(&data(&body)["staff"]["markApplicationConnected"]),
        ["INVALID_TRANSITION"]
    );
    let body = app
        .graphql_as(
            Some(&friend),
            "{ me { bonus { points history(first: 10) { nodes { reason points } } } } }",
            json!({}),
        )
        .await;
    let bonus = &data(&body)["me"]["bonus"];
    assert_eq!(bonus["points"], 100 + 300);
    let referrals: Vec<&Value> = bonus["history"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["reason"] == "REFERRAL")
        .collect();
    assert_eq!(referrals.len(), 1);

    // The applicant follows it to the account number and signs up with it.
    let body = app
        .graphql(FOLLOW, json!({ "n": number, "p": "+79167778899" }))
        .await;
    assert_eq!(
        data(&body)["connectionApplication"]["accountNumber"],
        account
    );
    let sent = app.sms_messages().len();
    let body = app
        .graphql(
            "mutation ($i: RequestCredentialsInput!) { requestCredentials(input: $i) { accepted } }",
            json!({ "i": { "accountNumber": account, "phone": "+79167778899", "acceptRules": true } }),
        )
        .await;
    data(&body);
    let messages = app.wait_for_sms(sent + 1).await;
    let (login, password) = credentials_in(&messages[sent]);
    let token = app.login(&login, &password).await;
    let body = app
        .graphql_as(
            Some(&token),
            "{ me { number holderName tariff { id code } address } }",
            json!({}),
        )
        .await;
    let me = &data(&body)["me"];
    assert_eq!(me["number"], account);
    assert_eq!(me["holderName"], "Петров Пётр");
    assert_eq!(me["tariff"]["code"], "internet-1000");
    assert!(
        me["address"]
            .as_str()
            .unwrap()
            .contains("Профсоюзная улица, д. 14")
    );
}

const IMPORT: &str = "mutation ($csv: String!) { staff { importCoverage(input: {csv: $csv}) { \
    report { streets addresses } userErrors { field code message } } } }";

#[tokio::test]
async fn a_coverage_import_replaces_the_list_or_changes_nothing() {
    let app = TestApp::spawn().await;
    let staff = staff_token(&app).await;
    let broken = "street,house,entrance,technologies,tariffs\n\
                  Новая улица,1,,gpon,internet-200\n\
                  Новая улица,2,,dsl,internet-200\n";
    let body = app
        .graphql_as(Some(&staff), IMPORT, json!({ "csv": broken }))
        .await;
    let refused = &data(&body)["staff"]["importCoverage"];
    assert!(refused["report"].is_null());
    let message = refused["userErrors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("Строка 3") && message.contains("dsl"),
        "{message}"
    );
    assert_eq!(
        check(&app, "Ленинский проспект", "10", None).await["available"],
        true,
        "unchanged"
    );
    assert_eq!(
        check(&app, "Новая улица", "1", None).await["available"],
        false
    );

    let good = "street,house,entrance,technologies,tariffs\n\
                Новая улица,1,,gpon,internet-200;internet-1000\n\
                Новая улица,2к1,3,fttb,internet-200\n\
                \"Академика Королёва улица\",12,,fttb,internet-500\n";
    let body = app
        .graphql_as(Some(&staff), IMPORT, json!({ "csv": good }))
        .await;
    let report = &data(&body)["staff"]["importCoverage"]["report"];
    assert_eq!(report, &json!({ "streets": 2, "addresses": 3 }));
    assert_eq!(check(&app, "ул. Новая", "1", None).await["available"], true);
    assert_eq!(
        check(&app, "Новая", "2 корп 1", Some(3)).await["available"],
        true
    );
    assert_eq!(
        check(&app, "улица Академика Королева", "12", None).await["available"],
        true
    );
    assert_eq!(
        check(&app, "Ленинский проспект", "10", None).await["available"],
        false,
        "replaced"
    );

    let token = app.login("demo", "demo12345").await;
    let body = app
        .graphql_as(Some(&token), IMPORT, json!({ "csv": good }))
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
}

#[tokio::test]
async fn the_cli_imports_a_coverage_file_and_refuses_a_broken_one_with_its_line() {
    // The CLI works on a database no server has open (the way an operator
    // runs it on the embedded SQLite); a server then shows what it wrote.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    let app = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    drop(app);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let run = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_kabinet"))
            .arg("import-coverage")
            .arg(&path)
            .env("KABINET_DATABASE_URL", &url)
            .env("RUST_LOG", "info")
            .output()
            .unwrap()
    };
    let broken = run(
        "broken.csv",
        "street,house,entrance,technologies,tariffs\nТестовая улица,1,,gpon,internet-200\nТестовая улица,2,150,gpon,internet-200\n",
    );
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");
    let app = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    assert_eq!(
        check(&app, "Тестовая ул.", "1", None).await["available"],
        false,
        "nothing of the broken file"
    );
    assert_eq!(
        check(&app, "Ленинский проспект", "10", None).await["available"],
        true,
        "the list as it was"
    );
    drop(app);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let good = run(
        "good.csv",
        "street,house,entrance,technologies,tariffs\nТестовая улица,1,,gpon,internet-200\n",
    );
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(String::from_utf8_lossy(&good.stderr).contains("coverage imported"));

    let app = TestApp::spawn_with(|s| s.database_url = url.clone()).await;
    assert_eq!(
        check(&app, "Тестовая ул.", "1", None).await["available"],
        true
    );
    assert_eq!(
        check(&app, "Ленинский проспект", "10", None).await["available"],
        false,
        "the list was replaced"
    );
}

/// A fresh application brought to `status` the way operators do; each on a
/// house and phone of its own (the limits are per house and phone).
async fn application_in(app: &TestApp, staff: &str, n: usize, status: &str) -> String {
    let houses = [
        "1", "2", "4", "5", "7", "8", "10", "11", "13", "14", "16", "17",
    ];
    let house = houses[n % houses.len()];
    let phone = format!("+7916{:07}", 7_000_000 + n);
    let made = submit(
        app,
        application("Профсоюзная улица", house, "internet-200", &phone),
    )
    .await;
    assert_eq!(made["userErrors"], json!([]), "{made}");
    let number = made["application"]["number"].as_str().unwrap().to_owned();
    let path: &[&str] = match status {
        "NEW" | "CONNECTED" => &[],
        "CONTACTED" => &["CONTACTED"],
        "SCHEDULED" => &["CONTACTED", "SCHEDULED"],
        "CANCELED" => &["CANCELED"],
        other => panic!("{other}"),
    };
    for step in path {
        let moved = staff_set(app, staff, &number, step, None).await;
        assert_eq!(moved["userErrors"], json!([]), "to {step}: {moved}");
    }
    if status == "CONNECTED" {
        let body = app
            .graphql_as(Some(staff), CONNECT, json!({ "n": number }))
            .await;
        assert_eq!(
            data(&body)["staff"]["markApplicationConnected"]["userErrors"],
            json!([])
        );
    }
    number
}

#[tokio::test]
async fn every_application_transition_is_allowed_or_refused_as_the_rules_say() {
    let app = TestApp::spawn_with(|s| s.session_ttl_hours = 24 * 10).await;
    let staff = staff_token(&app).await;
    let statuses = ["NEW", "CONTACTED", "SCHEDULED", "CONNECTED", "CANCELED"];
    let allowed = [
        ("NEW", "CONTACTED"),
        ("NEW", "CANCELED"),
        ("CONTACTED", "SCHEDULED"),
        ("CONTACTED", "CANCELED"),
        ("SCHEDULED", "CONTACTED"),
        ("SCHEDULED", "CANCELED"),
    ];
    // Connecting is its own mutation, allowed from every open status.
    let connectable = ["NEW", "CONTACTED", "SCHEDULED"];
    let mut n = 0;
    for from in statuses {
        for to in statuses {
            if from == to {
                continue;
            }
            // Ten applications an hour from one client address: let the clock run.
            if n % 9 == 8 {
                app.clock.advance(chrono::Duration::hours(1));
            }
            n += 1;
            let number = application_in(&app, &staff, n, from).await;
            if to == "CONNECTED" {
                let body = app
                    .graphql_as(Some(&staff), CONNECT, json!({ "n": number }))
                    .await;
                let payload = &data(&body)["staff"]["markApplicationConnected"];
                if connectable.contains(&from) {
                    assert_eq!(payload["userErrors"], json!([]), "{from} → {to}");
                    assert_eq!(payload["application"]["status"], "CONNECTED");
                } else {
                    assert_eq!(codes(payload), ["INVALID_TRANSITION"], "{from} → {to}");
                }
                continue;
            }
            let moved = staff_set(&app, &staff, &number, to, None).await;
            if allowed.contains(&(from, to)) {
                assert_eq!(moved["userErrors"], json!([]), "{from} → {to}");
                assert_eq!(moved["application"]["status"], to);
            } else {
                assert_eq!(codes(&moved), ["INVALID_TRANSITION"], "{from} → {to}");
            }
        }
    }
}
