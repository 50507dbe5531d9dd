//! Parsed text values. Each constructor checks its input once; a value of these types is valid.
//!
//! Rules common to every text: Unicode NFC normalisation (so that two spellings of "Chenôve" are
//! one), surrounding whitespace trimmed, no control characters (NUL is refused by PostgreSQL
//! `text` but accepted by SQLite: refusing it here keeps both backends alike), a maximum length
//! in characters.

use unicode_normalization::UnicodeNormalization;

use crate::error::DomainError;

/// Normalise and check a free text: NFC, trimmed, 1..=`max` characters, no control characters.
pub fn clean(field: &str, raw: &str, max: usize) -> Result<String, DomainError> {
    // Check the raw length first so that a megabyte of input is refused before any work.
    if raw.len() > max * 4 + 64 {
        return Err(DomainError::validation(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    let text: String = raw.trim().nfc().collect();
    if text.is_empty() {
        return Err(DomainError::validation(field, "must not be empty"));
    }
    if text.chars().count() > max {
        return Err(DomainError::validation(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(DomainError::validation(
            field,
            "must not contain control characters",
        ));
    }
    refuse_hidden(field, &text)?;
    Ok(text)
}

/// The longest text any input takes, in characters: an attendance signature's base64 (a
/// 64 KiB image) and a call's Markdown specification reach it. Every text field has its own
/// bound, given in its description; this one holds for every text, whichever path it takes
/// (the GraphQL wall, CSV cells).
pub const MAX_ANY_TEXT: usize = 100_000;

/// Whether `c` is a character that no input needs and that can hide or disguise what a text
/// says:
///
/// - control characters (Unicode `Cc`: C0, DEL, C1) other than tab, line feed and carriage
///   return, which multi-line fields keep and one-line fields refuse themselves; NUL among
///   them (PostgreSQL refuses it in `text`, SQLite keeps it and cuts patterns at it);
/// - the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
///   which make a text display in another order than it is stored ("Trojan Source",
///   CVE-2021-42574). The marks U+200E, U+200F and U+061C stay: mixed right-to-left text
///   needs them;
/// - invisible characters: zero-width space U+200B, word joiner U+2060, invisible operators
///   U+2061–U+2064, soft hyphen U+00AD, byte-order mark U+FEFF, Mongolian vowel separator
///   U+180E, line and paragraph separators U+2028–U+2029, interlinear annotations
///   U+FFF9–U+FFFB and the tag characters U+E0000–U+E007F;
/// - noncharacters (U+FDD0–U+FDEF and every U+xxFFFE, U+xxFFFF).
///
/// The zero-width joiner and non-joiner (U+200D, U+200C) are not among them: Persian, Arabic
/// and Indic names need them.
pub fn is_hidden(c: char) -> bool {
    let n = c as u32;
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(n, 0x202A..=0x202E | 0x2066..=0x2069)
        || matches!(
            n,
            0x200B | 0x2060..=0x2064 | 0x00AD | 0xFEFF | 0x180E | 0x2028 | 0x2029
        )
        || matches!(n, 0xFFF9..=0xFFFB | 0xE0000..=0xE007F)
        || matches!(n, 0xFDD0..=0xFDEF)
        || n & 0xFFFE == 0xFFFE
}

/// Refuse a text holding a character of [`is_hidden`], naming the first one: the check every
/// text from outside passes, whatever its field.
pub fn refuse_hidden(field: &str, text: &str) -> Result<(), DomainError> {
    match text.chars().find(|c| is_hidden(*c)) {
        None => Ok(()),
        Some(c) => Err(DomainError::validation(
            field,
            format!(
                "must not contain U+{:04X} (a control, direction-changing or invisible character)",
                c as u32
            ),
        )),
    }
}

/// The check of a text that reaches the service by a path no field's own parse covers (a
/// search, a filter, a CSV cell): at most [`MAX_ANY_TEXT`] characters and nothing
/// [`is_hidden`].
pub fn refuse_foreign(field: &str, text: &str) -> Result<(), DomainError> {
    if text.chars().count() > MAX_ANY_TEXT {
        return Err(DomainError::validation(
            field,
            format!("must be at most {MAX_ANY_TEXT} characters"),
        ));
    }
    refuse_hidden(field, text)
}

/// Like [`clean`], for free text of several paragraphs: line breaks (`\n`, `\r\n` turned
/// into `\n`) and tabs are kept; any other control character is refused.
pub fn clean_paragraphs(field: &str, raw: &str, max: usize) -> Result<String, DomainError> {
    let lines: Vec<String> = raw
        .replace("\r\n", "\n")
        .split('\n')
        .map(|line| line.replace('\t', " "))
        .collect();
    // Each line is checked as one-line text; blank lines between paragraphs are kept.
    let mut out = Vec::with_capacity(lines.len());
    for line in &lines {
        if line.trim().is_empty() {
            out.push(String::new());
        } else {
            out.push(clean(field, line, max)?);
        }
    }
    let text = out.join("\n").trim().to_owned();
    if text.is_empty() {
        return Err(DomainError::validation(field, "must not be empty"));
    }
    if text.chars().count() > max {
        return Err(DomainError::validation(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(text)
}

/// The search key of a text: transliterated to ASCII by the `deunicode` crate (accents
/// dropped, ligatures spelt out: "Lætitia" → "laetitia", "Œuvray" → "oeuvray", "Strauß" →
/// "strauss", "Łukasiewicz" → "lukasiewicz", "Жуков" → "zhukov"), lowercased, and everything
/// but letters and digits removed (apostrophes, hyphens, spaces: "N’Diaye" and "n'diaye" are
/// both "ndiaye", "Le Goff" and "LEGOFF" both "legoff"). The same key on both databases:
/// computed here, stored, compared as text.
pub fn fold(text: &str) -> String {
    deunicode::deunicode_with_tofu(text, "")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The key a person is sorted and searched by: the folded last name, a space, the folded
/// first name ("Martin Léa" → "martin lea", sorted before "Martinez Ana" → "martinez ana").
pub fn name_key(last: &str, first: &str) -> String {
    format!("{} {}", fold(last), fold(first))
}

/// A key that sorts names alphabetically regardless of accents, ligatures, case and
/// punctuation ("Fénay" < "Fontaine"; each word folded by [`fold`]); the name itself breaks
/// ties.
pub fn sort_key(name: &str) -> (String, String) {
    let folded = name
        .split_whitespace()
        .map(fold)
        .collect::<Vec<_>>()
        .join(" ");
    (folded, name.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, owned.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// A display name: a person, a structure, a tenant, a commune (1 to 200 characters).
    Name
);

impl Name {
    /// Parse `raw` for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        clean(field, raw, 200).map(Self)
    }
}

text_type!(
    /// A tenant slug, the `tenant` claim of tokens: 2 to 63 lowercase ASCII letters, digits and
    /// inner hyphens.
    Slug
);

impl Slug {
    /// Parse `raw` for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let ok = (2..=63).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !raw.starts_with('-')
            && !raw.ends_with('-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::validation(
                field,
                "must be 2 to 63 lowercase letters, digits or inner hyphens",
            ))
        }
    }
}

text_type!(
    /// An e-mail address, lowercased (so that uniqueness ignores case), at most 254 characters.
    Email
);

impl Email {
    /// Parse `raw` for `field`. Deliberately simple: one `@`, a non-empty local part, a domain
    /// with a dot, no spaces. Deliverability is the mail server's business.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let text = clean(field, raw, 254)?.to_lowercase();
        let valid = match text.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !text.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if valid {
            Ok(Self(text))
        } else {
            Err(DomainError::validation(field, "is not an e-mail address"))
        }
    }
}

text_type!(
    /// The `sub` claim that a staff member's tokens carry (1 to 255 characters).
    Subject
);

impl Subject {
    /// Parse `raw` for `field`. The subject is compared byte for byte with tokens, so it is not
    /// normalised, only checked.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        if raw.is_empty() || raw.chars().count() > 255 {
            return Err(DomainError::validation(
                field,
                "must be 1 to 255 characters",
            ));
        }
        if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(DomainError::validation(
                field,
                "must not contain spaces or control characters",
            ));
        }
        Ok(Self(raw.to_owned()))
    }
}

text_type!(
    /// An INSEE commune code: five characters, digits, or `2A`/`2B` followed by three digits for
    /// Corsica.
    InseeCode
);

impl InseeCode {
    /// Parse `raw` for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let b = raw.as_bytes();
        let ok = b.len() == 5
            && b[2..].iter().all(u8::is_ascii_digit)
            && (b[..2].iter().all(u8::is_ascii_digit)
                || (b[0] == b'2' && (b[1] == b'A' || b[1] == b'B')));
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(DomainError::validation(
                field,
                "must be a 5-character INSEE code such as 21231 or 2A004",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_refused_and_the_joiners_scripts_need_are_kept() {
        for hidden in [
            '\0',
            '\u{1}',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{9f}',
            '\u{202e}',
            '\u{202a}',
            '\u{2066}',
            '\u{2069}',
            '\u{200b}',
            '\u{2060}',
            '\u{feff}',
            '\u{ad}',
            '\u{2028}',
            '\u{fdd0}',
            '\u{fffe}',
            '\u{1ffff}',
            '\u{10ffff}',
            '\u{e0041}',
        ] {
            assert!(is_hidden(hidden), "U+{:04X}", hidden as u32);
            let text = format!("Ann{hidden}e");
            assert!(
                clean("lastName", &text, 200).is_err(),
                "U+{:04X}",
                hidden as u32
            );
        }
        // Persian with a zero-width non-joiner, Hindi with a joiner, Hebrew with a mark.
        for kept in [
            "\u{645}\u{6cc}\u{200c}\u{62e}\u{648}\u{627}\u{647}\u{645}",
            "\u{915}\u{94d}\u{200d}\u{937}",
            "\u{5e9}\u{5e8}\u{200f}",
            "Nguyễn Thị",
            "Łukasiewicz",
        ] {
            assert_eq!(
                clean("lastName", kept, 200).ok().as_deref(),
                Some(kept),
                "{kept}"
            );
        }
        assert!(!is_hidden('\t') && !is_hidden('\n') && !is_hidden('\r'));
        assert!(refuse_foreign("search", &"a".repeat(MAX_ANY_TEXT + 1)).is_err());
        assert!(refuse_foreign("search", &"a".repeat(MAX_ANY_TEXT)).is_ok());
    }

    #[test]
    fn paragraphs_keep_their_line_breaks_and_nothing_else() {
        assert_eq!(
            clean_paragraphs("r", "  Un.\r\n\r\nDeux\tpoints.  ", 100).ok(),
            Some("Un.\n\nDeux points.".to_owned())
        );
        assert!(clean_paragraphs("r", "bip\u{7}", 100).is_err());
        assert!(clean_paragraphs("r", "\n \n", 100).is_err());
        assert!(clean_paragraphs("r", &"a\n".repeat(60), 100).is_err());
    }

    #[test]
    fn names_are_trimmed_and_nfc_normalised() {
        let decomposed = "  Chenove\u{0302}  ".replace("ove\u{0302}", "o\u{0302}ve");
        let name = Name::parse("name", &decomposed).expect("valid");
        assert_eq!(name.as_str(), "Chenôve");
    }

    #[test]
    fn names_refuse_empty_control_and_too_long_text() {
        assert!(Name::parse("name", "   ").is_err(), "blank");
        assert!(Name::parse("name", "a\u{0}b").is_err(), "NUL");
        assert!(
            Name::parse("name", &"x".repeat(201)).is_err(),
            "201 characters"
        );
        assert!(
            Name::parse("name", &"x".repeat(200)).is_ok(),
            "200 characters"
        );
        assert!(
            Name::parse("name", &"é".repeat(200)).is_ok(),
            "200 two-byte characters"
        );
        assert!(
            Name::parse("name", "مرحبا 👋").is_ok(),
            "RTL and emoji are text"
        );
    }

    #[test]
    fn slugs_follow_the_token_claim_format() {
        assert!(Slug::parse("slug", "dijon").is_ok());
        assert!(Slug::parse("slug", "grand-besancon-2").is_ok());
        for bad in [
            "",
            "d",
            "Dijon",
            "-dijon",
            "dijon-",
            "dij on",
            "dijön",
            &"a".repeat(64),
        ] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn emails_are_lowercased_and_checked() {
        let email = Email::parse("email", " Alice@Example.ORG ").expect("valid");
        assert_eq!(email.as_str(), "alice@example.org");
        for bad in [
            "alice",
            "@example.org",
            "a@b",
            "a@@b.org",
            "a b@c.org",
            "a@.org",
        ] {
            assert!(
                Email::parse("email", bad).is_err(),
                "{bad:?} must be refused"
            );
        }
    }

    #[test]
    fn insee_codes_accept_corsica() {
        for good in ["21231", "2A004", "2B033", "97411"] {
            assert!(InseeCode::parse("insee", good).is_ok(), "{good}");
        }
        for bad in ["2123", "212310", "2C004", "A1231", "21 31"] {
            assert!(InseeCode::parse("insee", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_search_key_folds_accents_ligatures_apostrophes_and_hyphens() {
        for (a, b) in [
            ("Lætitia", "laetitia"),
            ("N’Diaye", "n'diaye"),
            ("N’Diaye", "NDIAYE"),
            ("Œuvray", "oeuvray"),
            ("Strauß", "strauss"),
            ("Łukasiewicz", "lukasiewicz"),
            ("Wiśniewski", "wisniewski"),
            ("Nguyễn", "nguyen"),
            ("Jean-Pierre", "jean pierre"),
            ("Le Goff", "legoff"),
            ("Ø", "o"),
            ("Çelik", "celik"),
            ("Ștefan", "stefan"),
        ] {
            assert_eq!(fold(a), fold(b), "{a} / {b}");
            assert!(!fold(a).is_empty(), "{a}");
        }
        assert_ne!(fold("Martin"), fold("Martine"));
    }

    #[test]
    fn names_sort_by_the_folded_key_not_after_z() {
        let mut names = [
            ("Zola", "Émile"),
            ("Łukasiewicz", "Jan"),
            ("Martinez", "Ana"),
            ("Œuvray", "Paul"),
            ("Martin", "Léa"),
            ("Ånström", "Eva"),
        ];
        names.sort_by_key(|(last, first)| name_key(last, first));
        let lasts: Vec<&str> = names.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            lasts,
            [
                "Ånström",
                "Łukasiewicz",
                "Martin",
                "Martinez",
                "Œuvray",
                "Zola"
            ]
        );
    }

    #[test]
    fn sort_keys_ignore_accents_and_case() {
        let mut names = vec!["Fontaine-lès-Dijon", "Fénay", "École-Valentin", "dijon"];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            ["dijon", "École-Valentin", "Fénay", "Fontaine-lès-Dijon"]
        );
    }

    #[test]
    fn subjects_are_kept_verbatim() {
        assert_eq!(
            Subject::parse("subject", "auth0|Abc")
                .expect("valid")
                .as_str(),
            "auth0|Abc"
        );
        assert!(Subject::parse("subject", "a b").is_err());
        assert!(Subject::parse("subject", "").is_err());
    }
}
