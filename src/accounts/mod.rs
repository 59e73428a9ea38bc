//! Subscriber accounts (лицевые счета): identity types parsed at the edge and
//! the account record. SQL lives in `store`.

mod phone;
mod store;

pub use entity::account::AccountStatus;
pub use phone::Phone;
pub(crate) use store::from_row;
pub use store::{count, find_by_number, find_many, ids_by_number, insert, lock};

use chrono::{DateTime, NaiveDate, Utc};

/// A 12-digit account number (лицевой счёт).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccountNumber(String);

/// Why an account value was refused: one enum for the domain (codes only;
/// `graphql::messages` says them in Russian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// Not 12 digits.
    #[error("an account number is 12 digits")]
    InvalidNumber,
    /// Not a Russian phone number.
    #[error("not a Russian phone number")]
    InvalidPhone,
}

impl AccountNumber {
    /// Parses an account number, allowing spaces and dashes between digit groups.
    pub fn parse(text: &str) -> Result<Self, AccountError> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(AccountNumber(digits))
        } else {
            Err(AccountError::InvalidNumber)
        }
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A subscriber's account as the rest of the code sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Internal id.
    pub id: i64,
    /// Account number.
    pub number: AccountNumber,
    /// Contract number.
    pub contract_number: String,
    /// Contract date (Moscow day).
    pub contract_date: NaiveDate,
    /// Contract holder (ФИО).
    pub holder_name: String,
    /// Contract phone.
    pub phone: Phone,
    /// E-mail for notifications, if given.
    pub email: Option<String>,
    /// Service address.
    pub address: String,
    /// Current state.
    pub status: AccountStatus,
    /// Balance: the sum of the ledger (cached, kept in step by `billing`).
    pub balance: crate::money::Kopecks,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
}

impl Account {
    /// The holder's name as a stranger paying into the account may see it, to
    /// confirm the account without learning who holds it: the surname's first
    /// and last letters and the initials («Иванов Иван Иванович» and
    /// «Иванов И. И.» both → «И***в И. И.»).
    pub fn masked_holder_name(&self) -> String {
        mask_name(&self.holder_name)
    }
}

fn mask_name(name: &str) -> String {
    let mut words = name.split_whitespace();
    let Some(surname) = words.next() else {
        return String::new();
    };
    let letters: Vec<char> = surname.chars().collect();
    let mut masked = String::new();
    if let Some(first) = letters.first() {
        masked.push(*first);
    }
    masked.push_str("***");
    if letters.len() > 1
        && let Some(last) = letters.last()
    {
        masked.push(*last);
    }
    for word in words {
        if let Some(initial) = word.chars().find(|c| c.is_alphabetic()) {
            masked.push(' ');
            masked.push(initial);
            masked.push('.');
        }
    }
    masked
}

/// What it takes to open an account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Account number.
    pub number: AccountNumber,
    /// Contract number.
    pub contract_number: String,
    /// Contract date.
    pub contract_date: NaiveDate,
    /// Contract holder.
    pub holder_name: String,
    /// Contract phone.
    pub phone: Phone,
    /// E-mail, if any.
    pub email: Option<String>,
    /// Service address.
    pub address: String,
    /// Hash of the codeword support asks for on the phone (argon2id); the
    /// codeword itself is never stored, and its hash is never shown.
    pub codeword_hash: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_numbers_are_twelve_digits() {
        assert_eq!(
            AccountNumber::parse("1000 0000 0001").map(|n| n.as_str().to_owned()),
            Ok("100000000001".to_owned())
        );
        assert!(AccountNumber::parse("10000000000").is_err());
        assert!(AccountNumber::parse("10000000000a").is_err());
        assert!(AccountNumber::parse("1000000000011").is_err());
    }

    #[test]
    fn a_masked_name_keeps_the_surnames_ends_and_the_initials() {
        assert_eq!(mask_name("Иванов И. И."), "И***в И. И.");
        assert_eq!(mask_name("Иванов Иван Иванович"), "И***в И. И.");
        assert_eq!(mask_name("Ли"), "Л***и");
        assert_eq!(mask_name("Ю"), "Ю***");
        assert_eq!(mask_name("  "), "");
    }
}
