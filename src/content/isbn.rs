//! ISBN-13: parsed from what editors write (`978-0-306-40615-7`, `ISBN 978…`, `urn:isbn:978…`)
//! and checked digit by digit, so a wrong check digit never reaches a barcode.

use std::fmt;

/// A valid ISBN-13: thirteen digits whose weighted sum (1, 3, 1, 3 …) is a multiple of ten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Isbn13 {
    digits: [u8; 13],
}

impl Isbn13 {
    /// Parse an ISBN-13 with or without hyphens and spaces, an `ISBN` or `urn:isbn:` prefix.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let body = ["urn:isbn:", "ISBN-13:", "ISBN-13 ", "ISBN:", "ISBN "]
            .iter()
            .find_map(|prefix| trimmed.strip_prefix(prefix))
            .unwrap_or(trimmed);
        let mut digits = Vec::with_capacity(13);
        for c in body.chars() {
            match c {
                '0'..='9' => digits.push(c as u8 - b'0'),
                '-' | ' ' => {}
                other => return Err(format!("`{other}` cannot be part of an ISBN-13")),
            }
        }
        let digits: [u8; 13] = digits
            .try_into()
            .map_err(|d: Vec<u8>| format!("an ISBN-13 has 13 digits, not {}", d.len()))?;
        if digits[..3] != [9, 7, 8] && digits[..3] != [9, 7, 9] {
            return Err("an ISBN-13 starts with 978 or 979".into());
        }
        let expected = check_digit(&digits[..12]);
        if digits[12] != expected {
            return Err(format!(
                "the check digit is {}, but the first twelve digits give {expected}",
                digits[12]
            ));
        }
        Ok(Self { digits })
    }

    /// The thirteen digits.
    pub fn digits(&self) -> [u8; 13] {
        self.digits
    }

    /// Whether a text looks like an ISBN rather than another identifier.
    pub fn looks_like(text: &str) -> bool {
        let t = text.trim();
        t.starts_with("urn:isbn:")
            || t.starts_with("ISBN")
            || (t.starts_with("97")
                && t.chars()
                    .all(|c| c.is_ascii_digit() || c == '-' || c == ' '))
    }
}

/// The EAN-13 check digit of twelve digits.
pub fn check_digit(first_twelve: &[u8]) -> u8 {
    let sum: u32 = first_twelve
        .iter()
        .enumerate()
        .map(|(i, &d)| u32::from(d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for Isbn13 {
    /// The thirteen digits without separators (where hyphens go depends on the ISBN agency's
    /// range tables, which the book's own `isbn` field spells out when it has them).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.digits {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbns_are_checked() {
        let isbn = Isbn13::parse("978-0-306-40615-7").unwrap();
        assert_eq!(isbn.to_string(), "9780306406157");
        assert!(Isbn13::parse("urn:isbn:9780306406157").is_ok());
        assert!(Isbn13::parse("ISBN 978 0 306 40615 7").is_ok());
        assert!(
            Isbn13::parse("978-0-306-40615-8")
                .unwrap_err()
                .contains("check digit")
        );
        assert!(Isbn13::parse("978030640615").is_err());
        assert!(Isbn13::parse("1230306406157").is_err());
        assert!(Isbn13::parse("97803064O6157").is_err());
    }
}
