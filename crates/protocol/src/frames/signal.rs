//! `/ws/signal/{room_slug}`: the voice participants of a room and WebRTC signalling between
//! them. Clients relay offers, answers, candidates and byes (to one participant with `target`,
//! decision 13, else to every other) and change voice state; the server sends `system` and
//! `state` frames (tagged again by `event`) and relayed `signal` frames.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::ser::Error as _;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::{Map, Value};

use super::{Checked, FrameError, deserialize_via_parse, serialize_checked};

/// A frame a client sends to `/ws/signal/{room_slug}`. Read with [`parse`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SignalClientFrame {
    /// `{"type":"ping"}`, answered with `pong`.
    Ping,
    /// `{"type":"offer","description":{...},"target":id,"track":"screen",...}`.
    Offer(Relay),
    /// `{"type":"answer","description":{...},"target":id,...}`.
    Answer(Relay),
    /// `{"type":"candidate","candidate":{...},"target":id,...}`.
    Candidate(Relay),
    /// `{"type":"bye",...}`.
    Bye(Relay),
    /// `{"type":"signal","signal":{...}}`: relayed as given.
    Signal { signal: Relay },
    /// `{"type":"state","event":...}`: a change to someone's voice state.
    State(StateChange),
}

/// What a relay frame sends on: the `signal` object other participants receive in a `signal`
/// frame, and the participant it is for.
///
/// For `offer`, `answer`, `candidate` and `bye` the object is every key the client sent but
/// `type`, with `kind` set to the type and `track` trimmed and lower-cased (`audio` when absent,
/// empty or not a string). For `signal` it is the `signal` object as given (or, when that is not
/// an object, every key but `type`), with the frame's `target` added when it has none.
#[derive(Debug, Clone, PartialEq)]
pub struct Relay {
    target: Option<i64>,
    signal: Map<String, Value>,
}

impl Relay {
    /// A relay of `signal`, addressed by its `target` (or `target_id`): an integer, or a string
    /// holding one; absent or `null` addresses every other participant.
    pub fn new(signal: Map<String, Value>) -> Result<Self, FrameError> {
        let target = target_of(&signal)?;
        Ok(Self { target, signal })
    }

    /// The participant to deliver to; `None` delivers to every other participant.
    pub fn target(&self) -> Option<i64> {
        self.target
    }

    /// The object sent on as the `signal` of a `signal` frame.
    pub fn signal(&self) -> &Map<String, Value> {
        &self.signal
    }

    pub fn into_signal(self) -> Map<String, Value> {
        self.signal
    }
}

impl Serialize for Relay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.signal.serialize(serializer)
    }
}

/// A state change: `target` (or `target_id`, default the sender) and the event. Unknown events
/// are answered only after the server has found the participants.
#[derive(Debug, Clone, PartialEq)]
pub struct StateChange {
    /// The participant to change; `None` is the sender.
    pub target: Option<i64>,
    /// `Err("Unsupported state event")` for an event the gateway does not know.
    pub event: Checked<StateEvent>,
}

impl Serialize for StateChange {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            #[serde(skip_serializing_if = "Option::is_none")]
            target: Option<i64>,
            #[serde(flatten)]
            event: &'a StateEvent,
        }
        let event = self.event.as_ref().map_err(S::Error::custom)?;
        Wire {
            target: self.target,
            event,
        }
        .serialize(serializer)
    }
}

/// The `event` of a client `state` frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum StateEvent {
    /// `role`, case-insensitive; anything but `speaker` or `listener` is answered
    /// "Unsupported role".
    SetRole {
        #[serde(serialize_with = "serialize_checked")]
        role: Checked<VoiceRole>,
    },
    /// `None` (absent or not a boolean) toggles.
    SetMuted {
        #[serde(skip_serializing_if = "Option::is_none")]
        muted: Option<bool>,
    },
    /// `None` (absent or not a boolean) toggles.
    SetDeafened {
        #[serde(skip_serializing_if = "Option::is_none")]
        deafened: Option<bool>,
    },
    /// `videoEnabled`; `None` (absent or not a boolean) toggles.
    Media {
        #[serde(rename = "videoEnabled", skip_serializing_if = "Option::is_none")]
        video_enabled: Option<bool>,
    },
    /// A stage control; an unknown `action` is answered "Unsupported stage action" after the
    /// permission check.
    #[serde(serialize_with = "serialize_checked")]
    Stage(Checked<StageAction>),
    /// The sender's own connection quality for one track.
    QualityReport {
        #[serde(serialize_with = "serialize_checked")]
        metrics: Checked<QualityMetrics>,
    },
    /// Starts or stops recording; `active` is read for truthiness (absent is `false`).
    Recording { active: bool },
}

