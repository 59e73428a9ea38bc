//! The committed schema follows the code, and documents itself completely.

use serde_json::json;

use crate::common::{TestApp, data};

#[test]
fn schema_graphql_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = kabinet::graphql::sdl();
    assert!(
        committed == generated,
        "schema.graphql is stale; regenerate it with:\n    cargo run -q -- print-schema > schema.graphql"
    );
}

const DESCRIPTIONS: &str = r#"{
  __schema {
    types {
      name kind description
      fields(includeDeprecated: true) { name description args { name description } }
      inputFields { name description }
      enumValues(includeDeprecated: true) { name description }
    }
  }
}"#;

fn missing(description: &serde_json::Value) -> bool {
    description.as_str().is_none_or(|d| d.trim().is_empty())
}

#[tokio::test]
async fn every_type_field_argument_and_enum_value_has_a_description() {
    let app = TestApp::spawn().await;
    let body = app.graphql(DESCRIPTIONS, json!({})).await;
    let mut undocumented = Vec::new();
    for ty in data(&body)["__schema"]["types"].as_array().unwrap() {
        let name = ty["name"].as_str().unwrap();
        if name.starts_with("__") {
            continue;
        }
        if missing(&ty["description"]) {
            undocumented.push(format!("type {name}"));
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().unwrap();
            if missing(&field["description"]) {
                undocumented.push(format!("field {name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if missing(&arg["description"]) {
                    undocumented.push(format!("argument {name}.{field_name}({})", arg["name"]));
                }
            }
        }
        for input in ty["inputFields"].as_array().into_iter().flatten() {
            if missing(&input["description"]) {
                undocumented.push(format!("input field {name}.{}", input["name"]));
            }
        }
        for value in ty["enumValues"].as_array().into_iter().flatten() {
            if missing(&value["description"]) {
                undocumented.push(format!("enum value {name}.{}", value["name"]));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "undocumented:\n{}",
        undocumented.join("\n")
    );
}

/// The codes of GraphQL errors (API.md), which descriptions may quote.
const ERROR_CODES: [&str; 8] = [
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "BAD_USER_INPUT",
    "RATE_LIMITED",
    "QUERY_TOO_COMPLEX",
    "INTERNAL",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
];

/// Every name a description quotes in backticks (`changeTariff`, `TvChannel.id`,
/// `ALREADY_ACTIVE`) exists in the schema, so the docs a frontend developer
/// reads in GraphiQL never advertise what is not there.
#[tokio::test]
async fn descriptions_name_only_what_exists() {
    let app = TestApp::spawn().await;
    let body = app.graphql(DESCRIPTIONS, json!({})).await;
    let types = data(&body)["__schema"]["types"].as_array().unwrap().clone();
    let mut names = std::collections::HashSet::new();
    let mut descriptions = Vec::new();
    let mut note = |owner: String, description: &serde_json::Value| {
        if let Some(text) = description.as_str() {
            descriptions.push((owner, text.to_owned()));
        }
    };
    for ty in &types {
        let type_name = ty["name"].as_str().unwrap().to_owned();
        names.insert(type_name.clone());
        note(type_name.clone(), &ty["description"]);
        for field in ty["fields"].as_array().into_iter().flatten() {
            let name = field["name"].as_str().unwrap();
            names.insert(name.to_owned());
            note(format!("{type_name}.{name}"), &field["description"]);
            for arg in field["args"].as_array().into_iter().flatten() {
                names.insert(arg["name"].as_str().unwrap().to_owned());
                note(
                    format!("{type_name}.{name}({})", arg["name"]),
                    &arg["description"],
                );
            }
        }
        for list in ["inputFields", "enumValues"] {
            for item in ty[list].as_array().into_iter().flatten() {
                let name = item["name"].as_str().unwrap();
                names.insert(name.to_owned());
                note(format!("{type_name}.{name}"), &item["description"]);
            }
        }
    }
    let quoted =
        regex_lite::Regex::new(r"`([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)`").unwrap();
    let mut unknown = Vec::new();
    for (owner, text) in &descriptions {
        for captures in quoted.captures_iter(text) {
            let quote = &captures[1];
            // Settings, literals and the error codes of `extensions.code` are not schema names.
            let outside = quote.starts_with("KABINET_")
                || quote.starts_with("extensions.")
                || ["true", "false", "null"].contains(&quote)
                || ERROR_CODES.contains(&quote);
            if outside {
                continue;
            }
            if quote.split('.').any(|part| !names.contains(part)) {
                unknown.push(format!("{owner}: `{quote}`"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "descriptions name what does not exist:\n{}",
        unknown.join("\n")
    );
}
