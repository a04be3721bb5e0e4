//! The answers of the text and signalling gateways, decided two ways over a corpus of frames:
//! from raw JSON the way the server's handlers read it before frames were typed (the
//! reference), and from the typed frames of `charge_protocol::frames` the way a handler using
//! them decides. Both must give the same answer to every frame, so typing the frames changes
//! neither an answer nor the order in which problems are reported.
//!
//! The server's own checks (store lookups, permissions, the room's participants) are modelled by
//! a small fixed world so that their order relative to the frame's checks is tested too.

use charge_protocol::frames::signal::{
    self, SignalClientFrame, StageAction, StateEvent, VoiceRole,
};
use charge_protocol::frames::text::{self, ReactionOperation, TextClientFrame};
use serde_json::{Map, Value};

// ---- /ws/text ----------------------------------------------------------------------------

/// Messages that exist in the channel (anything else is "not found").
const CHANNEL_MESSAGES: [i64; 2] = [1, 2];
const MESSAGE_MAX_LENGTH: usize = 20;

fn text_reference(text: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return "error: Invalid message format".into();
    };
    let Some(obj) = value.as_object() else {
        return "error: Message payload must be a JSON object".into();
    };
    let answer = match obj.get("type").and_then(Value::as_str).unwrap_or("message") {
        "message" => text_reference_post(obj),
        "ping" => Ok("pong".into()),
        "reaction" => text_reference_react(obj),
        "typing" => match obj.get("is_typing").and_then(Value::as_bool) {
            Some(typing) => Ok(format!("typing {typing}")),
            None => Err("Typing payload must include boolean 'is_typing'"),
        },
        _ => Err("Unsupported payload type"),
    };
    answer.unwrap_or_else(|detail| format!("error: {detail}"))
}

fn text_reference_post(obj: &Map<String, Value>) -> Result<String, &'static str> {
    match obj.get("attachments") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) if items.is_empty() => {}
        Some(Value::Array(items)) if items.iter().all(Value::is_i64) => {
            return Err("One or more attachments were not found");
        }
        Some(_) => return Err("Attachments must be provided as a list of integers"),
    }
    let parent_id = match obj.get("parent_id") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_i64().ok_or("parent_id must be an integer")?),
    };
    if let Some(parent) = parent_id
        && !CHANNEL_MESSAGES.contains(&parent)
    {
        return Err("Parent message not found");
    }
    let content = match obj.get("content") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if content.trim().is_empty() {
        return Err("Message must contain content or attachments");
    }
    if content.chars().count() > MESSAGE_MAX_LENGTH {
        return Err("Message exceeds maximum length");
    }
    Ok(format!("post {content:?} parent {parent_id:?}"))
}

fn text_reference_react(obj: &Map<String, Value>) -> Result<String, &'static str> {
    let message_id = obj
        .get("message_id")
        .and_then(Value::as_i64)
        .ok_or("Reaction payload must include integer 'message_id'")?;
    let emoji = obj
        .get("emoji")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or("Reaction payload must include 'emoji'")?;
    if emoji.chars().count() > 32 {
        return Err("Reaction emoji must be at most 32 characters");
    }
    let remove = obj
        .get("operation")
        .and_then(Value::as_str)
        .is_some_and(|op| op.eq_ignore_ascii_case("remove"));
    if !CHANNEL_MESSAGES.contains(&message_id) {
        return Err("Message not found");
    }
    Ok(format!("react {message_id} {emoji:?} remove {remove}"))
}

