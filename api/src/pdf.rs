//! Printable documents, written with `pdf-writer` and the standard Helvetica font (no font file
//! to embed; text is encoded as WinAnsi, so French accents print).

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

/// A4 landscape, in points.
const WIDTH: f32 = 842.0;
const HEIGHT: f32 = 595.0;
const MARGIN: f32 = 36.0;

/// Text as WinAnsi bytes (Latin-1 for what French needs; anything else becomes `?`).
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{2019}' => 0x92,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{20ac}' => 0x80,
            c if (c as u32) < 0x100 && !c.is_control() => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

fn text(content: &mut Content, font: Name<'_>, size: f32, x: f32, y: f32, s: &str) {
    content.begin_text();
    content.set_font(font, size);
    content.next_line(x, y);
    content.show(Str(&win_ansi(s)));
    content.end_text();
}

/// An attendance sheet (feuille d'émargement): one row per participant, one column per session,
/// a signature box in each cell.
pub fn attendance_sheet(
    title: &str,
    subtitle: &str,
    sessions: &[String],
    names: &[String],
) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let page = Ref::new(3);
    let font = Ref::new(4);
    let bold = Ref::new(5);
    let contents = Ref::new(6);
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
    p.parent(pages);
    p.contents(contents);
    let mut resources = p.resources();
    let mut fonts = resources.fonts();
    fonts.pair(Name(b"F1"), font);
    fonts.pair(Name(b"F2"), bold);
    fonts.finish();
    resources.finish();
    p.finish();
    for (r, base) in [(font, "Helvetica"), (bold, "Helvetica-Bold")] {
        let mut f = pdf.type1_font(r);
        f.base_font(Name(base.as_bytes()));
        f.encoding_predefined(Name(b"WinAnsiEncoding"));
    }

    let mut c = Content::new();
    text(
        &mut c,
        Name(b"F2"),
        16.0,
        MARGIN,
        HEIGHT - MARGIN - 12.0,
        title,
    );
    text(
        &mut c,
        Name(b"F1"),
        10.0,
        MARGIN,
        HEIGHT - MARGIN - 30.0,
        subtitle,
    );
    let top = HEIGHT - MARGIN - 50.0;
    let name_width = 170.0;
    let columns = sessions.len().max(1) as f32;
    let cell_width = (WIDTH - 2.0 * MARGIN - name_width) / columns;
    let header = 28.0;
    let rows = names.len().max(1) as f32;
    let row_height = ((top - MARGIN - header - 20.0) / rows).clamp(18.0, 40.0);
    text(
        &mut c,
        Name(b"F2"),
        9.0,
        MARGIN + 4.0,
        top - 18.0,
        "Participant",
    );
    for (i, s) in sessions.iter().enumerate() {
        let x = MARGIN + name_width + i as f32 * cell_width;
        for (j, line) in s.split('\n').enumerate() {
            text(
                &mut c,
                Name(b"F2"),
                8.0,
                x + 3.0,
                top - 11.0 - j as f32 * 10.0,
                line,
            );
        }
    }
    for (r, name) in names.iter().enumerate() {
        let y = top - header - (r as f32 + 1.0) * row_height;
        text(
            &mut c,
            Name(b"F1"),
            9.0,
            MARGIN + 4.0,
            y + row_height / 2.0 - 3.0,
            name,
        );
    }
    // The grid: every cell is a box to sign.
    c.set_line_width(0.6);
    let bottom = top - header - rows * row_height;
    c.rect(MARGIN, bottom, WIDTH - 2.0 * MARGIN, top - bottom);
    c.stroke();
    let mut x = MARGIN + name_width;
    for _ in 0..sessions.len() {
        c.move_to(x, bottom);
        c.line_to(x, top);
        x += cell_width;
    }
    c.move_to(MARGIN, top - header);
    c.line_to(WIDTH - MARGIN, top - header);
    for r in 1..names.len() {
        let y = top - header - r as f32 * row_height;
        c.move_to(MARGIN, y);
        c.line_to(WIDTH - MARGIN, y);
    }
    c.stroke();
    text(
        &mut c,
        Name(b"F1"),
        8.0,
        MARGIN,
        MARGIN - 14.0,
        "Signature du participant pour chaque présence ; absences et retards notés par l'intervenant.",
    );
    pdf.stream(contents, &c.finish());
    pdf.finish()
}

