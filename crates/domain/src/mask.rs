//! Masking of personal identifiers for logs and answers that do not need them in full.

use std::fmt;

/// Masks a personal identifier for logs and responses that do not need it in full: the first 6
/// and the last 4 characters stay, the rest become `*` (`320102********1234`). Anything of 10
/// characters or fewer is masked whole, so a short or malformed value never leaks either.
pub fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - 10;
    let mut out = String::with_capacity(chars.len());
    out.extend(&chars[..6]);
    out.extend(std::iter::repeat_n('*', hidden));
    out.extend(&chars[chars.len() - 4..]);
    out
}

/// Display adapter for log fields: `tracing::info!(person = %Masked(id), …)`.
pub struct Masked<'a>(pub &'a str);

impl fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_keeps_first_six_and_last_four() {
        assert_eq!(mask("11010519491231002X"), "110105********002X");
    }

    #[test]
    fn mask_hides_short_values_whole() {
        assert_eq!(mask("1234567890"), "**********");
        assert_eq!(mask(""), "");
    }

    #[test]
    fn mask_counts_characters_not_bytes() {
        assert_eq!(mask("张三李四王五赵六孙七周八"), "张三李四王五**孙七周八");
    }

    #[test]
    fn masked_display_matches_mask() {
        assert_eq!(
            Masked("11010519491231002X").to_string(),
            "110105********002X"
        );
    }
}
