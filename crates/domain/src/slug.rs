//! Room slugs: NFKC-normalised, case-folded titles with non-word runs turned into `-`.

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

pub const MAX_SLUG_LEN: usize = 64;

static NON_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\w]+").unwrap_or_else(|_| unreachable!()));

/// The base slug for a title; random hex when nothing word-like remains (an emoji-only title).
pub fn base_slug(title: &str) -> String {
    let normalized: String = title.trim().nfkc().collect();
    let folded = caseless::default_case_fold_str(&normalized);
    let dashed = NON_WORD.replace_all(&folded, "-");
    let slug = truncate(dashed.trim_matches('-'), MAX_SLUG_LEN);
    if slug.is_empty() {
        format!("{:08x}", rand::random::<u32>())
    } else {
        slug
    }
}

/// The `n`th candidate for `base`: the base itself, then `base-2`, `base-3`, …, each cut to fit.
pub fn candidate(base: &str, n: u32) -> String {
    if n <= 1 {
        return base.to_owned();
    }
    let suffix = format!("-{n}");
    let room = MAX_SLUG_LEN - suffix.chars().count();
    format!("{}{suffix}", truncate(base, room))
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars()
        .take(max_chars)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_reference_examples() {
        assert_eq!(base_slug("Strategy"), "strategy");
        assert_eq!(base_slug("  Привет, мир!  "), "привет-мир");
        assert_eq!(base_slug("Ünïcödé Straße"), "ünïcödé-strasse");
        assert_eq!(base_slug("foo_bar baz"), "foo_bar-baz");
        assert_eq!(base_slug("ﬁle ＡＢＣ"), "file-abc");
        assert_eq!(base_slug(&"A".repeat(100)), "a".repeat(64));
        let emoji = base_slug("🔥🔥");
        assert_eq!(emoji.len(), 8);
        assert!(emoji.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn candidates_fit_in_64_characters() {
        assert_eq!(candidate("strategy", 1), "strategy");
        assert_eq!(candidate("strategy", 2), "strategy-2");
        let long = "a".repeat(64);
        assert_eq!(candidate(&long, 12).chars().count(), 64);
        assert!(candidate(&long, 12).ends_with("-12"));
    }
}
