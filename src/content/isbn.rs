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

/// Left-hand odd parity (L) codes of the digits 0–9, as seven modules (1 = bar).
const L_CODES: [&str; 10] = [
    "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
    "0110111", "0001011",
];

/// Which of the six left-hand digits use even parity (G codes), by the first digit, which
/// is encoded in that pattern rather than in bars of its own.
const PARITY: [&str; 10] = [
    "LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL",
    "LGGLGL",
];

impl Isbn13 {
    /// The 95 modules of the EAN-13 symbol (true = bar): start guard, six left digits in L
    /// or G code by the first digit's parity pattern, centre guard, six right digits in R
    /// code, end guard (GS1 General Specifications, 5.2.1.2).
    pub fn ean13_modules(&self) -> Vec<bool> {
        let mut bits = String::from("101");
        let parity = PARITY[usize::from(self.digits[0])].as_bytes();
        for (i, &d) in self.digits[1..7].iter().enumerate() {
            let l = L_CODES[usize::from(d)];
            if parity[i] == b'L' {
                bits.push_str(l);
            } else {
                // G is R reversed; R is L with bars and spaces swapped.
                bits.extend(l.chars().rev().map(|c| if c == '0' { '1' } else { '0' }));
            }
        }
        bits.push_str("01010");
        for &d in &self.digits[7..] {
            bits.extend(
                L_CODES[usize::from(d)]
                    .chars()
                    .map(|c| if c == '0' { '1' } else { '0' }),
            );
        }
        bits.push_str("101");
        bits.chars().map(|c| c == '1').collect()
    }
}

/// Read digits back from EAN-13 modules, as a scanner would: the check against the encoder.
pub fn decode_ean13(modules: &[bool]) -> Option<[u8; 13]> {
    if modules.len() != 95 {
        return None;
    }
    let code =
        |slice: &[bool]| -> String { slice.iter().map(|&b| if b { '1' } else { '0' }).collect() };
    let mut digits = [0u8; 13];
    let mut parity = String::new();
    for i in 0..6 {
        let symbol = code(&modules[3 + i * 7..10 + i * 7]);
        let (digit, kind) = (0..10u8).find_map(|d| {
            let l = L_CODES[usize::from(d)];
            let g: String = l
                .chars()
                .rev()
                .map(|c| if c == '0' { '1' } else { '0' })
                .collect();
            (symbol == l)
                .then_some((d, 'L'))
                .or((symbol == g).then_some((d, 'G')))
        })?;
        digits[i + 1] = digit;
        parity.push(kind);
    }
    digits[0] = PARITY.iter().position(|p| *p == parity)? as u8;
    for i in 0..6 {
        let symbol = code(&modules[50 + i * 7..57 + i * 7]);
        let r = |d: usize| -> String {
            L_CODES[d]
                .chars()
                .map(|c| if c == '0' { '1' } else { '0' })
                .collect()
        };
        digits[i + 7] = (0..10).find(|&d| symbol == r(d))? as u8;
    }
    Some(digits)
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

    #[test]
    fn barcodes_encode_the_isbn() {
        for text in ["9780306406157", "9791032305690", "9781234567897"] {
            let isbn = Isbn13::parse(text).unwrap();
            let modules = isbn.ean13_modules();
            assert_eq!(modules.len(), 95);
            assert_eq!(decode_ean13(&modules), Some(isbn.digits()), "{text}");
        }
        // The first symbol of 978… (parity LGLGLG for 9): 7 in L code, 8 in G code.
        let modules = Isbn13::parse("9780306406157").unwrap().ean13_modules();
        let bits: String = modules[3..17]
            .iter()
            .map(|&b| if b { '1' } else { '0' })
            .collect();
        assert_eq!(bits, "01110110001001");
    }
}
