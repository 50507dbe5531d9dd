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
    Ok(text)
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

/// A key that sorts names alphabetically regardless of accents and case ("Fénay" < "Fontaine").
pub fn sort_key(name: &str) -> (String, String) {
    let folded = name
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
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
