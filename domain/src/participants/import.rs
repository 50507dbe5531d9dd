//! Bulk import of participants from a CSV file, for steering: a preview that lists each line's
//! errors and writes nothing, then an import that creates and updates, all or nothing.
//!
//! Rules: steering only. The file is read by `sheet` (UTF-8, header, columns), its cells by
//! `cells`. A line without `id` creates a participant, one with `id` updates that participant
//! of the tenant (another tenant's is not found, like an unknown ID). Each line's cells become
//! the inputs of `createParticipant` or `updateParticipant` and are checked by the very same
//! code (`write::prepare_create`, `write::prepare_update`), so a line passes exactly when that
//! mutation would accept it; an empty cell leaves a field unchanged on update. An update keeps
//! the referent and the entry date (`reassignReferent` changes the referent). A participant is
//! on one line at most. The import writes only when no line has an error, in one transaction,
//! each participant audited as its mutation is; a participant changed meanwhile (stale
//! version) fails it whole.

mod cells;
mod sheet;

use std::collections::HashMap;

use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use self::cells::{date, read_fields};
use self::sheet::{Column, ROW, Row};
use super::model::{NewParticipant, Participant, ParticipantChanges, ParticipantFields};
use super::{policy, store, write};
use crate::db::{TenantTx, Tx};
use crate::error::{DomainError, Result, RuleCode};
use crate::ids::{CommuneId, ParticipantId, StaffId};
use crate::principal::Principal;
use crate::tenants::Commune;

pub use self::sheet::MAX_ROWS;

/// The largest file accepted, in bytes.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// Whether to only check the file or to write it too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportMode {
    Preview,
    Import,
}

/// What a line does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowAction {
    Create,
    Update,
}

/// A problem with one cell (`field` is the column's name) or with the line (`row`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub field: &'static str,
    pub message: String,
}

/// One line of the file and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedRow {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub action: RowAction,
    /// The participant updated, or created once imported.
    pub participant_id: Option<ParticipantId>,
    pub errors: Vec<RowError>,
}

/// The answer to a preview or an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    pub mode: ImportMode,
    pub rows: Vec<ImportedRow>,
    /// Whether the participants were written (an import without any error).
    pub imported: bool,
}

impl ImportReport {
    /// The lines that create a participant.
    pub fn creates(&self) -> usize {
        self.count(RowAction::Create)
    }

    /// The lines that update a participant.
    pub fn updates(&self) -> usize {
        self.count(RowAction::Update)
    }

    /// The errors of all lines.
    pub fn error_count(&self) -> usize {
        self.rows.iter().map(|r| r.errors.len()).sum()
    }

    fn count(&self, action: RowAction) -> usize {
        self.rows.iter().filter(|r| r.action == action).count()
    }
}

/// Refuse anyone but steering (before a file is even read).
pub fn authorize(principal: &Principal) -> Result<()> {
    policy::require_steering(principal, "only steering imports participants")
}

/// Check `file` line by line and, in [`ImportMode::Import`] when no line has an error, write
/// it in one transaction. `global_id` reads the API's opaque IDs in the `id` column (a bare
/// UUID is read here).
pub async fn import(
    tx: &Tx,
    principal: &Principal,
    file: &[u8],
    mode: ImportMode,
    global_id: fn(&str) -> Option<uuid::Uuid>,
    allow_duplicates: bool,
) -> Result<ImportReport> {
    authorize(principal)?;
    if file.len() > MAX_BYTES {
        return Err(DomainError::Rule {
            code: RuleCode::PayloadTooLarge,
            message: format!("a file is at most {MAX_BYTES} bytes"),
        });
    }
    let rows = sheet::read(file)?;
    // An import runs in a write transaction from its first read, so that what it checked is
    // what it writes over (SQLite: IMMEDIATE; PostgreSQL: the version checks of `save_in`).
    let tx = tx.scoped(principal).await?;
    let change = match mode {
        ImportMode::Preview => None,
        ImportMode::Import => Some(tx.change(principal).await?),
    };
    let mut lookup = Lookup {
        communes: crate::tenants::communes_in(&tx).await?,
        referents: HashMap::new(),
        seen: HashMap::new(),
        global_id,
        allow_duplicates,
        created: HashMap::new(),
    };
    let mut report = ImportReport {
        mode,
        rows: Vec::with_capacity(rows.len()),
        imported: false,
    };
    let mut plans = Vec::with_capacity(rows.len());
    for row in &rows {
        let (checked, plan) = check(&tx, principal, &mut lookup, row).await?;
        report.rows.push(checked);
        plans.push(plan);
    }
    let Some(change) = change.filter(|_| report.error_count() == 0) else {
        // A preview, or a file with errors: nothing is written.
        return Ok(report);
    };
    let mut done = Vec::with_capacity(plans.len());
    for (checked, plan) in report.rows.iter_mut().zip(plans) {
        match plan {
            Some(Plan::Create(p)) => {
                done.push(write::insert_created(&change, &p).await?);
                checked.participant_id = Some(p.id);
            }
            Some(Plan::Update(both)) => {
                let (current, changed) = *both;
                let (_, action) =
                    write::save_in(&change, &current, changed, "participant.update").await?;
                done.push(action);
            }
            None => {
                return Err(DomainError::Internal(format!(
                    "line {} has no error and nothing to write",
                    checked.line
                )));
            }
        }
    }
    if done.is_empty() {
        change.unchanged().await?;
    } else {
        change.commit_all(done).await?;
    }
    report.imported = true;
    Ok(report)
}

