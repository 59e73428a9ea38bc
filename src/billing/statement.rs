//! The monthly statement: the balance the month opened with, every movement
//! of the month (daily charges summed per service, everything else one line
//! each), and the balance it closed with, adding up to the kopeck.

use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::{ConnectionTrait, DbErr};

use super::arithmetic::days_in_month;
use super::ledger::{self, EntryKind};
use crate::money::Kopecks;

/// One line of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The (first) Moscow day of the line.
    pub day: NaiveDate,
    /// Why money moved.
    pub kind: EntryKind,
    /// What, in Russian.
    pub description: String,
    /// The sum (positive credits, negative debits).
    pub amount: Kopecks,
    /// How many entries the line sums (days, for charges).
    pub entries: u32,
    /// The subscription whose daily charges the line sums.
    subscription_id: Option<i64>,
}

/// A month of an account's money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The month's first day.
    pub month: NaiveDate,
    /// The balance before the month.
    pub opening: Kopecks,
    /// Everything that moved in the month.
    pub lines: Vec<Line>,
    /// Money in (payments, positive adjustments).
    pub credits: Kopecks,
    /// Money out (charges, refunds, negative adjustments).
    pub debits: Kopecks,
    /// The balance after the month: opening + credits + debits.
    pub closing: Kopecks,
}

/// The first day of the month written `YYYY-MM`, if it is one.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    let (year, month) = text.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
}

/// The statement of `month` (its first day).
pub async fn for_month(
    db: &impl ConnectionTrait,
    account_id: i64,
    month: NaiveDate,
) -> Result<Statement, DbErr> {
    let first = month.with_day(1).unwrap_or(month);
    let last = first + Duration::days(i64::from(days_in_month(first)) - 1);
    let opening = ledger::sum_before(db, account_id, first).await?;
    let entries = ledger::between(db, account_id, first, last).await?;
    let mut lines: Vec<Line> = Vec::new();
    for entry in entries {
        // Daily charges of one service become one line for the month.
        let daily = (entry.kind == EntryKind::Charge)
            .then_some(entry.subscription_id)
            .flatten();
        if let Some(subscription) = daily
            && let Some(line) = lines
                .iter_mut()
                .find(|l| l.subscription_id == Some(subscription))
        {
            line.amount += entry.amount;
            line.entries += 1;
            continue;
        }
        let description = match (daily, entry.description.split_once(": ")) {
            // "Абонентская плата за 01.11.2026: Интернет" → "Абонентская плата: Интернет".
            (Some(_), Some((_, service))) => format!("Абонентская плата: {service}"),
            _ => entry.description,
        };
        lines.push(Line {
            day: entry.moscow_day,
            kind: entry.kind,
            description,
            amount: entry.amount,
            entries: 1,
            subscription_id: daily,
        });
    }
    let credits: Kopecks = lines
        .iter()
        .map(|l| l.amount)
        .filter(|a| *a > Kopecks::ZERO)
        .sum();
    let debits: Kopecks = lines
        .iter()
        .map(|l| l.amount)
        .filter(|a| *a < Kopecks::ZERO)
        .sum();
    Ok(Statement {
        month: first,
        opening,
        closing: opening + credits + debits,
        credits,
        debits,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_written_year_dash_month() {
        assert_eq!(parse_month("2026-11"), NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("2026-1"), None);
        assert_eq!(parse_month("26-11"), None);
        assert_eq!(parse_month("november"), None);
    }
}