fn text_typed(text: &str) -> String {
    let frame = match text::parse(text) {
        Ok(frame) => frame,
        Err(error) => return format!("error: {}", text::error_detail(&error)),
    };
    let answer = match frame {
        TextClientFrame::Message(message) => (|| {
            if !message.attachments.is_empty() {
                return Err("One or more attachments were not found");
            }
            let parent_id = message.parent_id?;
            if let Some(parent) = parent_id
                && !CHANNEL_MESSAGES.contains(&parent)
            {
                return Err("Parent message not found");
            }
            if message.content.trim().is_empty() {
                return Err("Message must contain content or attachments");
            }
            if message.content.chars().count() > MESSAGE_MAX_LENGTH {
                return Err("Message exceeds maximum length");
            }
            Ok(format!("post {:?} parent {parent_id:?}", message.content))
        })(),
        TextClientFrame::Ping => Ok("pong".into()),
        TextClientFrame::Reaction(reaction) => (|| {
            if reaction.emoji.chars().count() > 32 {
                return Err("Reaction emoji must be at most 32 characters");
            }
            if !CHANNEL_MESSAGES.contains(&reaction.message_id) {
                return Err("Message not found");
            }
            Ok(format!(
                "react {} {:?} remove {}",
                reaction.message_id,
                reaction.emoji,
                reaction.operation == ReactionOperation::Remove
            ))
        })(),
        TextClientFrame::Typing { is_typing } => Ok(format!("typing {is_typing}")),
    };
    answer.unwrap_or_else(|detail| format!("error: {detail}"))
}

const TEXT_CORPUS: &[&str] = &[
    "",
    "nope",
    "{",
    "[]",
    "null",
    "\"message\"",
    "12",
    "{}",
    r#"{"type":"message"}"#,
    r#"{"content":"hi"}"#,
    r#"{"content":"   "}"#,
    r#"{"content":" hi "}"#,
    r#"{"content":null}"#,
    r#"{"content":42}"#,
    r#"{"content":true}"#,
    r#"{"content":[1,2]}"#,
    r#"{"content":{"a":1}}"#,
    r#"{"content":"this message is far too long for the limit"}"#,
    r#"{"type":null,"content":"hi"}"#,
    r#"{"type":7,"content":"hi"}"#,
    r#"{"type":"","content":"hi"}"#,
    r#"{"type":"Message","content":"hi"}"#,
    r#"{"type":"message","content":"hi","attachments":null}"#,
    r#"{"type":"message","content":"hi","attachments":[]}"#,
    r#"{"type":"message","content":"hi","attachments":[3]}"#,
    r#"{"type":"message","content":"","attachments":[3]}"#,
    r#"{"type":"message","content":"hi","attachments":[3,"4"]}"#,
    r#"{"type":"message","content":"hi","attachments":[1.0]}"#,
    r#"{"type":"message","content":"hi","attachments":[18446744073709551615]}"#,
    r#"{"type":"message","content":"hi","attachments":"3"}"#,
    r#"{"type":"message","content":"hi","attachments":{}}"#,
    r#"{"type":"message","content":"hi","attachments":[3],"parent_id":"x"}"#,
    r#"{"type":"message","content":"hi","attachments":"3","parent_id":"x"}"#,
    r#"{"type":"message","content":"hi","parent_id":1}"#,
    r#"{"type":"message","content":"hi","parent_id":9}"#,
    r#"{"type":"message","content":"","parent_id":9}"#,
    r#"{"type":"message","content":"","parent_id":"9"}"#,
    r#"{"type":"message","content":"hi","parent_id":1.5}"#,
    r#"{"type":"message","content":"hi","parent_id":null}"#,
    r#"{"type":"message","content":"hi","parent_id":true}"#,
    r#"{"type":"ping"}"#,
    r#"{"type":"ping","content":"ignored"}"#,
    r#"{"type":"pong"}"#,
    r#"{"type":"typing","is_typing":true}"#,
    r#"{"type":"typing","is_typing":false}"#,
    r#"{"type":"typing","is_typing":"true"}"#,
    r#"{"type":"typing","is_typing":null}"#,
    r#"{"type":"typing"}"#,
    r#"{"type":"reaction","message_id":1,"emoji":"🔥"}"#,
    r#"{"type":"reaction","message_id":1,"emoji":" 🔥 ","operation":"remove"}"#,
    r#"{"type":"reaction","message_id":1,"emoji":"🔥","operation":"ReMoVe"}"#,
    r#"{"type":"reaction","message_id":1,"emoji":"🔥","operation":"delete"}"#,
    r#"{"type":"reaction","message_id":1,"emoji":"🔥","operation":null}"#,
    r#"{"type":"reaction","message_id":9,"emoji":"🔥"}"#,
    r#"{"type":"reaction","message_id":9,"emoji":"this emoji is longer than thirty-two characters"}"#,
    r#"{"type":"reaction","message_id":"1","emoji":"🔥"}"#,
    r#"{"type":"reaction","message_id":1.5,"emoji":"🔥"}"#,
    r#"{"type":"reaction","emoji":"🔥"}"#,
    r#"{"type":"reaction","message_id":1}"#,
    r#"{"type":"reaction","message_id":1,"emoji":""}"#,
    r#"{"type":"reaction","message_id":1,"emoji":7}"#,
    r#"{"type":"reaction"}"#,
];

