//! The limits the server enforces, stated as schema (lengths, patterns, ranges, enumerations)
//! so that generated clients and property-based tests know exactly which values are accepted.
//! Each entry names the rule it mirrors; the server stays the authority and the schemathesis
//! run in `scripts/api-fuzz.sh` fails when the two disagree.

use charge_config::Settings;
use charge_protocol::limits::{
    AUDIT_PAGE_MAX, BAN_REASON_MAX_LENGTH, NAME_MAX_LENGTH, NONCE_MAX_LENGTH, PIN_NOTE_MAX_LENGTH,
    SLOW_MODE_MAX_SECONDS,
};
use serde_json::{Value, json};

/// The characters Rust's `str::trim` removes (Unicode `White_Space`); a test holds them
/// against `char::is_whitespace`.
const SPACE_RANGES: [(char, char); 10] = [
    ('\t', '\r'),
    (' ', ' '),
    ('\u{85}', '\u{85}'),
    ('\u{A0}', '\u{A0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200A}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202F}', '\u{202F}'),
    ('\u{205F}', '\u{205F}'),
    ('\u{3000}', '\u{3000}'),
];

/// [`SPACE_RANGES`] as the body of a regex class (`\\u0009-\\u000D\\u0020…`).
fn space() -> String {
    SPACE_RANGES
        .iter()
        .map(|(from, to)| {
            if from == to {
                format!("\\u{:04X}", u32::from(*from))
            } else {
                format!("\\u{:04X}-\\u{:04X}", u32::from(*from), u32::from(*to))
            }
        })
        .collect()
}

/// Whether `c` is in the patterns' whitespace class.
pub fn is_pattern_space(c: char) -> bool {
    SPACE_RANGES
        .iter()
        .any(|(from, to)| (*from..=*to).contains(&c))
}

/// A string that, trimmed at both ends, has 1 to `max` characters.
pub fn trimmed(max: usize) -> String {
    let s = space();
    format!(
        "^[{s}]*[^{s}](?:[\\s\\S]{{0,{}}}[^{s}])?[{s}]*$",
        max.saturating_sub(2)
    )
}

/// A string that is blank (read as none) or, trimmed at both ends, has 1 to `max` characters.
pub fn blank_or_trimmed(max: usize) -> String {
    let s = space();
    format!(
        "^[{s}]*(?:[^{s}](?:[\\s\\S]{{0,{}}}[^{s}])?)?[{s}]*$",
        max.saturating_sub(2)
    )
}

/// A string that, with trailing whitespace removed, has 1 to `max` characters and is not blank.
pub fn right_trimmed(max: usize) -> String {
    let s = space();
    format!("^[\\s\\S]{{0,{}}}[^{s}][{s}]*$", max.saturating_sub(1))
}

/// The methods an operation can be documented under.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// `rest` with its JSON Schema type set to `kind`.
fn typed(kind: Value, rest: Value) -> Value {
    let mut out = rest;
    out["type"] = kind;
    out
}

/// Booleans in a query string, spelled as the server reads them (any letter case).
const QUERY_BOOL: &str = "^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|[Nn][Oo]|[Oo][Nn]|[Oo][Ff][Ff]|[TtFfYyNn01])$";

/// RFC 3339 timestamps (`dto::parse_timestamp` also reads them without an offset, as UTC; the
/// document promises the unambiguous form). Days stop at 28 so that every match is a real date.
const RFC3339: &str = "^[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$";

/// Whole-object rules: (component schema, keywords merged into it).
fn whole_objects() -> Vec<(&'static str, Value)> {
    vec![
        // routes/readstate.rs: at least one of `delivered` and `read` is `true`.
        (
            "ReceiptCreate",
            json!({ "anyOf": [
                { "required": ["delivered"], "properties": { "delivered": { "const": true } } },
                { "required": ["read"], "properties": { "read": { "const": true } } },
            ] }),
        ),
    ]
}

/// Required keys whose value may be `null` (a missing key is a 422, `null` means "none").
pub const REQUIRED: &[(&str, &str)] = &[("ChannelPlacement", "category_id")];

/// `constraint` for a field that may be left out but is never `null`.
fn non_null_string(constraint: &Value) -> Value {
    typed(json!("string"), constraint.clone())
}

const ROLES: [&str; 4] = ["owner", "admin", "member", "guest"];
const STATUSES: [&str; 3] = ["online", "idle", "dnd"];