/// One line of a text document.
#[derive(Clone, Debug, PartialEq)]
pub enum Line {
    Title(String),
    Heading(String),
    Text(String),
    Gap,
}

/// A4 portrait, in points.
const PORTRAIT: (f32, f32) = (595.0, 842.0);

/// Cut `text` into lines of at most `width` characters, at spaces where possible.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word = word.to_owned();
            while word.chars().count() > width {
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                if !line.is_empty() {
                    out.push(std::mem::take(&mut line));
                }
                out.push(head);
            }
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        out.push(line);
    }
    out
}

/// A text document on as many A4 portrait pages as it needs: a title, headings and wrapped
/// paragraphs, with the page number at the foot of each page.
pub fn document(lines: &[Line]) -> Vec<u8> {
    let (width, height) = PORTRAIT;
    // Lay out first: (font, size, text) per printed line, then cut into pages.
    let mut printed: Vec<(Name<'static>, f32, String)> = Vec::new();
    for line in lines {
        match line {
            Line::Title(t) => printed.push((Name(b"F2"), 15.0, t.clone())),
            Line::Heading(t) => {
                printed.push((Name(b"F1"), 6.0, String::new()));
                printed.push((Name(b"F2"), 11.5, t.clone()));
            }
            Line::Text(t) => {
                for l in wrap(t, 100) {
                    printed.push((Name(b"F1"), 10.0, l));
                }
            }
            Line::Gap => printed.push((Name(b"F1"), 8.0, String::new())),
        }
    }
    let usable = height - 2.0 * MARGIN - 20.0;
    let mut pages: Vec<Vec<(Name<'static>, f32, String)>> = vec![Vec::new()];
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

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let bold = Ref::new(4);
    let page_refs: Vec<(Ref, Ref)> = (0..pages.len() as i32)
        .map(|i| (Ref::new(5 + 2 * i), Ref::new(6 + 2 * i)))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_refs.iter().map(|(p, _)| *p))
        .count(pages.len() as i32);
    for (r, base) in [(font, "Helvetica"), (bold, "Helvetica-Bold")] {
        let mut f = pdf.type1_font(r);
        f.base_font(Name(base.as_bytes()));
        f.encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let count = pages.len();
    for (n, (lines, (page_ref, content_ref))) in pages.into_iter().zip(&page_refs).enumerate() {
        let mut p = pdf.page(*page_ref);
        p.media_box(Rect::new(0.0, 0.0, width, height));
        p.parent(tree);
        p.contents(*content_ref);
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), font);
        fonts.pair(Name(b"F2"), bold);
        fonts.finish();
        resources.finish();
        p.finish();
        let mut c = Content::new();
        let mut y = height - MARGIN;
        for (f, size, t) in lines {
            y -= size * 1.4;
            if !t.is_empty() {
                text(&mut c, f, size, MARGIN, y, &t);
            }
        }
        text(
            &mut c,
            Name(b"F1"),
            8.0,
            width - MARGIN - 40.0,
            MARGIN - 14.0,
            &format!("{} / {count}", n + 1),
        );
        pdf.stream(*content_ref, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_is_a_pdf() {
        let bytes = attendance_sheet(
            "Groupe 1",
            "Semaine 1",
            &["lun. 07/09\nmatin".into()],
            &["Diallo Amina".into()],
        );
        assert!(bytes.starts_with(b"%PDF-"));
        assert!(bytes.windows(5).any(|w| w == b"%%EOF"));
        let long = "préconisation ".repeat(1200);
        let doc = document(&[Line::Title("Fiche".into()), Line::Text(long)]);
        assert!(doc.starts_with(b"%PDF-"));
        assert!(
            doc.windows(11).filter(|w| w == b"/Type /Page").count() >= 3,
            "a long text runs over several pages"
        );
        assert_eq!(wrap("abc def", 3), vec!["abc", "def"]);
        assert_eq!(wrap("abcdefg", 3), vec!["abc", "def", "g"]);
        assert_eq!(
            win_ansi("Chenôve – l’été"),
            b"Chen\xf4ve \x96 l\x92\xe9t\xe9"
        );
    }
}