#[test]
fn the_text_gateway_answers_typed_frames_as_it_answers_raw_json() {
    for frame in TEXT_CORPUS {
        assert_eq!(text_typed(frame), text_reference(frame), "frame: {frame}");
    }
}

// ---- /ws/signal --------------------------------------------------------------------------

/// The room as the signalling gateway sees it: the sender is user 1, a listener; user 2 is a
/// speaker here; user 3 is connected to another node.
struct World {
    moderator: bool,
    guest: bool,
    recording_enabled: bool,
}

const ME: i64 = 1;
const LOCAL: [i64; 2] = [1, 2];
const REMOTE: i64 = 3;
const STAGE_STATUSES: [&str; 6] = [
    "listener",
    "invited",
    "requesting",
    "backstage",
    "live",
    "muted",
];

fn is_speaker(id: i64) -> bool {
    id == 2
}

fn signal_reference(world: &World, text: &str) -> String {
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return "error: Invalid message format".into();
    };
    let Some(obj) = value.as_object() else {
        return "error: Message payload must be a JSON object".into();
    };
    let kind = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let result = match kind {
        "" => Err("Message type must be provided"),
        "ping" => Ok("pong".to_owned()),
        "offer" | "answer" | "candidate" | "bye" => {
            reference_relay(reference_relay_body(kind, obj))
        }
        "signal" => {
            let mut body = match obj.get("signal") {
                Some(Value::Object(inner)) => inner.clone(),
                _ => obj
                    .iter()
                    .filter(|(k, _)| *k != "type")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            };
            if let Some(t) = obj.get("target").filter(|_| !body.contains_key("target")) {
                body.insert("target".into(), t.clone());
            }
            reference_relay(body)
        }
        "state" => reference_state(world, obj),
        _ => Err("Unsupported payload type"),
    };
    result.unwrap_or_else(|detail| format!("error: {detail}"))
}

fn reference_relay_body(kind: &str, obj: &Map<String, Value>) -> Map<String, Value> {
    let mut body: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| *k != "type")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    body.insert("kind".into(), Value::from(kind));
    let track = obj
        .get("track")
        .and_then(Value::as_str)
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty());
    body.insert(
        "track".into(),
        Value::from(track.unwrap_or_else(|| "audio".into())),
    );
    body
}

fn reference_target(obj: &Map<String, Value>) -> Result<Option<i64>, &'static str> {
    match obj.get("target").or_else(|| obj.get("target_id")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or("target must be a valid identifier"),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| "target must be a valid identifier"),
        Some(_) => Err("target must be a valid identifier"),
    }
}

fn reference_relay(body: Map<String, Value>) -> Result<String, &'static str> {
    let target = reference_target(&body)?;
    route(target, &Value::Object(body))
}

/// Where a relay goes, once its target is known.
fn route(target: Option<i64>, body: &Value) -> Result<String, &'static str> {
    match target {
        Some(id) if LOCAL.contains(&id) => Ok(format!("relay to {id}: {body}")),
        Some(REMOTE) => Ok(format!("relay to node of {REMOTE}: {body}")),
        Some(_) => Err("Participant not found"),
        None => Ok(format!("relay to all: {body}")),
    }
}

/// The checks every state change makes before its event: the target is in the room, here.
fn find_target(target: Option<i64>) -> Result<i64, &'static str> {
    let target = target.unwrap_or(ME);
    if LOCAL.contains(&target) {
        Ok(target)
    } else if target == REMOTE {
        Err("Participant is connected to another server node")
    } else {
        Err("Participant not found")
    }
}

