//! Russian mobile phone numbers, normalised to E.164 (`+7XXXXXXXXXX`).

use std::fmt;

/// A Russian phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Accepts the usual spellings: `+7 (999) 000-00-01`, `89990000001`,
    /// `79990000001`, `9990000001`.
    pub fn parse(text: &str) -> Result<Self, super::AccountError> {
        let trimmed = text.trim();
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '(' | ')' | '-'))
            || trimmed.chars().skip(1).any(|c| c == '+')
        {
            return Err(super::AccountError::InvalidPhone);
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let national = match (trimmed.starts_with('+'), digits.len()) {
            (true, 11) if digits.starts_with('7') => &digits[1..],
            (false, 11) if digits.starts_with('7') || digits.starts_with('8') => &digits[1..],
            (false, 10) => &digits[..],
            _ => return Err(super::AccountError::InvalidPhone),
        };
        Ok(Phone(format!("+7{national}")))
    }

    /// The E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with its middle hidden, safe to show: `+7 999 ***-**-01`.
    pub fn masked(&self) -> String {
        let n = &self.0[2..];
        format!("+7 {} ***-**-{}", &n[..3], &n[8..])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_spellings_normalise_to_e164() {
        for spelling in [
            "+7 (999) 000-00-01",
            "89990000001",
            "79990000001",
            "+79990000001",
            "9990000001",
            " 8 999 000 00 01 ",
        ] {
            assert_eq!(
                Phone::parse(spelling).map(|p| p.as_str().to_owned()),
                Ok("+79990000001".to_owned()),
                "{spelling}"
            );
        }
    }

    #[test]
    fn other_numbers_are_refused() {
        for bad in [
            "",
            "+8 999 000 00 01",
            "999000000",
            "+1 202 555 0100",
            "8999000000a",
            "7+9990000001",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn masked_hides_the_middle() {
        let phone = Phone::parse("+79990000001").map(|p| p.masked());
        assert_eq!(phone, Ok("+7 999 ***-**-01".to_owned()));
    }
}
