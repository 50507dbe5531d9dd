//! Printable documents, written with `krilla`: text in DejaVu Sans (embedded, subset to the
//! glyphs each document uses, shaped by `rustybuzz`), so that every name prints as stored —
//! Latin with all its diacritics and ligatures, Greek, Cyrillic, Vietnamese, and Arabic or
//! Hebrew in their right-to-left order (`unicode-bidi`) and joined shapes. A character the font
//! has no glyph for prints as `□` and the page says which ones, by code point: never a silent
//! `?`. Each page carries the ESF+ co-financing mention with the EU emblem.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};

/// A4 landscape, in points.
const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;
/// A4 portrait, in points.
const PORTRAIT: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 36.0;
/// The footer's height: the ESF+ mention and the page number.
const FOOTER: f32 = 40.0;
/// What replaces a character the font cannot print.
const MISSING: char = '\u{25A1}';

/// The statement of the European Union's support that every document given to participants
/// carries (ESF+ communication rules, Regulation (EU) 2021/1060, art. 47 and 50).
pub const ESF_MENTION: &str =
    "Cette action est cofinancée par l'Union européenne — Fonds social européen plus (FSE+).";

static REGULAR_DATA: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static BOLD_DATA: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// One typeface: the font krilla embeds, and the same file read by `skrifa` to measure text
/// and to know which characters it covers.
struct Face {
    font: Font,
    data: &'static [u8],
}

static REGULAR: LazyLock<Face> = LazyLock::new(|| Face::new(REGULAR_DATA));
static BOLD: LazyLock<Face> = LazyLock::new(|| Face::new(BOLD_DATA));

impl Face {
    fn new(data: &'static [u8]) -> Self {
        Self {
            font: Font::new(data.into(), 0).expect("the bundled font reads"),
            data,
        }
    }

    fn reference(&self) -> skrifa::FontRef<'static> {
        skrifa::FontRef::new(self.data).expect("the bundled font reads")
    }

    /// Whether the font has a glyph for `c`.
    fn covers(&self, c: char) -> bool {
        self.reference().charmap().map(c).is_some()
    }

    /// The width of `text` at `size` points (advances, without kerning).
    fn width(&self, text: &str, size: f32) -> f32 {
        let face = self.reference();
        let charmap = face.charmap();
        let metrics = face.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .filter_map(|c| charmap.map(c))
            .filter_map(|g| metrics.advance_width(g))
            .sum()
    }
}

/// What a document could not print, to say so on its page.
#[derive(Default)]
struct Missing(BTreeSet<char>);

impl Missing {
    /// `text` with each character `face` cannot print replaced by [`MISSING`], noted.
    fn printable(&mut self, face: &Face, text: &str) -> String {
        text.chars()
            .map(|c| {
                if c.is_whitespace() || face.covers(c) {
                    c
                } else {
                    self.0.insert(c);
                    MISSING
                }
            })
            .collect()
    }

    fn note(&self) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        let listed: Vec<String> = self
            .0
            .iter()
            .map(|c| format!("U+{:04X} {c}", *c as u32))
            .collect();
        Some(format!(
            "Caractères que la police de ce document ne peut pas imprimer (remplacés par {MISSING}) : {}",
            listed.join(", ")
        ))
    }
}

fn black() -> Fill {
    Fill {
        paint: rgb::Color::new(0, 0, 0).into(),
        ..Fill::default()
    }
}

/// Draw one line of text with its baseline at `y` (from the top), starting at `x`: its
/// right-to-left runs in visual order, each shaped in its direction.
fn line(surface: &mut Surface, face: &Face, size: f32, x: f32, y: f32, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    let info = unicode_bidi::BidiInfo::new(text, None);
    let mut x = x;
    for paragraph in &info.paragraphs {
        let (levels, runs) = info.visual_runs(paragraph, paragraph.range.clone());
        for run in runs {
            let piece = &text[run.clone()];
            let direction = if levels[run.start].is_rtl() {
                TextDirection::RightToLeft
            } else {
                TextDirection::LeftToRight
            };
            surface.set_fill(Some(black()));
            surface.draw_text(
                Point::from_xy(x, y),
                face.font.clone(),
                size,
                piece,
                false,
                direction,
            );
            x += face.width(piece, size);
        }
    }
}