fn reference_state(world: &World, obj: &Map<String, Value>) -> Result<String, &'static str> {
    let event = obj.get("event").and_then(Value::as_str).unwrap_or("");
    if event.is_empty() {
        return Err("State event must be provided");
    }
    let target = find_target(reference_target(obj)?)?;
    let is_self = target == ME;
    let may_change_others = is_self || world.moderator;
    let truthy = |v: &Value| match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Null => false,
    };
    match event {
        "set-role" => {
            let role = obj
                .get("role")
                .and_then(Value::as_str)
                .map(str::to_lowercase);
            let role = match role.as_deref() {
                Some("speaker") => "speaker",
                Some("listener") => "listener",
                _ => return Err("Unsupported role"),
            };
            if !may_change_others {
                return Err("Insufficient permissions to change the role");
            }
            if is_self && role == "speaker" && world.guest {
                return Err("Guests cannot promote themselves to speaker");
            }
            Ok(format!("role of {target}: {role}"))
        }
        "set-muted" | "set-deafened" | "media" => {
            if !may_change_others {
                return Err("Insufficient permissions to change another participant");
            }
            let key = match event {
                "set-muted" => "muted",
                "set-deafened" => "deafened",
                _ => "videoEnabled",
            };
            let value = obj.get(key).and_then(Value::as_bool);
            Ok(format!("{key} of {target}: {value:?}"))
        }
        "stage" => {
            let action = obj.get("action").and_then(Value::as_str).unwrap_or("");
            if !may_change_others {
                return Err("Insufficient permissions to change another participant");
            }
            match action {
                "status" | "set-status" => {
                    let status = obj
                        .get("status")
                        .or_else(|| obj.get("stageStatus"))
                        .and_then(Value::as_str)
                        .ok_or("Stage status must be provided")?;
                    if !STAGE_STATUSES.contains(&status) {
                        return Err("Invalid stage status");
                    }
                    if !is_speaker(target) {
                        return Err("Participant is not on stage");
                    }
                    Ok(format!("stage status of {target}: {status}"))
                }
                "hand" | "raise-hand" => {
                    let raised = obj
                        .get("raised")
                        .or_else(|| obj.get("value"))
                        .is_some_and(truthy);
                    Ok(format!("hand of {target}: {raised}"))
                }
                _ => Err("Unsupported stage action"),
            }
        }
        "quality-report" => {
            let Some(Value::Object(metrics)) = obj.get("metrics") else {
                return Err("Quality metrics payload is invalid");
            };
            let mut metrics = metrics.clone();
            let track = metrics
                .remove("track")
                .and_then(|t| t.as_str().map(str::to_lowercase))
                .unwrap_or_else(|| "audio".into());
            Ok(format!("quality {track}: {}", Value::Object(metrics)))
        }
        "recording" => {
            if !world.recording_enabled {
                return Err("Recording is not available on this server");
            }
            if !world.moderator {
                return Err("Insufficient permissions to control recording");
            }
            let active = obj.get("active").is_some_and(truthy);
            Ok(format!("recording: {active}"))
        }
        _ => Err("Unsupported state event"),
    }
}

fn signal_typed(world: &World, text: &str) -> String {
    let frame = match signal::parse(text) {
        Ok(frame) => frame,
        Err(error) => return format!("error: {}", signal::error_detail(&error)),
    };
    let result = match frame {
        SignalClientFrame::Ping => Ok("pong".to_owned()),
        SignalClientFrame::Offer(relay)
        | SignalClientFrame::Answer(relay)
        | SignalClientFrame::Candidate(relay)
        | SignalClientFrame::Bye(relay)
        | SignalClientFrame::Signal { signal: relay } => {
            let target = relay.target();
            route(target, &Value::Object(relay.into_signal()))
        }
        SignalClientFrame::State(change) => typed_state(world, change),
    };
    result.unwrap_or_else(|detail| format!("error: {detail}"))
}

