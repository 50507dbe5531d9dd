//! Read models, inputs and bands of ESF+ records.

use chrono::{Months, NaiveDate};

use crate::error::{DomainError, Result};
use crate::ids::{ConventionId, EsfRecordId, ParticipantId};
use crate::principal::Principal;

text_enum!(
    /// Labour-market status at entry.
    EmploymentStatus {
        Unemployed = "unemployed",
        LongTermUnemployed = "long_term_unemployed",
        Inactive = "inactive",
        Employed = "employed",
    }
);
text_enum!(
    /// Age band at entry.
    AgeBand { Under18 = "under_18", From18To29 = "18_29", From30To54 = "30_54", From55 = "55_plus" }
);
text_enum!(
    /// ISCED band of the highest education level.
    IscedBand { Isced0To2 = "0_2", Isced3To4 = "3_4", Isced5To8 = "5_8" }
);

/// The ISCED band of a French level of the 2019 nomenclature (1 to 8).
pub fn isced_band(level: u8) -> IscedBand {
    match level {
        0..=2 => IscedBand::Isced0To2,
        3 | 4 => IscedBand::Isced3To4,
        _ => IscedBand::Isced5To8,
    }
}

/// The age band on `on` of someone born on `birth` (or in `birth_year` when the date is not
/// known: their age is then counted as if born on 1 January).
pub fn age_band(
    birth: Option<NaiveDate>,
    birth_year: Option<i32>,
    on: NaiveDate,
) -> Option<AgeBand> {
    let birth = birth.or_else(|| birth_year.and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)))?;
    let age = on.years_since(birth)?;
    Some(match age {
        0..=17 => AgeBand::Under18,
        18..=29 => AgeBand::From18To29,
        30..=54 => AgeBand::From30To54,
        _ => AgeBand::From55,
    })
}

/// An operation: the PLIE's accompaniment, or a convention's action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    Plie,
    Convention(ConventionId),
}

impl Operation {
    /// The operation an identifier names for `principal`: a convention's ID, or the
    /// principal's own tenant ID for the PLIE's accompaniment (another tenant's, or any other
    /// kind of ID, is not found).
    pub fn identified(principal: &Principal, kind: &str, id: uuid::Uuid) -> Result<Self> {
        match kind {
            "Convention" => Ok(Self::Convention(ConventionId(id))),
            "Tenant" if principal.tenant_id()?.0 == id => Ok(Self::Plie),
            _ => Err(DomainError::NotFound {
                entity: "operation",
            }),
        }
    }
}

/// What is asked at entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EntryAnswers {
    pub third_country_national: Option<bool>,
    pub foreign_background: Option<bool>,
    pub minority: Option<bool>,
    pub homeless: Option<bool>,
    pub rural_area: Option<bool>,
}

/// The situation at exit (within four weeks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitAnswers {
    pub date: NaiveDate,
    pub job_searching: Option<bool>,
    pub in_education_or_training: Option<bool>,
    pub qualification_gained: Option<bool>,
    pub in_employment: Option<bool>,
}

/// The situation six months after the exit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaterAnswers {
    pub in_employment: Option<bool>,
    pub improved_situation: Option<bool>,
}

/// A participant's record in one operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EsfRecord {
    pub id: EsfRecordId,
    pub participant_id: ParticipantId,
    pub operation: Operation,
    pub entry_date: NaiveDate,
    pub gender: String,
    pub age_band: Option<AgeBand>,
    pub isced_band: IscedBand,
    pub employment_status: EmploymentStatus,
    pub disability: bool,
    pub entry: EntryAnswers,
    pub exit: Option<ExitAnswers>,
    pub later: LaterAnswers,
    pub version: i32,
}

impl EsfRecord {
    /// The items still missing on `today` (exit items once exited, the later ones from six
    /// months after the exit).
    pub fn missing(&self, today: NaiveDate) -> Vec<&'static str> {
        let mut out = Vec::new();
        let e = &self.entry;
        for (item, value) in [
            ("ageBand", self.age_band.map(|_| true)),
            ("thirdCountryNational", e.third_country_national),
            ("foreignBackground", e.foreign_background),
            ("homeless", e.homeless),
            ("ruralArea", e.rural_area),
        ] {
            if value.is_none() {
                out.push(item);
            }
        }
        if let Some(x) = &self.exit {
            for (item, value) in [
                ("exitJobSearching", x.job_searching),
                ("exitInEducationOrTraining", x.in_education_or_training),
                ("exitQualificationGained", x.qualification_gained),
                ("exitInEmployment", x.in_employment),
            ] {
                if value.is_none() {
                    out.push(item);
                }
            }
            if later_from(x.date) <= today {
                for (item, value) in [
                    ("laterInEmployment", self.later.in_employment),
                    ("laterImprovedSituation", self.later.improved_situation),
                ] {
                    if value.is_none() {
                        out.push(item);
                    }
                }
            }
        }
        out
    }
}

/// The first day the six-month situation may be recorded.
pub fn later_from(exit: NaiveDate) -> NaiveDate {
    exit.checked_add_months(Months::new(6)).unwrap_or(exit)
}

/// Filters of [`list`](super::list).
#[derive(Clone, Copy, Debug, Default)]
pub struct RecordFilter {
    pub operation: Option<Operation>,
    pub participant: Option<ParticipantId>,
    /// Only the records that miss an item.
    pub incomplete: bool,
}

/// An operation's export.
#[derive(Clone, Debug)]
pub struct Export {
    /// `PLIE`, or the convention's number.
    pub operation: String,
    pub rows: Vec<ExportRow>,
}

/// One row of an operation's export: the record and the participant's name.
#[derive(Clone, Debug)]
pub struct ExportRow {
    pub record: EsfRecord,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub missing: Vec<&'static str>,
}

/// One common indicator: its count in total and by gender.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndicatorLine {
    pub indicator: &'static str,
    pub total: i64,
    pub women: i64,
    pub men: i64,
    pub non_binary: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn bands_on_both_sides_of_their_edges() {
        let on = d(2025, 6, 1);
        assert_eq!(
            age_band(Some(d(2007, 6, 2)), None, on),
            Some(AgeBand::Under18)
        );
        assert_eq!(
            age_band(Some(d(2007, 6, 1)), None, on),
            Some(AgeBand::From18To29)
        );
        assert_eq!(
            age_band(Some(d(1995, 6, 1)), None, on),
            Some(AgeBand::From30To54)
        );
        assert_eq!(
            age_band(Some(d(1970, 6, 2)), None, on),
            Some(AgeBand::From30To54)
        );
        assert_eq!(
            age_band(Some(d(1970, 6, 1)), None, on),
            Some(AgeBand::From55)
        );
        assert_eq!(age_band(None, Some(1970), on), Some(AgeBand::From55));
        assert_eq!(age_band(None, None, on), None);
        assert_eq!(isced_band(2), IscedBand::Isced0To2);
        assert_eq!(isced_band(3), IscedBand::Isced3To4);
        assert_eq!(isced_band(4), IscedBand::Isced3To4);
        assert_eq!(isced_band(5), IscedBand::Isced5To8);
        assert_eq!(later_from(d(2025, 8, 31)), d(2026, 2, 28));
    }
}