fn stroke(surface: &mut Surface, width: f32, build: impl FnOnce(&mut PathBuilder)) {
    let mut pb = PathBuilder::new();
    build(&mut pb);
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            width,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// The EU emblem, `h` points high, its top left corner at (`x`, `y`): twelve gold stars in a
/// circle on blue, drawn (no image file).
fn eu_emblem(surface: &mut Surface, x: f32, y: f32, h: f32) {
    let w = h * 1.5;
    let mut pb = PathBuilder::new();
    pb.move_to(x, y);
    pb.line_to(x + w, y);
    pb.line_to(x + w, y + h);
    pb.line_to(x, y + h);
    pb.close();
    if let Some(path) = pb.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(Fill {
            paint: rgb::Color::new(0, 51, 153).into(),
            ..Fill::default()
        }));
        surface.draw_path(&path);
    }
    let (cx, cy, r) = (x + w / 2.0, y + h / 2.0, h / 3.0);
    let star = h / 18.0;
    let mut pb = PathBuilder::new();
    for i in 0..12 {
        let a = std::f32::consts::TAU * i as f32 / 12.0;
        let (sx, sy) = (cx + r * a.sin(), cy - r * a.cos());
        for k in 0..10 {
            let radius = if k % 2 == 0 { star } else { star * 0.4 };
            let t = std::f32::consts::TAU * k as f32 / 10.0;
            let (px, py) = (sx + radius * t.sin(), sy - radius * t.cos());
            if k == 0 {
                pb.move_to(px, py);
            } else {
                pb.line_to(px, py);
            }
        }
        pb.close();
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(Some(Fill {
            paint: rgb::Color::new(255, 204, 0).into(),
            ..Fill::default()
        }));
        surface.draw_path(&path);
    }
}

/// The foot of every page: the EU emblem and the ESF+ mention on the left, the page number on
/// the right, and above them what the page could not print, if anything.
fn footer(
    surface: &mut Surface,
    (width, height): (f32, f32),
    page: usize,
    pages: usize,
    missing: &Missing,
) {
    let top = height - MARGIN - FOOTER + 14.0;
    eu_emblem(surface, MARGIN, top, 18.0);
    line(
        surface,
        &REGULAR,
        8.0,
        MARGIN + 33.0,
        top + 12.0,
        ESF_MENTION,
    );
    let number = format!("{page} / {pages}");
    line(
        surface,
        &REGULAR,
        8.0,
        width - MARGIN - REGULAR.width(&number, 8.0),
        top + 12.0,
        &number,
    );
    if let Some(note) = missing.note() {
        for (i, l) in wrap(&note, &REGULAR, 7.0, width - 2.0 * MARGIN)
            .iter()
            .enumerate()
        {
            line(
                surface,
                &REGULAR,
                7.0,
                MARGIN,
                top - 8.0 + i as f32 * 9.0,
                l,
            );
        }
    }
}

/// The document's bytes, or an empty PDF-free error the caller reports (krilla refuses only
/// documents it cannot represent; ours are plain text and paths).
fn finish(document: Document) -> Vec<u8> {
    document.finish().unwrap_or_default()
}

/// A row of an attendance sheet.
pub struct SheetRow {
    /// The member's name (a second line may say when they left).
    pub name: String,
    /// For each session column, whether the member signs there (false after their last day:
    /// the cell is struck through).
    pub signs: Vec<bool>,
}

