//! The import file: UTF-8 text (a byte-order mark is allowed), fields separated by `;` (by `,`
//! when the header line holds no `;`), quoted the CSV way, a header line naming the columns in
//! any case and order, then one participant per line. Every column of the header must be known
//! (a typo must not drop data) and the columns a creation needs must be there.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::error::{DomainError, Result};

/// At most this many participant lines under the header.
pub const MAX_ROWS: usize = 5_000;

/// A column of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Column {
    Id,
    LastName,
    FirstName,
    BirthDate,
    Gender,
    Email,
    Phone,
    PostalAddress,
    Commune,
    LongTermJobSeeker,
    RsaBeneficiary,
    PriorityNeighbourhood,
    RecognisedDisability,
    AuthorisedToWork,
    EducationLevel,
    ConsentDate,
    ConsentScope,
    EntryDate,
    Referent,
}

/// Each column: its name in the file, the field the domain's checks name, and whether the
/// header must have it (what a creation requires).
const COLUMNS: [(Column, &str, &str, bool); 19] = [
    (Column::Id, "id", "id", false),
    (Column::LastName, "last_name", "lastName", true),
    (Column::FirstName, "first_name", "firstName", true),
    (Column::BirthDate, "birth_date", "birthDate", true),
    (Column::Gender, "gender", "gender", true),
    (Column::Email, "email", "email", false),
    (Column::Phone, "phone", "phone", false),
    (
        Column::PostalAddress,
        "postal_address",
        "postalAddress",
        false,
    ),
    (Column::Commune, "commune", "communeId", true),
    (
        Column::LongTermJobSeeker,
        "long_term_job_seeker",
        "longTermJobSeeker",
        false,
    ),
    (
        Column::RsaBeneficiary,
        "rsa_beneficiary",
        "rsaBeneficiary",
        false,
    ),
    (
        Column::PriorityNeighbourhood,
        "priority_neighbourhood",
        "priorityNeighbourhood",
        false,
    ),
    (
        Column::RecognisedDisability,
        "recognised_disability",
        "recognisedDisability",
        false,
    ),
    (
        Column::AuthorisedToWork,
        "authorised_to_work",
        "authorisedToWork",
        true,
    ),
    (
        Column::EducationLevel,
        "education_level",
        "educationLevel",
        true,
    ),
    (Column::ConsentDate, "consent_date", "consentDate", true),
    (Column::ConsentScope, "consent_scope", "consentScope", true),
    (Column::EntryDate, "entry_date", "entryDate", false),
    (Column::Referent, "referent", "referentId", true),
];

/// What a row error names when no single column is at fault.
pub(super) const ROW: &str = "row";

impl Column {
    /// The column's name in the file.
    pub(super) fn name(self) -> &'static str {
        COLUMNS
            .iter()
            .find(|(c, ..)| *c == self)
            .map_or(ROW, |(_, name, ..)| name)
    }

    fn from_name(name: &str) -> Option<Self> {
        COLUMNS
            .iter()
            .find(|(_, n, ..)| *n == name)
            .map(|(c, ..)| *c)
    }

    /// The column a domain check's field stands for, or [`ROW`].
    pub(super) fn name_of_field(field: &str) -> &'static str {
        COLUMNS
            .iter()
            .find(|(_, _, f, _)| *f == field)
            .map_or(ROW, |(_, name, ..)| name)
    }
}

/// A line of the file under the header.
#[derive(Debug)]
pub(super) struct Row {
    /// The line number in the file (the header is line 1).
    pub line: u64,
    cells: HashMap<Column, String>,
    /// Why the line does not fit the header, if it does not.
    pub shape: Option<String>,
}