/// The `action` of a `stage` state event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum StageAction {
    /// `status`/`set-status` with `status` (or `stageStatus`). Absent is answered "Stage status
    /// must be provided", an unknown one "Invalid stage status", after the permission check.
    SetStatus {
        #[serde(serialize_with = "serialize_checked")]
        status: Checked<StageStatus>,
    },
    /// `hand`/`raise-hand` with `raised` (or `value`) read for truthiness; absent is `false`.
    RaiseHand { raised: bool },
}

/// The `metrics` object of a quality report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityMetrics {
    /// The `track` key, lower-cased; `audio` when absent or not a string.
    pub track: String,
    /// Every other key, as sent: they replace the track's entry in the participant's `quality`.
    #[serde(flatten)]
    pub values: Map<String, Value>,
}

/// Reads a client frame of the signalling gateway. Errors come in the gateway's order: JSON,
/// object, type, then the frame's fields; [`error_detail`] gives the answer to each.
pub fn parse(text: &str) -> Result<SignalClientFrame, FrameError> {
    from_object(super::object(text)?)
}

/// [`parse`] for a frame already read as JSON.
pub fn parse_value(value: Value) -> Result<SignalClientFrame, FrameError> {
    match value {
        Value::Object(object) => from_object(object),
        _ => Err(FrameError::NotAnObject),
    }
}

/// The detail of the `error` frame the signalling gateway answers a frame it cannot use with.
pub fn error_detail(error: &FrameError) -> &'static str {
    match error {
        FrameError::InvalidJson => "Invalid message format",
        FrameError::NotAnObject => "Message payload must be a JSON object",
        FrameError::MissingType => "Message type must be provided",
        FrameError::Unknown(_) => "Unsupported payload type",
        FrameError::Malformed(detail) => detail,
    }
}

fn from_object(mut object: Map<String, Value>) -> Result<SignalClientFrame, FrameError> {
    let kind = match object.remove("type") {
        Some(Value::String(kind)) if !kind.is_empty() => kind,
        _ => return Err(FrameError::MissingType),
    };
    match kind.as_str() {
        "ping" => Ok(SignalClientFrame::Ping),
        "offer" => relay(&kind, object).map(SignalClientFrame::Offer),
        "answer" => relay(&kind, object).map(SignalClientFrame::Answer),
        "candidate" => relay(&kind, object).map(SignalClientFrame::Candidate),
        "bye" => relay(&kind, object).map(SignalClientFrame::Bye),
        "signal" => signal(object).map(|signal| SignalClientFrame::Signal { signal }),
        "state" => state(object).map(SignalClientFrame::State),
        _ => Err(FrameError::Unknown(kind)),
    }
}

/// An offer, answer, candidate or bye: every key but `type` (already taken out), with `kind`
/// and a normalised `track`.
fn relay(kind: &str, mut signal: Map<String, Value>) -> Result<Relay, FrameError> {
    let track = signal
        .get("track")
        .and_then(Value::as_str)
        .map(|track| track.trim().to_lowercase())
        .filter(|track| !track.is_empty())
        .unwrap_or_else(|| "audio".to_owned());
    signal.insert("kind".to_owned(), Value::from(kind));
    signal.insert("track".to_owned(), Value::from(track));
    Relay::new(signal)
}

/// A `signal` frame: its `signal` object, or every key but `type` when that is not an object;
/// the frame's `target` goes along when the object names none.
fn signal(mut object: Map<String, Value>) -> Result<Relay, FrameError> {
    match object.remove("signal") {
        Some(Value::Object(mut signal)) => {
            if !signal.contains_key("target")
                && let Some(target) = object.remove("target")
            {
                signal.insert("target".to_owned(), target);
            }
            Relay::new(signal)
        }
        Some(other) => {
            object.insert("signal".to_owned(), other);
            Relay::new(object)
        }
        None => Relay::new(object),
    }
}