/// An attendance sheet (feuille d'émargement): a heading, one row per participant, one column
/// per session, a box to sign in each cell (struck through after a drop-out), and the
/// trainer's signature box under the grid.
pub fn attendance_sheet(
    title: &str,
    subtitle: &str,
    sessions: &[String],
    rows: &[SheetRow],
) -> Vec<u8> {
    let mut missing = Missing::default();
    let title = missing.printable(&BOLD, title);
    let subtitle = missing.printable(&REGULAR, subtitle);
    let sessions: Vec<String> = sessions
        .iter()
        .map(|s| missing.printable(&BOLD, s))
        .collect();
    let names: Vec<String> = rows
        .iter()
        .map(|r| missing.printable(&REGULAR, &r.name))
        .collect();

    let mut document = Document::new();
    let mut page =
        document.start_page_with(PageSettings::from_wh(WIDTH, HEIGHT).expect("A4 is a page size"));
    let mut s = page.surface();
    line(&mut s, &BOLD, 15.0, MARGIN, MARGIN + 12.0, &title);
    for (i, l) in subtitle.lines().enumerate() {
        line(
            &mut s,
            &REGULAR,
            9.0,
            MARGIN,
            MARGIN + 28.0 + i as f32 * 11.0,
            l,
        );
    }
    let subtitle_lines = subtitle.lines().count().max(1) as f32;
    let top = MARGIN + 34.0 + subtitle_lines * 11.0;
    let name_width = 170.0;
    let columns = sessions.len().max(1) as f32;
    let cell_width = (WIDTH - 2.0 * MARGIN - name_width) / columns;
    let header = 38.0;
    let trainer = 46.0;
    let row_count = names.len().max(1) as f32;
    let bottom_limit = HEIGHT - MARGIN - FOOTER - trainer - 8.0;
    let row_height = ((bottom_limit - top - header) / row_count).clamp(16.0, 40.0);
    line(&mut s, &BOLD, 9.0, MARGIN + 4.0, top + 18.0, "Participant");
    for (i, session) in sessions.iter().enumerate() {
        let x = MARGIN + name_width + i as f32 * cell_width;
        for (j, l) in session.split('\n').enumerate() {
            line(&mut s, &BOLD, 7.5, x + 3.0, top + 10.0 + j as f32 * 9.0, l);
        }
    }
    for (r, name) in names.iter().enumerate() {
        let y = top + header + r as f32 * row_height;
        let name_lines: Vec<&str> = name.split('\n').collect();
        let first = y + row_height / 2.0 + 3.0 - (name_lines.len() - 1) as f32 * 5.0;
        for (j, l) in name_lines.iter().enumerate() {
            let size = if j == 0 { 9.0 } else { 7.0 };
            line(
                &mut s,
                &REGULAR,
                size,
                MARGIN + 4.0,
                first + j as f32 * 10.0,
                l,
            );
        }
    }
    // Strike through the cells where a member no longer signs.
    stroke(&mut s, 0.4, |pb| {
        for (r, row) in rows.iter().enumerate() {
            let y = top + header + r as f32 * row_height;
            for (c, signs) in row.signs.iter().enumerate() {
                if !signs {
                    let x = MARGIN + name_width + c as f32 * cell_width;
                    pb.move_to(x + 3.0, y + row_height - 3.0);
                    pb.line_to(x + cell_width - 3.0, y + 3.0);
                }
            }
        }
    });
    let bottom = top + header + row_count * row_height;
    stroke(&mut s, 0.6, |pb| {
        pb.move_to(MARGIN, top);
        pb.line_to(WIDTH - MARGIN, top);
        pb.line_to(WIDTH - MARGIN, bottom);
        pb.line_to(MARGIN, bottom);
        pb.close();
        let mut x = MARGIN + name_width;
        for _ in 0..sessions.len() {
            pb.move_to(x, top);
            pb.line_to(x, bottom);
            x += cell_width;
        }
        pb.move_to(MARGIN, top + header);
        pb.line_to(WIDTH - MARGIN, top + header);
        for r in 1..names.len() {
            let y = top + header + r as f32 * row_height;
            pb.move_to(MARGIN, y);
            pb.line_to(WIDTH - MARGIN, y);
        }
    });
    // The trainer's box: who led the sessions, and their signature.
    let box_top = bottom + 8.0;
    stroke(&mut s, 0.6, |pb| {
        pb.move_to(WIDTH - MARGIN - 300.0, box_top);
        pb.line_to(WIDTH - MARGIN, box_top);
        pb.line_to(WIDTH - MARGIN, box_top + trainer);
        pb.line_to(WIDTH - MARGIN - 300.0, box_top + trainer);
        pb.close();
    });
    line(
        &mut s,
        &REGULAR,
        8.0,
        WIDTH - MARGIN - 296.0,
        box_top + 11.0,
        "Intervenant(e) — nom et signature :",
    );
    line(
        &mut s,
        &REGULAR,
        8.0,
        MARGIN,
        box_top + 11.0,
        "Signature du participant pour chaque présence ; absences et retards notés par l'intervenant(e).",
    );
    footer(&mut s, (WIDTH, HEIGHT), 1, 1, &missing);
    s.finish();
    page.finish();
    finish(document)
}

/// One line of a text document.
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    Title(String),
    Heading(String),
    Text(String),
    Gap,
}

/// Cut `text` into lines no wider than `width` points at `size`, at spaces where possible.
fn wrap(text: &str, face: &Face, size: f32, width: f32) -> Vec<String> {
    let fits = |s: &str| face.width(s, size) <= width;
    let mut out = Vec::new();
    for paragraph in text.lines() {
        let mut current = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_owned()
            } else {
                format!("{current} {word}")
            };
            if fits(&candidate) {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            // A word wider than the line is cut where it must be.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if !fits(&piece) {
                    piece.pop();
                    out.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            current = piece;
        }
        out.push(current);
    }
    out
}