/// Body fields: (component schema, property, constraints merged into its schema).
fn body_fields(settings: &Settings) -> Vec<(&'static str, &'static str, Value)> {
    let name = json!({ "pattern": trimmed(NAME_MAX_LENGTH) });
    let message = json!({ "pattern": right_trimmed(settings.message_max_length) });
    let position = json!({ "minimum": 0 });
    let timestamp = json!({ "format": "date-time", "pattern": RFC3339 });
    vec![
        // routes/auth.rs: check_len(login, 3, 64), check_len(password, 8, 128)
        (
            "RegisterRequest",
            "login",
            json!({ "minLength": 3, "maxLength": 64 }),
        ),
        (
            "RegisterRequest",
            "password",
            json!({ "minLength": 8, "maxLength": 128 }),
        ),
        ("RegisterRequest", "display_name", name.clone()),
        ("RegisterRequest", "status", json!({ "enum": STATUSES })),
        (
            "LoginRequest",
            "login",
            json!({ "minLength": 3, "maxLength": 64 }),
        ),
        (
            "LoginRequest",
            "password",
            json!({ "minLength": 8, "maxLength": 128 }),
        ),
        ("ProfileUpdate", "display_name", name.clone()),
        ("ProfileUpdate", "status", json!({ "enum": STATUSES })),
        ("RoomCreate", "title", name.clone()),
        ("ChannelCreate", "name", name.clone()),
        (
            "ChannelCreate",
            "type",
            json!({ "enum": ["text", "voice", "stage", "announcements", "forums", "events"] }),
        ),
        // A PATCH name or position may be left out but never be `null` (check_new_name).
        ("ChannelUpdate", "name", non_null_string(&name)),
        ("CategoryCreate", "name", name.clone()),
        ("CategoryCreate", "position", position.clone()),
        ("CategoryUpdate", "name", non_null_string(&name)),
        (
            "CategoryUpdate",
            "position",
            typed(json!("integer"), json!({ "format": "int64", "minimum": 0 })),
        ),
        ("ChannelPlacement", "position", position.clone()),
        ("CategoryPlacement", "position", position),
        (
            "ChannelReorder",
            "channels",
            json!({ "maxItems": charge_http::routes::layout::MAX_REORDER_ITEMS }),
        ),
        (
            "CategoryReorder",
            "categories",
            json!({ "maxItems": charge_http::routes::layout::MAX_REORDER_ITEMS }),
        ),
        ("InvitationCreate", "role", json!({ "enum": ROLES })),
        ("InvitationCreate", "expires_at", timestamp.clone()),
        ("InviteCreate", "role", json!({ "enum": ROLES })),
        ("InviteCreate", "expires_at", timestamp),
        ("MemberRoleUpdate", "role", json!({ "enum": ROLES })),
        ("MessageCreate", "content", message.clone()),
        ("MessageCreateForm", "content", message.clone()),
        // routes/messages.rs `nonce`: a string of 1–64 characters, or (JSON) any integer.
        (
            "MessageCreate",
            "nonce",
            typed(
                json!(["string", "integer", "null"]),
                json!({ "minLength": 1, "maxLength": NONCE_MAX_LENGTH }),
            ),
        ),
        (
            "MessageCreateForm",
            "nonce",
            json!({ "minLength": 1, "maxLength": NONCE_MAX_LENGTH }),
        ),
        ("MessageEdit", "content", message),
        (
            "MessageModerate",
            "action",
            json!({ "enum": ["suppress", "restore"] }),
        ),
        (
            "PinCreate",
            "note",
            json!({ "maxLength": PIN_NOTE_MAX_LENGTH }),
        ),
        // Moderation, read state (moderation/room.rs, moderation/mod.rs, routes/readstate.rs).
        (
            "RoomUpdate",
            "title",
            json!({ "pattern": trimmed(NAME_MAX_LENGTH) }),
        ),
        (
            "BanCreate",
            "reason",
            json!({ "pattern": blank_or_trimmed(BAN_REASON_MAX_LENGTH) }),
        ),
        (
            "SlowModeUpdate",
            "seconds",
            json!({ "minimum": 0, "maximum": SLOW_MODE_MAX_SECONDS }),
        ),
        (
            "TimeoutUpdate",
            "until",
            json!({ "format": "date-time", "pattern": RFC3339 }),
        ),
        ("ReadMarkCreate", "message_id", json!({ "minimum": 1 })),
        (
            "ReactionCreate",
            "emoji",
            json!({ "pattern": trimmed(charge_domain::messages::EMOJI_MAX_LENGTH) }),
        ),
    ]
}