impl Row {
    /// The cell of `column`, trimmed; `None` when empty or absent.
    pub fn get(&self, column: Column) -> Option<&str> {
        self.cells
            .get(&column)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The cells holding a character no field takes (see
    /// [`crate::text::refuse_foreign`]): their column and why. Such a line is refused before
    /// any of its cells is looked up.
    pub fn foreign_cells(&self) -> Vec<(&'static str, String)> {
        let mut found: Vec<(&'static str, String)> = self
            .cells
            .iter()
            .filter_map(
                |(column, cell)| match crate::text::refuse_foreign(column.name(), cell) {
                    Err(DomainError::Validation { message, .. }) => Some((column.name(), message)),
                    _ => None,
                },
            )
            .collect();
        found.sort();
        found
    }
}

fn file_error(message: impl Into<String>) -> DomainError {
    DomainError::validation("file", message)
}

/// Decode and split the file; refuse it as a whole (`VALIDATION` on `file`) when it cannot be
/// read as the rules above say.
pub(super) fn read(bytes: &[u8]) -> Result<Vec<Row>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        file_error(format!(
            "the file must be encoded in UTF-8 (line {line} is not); from a spreadsheet, save it as \"CSV UTF-8\""
        ))
    })?;
    // The CSV reader counts lines by `\n` only as it passes them: with CRLF line ends it would
    // number each record one line early.
    let text = text.replace("\r\n", "\n");
    let header_line = text
        .lines()
        .find(|l| l.contains(|c: char| !c.is_whitespace() && c != ';' && c != ','))
        .ok_or_else(|| file_error("the file is empty"))?;
    let separator = if header_line.contains(';') || !header_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader
        .records()
        .filter(|r| !matches!(r, Ok(r) if r.iter().all(str::is_empty)));
    let header = match records.next() {
        Some(record) => record.map_err(unreadable)?,
        None => return Err(file_error("the file is empty")),
    };
    let columns = header_columns(&header)?;
    let mut rows = Vec::new();
    for record in records {
        // Blank lines, and lines of separators only as spreadsheets write them, are skipped.
        let record = record.map_err(unreadable)?;
        if rows.len() == MAX_ROWS {
            return Err(file_error(format!(
                "at most {MAX_ROWS} participants per file: split it"
            )));
        }
        rows.push(to_row(&columns, &record));
    }
    if rows.is_empty() {
        return Err(file_error(
            "the file has no participant under its header line",
        ));
    }
    Ok(rows)
}

fn unreadable(err: csv::Error) -> DomainError {
    let line = err.position().map_or(0, csv::Position::line);
    file_error(format!("line {line} cannot be read as CSV"))
}

/// The header's columns, in order; every name known, none twice, every required one there.
fn header_columns(header: &csv::StringRecord) -> Result<Vec<Column>> {
    let mut columns = Vec::with_capacity(header.len());
    let mut unknown = Vec::new();
    for (i, name) in header.iter().enumerate() {
        let name: String = name.nfc().collect::<String>().to_lowercase();
        match Column::from_name(&name) {
            Some(c) if columns.contains(&c) => {
                return Err(file_error(format!("the column {name} appears twice")));
            }
            Some(c) => columns.push(c),
            None if name.is_empty() => unknown.push(format!("(column {} has no name)", i + 1)),
            None => unknown.push(name),
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .filter(|(c, _, _, required)| *required && !columns.contains(c))
        .map(|(_, name, ..)| *name)
        .collect();
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!("missing columns: {}", missing.join(", ")));
    }
    if !unknown.is_empty() {
        let known: Vec<&str> = COLUMNS.iter().map(|(_, name, ..)| *name).collect();
        problems.push(format!(
            "unknown columns: {} (the columns are {})",
            unknown.join(", "),
            known.join(", ")
        ));
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(file_error(problems.join("; ")))
    }
}