fn typed_state(world: &World, change: signal::StateChange) -> Result<String, &'static str> {
    let target = find_target(change.target)?;
    let is_self = target == ME;
    let may_change_others = is_self || world.moderator;
    match change.event? {
        StateEvent::SetRole { role } => {
            let role = role?;
            if !may_change_others {
                return Err("Insufficient permissions to change the role");
            }
            if is_self && role == VoiceRole::Speaker && world.guest {
                return Err("Guests cannot promote themselves to speaker");
            }
            let role = match role {
                VoiceRole::Speaker => "speaker",
                VoiceRole::Listener => "listener",
            };
            Ok(format!("role of {target}: {role}"))
        }
        event @ (StateEvent::SetMuted { .. }
        | StateEvent::SetDeafened { .. }
        | StateEvent::Media { .. }) => {
            if !may_change_others {
                return Err("Insufficient permissions to change another participant");
            }
            let (key, value) = match event {
                StateEvent::SetMuted { muted } => ("muted", muted),
                StateEvent::SetDeafened { deafened } => ("deafened", deafened),
                StateEvent::Media { video_enabled } => ("videoEnabled", video_enabled),
                _ => unreachable!("matched above"),
            };
            Ok(format!("{key} of {target}: {value:?}"))
        }
        StateEvent::Stage(action) => {
            if !may_change_others {
                return Err("Insufficient permissions to change another participant");
            }
            match action? {
                StageAction::SetStatus { status } => {
                    let status = status?;
                    if !is_speaker(target) {
                        return Err("Participant is not on stage");
                    }
                    let status = serde_json::to_value(status).expect("a status serialises");
                    Ok(format!(
                        "stage status of {target}: {}",
                        status.as_str().expect("a string")
                    ))
                }
                StageAction::RaiseHand { raised } => Ok(format!("hand of {target}: {raised}")),
            }
        }
        StateEvent::QualityReport { metrics } => {
            let metrics = metrics?;
            Ok(format!(
                "quality {}: {}",
                metrics.track,
                Value::Object(metrics.values)
            ))
        }
        StateEvent::Recording { active } => {
            if !world.recording_enabled {
                return Err("Recording is not available on this server");
            }
            if !world.moderator {
                return Err("Insufficient permissions to control recording");
            }
            Ok(format!("recording: {active}"))
        }
    }
}