/// Parameters: (path, parameter, constraints merged into its schema).
fn parameters() -> Vec<(&'static str, &'static str, Value)> {
    let limit = json!({ "minimum": 1 });
    vec![
        ("/api/channels/{channel_id}/history", "limit", limit.clone()),
        (
            "/api/channels/{channel_id}/history",
            "direction",
            json!({ "enum": ["backward", "forward"] }),
        ),
        ("/api/channels/{channel_id}/search", "limit", limit),
        (
            "/api/channels/{channel_id}/search",
            "query",
            json!({ "minLength": 1 }),
        ),
        (
            "/api/channels/{channel_id}/search",
            "has_attachments",
            typed(json!("string"), json!({ "pattern": QUERY_BOOL })),
        ),
        (
            "/api/channels/{channel_id}/search",
            "start",
            json!({ "format": "date-time", "pattern": RFC3339 }),
        ),
        (
            "/api/channels/{channel_id}/search",
            "end",
            json!({ "format": "date-time", "pattern": RFC3339 }),
        ),
        (
            "/api/channels/{channel_id}/messages/{message_id}/reactions",
            "emoji",
            json!({ "pattern": trimmed(charge_domain::messages::EMOJI_MAX_LENGTH) }),
        ),
        (
            "/api/rooms/{slug}/channels/{letter}",
            "letter",
            json!({ "pattern": "^[A-Za-z]$" }),
        ),
        (
            "/api/rooms/{slug}/audit-log",
            "limit",
            json!({ "minimum": 1, "maximum": AUDIT_PAGE_MAX }),
        ),
    ]
}

/// Merges every constraint into `doc`; an entry that names nothing is a programming error
/// caught by the tests (`openapi::tests`).
pub fn apply(doc: &mut Value, settings: &Settings) -> Vec<String> {
    let mut missing = Vec::new();
    for (schema, field, constraint) in body_fields(settings) {
        match doc.pointer_mut(&format!("/components/schemas/{schema}/properties/{field}")) {
            Some(target) => merge(target, &constraint),
            None => missing.push(format!("{schema}.{field}")),
        }
    }
    for (schema, rule) in whole_objects() {
        match doc.pointer_mut(&format!("/components/schemas/{schema}")) {
            Some(target) => merge(target, &rule),
            None => missing.push(schema.to_owned()),
        }
    }
    for (schema, field) in REQUIRED {
        match doc
            .pointer_mut(&format!("/components/schemas/{schema}/required"))
            .and_then(Value::as_array_mut)
        {
            Some(required) if !required.iter().any(|r| r == field) => required.push(json!(field)),
            Some(_) => {}
            None => match doc.pointer_mut(&format!("/components/schemas/{schema}")) {
                Some(object) => object["required"] = json!([field]),
                None => missing.push(format!("{schema} (required {field})")),
            },
        }
    }
    for (path, name, constraint) in parameters() {
        let mut found = false;
        if let Some(item) = doc.pointer_mut(&format!("/paths/{}", escape(path))) {
            for method in METHODS {
                let Some(params) = item
                    .get_mut(method)
                    .and_then(|op| op.get_mut("parameters"))
                    .and_then(Value::as_array_mut)
                else {
                    continue;
                };
                for param in params.iter_mut().filter(|p| p["name"] == name) {
                    if let Some(schema) = param.get_mut("schema") {
                        merge(schema, &constraint);
                        found = true;
                    }
                }
            }
        }
        if !found {
            missing.push(format!("{path} {name}"));
        }
    }
    missing
}

/// Every path parameter is at least one character (an empty one is another route).
pub fn non_empty_path_parameters(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        for method in METHODS {
            let Some(params) = item
                .get_mut(method)
                .and_then(|op| op.get_mut("parameters"))
                .and_then(Value::as_array_mut)
            else {
                continue;
            };
            for param in params.iter_mut().filter(|p| p["in"] == "path") {
                if let Some(schema) = param.get_mut("schema")
                    && schema["type"] == "string"
                    && schema.get("pattern").is_none()
                {
                    merge(schema, &json!({ "minLength": 1 }));
                }
            }
        }
    }
}

/// Puts `constraint`'s keys into `target`; a `type` replaces the old one, a nullable type keeps
/// allowing `null` (the constraints apply to the value when there is one).
fn merge(target: &mut Value, constraint: &Value) {
    let (Some(target), Some(constraint)) = (target.as_object_mut(), constraint.as_object()) else {
        return;
    };
    for (key, value) in constraint {
        if key == "enum"
            && target
                .get("type")
                .and_then(Value::as_array)
                .is_some_and(|t| t.iter().any(|t| t == "null"))
        {
            let mut values = value.as_array().cloned().unwrap_or_default();
            values.push(Value::Null);
            target.insert(key.clone(), Value::Array(values));
        } else {
            target.insert(key.clone(), value.clone());
        }
    }
}

/// A JSON pointer segment for a path (`/` → `~1`).
fn escape(path: &str) -> String {
    path.replace('~', "~0").replace('/', "~1")
}