fn to_row(columns: &[Column], record: &csv::StringRecord) -> Row {
    let line = record.position().map_or(0, csv::Position::line);
    // Empty cells past the header's width are what a spreadsheet leaves; anything else there
    // would be data without a column.
    let extra = record.iter().skip(columns.len()).any(|c| !c.is_empty());
    let shape = if record.len() < columns.len() || extra {
        Some(format!(
            "has {} fields where the header has {}",
            record.len(),
            columns.len()
        ))
    } else {
        None
    };
    let cells = columns
        .iter()
        .zip(record.iter())
        .map(|(c, v)| (*c, v.to_owned()))
        .collect();
    Row { line, cells, shape }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "last_name;first_name;birth_date;gender;commune;authorised_to_work;education_level;consent_date;consent_scope;referent";

    fn message(bytes: &[u8]) -> String {
        match read(bytes) {
            Err(DomainError::Validation { field, message }) => {
                assert_eq!(field, "file");
                message
            }
            other => panic!("expected a file error, got {other:?}"),
        }
    }

    #[test]
    fn a_semicolon_file_with_a_byte_order_mark_reads_with_line_numbers() {
        let text = format!(
            "\u{feff}{HEADER}\r\nLefèvre;Zoé;1990-01-02;F;Chenôve;oui;3;2024-01-02;suivi;r@x\r\n;;;;;;;;;\r\n\"Martin; dit Jo\";Léa;;;;;;;;\r\n"
        );
        let rows = read(text.as_bytes()).expect("read");
        assert_eq!(rows.len(), 2, "the line of separators is skipped");
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].get(Column::LastName), Some("Lefèvre"));
        assert_eq!(rows[0].get(Column::Commune), Some("Chenôve"));
        assert_eq!(rows[0].get(Column::Id), None);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].get(Column::LastName), Some("Martin; dit Jo"));
        assert_eq!(rows[1].get(Column::BirthDate), None);
        assert!(rows[1].shape.is_none());
    }

    #[test]
    fn commas_separate_when_the_header_has_no_semicolon_and_names_ignore_case() {
        let header = HEADER.replace(';', ",").to_uppercase();
        let text = format!("{header}\nA,B,1990-01-02,F,X,1,3,2024-01-02,s,r\n");
        let rows = read(text.as_bytes()).expect("read");
        assert_eq!(rows[0].get(Column::Referent), Some("r"));
    }

    #[test]
    fn a_line_that_does_not_fit_the_header_is_a_row_problem() {
        let text = format!("{HEADER}\nA;B\nA;B;;;;;;;;;;\nA;B;;;;;;;;;x\n");
        let rows = read(text.as_bytes()).expect("read");
        assert!(rows[0].shape.is_some(), "too few fields");
        assert!(rows[1].shape.is_none(), "trailing empty fields are fine");
        assert!(rows[2].shape.is_some(), "data past the header");
    }

    #[test]
    fn unreadable_files_are_refused_with_the_reason() {
        let latin1 = [HEADER.as_bytes(), b"\nLef\xe8vre;"].concat();
        let m = message(&latin1);
        assert!(m.contains("UTF-8") && m.contains("line 2"), "{m}");
        assert!(message(b"").contains("empty"));
        assert!(message(b"\r\n\r\n").contains("empty"));
        assert!(message(HEADER.as_bytes()).contains("no participant"));
        let m = message(b"last_name;first_name\nA;B\n");
        assert!(m.contains("missing columns: birth_date, gender"), "{m}");
        let m = message(format!("{HEADER};nickname\n").as_bytes());
        assert!(m.contains("unknown columns: nickname"), "{m}");
        let m = message(format!("{HEADER};gender\n").as_bytes());
        assert!(m.contains("gender appears twice"), "{m}");
    }

    #[test]
    fn the_row_cap_has_its_edge() {
        let line = "A;B;;;;;;;;\n";
        let at_cap = format!("{HEADER}\n{}", line.repeat(MAX_ROWS));
        assert_eq!(read(at_cap.as_bytes()).expect("read").len(), MAX_ROWS);
        let over = format!("{HEADER}\n{}", line.repeat(MAX_ROWS + 1));
        assert!(message(over.as_bytes()).contains("at most 5000"));
    }
}