/// `target`, else `target_id`: an integer or a string holding one.
fn target_of(object: &Map<String, Value>) -> Result<Option<i64>, FrameError> {
    let invalid = FrameError::Malformed("target must be a valid identifier");
    match object.get("target").or_else(|| object.get("target_id")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or(invalid),
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| invalid),
        Some(_) => Err(invalid),
    }
}

fn state(mut object: Map<String, Value>) -> Result<StateChange, FrameError> {
    let event = object.remove("event");
    let event = event.as_ref().and_then(Value::as_str).unwrap_or("");
    if event.is_empty() {
        return Err(FrameError::Malformed("State event must be provided"));
    }
    let target = target_of(&object)?;
    let flag = |key: &str| object.get(key).and_then(Value::as_bool);
    let event = match event {
        "set-role" => Ok(StateEvent::SetRole {
            role: match object
                .get("role")
                .and_then(Value::as_str)
                .map(str::to_lowercase)
                .as_deref()
            {
                Some("speaker") => Ok(VoiceRole::Speaker),
                Some("listener") => Ok(VoiceRole::Listener),
                _ => Err("Unsupported role"),
            },
        }),
        "set-muted" => Ok(StateEvent::SetMuted {
            muted: flag("muted"),
        }),
        "set-deafened" => Ok(StateEvent::SetDeafened {
            deafened: flag("deafened"),
        }),
        "media" => Ok(StateEvent::Media {
            video_enabled: flag("videoEnabled"),
        }),
        "stage" => Ok(StateEvent::Stage(stage_action(&object))),
        "quality-report" => Ok(StateEvent::QualityReport {
            metrics: quality_metrics(object.remove("metrics")),
        }),
        "recording" => Ok(StateEvent::Recording {
            active: object.get("active").is_some_and(truthy),
        }),
        _ => Err("Unsupported state event"),
    };
    Ok(StateChange { target, event })
}

fn stage_action(object: &Map<String, Value>) -> Checked<StageAction> {
    match object.get("action").and_then(Value::as_str).unwrap_or("") {
        "status" | "set-status" => {
            let status = object
                .get("status")
                .or_else(|| object.get("stageStatus"))
                .and_then(Value::as_str)
                .ok_or("Stage status must be provided")
                .and_then(|status| StageStatus::parse(status).ok_or("Invalid stage status"));
            Ok(StageAction::SetStatus { status })
        }
        "hand" | "raise-hand" => Ok(StageAction::RaiseHand {
            raised: object
                .get("raised")
                .or_else(|| object.get("value"))
                .is_some_and(truthy),
        }),
        _ => Err("Unsupported stage action"),
    }
}

fn quality_metrics(metrics: Option<Value>) -> Checked<QualityMetrics> {
    let Some(Value::Object(mut values)) = metrics else {
        return Err("Quality metrics payload is invalid");
    };
    let track = values
        .remove("track")
        .and_then(|track| track.as_str().map(str::to_lowercase))
        .unwrap_or_else(|| "audio".to_owned());
    Ok(QualityMetrics { track, values })
}

/// JavaScript-like truthiness, as the contract reads `active`, `raised` and `value`.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

deserialize_via_parse!(SignalClientFrame, parse_value);

