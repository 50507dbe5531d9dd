//! Money: exact euro amounts in cents, never floating point.

use crate::error::DomainError;

/// An amount of euros, in cents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

/// The largest amount accepted (one billion euros): far above any PLIE budget.
pub const MAX_CENTS: i64 = 100_000_000_000;

impl Money {
    /// From cents.
    pub fn from_cents(cents: i64) -> Result<Self, DomainError> {
        if (0..=MAX_CENTS).contains(&cents) {
            Ok(Self(cents))
        } else {
            Err(DomainError::validation(
                "amount",
                "must be between 0 and 1,000,000,000 euros",
            ))
        }
    }

    /// Parse `"40000"`, `"40000.5"` or `"40000.50"`: euros with at most two decimals.
    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::validation(
                field,
                "must be an amount in euros with at most two decimals, such as 40000.00",
            )
        };
        let text = text.trim();
        let (euros, cents) = match text.split_once('.') {
            Some((e, c)) if !c.is_empty() && c.len() <= 2 => (e, c),
            Some(_) => return Err(bad()),
            None => (text, ""),
        };
        if euros.is_empty()
            || euros.len() > 12
            || !euros.bytes().all(|b| b.is_ascii_digit())
            || !cents.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let euros: i64 = euros.parse().map_err(|_| bad())?;
        let cents: i64 = match cents.len() {
            0 => 0,
            1 => cents.parse::<i64>().map_err(|_| bad())? * 10,
            _ => cents.parse().map_err(|_| bad())?,
        };
        let total = euros
            .checked_mul(100)
            .and_then(|e| e.checked_add(cents))
            .ok_or_else(bad)?;
        Self::from_cents(total).map_err(|_| bad())
    }

    /// Cents.
    pub fn cents(self) -> i64 {
        self.0
    }

    /// `"40000.00"`.
    pub fn to_decimal_string(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    /// The sum, refused when it overflows the maximum.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        Money::from_cents(self.0.checked_add(other.0)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly() {
        assert_eq!(
            Money::parse("a", "40000").map(Money::cents).ok(),
            Some(4_000_000)
        );
        assert_eq!(
            Money::parse("a", "40000.01").map(Money::cents).ok(),
            Some(4_000_001)
        );
        assert_eq!(Money::parse("a", "0.5").map(Money::cents).ok(), Some(50));
        for bad in [
            "",
            "-1",
            "1.234",
            "1,5",
            "1e3",
            "abc",
            "1.",
            ".5",
            "99999999999999",
        ] {
            assert!(Money::parse("a", bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Money::from_cents(4_000_001)
                .map(Money::to_decimal_string)
                .ok()
                .as_deref(),
            Some("40000.01")
        );
    }
}
