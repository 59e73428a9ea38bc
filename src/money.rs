//! Money is an integer number of kopecks everywhere inside Kabinet; decimal
//! strings (`"549.00"`) exist only at the API edge.

use std::fmt;

/// A sum of money in kopecks (1 ₽ = 100 kopecks). May be negative (a debt).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct Kopecks(i64);

/// Why a decimal string is not a sum of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyParseError {
    /// Not of the form `123`, `123.4` or `123.45` (optionally with a leading `-`).
    #[error("not a decimal sum")]
    Malformed,
    /// More than two digits after the point.
    #[error("more than two fraction digits")]
    TooPrecise,
    /// Does not fit the range of amounts Kabinet handles.
    #[error("the sum is too large")]
    TooLarge,
}

impl Kopecks {
    /// Zero.
    pub const ZERO: Kopecks = Kopecks(0);
    /// The largest magnitude accepted from outside: one trillion roubles.
    const MAX_ABS: i64 = 100_000_000_000_000;

    /// A sum of `kopecks` kopecks.
    pub const fn new(kopecks: i64) -> Self {
        Kopecks(kopecks)
    }

    /// A sum of whole roubles.
    pub const fn from_rubles(rubles: i64) -> Self {
        Kopecks(rubles * 100)
    }

    /// The number of kopecks.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Whether the sum is below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Sum that reports overflow instead of wrapping.
    pub fn checked_add(self, other: Kopecks) -> Option<Kopecks> {
        self.0.checked_add(other.0).map(Kopecks)
    }

    /// Difference that reports overflow instead of wrapping.
    pub fn checked_sub(self, other: Kopecks) -> Option<Kopecks> {
        self.0.checked_sub(other.0).map(Kopecks)
    }

    /// Parses a decimal string with at most two fraction digits: `"549"`,
    /// `"549.5"`, `"-12.30"`. No exponent, no spaces, no `+`, no comma.
    pub fn parse_decimal(text: &str) -> Result<Self, MoneyParseError> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (unsigned, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) {
            return Err(MoneyParseError::Malformed);
        }
        let fraction_kopecks = match fraction {
            None => 0,
            Some(f) if !all_digits(f) => return Err(MoneyParseError::Malformed),
            Some(f) if f.len() > 2 => return Err(MoneyParseError::TooPrecise),
            Some(f) => {
                let digits: i64 = f.parse().map_err(|_| MoneyParseError::Malformed)?;
                if f.len() == 1 { digits * 10 } else { digits }
            }
        };
        let rubles: i64 = whole.parse().map_err(|_| MoneyParseError::TooLarge)?;
        let magnitude = rubles
            .checked_mul(100)
            .and_then(|k| k.checked_add(fraction_kopecks))
            .filter(|k| *k <= Self::MAX_ABS)
            .ok_or(MoneyParseError::TooLarge)?;
        Ok(Kopecks(if negative { -magnitude } else { magnitude }))
    }

    /// The sum as a decimal string with exactly two fraction digits: `"549.00"`.
    pub fn to_decimal_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

// Arithmetic saturates: Kabinet's sums stay many orders of magnitude below
// i64 (inputs are at most a trillion roubles), so saturation only keeps a
// nonsensical sum from wrapping round to a plausible one. Where overflow is a
// real possibility, use `checked_add` / `checked_sub`.
impl std::ops::Add for Kopecks {
    type Output = Kopecks;
    fn add(self, other: Kopecks) -> Kopecks {
        Kopecks(self.0.saturating_add(other.0))
    }
}

impl std::ops::Sub for Kopecks {
    type Output = Kopecks;
    fn sub(self, other: Kopecks) -> Kopecks {
        Kopecks(self.0.saturating_sub(other.0))
    }
}

impl std::ops::Neg for Kopecks {
    type Output = Kopecks;
    fn neg(self) -> Kopecks {
        Kopecks(self.0.saturating_neg())
    }
}

impl std::ops::AddAssign for Kopecks {
    fn add_assign(&mut self, other: Kopecks) {
        *self = *self + other;
    }
}

impl std::iter::Sum for Kopecks {
    fn sum<I: Iterator<Item = Kopecks>>(iter: I) -> Kopecks {
        iter.fold(Kopecks::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Kopecks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ₽", self.to_decimal_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_add_subtract_and_saturate() {
        let a = Kopecks(1_050);
        assert_eq!(a + Kopecks(50), Kopecks(1_100));
        assert_eq!(a - Kopecks(2_000), Kopecks(-950));
        assert_eq!(-a, Kopecks(-1_050));
        assert_eq!([a, a, a].into_iter().sum::<Kopecks>(), Kopecks(3_150));
        assert_eq!(Kopecks(i64::MAX) + a, Kopecks(i64::MAX));
        assert_eq!(Kopecks(i64::MAX).checked_add(a), None);
    }

    #[test]
    fn parses_up_to_two_fraction_digits() {
        assert_eq!(Kopecks::parse_decimal("549"), Ok(Kopecks(54_900)));
        assert_eq!(Kopecks::parse_decimal("549.5"), Ok(Kopecks(54_950)));
        assert_eq!(Kopecks::parse_decimal("549.05"), Ok(Kopecks(54_905)));
        assert_eq!(Kopecks::parse_decimal("-12.30"), Ok(Kopecks(-1_230)));
        assert_eq!(Kopecks::parse_decimal("0.01"), Ok(Kopecks(1)));
        assert_eq!(Kopecks::parse_decimal("-0"), Ok(Kopecks(0)));
    }

    #[test]
    fn refuses_what_is_not_money() {
        for bad in [
            "", "-", ".5", "5.", "1,50", "+1", " 1", "1e3", "1.2.3", "NaN", "1_000",
        ] {
            assert_eq!(
                Kopecks::parse_decimal(bad),
                Err(MoneyParseError::Malformed),
                "{bad:?}"
            );
        }
        assert_eq!(
            Kopecks::parse_decimal("1.001"),
            Err(MoneyParseError::TooPrecise)
        );
        assert_eq!(
            Kopecks::parse_decimal("99999999999999999999"),
            Err(MoneyParseError::TooLarge)
        );
        assert_eq!(
            Kopecks::parse_decimal("1000000000000.01"),
            Err(MoneyParseError::TooLarge)
        );
    }

    #[test]
    fn formats_with_exactly_two_fraction_digits() {
        assert_eq!(Kopecks(54_900).to_decimal_string(), "549.00");
        assert_eq!(Kopecks(5).to_decimal_string(), "0.05");
        assert_eq!(Kopecks(-1_230).to_decimal_string(), "-12.30");
        assert_eq!(
            Kopecks(i64::MIN).to_decimal_string(),
            "-92233720368547758.08"
        );
    }
}
