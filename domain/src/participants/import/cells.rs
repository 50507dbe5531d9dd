//! The cells of a line, read into the fields `createParticipant` and `updateParticipant`
//! take: dates as `YYYY-MM-DD` or `DD/MM/YYYY`, yes/no in English, French or digits, the
//! gender in ESF+ words or French ones, the commune by INSEE code or name. A cell that cannot be
//! read is an error of its column and stays unset; the domain's own checks do the rest.

use chrono::NaiveDate;

use crate::error::DomainError;

use super::sheet::{Column, Row};
use super::{Errors, Lookup};
use crate::participants::model::{Gender, ParticipantFields};

/// The cells, read into the fields `createParticipant` and `updateParticipant` take; a cell
/// that cannot be read is an error and stays unset.
pub(super) fn read_fields(row: &Row, lookup: &Lookup, errors: &mut Errors) -> ParticipantFields {
    let text = |c: Column| row.get(c).map(str::to_owned);
    let flag = |c: Column, errors: &mut Errors| {
        row.get(c).and_then(|raw| {
            let value = parse_flag(raw);
            if value.is_none() {
                errors.push(
                    c.name(),
                    "is not yes or no (1/0, oui/non, true/false, yes/no)",
                );
            }
            value
        })
    };
    let gender = row.get(Column::Gender).and_then(|raw| {
        let value = parse_gender(raw);
        if value.is_none() {
            errors.push(
                Column::Gender.name(),
                "is not a gender (woman, man, non_binary; femme, homme; F, H, M)",
            );
        }
        value
    });
    let commune = row.get(Column::Commune).and_then(|raw| {
        let value = lookup.commune(raw);
        if value.is_none() {
            errors.push(
                Column::Commune.name(),
                "is not the INSEE code or the name of a commune of this PLIE's perimeter",
            );
        }
        value
    });
    let education_level = row.get(Column::EducationLevel).and_then(|raw| {
        let value = raw.parse::<i32>().ok();
        if value.is_none() {
            errors.push(
                Column::EducationLevel.name(),
                "must be a level of the 2019 nomenclature, 1 to 8",
            );
        }
        value
    });
    ParticipantFields {
        first_name: text(Column::FirstName),
        last_name: text(Column::LastName),
        birth_date: date(row, Column::BirthDate, errors),
        gender,
        email: text(Column::Email),
        phone: text(Column::Phone),
        postal_address: text(Column::PostalAddress),
        commune_id: commune,
        long_term_job_seeker: flag(Column::LongTermJobSeeker, errors),
        rsa_beneficiary: flag(Column::RsaBeneficiary, errors),
        priority_neighbourhood: flag(Column::PriorityNeighbourhood, errors),
        education_level,
        recognised_disability: flag(Column::RecognisedDisability, errors),
        authorised_to_work: flag(Column::AuthorisedToWork, errors),
        difficulties: None,
        consent_date: date(row, Column::ConsentDate, errors),
        consent_scope: text(Column::ConsentScope),
    }
}

pub(super) fn date(row: &Row, column: Column, errors: &mut Errors) -> Option<NaiveDate> {
    let raw = row.get(column)?;
    let value = parse_date(raw);
    match value {
        None => errors.push(column.name(), "is not a date (YYYY-MM-DD or DD/MM/YYYY)"),
        Some(d) => {
            if let Err(DomainError::Validation { message, .. }) =
                crate::paris::within_range(column.name(), d)
            {
                errors.push(column.name(), message);
                return None;
            }
        }
    }
    value
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"))
        .ok()
}

fn parse_flag(raw: &str) -> Option<bool> {
    match raw.to_lowercase().as_str() {
        "1" | "oui" | "true" | "yes" => Some(true),
        "0" | "non" | "false" | "no" => Some(false),
        _ => None,
    }
}

fn parse_gender(raw: &str) -> Option<Gender> {
    match raw.to_lowercase().as_str() {
        "woman" | "femme" | "f" => Some(Gender::Woman),
        "man" | "homme" | "h" | "m" => Some(Gender::Man),
        "non_binary" => Some(Gender::NonBinary),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_in_both_date_forms_and_the_french_words() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(parse_date("1990-05-17"), d(1990, 5, 17));
        assert_eq!(parse_date("17/05/1990"), d(1990, 5, 17));
        assert_eq!(parse_date("1990-02-30"), None);
        assert_eq!(parse_date("05/17/1990"), None, "no month-first dates");
        assert_eq!(parse_date("17.05.1990"), None);
        for (raw, value) in [("OUI", true), ("1", true), ("Yes", true), ("true", true)] {
            assert_eq!(parse_flag(raw), Some(value), "{raw}");
        }
        for raw in ["non", "0", "NO", "False"] {
            assert_eq!(parse_flag(raw), Some(false), "{raw}");
        }
        assert_eq!(parse_flag("peut-être"), None);
        assert_eq!(parse_gender("Femme"), Some(Gender::Woman));
        assert_eq!(parse_gender("H"), Some(Gender::Man));
        assert_eq!(parse_gender("m"), Some(Gender::Man));
        assert_eq!(parse_gender("non_binary"), Some(Gender::NonBinary));
        assert_eq!(parse_gender("x"), None);
    }
}
