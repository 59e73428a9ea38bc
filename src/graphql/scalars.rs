//! Scalars of the API: `Decimal` (money), `DateTime`, `Date`, and `Money`.

use async_graphql::{
    Enum, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value,
};
use chrono::{NaiveDate, SecondsFormat, Utc};

use crate::money::Kopecks;
use crate::time::MOSCOW;

/// A decimal amount of money as a string: always exactly two fraction digits on
/// output (`"549.00"`), at most two on input (`"549"`, `"549.5"`, `"549.50"`).
/// Never a JSON number, so no precision is lost in any client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal(pub Kopecks);

/// A decimal amount of money as a string: always exactly two fraction digits on
/// output (`"549.00"`), at most two on input (`"549"`, `"549.5"`, `"549.50"`).
/// Never a JSON number, so no precision is lost in any client.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(text) => Kopecks::parse_decimal(&text)
                .map(Decimal)
                .map_err(|e| InputValueError::custom(super::messages::money(&e))),
            other => Err(InputValueError::custom(format!(
                "сумма передаётся строкой, например \"549.00\", а не {other}"
            ))),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_decimal_string())
    }
}

/// An instant as an RFC 3339 string with its offset. Output is in Moscow time
/// (`2026-11-25T12:00:00+03:00`); input may use any offset, but must have one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant as an RFC 3339 string with its offset. Output is in Moscow time
/// (`2026-11-25T12:00:00+03:00`); input may use any offset, but must have one.
#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => chrono::DateTime::parse_from_rfc3339(text)
                .map(|t| DateTime(t.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(
                        "время передаётся в RFC 3339 со смещением, например \"2026-11-25T12:00:00+03:00\"",
                    )
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(
            self.0
                .with_timezone(&MOSCOW)
                .to_rfc3339_opts(SecondsFormat::Secs, false),
        )
    }
}

/// A Moscow calendar day, `YYYY-MM-DD`. Business days (charges, scheduled
/// changes) begin and end at 00:00 Europe/Moscow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A Moscow calendar day, `YYYY-MM-DD`. Business days (charges, scheduled
/// changes) begin and end at 00:00 Europe/Moscow.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .filter(|_| text.len() == 10)
                .map(Date)
                .ok_or_else(|| {
                    InputValueError::custom(
                        "дата передаётся как ГГГГ-ММ-ДД, например \"2026-11-25\"",
                    )
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Currency of an amount (ISO 4217).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum CurrencyCode {
    /// Russian rouble.
    Rub,
}

/// An amount of money with its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SimpleObject)]
pub struct Money {
    /// The amount, exactly two fraction digits.
    pub amount: Decimal,
    /// The currency; always `RUB` today.
    pub currency: CurrencyCode,
}

impl From<Kopecks> for Money {
    fn from(kopecks: Kopecks) -> Self {
        Money {
            amount: Decimal(kopecks),
            currency: CurrencyCode::Rub,
        }
    }
}
