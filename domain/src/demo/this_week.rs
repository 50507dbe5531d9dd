//! A cohort of the convention in force, running this week, so that the demo shows today's work
//! whatever day it is loaded: it starts on this week's Monday (Paris time) and meets every
//! weekday morning for three weeks, so that today has a session on a weekday, and a weekend
//! still falls in a week of sessions.
//!
//! Ten participants enter the PLIE two weeks before the start, are admitted, prescribed by
//! their referent and enrolled by the provider, like those of 2018. The provider starts the
//! cohort on Monday and collects the action's ESF+ entry data; attendance is recorded for each
//! session before today, from the paper sheet. Today's session and those after are left for
//! the provider to record (`recordAttendance`).

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::act;
use super::calls::{by, on};
use super::cohorts::{self, Actors, MEMBERS, attend, enter, start_action};
use super::participants::Seq;
use crate::cohorts::{self as cohort, HalfDay, NewCohort};
use crate::db::Db;
use crate::error::Result;
use crate::ids::ConventionId;

const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// `day` as it is written in French: "7 décembre 2026".
fn french(day: NaiveDate) -> String {
    format!(
        "{} {} {}",
        day.day(),
        MONTHS[day.month0() as usize],
        day.year()
    )
}

/// The Monday of the ISO week of `day`.
pub(super) fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Run this week's cohort of `convention`.
pub(super) async fn load(db: &Db, who: &Actors<'_>, convention: ConventionId) -> Result<()> {
    let referents = cohorts::referents(db, who).await?;
    if referents.is_empty() || who.communes.is_empty() {
        return Ok(());
    }
    let today = crate::paris::wall_clock(db.clock().now()).date();
    let start = monday_of(today);
    // The same people every week: only the dates follow the calendar.
    let mut seq = Seq(7);
    let planned = on(db, start - Duration::days(21), 9);
    let (planned_cohort, sessions) = act(&planned, async |tx| {
        cohort::create(
            tx,
            who.provider,
            NewCohort {
                convention_id: convention,
                label: format!("Groupe 1 — semaine du {}", french(start)),
                start_date: start,
                weeks: Some(3),
                weekdays: vec![
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri,
                ],
                half_days: vec![HalfDay::Morning],
                size_min: None,
                size_max: None,
                place: Some(super::cohorts::PLACE.into()),
                morning_hours: None,
                afternoon_hours: None,
            },
        )
        .await
    })
    .await?;
    let mut members = Vec::new();
    for k in 0..MEMBERS {
        // After the twenty participants of 2018 in the referents' rotation.
        let n = 2 * MEMBERS + k;
        let referent = &referents[n % referents.len()];
        members.push(enter(db, who, &planned_cohort, referent, &mut seq, n).await?);
    }
    // Monday morning, or now if Monday morning has not come yet.
    start_action(&by(db, start, 7), who.provider, planned_cohort, &members).await?;
    for s in sessions.iter().filter(|s| s.day < today) {
        attend(db, who.provider, s, &members, None, &mut seq).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_week_starts_on_its_monday_across_months_and_years() {
        assert_eq!(monday_of(d(2026, 11, 30)), d(2026, 11, 30), "a Monday");
        assert_eq!(monday_of(d(2026, 12, 6)), d(2026, 11, 30), "a Sunday");
        assert_eq!(monday_of(d(2027, 1, 2)), d(2026, 12, 28), "a Saturday");
        assert_eq!(monday_of(d(2026, 12, 31)), d(2026, 12, 28), "late December");
    }

    #[test]
    fn dates_are_written_in_french() {
        assert_eq!(french(d(2026, 12, 7)), "7 décembre 2026");
        assert_eq!(french(d(2027, 8, 30)), "30 août 2027");
    }
}
