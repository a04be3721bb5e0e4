//! Raw values: the precedence between the environment and the dotenv files, old variable
//! names, and the parsers every setting shares (booleans, numbers, lists).

use std::collections::HashMap;
use std::fmt;

use crate::SettingsError;
use crate::variables::VARIABLES;

/// Old names accepted for README variables.
const ALIASES: &[(&str, &str)] = &[
    ("DB_HOST", "DATABASE_HOST"),
    ("DB_PORT", "DATABASE_PORT"),
    ("DB_USER", "DATABASE_USER"),
    ("DB_PASSWORD", "DATABASE_PASSWORD"),
    ("DB_NAME", "DATABASE_NAME"),
    ("REALTIME_BACKEND", "REALTIME_BACKEND_PREFERENCE"),
];

/// Renames aliases to their README names within one source, so that precedence between
/// sources holds whichever of the two names each source uses.
pub(crate) fn canonical_names(mut values: HashMap<String, String>) -> HashMap<String, String> {
    for (name, alias) in ALIASES {
        if !values.contains_key(*name)
            && let Some(v) = values.remove(*alias)
        {
            values.insert((*name).to_owned(), v);
        }
    }
    values
}

/// Raw values after applying the precedence order.
pub(crate) struct Source {
    pub(crate) values: HashMap<String, String>,
}

impl Source {
    pub(crate) fn raw(&self, name: &'static str) -> String {
        let spec = VARIABLES
            .iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("{name} is read but missing from settings::VARIABLES"));
        if let Some(v) = self.values.get(name) {
            return v.trim().to_owned();
        }
        if let Some((_, alias)) = ALIASES.iter().find(|(n, _)| *n == name)
            && let Some(v) = self.values.get(*alias)
        {
            return v.trim().to_owned();
        }
        spec.default.to_owned()
    }

    pub(crate) fn string(&self, name: &'static str) -> String {
        self.raw(name)
    }

    pub(crate) fn optional(&self, name: &'static str) -> Option<String> {
        Some(self.raw(name)).filter(|v| !v.is_empty())
    }

    pub(crate) fn parse<T: std::str::FromStr>(
        &self,
        name: &'static str,
        example: &'static str,
    ) -> Result<T, SettingsError>
    where
        T::Err: fmt::Display,
    {
        let raw = self.raw(name);
        raw.parse().map_err(|e| SettingsError {
            variable: name,
            problem: format!("{raw:?} is not valid ({e})"),
            example,
        })
    }

    pub(crate) fn bool(&self, name: &'static str) -> Result<bool, SettingsError> {
        let raw = self.raw(name);
        match raw.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" | "" => Ok(false),
            _ => Err(SettingsError {
                variable: name,
                problem: format!("{raw:?} is not a boolean"),
                example: "true",
            }),
        }
    }

    pub(crate) fn url_list(&self, name: &'static str) -> Result<Vec<String>, SettingsError> {
        parse_string_list(name, &self.raw(name))
    }
}

/// A list given as a JSON array of strings or as comma-separated values.
pub fn parse_string_list(name: &'static str, raw: &str) -> Result<Vec<String>, SettingsError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    if raw.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(raw).map_err(|e| SettingsError {
            variable: name,
            problem: format!("not a JSON array of strings ({e})"),
            example: r#"["turn:turn.example.org:3478?transport=udp"]"#,
        });
    }
    Ok(raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect())
}

pub(crate) fn positive<T: PartialOrd + Default + fmt::Display>(
    name: &'static str,
    value: T,
    example: &'static str,
) -> Result<T, SettingsError> {
    if value > T::default() {
        Ok(value)
    } else {
        Err(SettingsError {
            variable: name,
            problem: format!("must be greater than 0, got {value}"),
            example,
        })
    }
}