/// A frame the server sends on `/ws/signal/{room_slug}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SignalServerFrame<'a> {
    /// `{"type":"system","event":...}`: someone arrived or left.
    System(SystemEvent<'a>),
    /// `{"type":"state","event":...}`: participants, their state, quality and recording.
    State(StateUpdate<'a>),
    /// A relayed offer, answer, candidate, bye or signal, with its sender.
    Signal {
        signal: Cow<'a, Map<String, Value>>,
        from: Cow<'a, Participant>,
    },
    /// The answer to `ping`.
    Pong,
    /// An error about the last frame, or the reason the server is about to close.
    Error { detail: Cow<'a, str> },
}

/// The `event` of a server `system` frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum SystemEvent<'a> {
    /// To the joiner, first: itself, its room role and what the server offers.
    Welcome {
        user: Cow<'a, Participant>,
        /// The room role: `owner`, `admin`, `member` or `guest`.
        role: Cow<'a, str>,
        features: VoiceFeatures,
    },
    /// To everyone else in the room.
    PeerJoined { user: Cow<'a, Participant> },
    /// To everyone left in the room.
    PeerLeft { user: Cow<'a, Participant> },
}

/// The `event` of a server `state` frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum StateUpdate<'a> {
    /// Everyone in the room, sorted by lower-cased `displayName`.
    Participants {
        participants: Cow<'a, [Participant]>,
        stats: VoiceStats,
    },
    /// One participant after a change, before the new `participants` list.
    ParticipantUpdated {
        participant: Cow<'a, Participant>,
        stats: VoiceStats,
    },
    /// A participant's quality report for one track, to everyone including its sender.
    QualityUpdate {
        #[serde(rename = "userId")]
        user_id: i64,
        track: Cow<'a, str>,
        metrics: Cow<'a, Map<String, Value>>,
    },
    /// Recording started or stopped; also sent to each joiner while a state exists.
    Recording(Cow<'a, Recording>),
}

/// A voice participant as every frame shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    /// The user id.
    pub id: i64,
    /// The display name, or the login when there is none.
    pub display_name: String,
    pub role: VoiceRole,
    pub muted: bool,
    pub deafened: bool,
    pub video_enabled: bool,
    pub stage_status: StageStatus,
    pub hand_raised: bool,
    /// The latest metrics per track (`audio`, `video`, `screen`, ...); `null` before the first
    /// report.
    pub quality: Option<BTreeMap<String, Map<String, Value>>>,
}

/// Whether a participant may speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VoiceRole {
    Speaker,
    Listener,
}

/// Where a participant is on the stage. Without an explicit status a listener is `listener`
/// and a speaker `backstage` (deafened), `muted` or `live`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StageStatus {
    Listener,
    Invited,
    Requesting,
    Backstage,
    Live,
    Muted,
}

impl StageStatus {
    /// The status a client names, exactly as spelled on the wire.
    pub fn parse(status: &str) -> Option<Self> {
        Some(match status {
            "listener" => Self::Listener,
            "invited" => Self::Invited,
            "requesting" => Self::Requesting,
            "backstage" => Self::Backstage,
            "live" => Self::Live,
            "muted" => Self::Muted,
            _ => return None,
        })
    }
}

/// The server features a joiner is told about in `welcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoiceFeatures {
    /// `VOICE_RECORDING_ENABLED`.
    pub recording: bool,
    /// `VOICE_QUALITY_MONITORING_ENABLED`.
    pub quality_monitoring: bool,
}

/// The room's voice statistics. An empty room's carry only `updatedAt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoiceStats {
    #[serde(flatten)]
    pub counts: Option<VoiceCounts>,
    /// When the room's voice state last changed (RFC 3339).
    pub updated_at: String,
}

/// Who is in a room that has participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoiceCounts {
    pub total: usize,
    pub speakers: usize,
    pub listeners: usize,
    /// Speakers neither muted nor deafened.
    pub active_speakers: usize,
    /// When the room's voice state was created, at its first join (RFC 3339).
    pub created_at: String,
}

impl VoiceStats {
    /// The statistics of `participants`: only `updated_at` when there are none.
    pub fn of(participants: &[Participant], created_at: &str, updated_at: &str) -> Self {
        let counts = (!participants.is_empty()).then(|| {
            let speakers = participants.iter().filter(|p| p.role == VoiceRole::Speaker);
            VoiceCounts {
                total: participants.len(),
                speakers: speakers.clone().count(),
                listeners: participants
                    .iter()
                    .filter(|p| p.role == VoiceRole::Listener)
                    .count(),
                active_speakers: speakers.filter(|p| !p.muted && !p.deafened).count(),
                created_at: created_at.to_owned(),
            }
        });
        Self {
            counts,
            updated_at: updated_at.to_owned(),
        }
    }
}

/// The room's recording state: whether it is on, since when and who switched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    pub active: bool,
    /// When it was switched (RFC 3339).
    pub timestamp: String,
    /// The participant who switched it.
    pub by: Participant,
}
