//! The contract as a PDF: its parties, what is connected, the terms, every
//! obligation in force and what leaving today would cost, line by line.
//! Text only, wrapped to the page and run onto as many pages as it needs.

use super::pdf::{self, HEIGHT, Page, PdfError};
use crate::money::Kopecks;

/// What the document says (sentences made by the API layer, so the PDF and
/// `me { contract }` say the same).
#[derive(Debug, Clone, Default)]
pub struct ContractDocument {
    /// Contract number.
    pub number: String,
    /// Contract date, `dd.mm.yyyy`.
    pub date: String,
    /// Account number.
    pub account_number: String,
    /// Holder (ФИО).
    pub holder_name: String,
    /// Service address.
    pub address: String,
    /// The day it is made for, `dd.mm.yyyy`.
    pub as_of: String,
    /// What is connected, with its monthly fee in force.
    pub items: Vec<(String, Kopecks)>,
    /// The terms, one sentence each.
    pub terms: Vec<String>,
    /// Obligations in force, one sentence each.
    pub obligations: Vec<String>,
    /// The cost of leaving: what, how much, the rule.
    pub exit: Vec<(String, Kopecks, String)>,
    /// The cost of leaving, together.
    pub exit_total: Kopecks,
}

/// Characters on one wrapped line at the body size.
const WIDTH_CHARS: usize = 95;
/// Lowest baseline on a page.
const BOTTOM: f32 = 60.0;
/// Line spacing.
const STEP: f32 = 13.0;

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let long = line.chars().count() + 1 + word.chars().count() > width;
        if !line.is_empty() && long {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        // A single word longer than a line is cut.
        line.extend(word.chars().take(width));
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

struct Writer {
    pages: Vec<Page>,
    y: f32,
}

impl Writer {
    fn line(&mut self, size: f32, indent: f32, text: String) {
        if self.y < BOTTOM {
            self.pages.push(Page::new());
            self.y = HEIGHT - 60.0;
        }
        if let Some(page) = self.pages.last_mut() {
            page.text(40.0 + indent, self.y, size, text);
        }
        self.y -= STEP + (size - 9.0).max(0.0);
    }

    fn paragraph(&mut self, text: &str) {
        for line in wrap(text, WIDTH_CHARS) {
            self.line(9.0, 0.0, line);
        }
    }

    fn heading(&mut self, text: &str) {
        self.y -= 6.0;
        self.line(11.0, 0.0, text.to_owned());
    }
}

fn rub(amount: Kopecks) -> String {
    format!("{} руб.", amount.to_decimal_string())
}

/// The document as a PDF.
pub fn render(doc: &ContractDocument) -> Result<Vec<u8>, PdfError> {
    let mut w = Writer {
        pages: vec![Page::new()],
        y: HEIGHT - 60.0,
    };
    w.line(
        14.0,
        0.0,
        format!("Договор № {} от {}", doc.number, doc.date),
    );
    w.paragraph(&format!(
        "Абонент: {}. Лицевой счёт: {}. Адрес: {}.",
        doc.holder_name, doc.account_number, doc.address
    ));
    w.paragraph(&format!("Сведения на {}.", doc.as_of));

    w.heading("Подключено");
    for (name, fee) in &doc.items {
        w.paragraph(&format!("• {name} — {} в месяц", rub(*fee)));
    }
    w.heading("Условия");
    for term in &doc.terms {
        w.paragraph(&format!("• {term}"));
    }
    w.heading("Обязательства");
    if doc.obligations.is_empty() {
        w.paragraph("Обязательств нет.");
    }
    for obligation in &doc.obligations {
        w.paragraph(&format!("• {obligation}"));
    }
    w.heading("Стоимость расторжения сегодня");
    for (what, amount, reason) in &doc.exit {
        w.paragraph(&format!("• {what}: {}. {reason}.", rub(*amount)));
    }
    w.paragraph(&format!("Итого: {}.", rub(doc.exit_total)));
    pdf::render(w.pages, &format!("Договор № {}", doc.number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_at_spaces_within_the_width() {
        let lines = wrap("раз два три четыре пять", 9);
        assert_eq!(lines, ["раз два", "три", "четыре", "пять"]);
        assert_eq!(wrap(&"я".repeat(20), 8), ["яяяяяяяя"]);
        assert!(wrap("   ", 8).is_empty());
    }
}
