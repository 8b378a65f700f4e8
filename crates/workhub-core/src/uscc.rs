//! The 18-character unified social credit code (统一社会信用代码) and its GB 32100-2015 check digit.

const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn value(c: char) -> Option<u32> {
    ALPHABET.find(c).and_then(|i| u32::try_from(i).ok())
}

/// The check character the first 17 characters call for, or None if one is outside the alphabet.
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    let mut count = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value(c)? * w;
        count += 1;
    }
    if count != 17 || first17.chars().count() != 17 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(check as usize)
}

/// Whether `code` (upper-cased by the caller or not) is a well-formed USCC with a valid check digit.
pub fn is_valid(code: &str) -> bool {
    let code = code.trim().to_ascii_uppercase();
    if code.len() != 18 || !code.is_ascii() {
        return false;
    }
    let (body, last) = code.split_at(17);
    check_char(body).is_some_and(|c| last.starts_with(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes() {
        // Published codes of real companies.
        assert!(is_valid("91350100M000100Y43"));
        assert!(is_valid("91110000100010433L"));
        assert!(is_valid("914403001922038216"));
        assert!(is_valid("91440300708461136T"));
    }

    #[test]
    fn rejects_bad_codes() {
        assert!(!is_valid("91350100M000100Y44"));
        assert!(!is_valid("91350100M000100Y4"));
        assert!(!is_valid("91350100I000100Y43"));
        assert!(!is_valid(""));
        assert!(!is_valid("中文中文中文中文中文中文中文中文中文"));
    }
}
