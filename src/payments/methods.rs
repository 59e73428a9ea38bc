//! Ways to pay, the limits of one payment and the commission each way takes,
//! so a subscriber sees what a top-up costs before paying.

use crate::money::Kopecks;

/// Smallest top-up: 1 ₽.
pub const MIN_AMOUNT: Kopecks = Kopecks::from_rubles(1);
/// Largest top-up: 100 000 ₽.
pub const MAX_AMOUNT: Kopecks = Kopecks::from_rubles(100_000);

/// A way to pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// A bank card on the provider's page.
    BankCard,
    /// The Faster Payments System (СБП) through the provider's page.
    Sbp,
    /// A payment terminal or a bank, quoting the account number.
    Terminal,
}

impl Method {
    /// Every way, in the order they are offered.
    pub const ALL: [Method; 3] = [Method::BankCard, Method::Sbp, Method::Terminal];

    /// Stored and sent to the provider as this.
    pub const fn code(self) -> &'static str {
        match self {
            Method::BankCard => "bank_card",
            Method::Sbp => "sbp",
            Method::Terminal => "terminal",
        }
    }

    /// The way stored as `code`.
    pub fn from_code(code: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.code() == code)
    }

    /// Whether `createPayment` can start it (a terminal payment starts at the
    /// terminal).
    pub const fn online(self) -> bool {
        !matches!(self, Method::Terminal)
    }

    /// The commission the payer pays on top, in hundredths of a percent. Card
    /// and СБП top-ups are free for the subscriber (the provider's fee is
    /// ours); terminal owners take their own, up to 3 %.
    pub const fn commission_basis_points(self) -> u32 {
        match self {
            Method::BankCard | Method::Sbp => 0,
            Method::Terminal => 300,
        }
    }

    /// The commission on `amount`, rounded up to a whole kopeck (the most a
    /// payer can be asked for).
    pub fn commission_on(self, amount: Kopecks) -> Kopecks {
        let bp = i64::from(self.commission_basis_points());
        let kopecks = amount.get().max(0);
        Kopecks::new((kopecks * bp + 9_999) / 10_000)
    }
}

/// Why an amount cannot be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Below [`MIN_AMOUNT`] (zero and negative sums included).
    #[error("below the smallest payment")]
    TooSmall,
    /// Above [`MAX_AMOUNT`].
    #[error("above the largest payment")]
    TooLarge,
}

/// Checks one payment's amount against the limits.
pub fn check_amount(amount: Kopecks) -> Result<(), AmountError> {
    if amount < MIN_AMOUNT {
        Err(AmountError::TooSmall)
    } else if amount > MAX_AMOUNT {
        Err(AmountError::TooLarge)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_one_to_a_hundred_thousand_roubles_inclusive() {
        assert_eq!(check_amount(Kopecks::new(99)), Err(AmountError::TooSmall));
        assert_eq!(check_amount(Kopecks::new(-500)), Err(AmountError::TooSmall));
        assert_eq!(check_amount(Kopecks::new(100)), Ok(()));
        assert_eq!(check_amount(Kopecks::from_rubles(100_000)), Ok(()));
        assert_eq!(
            check_amount(Kopecks::new(10_000_001)),
            Err(AmountError::TooLarge)
        );
    }

    #[test]
    fn commission_rounds_up_to_a_kopeck() {
        assert_eq!(
            Method::BankCard.commission_on(Kopecks::new(54_900)),
            Kopecks::ZERO
        );
        assert_eq!(
            Method::Terminal.commission_on(Kopecks::new(100)),
            Kopecks::new(3)
        );
        assert_eq!(
            Method::Terminal.commission_on(Kopecks::new(101)),
            Kopecks::new(4)
        );
        assert_eq!(Method::from_code("sbp"), Some(Method::Sbp));
        assert_eq!(Method::from_code("cash"), None);
    }
}