/// A text document on as many A4 portrait pages as it needs: a title, headings and wrapped
/// paragraphs, with the ESF+ mention and the page number at the foot of each page.
pub fn document(lines: &[Line]) -> Vec<u8> {
    let (width, height) = PORTRAIT;
    let usable_width = width - 2.0 * MARGIN;
    let mut missing = Missing::default();
    // Lay out first: (face, size, text) per printed line, then cut into pages.
    let mut printed: Vec<(&'static Face, f32, String)> = Vec::new();
    for l in lines {
        match l {
            Line::Title(t) => {
                for w in wrap(&missing.printable(&BOLD, t), &BOLD, 15.0, usable_width) {
                    printed.push((&BOLD, 15.0, w));
                }
            }
            Line::Heading(t) => {
                printed.push((&REGULAR, 6.0, String::new()));
                for w in wrap(&missing.printable(&BOLD, t), &BOLD, 11.5, usable_width) {
                    printed.push((&BOLD, 11.5, w));
                }
            }
            Line::Text(t) => {
                for w in wrap(
                    &missing.printable(&REGULAR, t),
                    &REGULAR,
                    10.0,
                    usable_width,
                ) {
                    printed.push((&REGULAR, 10.0, w));
                }
            }
            Line::Gap => printed.push((&REGULAR, 8.0, String::new())),
        }
    }
    let usable = height - 2.0 * MARGIN - FOOTER - 20.0;
    let mut pages: Vec<Vec<(&'static Face, f32, String)>> = vec![Vec::new()];
    let mut used = 0.0;
    for l in printed {
        let leading = l.1 * 1.4;
        if used + leading > usable {
            pages.push(Vec::new());
            used = 0.0;
        }
        used += leading;
        if let Some(page) = pages.last_mut() {
            page.push(l);
        }
    }
    let count = pages.len();
    let mut document = Document::new();
    for (n, lines) in pages.into_iter().enumerate() {
        let mut page = document
            .start_page_with(PageSettings::from_wh(width, height).expect("A4 is a page size"));
        let mut s = page.surface();
        let mut y = MARGIN;
        for (face, size, t) in lines {
            y += size * 1.4;
            line(&mut s, face, size, MARGIN, y, &t);
        }
        footer(&mut s, (width, height), n + 1, count, &missing);
        s.finish();
        page.finish();
    }
    finish(document)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_is_a_pdf_and_a_long_text_runs_over_pages() {
        let bytes = attendance_sheet(
            "Groupe 1",
            "Semaine 1",
            &["lun. 07/09\nmatin".into()],
            &[SheetRow {
                name: "DIALLO Amina\nsorti(e) le 08/09/2020".into(),
                signs: vec![true],
            }],
        );
        assert!(bytes.starts_with(b"%PDF-"));
        let long = "préconisation ".repeat(1200);
        let doc = document(&[Line::Title("Fiche".into()), Line::Text(long)]);
        assert!(doc.starts_with(b"%PDF-"));
        assert!(
            doc.windows(10).filter(|w| w == b"/Type/Page").count()
                + doc.windows(11).filter(|w| w == b"/Type /Page").count()
                >= 3,
            "a long text runs over several pages"
        );
    }

    #[test]
    fn lines_wrap_by_their_printed_width() {
        let lines = wrap(
            "abc def ghi",
            &REGULAR,
            10.0,
            REGULAR.width("abc def", 10.0),
        );
        assert_eq!(lines, vec!["abc def", "ghi"]);
        let cut = wrap("abcdefgh", &REGULAR, 10.0, REGULAR.width("abc", 10.0));
        assert_eq!(cut, vec!["abc", "def", "gh"]);
    }

    #[test]
    fn what_the_font_cannot_print_is_named_never_a_silent_question_mark() {
        let mut missing = Missing::default();
        for covered in [
            "Łukasiewicz",
            "Nguyễn Thị Ánh",
            "Œuvray",
            "Ștefănescu",
            "Иванова",
            "Παπαδόπουλος",
            "שרה",
            "محمد",
        ] {
            assert_eq!(missing.printable(&REGULAR, covered), covered);
        }
        assert!(missing.note().is_none());
        assert_eq!(missing.printable(&REGULAR, "王芳"), "□□");
        let note = missing.note().expect("a note");
        assert!(
            note.contains("U+738B 王") && note.contains("U+82B3 芳"),
            "{note}"
        );
    }
}
