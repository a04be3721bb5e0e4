//! Field checks beyond the types: lengths and enumerations, reported as the contract's 422
//! items so every problem of a request is returned at once.

use crate::error::item;

/// Trims `value` and checks its length in characters; records a 422 item when out of range.
pub fn check_len(
    problems: &mut Vec<charge_protocol::ValidationItem>,
    loc: &[&str],
    value: &str,
    min: usize,
    max: usize,
) {
    let len = value.chars().count();
    if len < min {
        problems.push(item(
            "string_too_short",
            loc,
            format!(
                "String should have at least {min} character{}",
                if min == 1 { "" } else { "s" }
            ),
        ));
    } else if len > max {
        problems.push(item(
            "string_too_long",
            loc,
            format!("String should have at most {max} characters"),
        ));
    }
}

/// A PATCH's new `name` (see [`present`]): trimmed, 1–128 characters, and never `null`.
pub fn check_new_name(
    problems: &mut Vec<charge_protocol::ValidationItem>,
    name: &mut Option<Option<String>>,
) {
    match name {
        Some(Some(name)) => {
            *name = name.trim().to_owned();
            check_len(
                problems,
                &["body", "name"],
                name,
                1,
                charge_protocol::limits::NAME_MAX_LENGTH,
            );
        }
        Some(None) => problems.push(item(
            "string_type",
            &["body", "name"],
            "Input should be a valid string",
        )),
        None => {}
    }
}