/// What a checked line writes.
enum Plan {
    Create(Box<Participant>),
    Update(Box<(Participant, Participant)>),
}

/// What the lines share: the tenant's communes, the referents already looked up, and which
/// participant each line updates.
struct Lookup {
    communes: Vec<Commune>,
    referents: HashMap<String, Option<StaffId>>,
    /// The participants found so far, with the line that updates each.
    seen: HashMap<ParticipantId, u64>,
    global_id: fn(&str) -> Option<uuid::Uuid>,
    /// Create even where a participant with the same name and birth date exists.
    allow_duplicates: bool,
    /// The people the file creates (name key and birth date), with their line: a person
    /// twice in one file is a possible duplicate too.
    created: HashMap<(String, NaiveDate), u64>,
}

impl Lookup {
    /// A commune by INSEE code, else by name (NFC; case ignored when that is unambiguous).
    fn commune(&self, raw: &str) -> Option<CommuneId> {
        let raw: String = raw.nfc().collect();
        let by = |f: &dyn Fn(&Commune) -> bool| {
            let found: Vec<&Commune> = self.communes.iter().filter(|c| f(c)).collect();
            (found.len() == 1).then(|| found[0].id)
        };
        by(&|c| c.insee_code.as_deref() == Some(raw.as_str()))
            .or_else(|| by(&|c| c.name == raw))
            .or_else(|| by(&|c| c.name.to_lowercase() == raw.to_lowercase()))
    }

    async fn referent(&mut self, tx: &TenantTx, key: &str) -> Result<Option<StaffId>> {
        if let Some(found) = self.referents.get(key) {
            return Ok(*found);
        }
        let found = crate::staff::find_by_subject_or_email(tx, key)
            .await?
            .map(|s| s.id);
        self.referents.insert(key.to_owned(), found);
        Ok(found)
    }

    /// The earlier line of this file that creates the same person as `p` (line `line`), if
    /// duplicates are not allowed; otherwise `p` is remembered.
    fn same_person_earlier(&mut self, p: &Participant, line: u64) -> Option<u64> {
        let (Some(last), Some(first), Some(birth)) = (&p.last_name, &p.first_name, p.birth_date)
        else {
            return None;
        };
        if self.allow_duplicates {
            return None;
        }
        let key = (crate::text::name_key(last, first), birth);
        match self.created.get(&key) {
            Some(earlier) => Some(*earlier),
            None => {
                self.created.insert(key, line);
                None
            }
        }
    }

    fn participant(&self, raw: &str) -> Option<ParticipantId> {
        uuid::Uuid::parse_str(raw)
            .ok()
            .or_else(|| (self.global_id)(raw))
            .map(ParticipantId)
    }
}

/// The errors of one line, one per column at most.
#[derive(Default)]
struct Errors(Vec<RowError>);

impl Errors {
    fn push(&mut self, field: &'static str, message: impl Into<String>) {
        if !self.0.iter().any(|e| e.field == field) {
            self.0.push(RowError {
                field,
                message: message.into(),
            });
        }
    }

    /// Record a refusal of the domain's checks against the column it concerns; failures that
    /// are not about the line (database, bug) stop the whole import.
    fn refused(&mut self, err: DomainError) -> Result<()> {
        match err {
            DomainError::Validation { field, message } => {
                self.push(Column::name_of_field(&field), message);
            }
            DomainError::NotFound { entity: "referent" } => {
                self.push(Column::Referent.name(), "no such referent in this PLIE");
            }
            DomainError::NotFound { entity } => {
                self.push(Column::Id.name(), format!("{entity} not found"));
            }
            DomainError::Conflict(message) => self.push(Column::Id.name(), message),
            DomainError::Forbidden(message) => self.push(ROW, message),
            DomainError::Rule { message, .. } => self.push(ROW, message),
            other @ (DomainError::Unauthenticated(_)
            | DomainError::Unavailable(_)
            | DomainError::Internal(_)) => return Err(other),
        }
        Ok(())
    }
}

