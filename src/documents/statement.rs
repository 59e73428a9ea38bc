//! The monthly statement as a PDF: opening balance, every line of the month,
//! money in and out, closing balance. Long months run onto more pages.

use super::pdf::{self, HEIGHT, Page, PdfError};
use crate::billing::statement::Statement;
use crate::money::Kopecks;

const MONTHS: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];

/// `ноябрь 2026`.
pub fn month_name(statement: &Statement) -> String {
    use chrono::Datelike;
    let month = MONTHS
        .get(statement.month.month0() as usize)
        .copied()
        .unwrap_or("");
    format!("{month} {}", statement.month.year())
}

fn rub(amount: Kopecks) -> String {
    format!("{} руб.", amount.to_decimal_string())
}

/// Longest description printed on one line, in characters.
const DESCRIPTION: usize = 60;
/// Lowest baseline on a page.
const BOTTOM: f32 = 60.0;
/// Line spacing.
const STEP: f32 = 14.0;

/// The statement of `account_number` (held by `holder_name`) as a PDF.
pub fn render(
    statement: &Statement,
    account_number: &str,
    holder_name: &str,
) -> Result<Vec<u8>, PdfError> {
    let month = month_name(statement);
    let mut pages = vec![Page::new()];
    let mut y = HEIGHT - 60.0;
    let page = |pages: &mut Vec<Page>| pages.len() - 1;
    {
        let first = &mut pages[0];
        first.text(
            40.0,
            y,
            14.0,
            format!("Выписка по лицевому счёту {account_number}"),
        );
        y -= 20.0;
        first.text(
            40.0,
            y,
            10.0,
            format!("Период: {month}. Абонент: {holder_name}"),
        );
        y -= 24.0;
        first.text(
            40.0,
            y,
            10.0,
            format!("Баланс на начало месяца: {}", rub(statement.opening)),
        );
        y -= 20.0;
        first.text(40.0, y, 9.0, "Дата");
        first.text(110.0, y, 9.0, "Операция");
        first.text(470.0, y, 9.0, "Сумма, руб.");
        first.line(40.0, y - 4.0, 555.0, y - 4.0);
        y -= STEP + 4.0;
    }
    for line in &statement.lines {
        if y < BOTTOM {
            pages.push(Page::new());
            y = HEIGHT - 60.0;
        }
        let current = page(&mut pages);
        let description: String = if line.entries > 1 {
            format!("{} ({} дн.)", line.description, line.entries)
        } else {
            line.description.clone()
        };
        let description: String = description.chars().take(DESCRIPTION).collect();
        let target = &mut pages[current];
        target.text(40.0, y, 9.0, line.day.format("%d.%m.%Y").to_string());
        target.text(110.0, y, 9.0, description);
        target.text(470.0, y, 9.0, line.amount.to_decimal_string());
        y -= STEP;
    }
    if y < BOTTOM + 4.0 * STEP {
        pages.push(Page::new());
        y = HEIGHT - 60.0;
    }
    let current = page(&mut pages);
    let last = &mut pages[current];
    last.line(40.0, y + STEP - 4.0, 555.0, y + STEP - 4.0);
    last.text(
        40.0,
        y - 4.0,
        10.0,
        format!("Поступило: {}", rub(statement.credits)),
    );
    last.text(
        40.0,
        y - 4.0 - STEP,
        10.0,
        format!("Списано: {}", rub(-statement.debits)),
    );
    last.text(
        40.0,
        y - 4.0 - 2.0 * STEP,
        10.0,
        format!("Баланс на конец месяца: {}", rub(statement.closing)),
    );
    pdf::render(pages, &format!("Выписка {account_number}, {month}"))
}
