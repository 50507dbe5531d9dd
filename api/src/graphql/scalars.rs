//! Scalars named as DESIGN.md §6 says: `Date` is an ISO 8601 calendar date (`2024-09-01`).
//! (async-graphql's own scalar for `NaiveDate` is called `NaiveDate`.)

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date, ISO 8601 (`YYYY-MM-DD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date, ISO 8601 (`YYYY-MM-DD`), e.g. `2017-12-21`, from 1900-01-01 to
/// 2099-12-31 inclusive.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        use parcours_domain::paris::{EARLIEST_DATE, LATEST_DATE};
        match &value {
            Value::String(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                Ok(d) if (EARLIEST_DATE..=LATEST_DATE).contains(&d) => Ok(Date(d)),
                Ok(_) => Err(InputValueError::custom(format!(
                    "{s:?} is outside {EARLIEST_DATE} to {LATEST_DATE}"
                ))),
                Err(_) => Err(InputValueError::custom(format!(
                    "{s:?} is not a date YYYY-MM-DD"
                ))),
            },
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    /// Checked when the document is validated, so that a bad date is a request error that
    /// names its argument (`field`), before anything runs.
    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    /// `YYYY-MM-DD`: chrono's `Display` of a date is ISO 8601's calendar date, the same text
    /// as `format("%Y-%m-%d")` without parsing a format string for each value (a page of 50
    /// participants writes 50 birth dates).
    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Self(d)
    }
}

/// An exact amount of euros, as a string with at most two decimals (`"40000.00"`): never a
/// floating-point number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Money(pub parcours_domain::money::Money);

/// An exact amount of euros, as a string with at most two decimals, e.g. `"40000.00"`.
#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => parcours_domain::money::Money::parse("amount", s)
                .map(Money)
                .map_err(|e| InputValueError::custom(e.to_string())),
            _ => Err(InputValueError::custom(
                "an amount is a string such as \"40000.00\", never a float",
            )),
        }
    }

    /// As for `Date`: a bad amount is refused at validation, naming its argument.
    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_decimal_string())
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{ScalarType, Value};
    use chrono::NaiveDate;

    use super::Date;

    /// A date is written `YYYY-MM-DD`, zero-padded, and one of the accepted range reads back
    /// as itself.
    #[test]
    fn a_date_is_written_as_an_iso_calendar_date() {
        for (y, m, d, text) in [
            (2026, 12, 1, "2026-12-01"),
            (1958, 3, 9, "1958-03-09"),
            (1900, 1, 1, "1900-01-01"),
            (2099, 12, 31, "2099-12-31"),
            (999, 1, 2, "0999-01-02"),
        ] {
            let date = Date(NaiveDate::from_ymd_opt(y, m, d).expect("a date"));
            assert_eq!(date.to_value(), Value::String(text.into()));
            if (1900..2100).contains(&y) {
                let back = Date::parse(Value::String(text.into())).expect("reads back");
                assert_eq!(back.0, date.0);
            }
        }
    }
}