const SIGNAL_CORPUS: &[&str] = &[
    "",
    "{",
    "[]",
    "\"offer\"",
    "{}",
    r#"{"type":""}"#,
    r#"{"type":null}"#,
    r#"{"type":5}"#,
    r#"{"type":"ping"}"#,
    r#"{"type":"pong"}"#,
    r#"{"type":"set-muted","muted":true}"#,
    r#"{"type":"media","videoEnabled":true}"#,
    // relays
    r#"{"type":"offer","description":{"type":"offer","sdp":"v=0"}}"#,
    r#"{"type":"offer","description":{"sdp":"v=0"},"target":2,"track":" SCREEN "}"#,
    r#"{"type":"offer","target":"2"}"#,
    r#"{"type":"offer","target":" 2 "}"#,
    r#"{"type":"offer","target":3}"#,
    r#"{"type":"offer","target":9}"#,
    r#"{"type":"offer","target":"nine"}"#,
    r#"{"type":"offer","target":2.5}"#,
    r#"{"type":"offer","target":true}"#,
    r#"{"type":"offer","target":null,"target_id":2}"#,
    r#"{"type":"offer","target_id":2}"#,
    r#"{"type":"offer","target_id":"x"}"#,
    r#"{"type":"offer","kind":"answer","track":7}"#,
    r#"{"type":"answer","description":{"type":"answer"},"target":2,"track":""}"#,
    r#"{"type":"candidate","candidate":{"candidate":"c"},"target":2,"track":"Video"}"#,
    r#"{"type":"bye"}"#,
    r#"{"type":"bye","target":2,"extra":[1,{"a":null}]}"#,
    r#"{"type":"signal","signal":{"sdp":"x"}}"#,
    r#"{"type":"signal","signal":{"sdp":"x"},"target":2}"#,
    r#"{"type":"signal","signal":{"sdp":"x","target":3},"target":2}"#,
    r#"{"type":"signal","signal":{"sdp":"x","target_id":2},"target":9}"#,
    r#"{"type":"signal","signal":{"target":"bad"}}"#,
    r#"{"type":"signal","signal":"text","target":2}"#,
    r#"{"type":"signal","signal":null}"#,
    r#"{"type":"signal","sdp":"x","target":2}"#,
    r#"{"type":"signal"}"#,
    // state changes
    r#"{"type":"state"}"#,
    r#"{"type":"state","event":""}"#,
    r#"{"type":"state","event":5}"#,
    r#"{"type":"state","target":"x"}"#,
    r#"{"type":"state","event":"zoom"}"#,
    r#"{"type":"state","event":"zoom","target":"x"}"#,
    r#"{"type":"state","event":"zoom","target":9}"#,
    r#"{"type":"state","event":"zoom","target":3}"#,
    r#"{"type":"state","event":"zoom","target":2}"#,
    r#"{"type":"state","event":"set-role","role":"speaker"}"#,
    r#"{"type":"state","event":"set-role","role":"SPEAKER"}"#,
    r#"{"type":"state","event":"set-role","role":"listener","target":2}"#,
    r#"{"type":"state","event":"set-role","role":"speaker","target_id":"2"}"#,
    r#"{"type":"state","event":"set-role","role":"boss","target":2}"#,
    r#"{"type":"state","event":"set-role","role":"boss","target":9}"#,
    r#"{"type":"state","event":"set-role","role":"boss","target":3}"#,
    r#"{"type":"state","event":"set-role"}"#,
    r#"{"type":"state","event":"set-muted"}"#,
    r#"{"type":"state","event":"set-muted","muted":false}"#,
    r#"{"type":"state","event":"set-muted","muted":"no","target":2}"#,
    r#"{"type":"state","event":"set-deafened","deafened":true,"target":2}"#,
    r#"{"type":"state","event":"set-deafened","target":9}"#,
    r#"{"type":"state","event":"media","videoEnabled":true}"#,
    r#"{"type":"state","event":"media","target":2}"#,
    r#"{"type":"state","event":"stage"}"#,
    r#"{"type":"state","event":"stage","action":"kick","target":2}"#,
    r#"{"type":"state","event":"stage","action":"status","status":"live"}"#,
    r#"{"type":"state","event":"stage","action":"status","status":"live","target":2}"#,
    r#"{"type":"state","event":"stage","action":"set-status","stageStatus":"invited","target":2}"#,
    r#"{"type":"state","event":"stage","action":"set-status","status":"Live","target":2}"#,
    r#"{"type":"state","event":"stage","action":"set-status","status":1,"stageStatus":"live","target":2}"#,
    r#"{"type":"state","event":"stage","action":"status","target":2}"#,
    r#"{"type":"state","event":"stage","action":"status"}"#,
    r#"{"type":"state","event":"stage","action":"hand","raised":true}"#,
    r#"{"type":"state","event":"stage","action":"raise-hand","value":"yes","target":2}"#,
    r#"{"type":"state","event":"stage","action":"hand","raised":null,"value":true}"#,
    r#"{"type":"state","event":"stage","action":"hand","raised":0.0}"#,
    r#"{"type":"state","event":"stage","action":"hand","raised":[]}"#,
    r#"{"type":"state","event":"quality-report","metrics":{"jitter":0.01}}"#,
    r#"{"type":"state","event":"quality-report","metrics":{"track":"VIDEO","rtt":40}}"#,
    r#"{"type":"state","event":"quality-report","metrics":{"track":3}}"#,
    r#"{"type":"state","event":"quality-report","metrics":"bad"}"#,
    r#"{"type":"state","event":"quality-report","metrics":"bad","target":3}"#,
    r#"{"type":"state","event":"quality-report","metrics":{},"target":2}"#,
    r#"{"type":"state","event":"recording","active":true}"#,
    r#"{"type":"state","event":"recording","active":"0"}"#,
    r#"{"type":"state","event":"recording"}"#,
    r#"{"type":"state","event":"recording","target":9}"#,
];

#[test]
fn the_signalling_gateway_answers_typed_frames_as_it_answers_raw_json() {
    for moderator in [false, true] {
        for guest in [false, true] {
            for recording_enabled in [false, true] {
                let world = World {
                    moderator,
                    guest: guest && !moderator,
                    recording_enabled,
                };
                for frame in SIGNAL_CORPUS {
                    assert_eq!(
                        signal_typed(&world, frame),
                        signal_reference(&world, frame),
                        "frame: {frame} (moderator {moderator}, guest {guest}, recording {recording_enabled})"
                    );
                }
            }
        }
    }
}