/// Read and check one line; the plan is `None` when the line has an error.
async fn check(
    tx: &TenantTx,
    principal: &Principal,
    lookup: &mut Lookup,
    row: &Row,
) -> Result<(ImportedRow, Option<Plan>)> {
    let mut errors = Errors::default();
    if let Some(shape) = &row.shape {
        errors.push(ROW, shape.clone());
    }
    let foreign = row.foreign_cells();
    if !foreign.is_empty() {
        for (column, message) in foreign {
            errors.push(column, message);
        }
        let action = match row.get(Column::Id) {
            Some(_) => RowAction::Update,
            None => RowAction::Create,
        };
        let checked = ImportedRow {
            line: row.line,
            action,
            participant_id: None,
            errors: errors.0,
        };
        return Ok((checked, None));
    }
    let fields = read_fields(row, lookup, &mut errors);
    let entry_date = date(row, Column::EntryDate, &mut errors);
    let referent = match row.get(Column::Referent) {
        Some(key) => {
            let found = lookup.referent(tx, key).await?;
            if found.is_none() {
                errors.push(
                    Column::Referent.name(),
                    "no staff member of this PLIE has this e-mail or subject",
                );
            }
            found
        }
        None => None,
    };
    let mut checked = ImportedRow {
        line: row.line,
        action: RowAction::Create,
        participant_id: None,
        errors: Vec::new(),
    };
    let plan = match row.get(Column::Id) {
        None => {
            let input = NewParticipant {
                fields,
                referent_id: referent,
                entry_date,
                allow_duplicate: lookup.allow_duplicates,
                idempotency_key: None,
            };
            match write::prepare_create(tx, principal, input).await {
                Ok(p) => match lookup.same_person_earlier(&p, row.line) {
                    Some(line) => {
                        errors.push(
                            ROW,
                            format!("the same name and birth date as line {line}: a possible duplicate (import with allowDuplicates=true if they are two people)"),
                        );
                        None
                    }
                    None => Some(Plan::Create(Box::new(p))),
                },
                Err(e) => errors.refused(e).map(|()| None)?,
            }
        }
        Some(raw) => {
            checked.action = RowAction::Update;
            match lookup.participant(raw) {
                // As in GraphQL, an ID that does not decode, or names another type, reads
                // exactly like an unknown one.
                None => errors
                    .refused(DomainError::NotFound {
                        entity: "participant",
                    })
                    .map(|()| None)?,
                Some(id) => {
                    let update = Update {
                        id,
                        fields,
                        referent,
                        entry_date,
                    };
                    let plan =
                        check_update(tx, principal, lookup, row.line, update, &mut errors).await?;
                    // Only a participant of this tenant is named back, never another's.
                    checked.participant_id = lookup.seen.contains_key(&id).then_some(id);
                    plan
                }
            }
        }
    };
    checked.errors = errors.0;
    let plan = if checked.errors.is_empty() {
        plan
    } else {
        None
    };
    Ok((checked, plan))
}

/// The parts of a line that update a participant.
struct Update {
    id: ParticipantId,
    fields: ParticipantFields,
    referent: Option<StaffId>,
    entry_date: Option<NaiveDate>,
}

async fn check_update(
    tx: &TenantTx,
    principal: &Principal,
    lookup: &mut Lookup,
    line: u64,
    update: Update,
    errors: &mut Errors,
) -> Result<Option<Plan>> {
    if let Some(first) = lookup.seen.get(&update.id) {
        errors.push(
            Column::Id.name(),
            format!("the same participant is on line {first}"),
        );
        return Ok(None);
    }
    // The version is the one read in this transaction: the import's checks and its writes see
    // the same participant.
    let current = match store::find_visible(tx, principal, update.id).await {
        Ok(current) => current,
        Err(e) => return errors.refused(e).map(|()| None),
    };
    lookup.seen.insert(update.id, line);
    if update.referent.is_some_and(|r| r != current.referent_id) {
        errors.push(
            Column::Referent.name(),
            "an import does not change the referent: use reassignReferent",
        );
    }
    if update.entry_date.is_some() && update.entry_date != current.entry_date {
        errors.push(
            Column::EntryDate.name(),
            "an import does not change the entry date",
        );
    }
    let changes = ParticipantChanges {
        id: update.id,
        version: current.version,
        fields: update.fields,
    };
    match write::prepare_update(tx, principal, changes).await {
        Ok(both) => Ok(Some(Plan::Update(Box::new(both)))),
        Err(e) => errors.refused(e).map(|()| None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_fields_name_their_columns() {
        assert_eq!(Column::name_of_field("birthDate"), "birth_date");
        assert_eq!(Column::name_of_field("communeId"), "commune");
        assert_eq!(Column::name_of_field("referentId"), "referent");
        assert_eq!(Column::name_of_field("difficulties"), ROW);
    }
}
