//! Golden tests for `/ws/signal/{room_slug}` frames: each `system`, `state` and `signal` frame
//! against the contract's example JSON (§2.2), each client frame parsed from it, and the answers
//! to frames the gateway cannot use.

#[macro_use]
mod common;

use std::borrow::Cow;
use std::collections::BTreeMap;

use charge_protocol::frames::FrameError;
use charge_protocol::frames::signal::{
    self, Participant, QualityMetrics, Recording, SignalClientFrame, SignalServerFrame,
    StageAction, StageStatus, StateChange, StateEvent, StateUpdate, SystemEvent, VoiceFeatures,
    VoiceRole, VoiceStats,
};
use common::{CREATED, UPDATED};
use serde_json::{Map, Value, json};

fn ada() -> Participant {
    Participant {
        id: 3,
        display_name: "Ada".into(),
        role: VoiceRole::Speaker,
        muted: false,
        deafened: false,
        video_enabled: true,
        stage_status: StageStatus::Live,
        hand_raised: false,
        quality: None,
    }
}

fn ada_json() -> Value {
    json!({"id": 3, "displayName": "Ada", "role": "speaker", "muted": false, "deafened": false,
           "videoEnabled": true, "stageStatus": "live", "handRaised": false, "quality": null})
}

fn bob() -> Participant {
    Participant {
        id: 7,
        display_name: "bob".into(),
        role: VoiceRole::Listener,
        muted: true,
        deafened: false,
        video_enabled: false,
        stage_status: StageStatus::Listener,
        hand_raised: true,
        quality: None,
    }
}

fn bob_json() -> Value {
    json!({"id": 7, "displayName": "bob", "role": "listener", "muted": true, "deafened": false,
           "videoEnabled": false, "stageStatus": "listener", "handRaised": true, "quality": null})
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(object) => object,
        other => panic!("not an object: {other}"),
    }
}

// ---- server → client ---------------------------------------------------------------------

#[test]
fn welcome_carries_the_joiner_its_room_role_and_the_features() {
    let me = ada();
    golden!(
        SignalServerFrame::System(SystemEvent::Welcome {
            user: Cow::Borrowed(&me),
            role: "owner".into(),
            features: VoiceFeatures {
                recording: false,
                quality_monitoring: true,
            },
        }),
        json!({"type": "system", "event": "welcome", "user": ada_json(), "role": "owner",
               "features": {"recording": false, "qualityMonitoring": true}})
    );
}

#[test]
fn peer_joined_carries_the_participant() {
    let me = ada();
    golden!(
        SignalServerFrame::System(SystemEvent::PeerJoined {
            user: Cow::Borrowed(&me),
        }),
        json!({"type": "system", "event": "peer-joined", "user": ada_json()})
    );
}

#[test]
fn peer_left_carries_the_participant() {
    golden!(
        SignalServerFrame::System(SystemEvent::PeerLeft {
            user: Cow::Owned(bob()),
        }),
        json!({"type": "system", "event": "peer-left", "user": bob_json()})
    );
}

#[test]
fn participants_lists_everyone_with_the_room_stats() {
    let list = [ada(), bob()];
    golden!(
        SignalServerFrame::State(StateUpdate::Participants {
            participants: Cow::Borrowed(&list),
            stats: VoiceStats::of(&list, CREATED, UPDATED),
        }),
        json!({"type": "state", "event": "participants",
               "participants": [ada_json(), bob_json()],
               "stats": {"total": 2, "speakers": 1, "listeners": 1, "activeSpeakers": 1,
                         "createdAt": CREATED, "updatedAt": UPDATED}})
    );
}

#[test]
fn participants_of_an_empty_room_carry_only_when_it_changed() {
    golden!(
        SignalServerFrame::State(StateUpdate::Participants {
            participants: Cow::Borrowed(&[]),
            stats: VoiceStats::of(&[], CREATED, UPDATED),
        }),
        json!({"type": "state", "event": "participants", "participants": [],
               "stats": {"updatedAt": UPDATED}})
    );
}

#[test]
fn active_speakers_are_speakers_neither_muted_nor_deafened() {
    let mut muted = ada();
    muted.id = 4;
    muted.muted = true;
    let mut deafened = ada();
    deafened.id = 5;
    deafened.deafened = true;
    let stats = VoiceStats::of(&[ada(), muted, deafened, bob()], CREATED, UPDATED);
    let counts = stats.counts.expect("a room with participants has counts");
    assert_eq!(
        (
            counts.total,
            counts.speakers,
            counts.listeners,
            counts.active_speakers
        ),
        (4, 3, 1, 1)
    );
}

#[test]
fn participant_updated_carries_the_participant_and_the_stats() {
    let mut me = ada();
    me.quality = Some(BTreeMap::from([(
        "audio".to_owned(),
        object(json!({"jitter": 0.02, "packetLoss": 1})),
    )]));
    let mut me_json = ada_json();
    me_json["quality"] = json!({"audio": {"jitter": 0.02, "packetLoss": 1}});
    golden!(
        SignalServerFrame::State(StateUpdate::ParticipantUpdated {
            participant: Cow::Borrowed(&me),
            stats: VoiceStats::of(std::slice::from_ref(&me), CREATED, UPDATED),
        }),
        json!({"type": "state", "event": "participant-updated", "participant": me_json,
               "stats": {"total": 1, "speakers": 1, "listeners": 0, "activeSpeakers": 1,
                         "createdAt": CREATED, "updatedAt": UPDATED}})
    );
}

#[test]
fn quality_update_carries_the_metrics_without_their_track() {
    let metrics = object(json!({"jitter": 0.02, "rtt": 41}));
    golden!(
        SignalServerFrame::State(StateUpdate::QualityUpdate {
            user_id: 3,
            track: "audio".into(),
            metrics: Cow::Borrowed(&metrics),
        }),
        json!({"type": "state", "event": "quality-update", "userId": 3, "track": "audio",
               "metrics": {"jitter": 0.02, "rtt": 41}})
    );
}

#[test]
fn recording_carries_whether_when_and_by_whom() {
    let recording = Recording {
        active: true,
        timestamp: UPDATED.into(),
        by: ada(),
    };
    golden!(
        SignalServerFrame::State(StateUpdate::Recording(Cow::Borrowed(&recording))),
        json!({"type": "state", "event": "recording", "active": true, "timestamp": UPDATED,
               "by": ada_json()})
    );
}

#[test]
fn signal_carries_the_relayed_object_and_its_sender() {
    let relayed = object(
        json!({"kind": "offer", "description": {"type": "offer", "sdp": "v=0"},
                                "track": "screen", "target": 7}),
    );
    let from = ada();
    golden!(
        SignalServerFrame::Signal {
            signal: Cow::Borrowed(&relayed),
            from: Cow::Borrowed(&from),
        },
        json!({"type": "signal",
               "signal": {"kind": "offer", "description": {"type": "offer", "sdp": "v=0"},
                          "track": "screen", "target": 7},
               "from": ada_json()})
    );
}

#[test]
fn pong_is_only_its_type() {
    golden!(SignalServerFrame::Pong, json!({"type": "pong"}));
}

#[test]
fn error_carries_a_detail() {
    golden!(
        SignalServerFrame::Error {
            detail: "Participant not found".into(),
        },
        json!({"type": "error", "detail": "Participant not found"})
    );
}

// ---- client → server: relays -------------------------------------------------------------

fn detail(text: &str) -> &'static str {
    signal::error_detail(&signal::parse(text).expect_err("the frame is refused"))
}

fn relay_of(frame: SignalClientFrame) -> (Option<i64>, Value) {
    match frame {
        SignalClientFrame::Offer(r)
        | SignalClientFrame::Answer(r)
        | SignalClientFrame::Candidate(r)
        | SignalClientFrame::Bye(r)
        | SignalClientFrame::Signal { signal: r } => (r.target(), Value::Object(r.into_signal())),
        other => panic!("not a relay: {other:?}"),
    }
}

#[test]
fn an_offer_is_relayed_with_its_kind_and_a_normalised_track() {
    let frame = signal::parse(
        r#"{"type":"offer","description":{"type":"offer","sdp":"v=0"},"target":7,"track":" Screen "}"#,
    )
    .expect("parses");
    assert!(matches!(frame, SignalClientFrame::Offer(_)));
    assert_eq!(
        relay_of(frame),
        (
            Some(7),
            json!({"kind": "offer", "description": {"type": "offer", "sdp": "v=0"},
                   "target": 7, "track": "screen"})
        )
    );
}

#[test]
fn an_answer_is_relayed_with_every_other_key_verbatim() {
    let frame = signal::parse(
        r#"{"type":"answer","description":{"type":"answer","sdp":"v=0"},"target":"7","mid":"0"}"#,
    )
    .expect("parses");
    assert!(matches!(frame, SignalClientFrame::Answer(_)));
    assert_eq!(
        relay_of(frame),
        (
            Some(7),
            json!({"kind": "answer", "description": {"type": "answer", "sdp": "v=0"},
                   "target": "7", "mid": "0", "track": "audio"})
        ),
        "the target is read from a string but sent on as given"
    );
}

#[test]
fn a_candidate_is_relayed_and_may_name_its_target_as_target_id() {
    let frame = signal::parse(
        r#"{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 10.0.0.1 5000 typ host"},"target_id":9,"track":""}"#,
    )
    .expect("parses");
    assert!(matches!(frame, SignalClientFrame::Candidate(_)));
    assert_eq!(
        relay_of(frame),
        (
            Some(9),
            json!({"kind": "candidate",
                   "candidate": {"candidate": "candidate:1 1 udp 1 10.0.0.1 5000 typ host"},
                   "target_id": 9, "track": "audio"})
        ),
        "an empty track is audio"
    );
}

#[test]
fn a_bye_without_target_goes_to_every_other_participant() {
    let frame = signal::parse(r#"{"type":"bye","kind":"spoofed","track":5}"#).expect("parses");
    assert!(matches!(frame, SignalClientFrame::Bye(_)));
    assert_eq!(
        relay_of(frame),
        (None, json!({"kind": "bye", "track": "audio"}))
    );
}

#[test]
fn a_signal_frame_is_relayed_as_given_with_the_frames_target() {
    let frame = signal::parse(r#"{"type":"signal","signal":{"sdp":"v=0","Track":"X"},"target":7}"#)
        .expect("parses");
    assert_eq!(
        relay_of(frame),
        (Some(7), json!({"sdp": "v=0", "Track": "X", "target": 7}))
    );
    let inner_wins =
        signal::parse(r#"{"type":"signal","signal":{"target":8},"target":7}"#).expect("parses");
    assert_eq!(relay_of(inner_wins), (Some(8), json!({"target": 8})));
}

#[test]
fn a_signal_frame_whose_signal_is_not_an_object_relays_its_other_keys() {
    let frame =
        signal::parse(r#"{"type":"signal","signal":"hello","target":7,"x":1}"#).expect("parses");
    assert_eq!(
        relay_of(frame),
        (Some(7), json!({"signal": "hello", "target": 7, "x": 1}))
    );
    let frame = signal::parse(r#"{"type":"signal","sdp":"v=0"}"#).expect("parses");
    assert_eq!(relay_of(frame), (None, json!({"sdp": "v=0"})));
}

#[test]
fn a_relay_target_must_be_an_integer_or_a_string_holding_one() {
    for frame in [
        r#"{"type":"offer","target":"seven"}"#,
        r#"{"type":"offer","target":1.5}"#,
        r#"{"type":"offer","target":true}"#,
        r#"{"type":"answer","target_id":[7]}"#,
        r#"{"type":"signal","signal":{"target":{}}}"#,
    ] {
        assert_eq!(
            detail(frame),
            "target must be a valid identifier",
            "{frame}"
        );
    }
    let (target, _) = relay_of(signal::parse(r#"{"type":"offer","target":" 12 "}"#).expect("ok"));
    assert_eq!(target, Some(12));
    let (target, _) =
        relay_of(signal::parse(r#"{"type":"offer","target":null,"target_id":5}"#).expect("ok"));
    assert_eq!(
        target, None,
        "a null target is no target, even beside a target_id"
    );
}

#[test]
fn a_relay_serialises_as_its_signal_object() {
    let frame = signal::parse(r#"{"type":"offer","description":{"sdp":"v=0"},"target":7}"#)
        .expect("parses");
    assert_eq!(
        common::to_json(&frame),
        json!({"type": "offer", "kind": "offer", "description": {"sdp": "v=0"}, "target": 7,
               "track": "audio"})
    );
    let frame = SignalClientFrame::Signal {
        signal: signal::Relay::new(object(json!({"sdp": "v=0", "target": 7}))).expect("valid"),
    };
    assert_eq!(
        common::to_json(&frame),
        json!({"type": "signal", "signal": {"sdp": "v=0", "target": 7}})
    );
}

#[test]
fn a_ping_frame_parses() {
    assert_eq!(
        signal::parse(r#"{"type":"ping"}"#),
        Ok(SignalClientFrame::Ping)
    );
    assert_eq!(
        common::to_json(&SignalClientFrame::Ping),
        json!({"type": "ping"})
    );
}

// ---- client → server: state changes ------------------------------------------------------

fn change(text: &str) -> StateChange {
    match signal::parse(text) {
        Ok(SignalClientFrame::State(change)) => change,
        other => panic!("not a state change: {other:?}"),
    }
}

fn event(text: &str) -> StateEvent {
    change(text).event.expect("a known event")
}

#[test]
fn set_role_parses_the_role_in_any_case() {
    assert_eq!(
        change(r#"{"type":"state","event":"set-role","role":"Speaker","target":7}"#),
        StateChange {
            target: Some(7),
            event: Ok(StateEvent::SetRole {
                role: Ok(VoiceRole::Speaker)
            }),
        }
    );
    assert_eq!(
        event(r#"{"type":"state","event":"set-role","role":"listener"}"#),
        StateEvent::SetRole {
            role: Ok(VoiceRole::Listener)
        }
    );
}

#[test]
fn set_role_with_another_role_is_answered_after_the_participants_are_found() {
    for frame in [
        r#"{"type":"state","event":"set-role","role":"moderator"}"#,
        r#"{"type":"state","event":"set-role"}"#,
        r#"{"type":"state","event":"set-role","role":1}"#,
    ] {
        assert_eq!(
            event(frame),
            StateEvent::SetRole {
                role: Err("Unsupported role")
            },
            "{frame}"
        );
    }
}

#[test]
fn set_muted_sets_or_toggles() {
    assert_eq!(
        change(r#"{"type":"state","event":"set-muted","muted":true,"target_id":"7"}"#),
        StateChange {
            target: Some(7),
            event: Ok(StateEvent::SetMuted { muted: Some(true) }),
        }
    );
    assert_eq!(
        event(r#"{"type":"state","event":"set-muted"}"#),
        StateEvent::SetMuted { muted: None }
    );
    assert_eq!(
        event(r#"{"type":"state","event":"set-muted","muted":"yes"}"#),
        StateEvent::SetMuted { muted: None },
        "a value that is not a boolean toggles"
    );
}

#[test]
fn set_deafened_sets_or_toggles() {
    assert_eq!(
        event(r#"{"type":"state","event":"set-deafened","deafened":false}"#),
        StateEvent::SetDeafened {
            deafened: Some(false)
        }
    );
    assert_eq!(
        event(r#"{"type":"state","event":"set-deafened"}"#),
        StateEvent::SetDeafened { deafened: None }
    );
}

#[test]
fn media_sets_or_toggles_video() {
    assert_eq!(
        event(r#"{"type":"state","event":"media","videoEnabled":true}"#),
        StateEvent::Media {
            video_enabled: Some(true)
        }
    );
    assert_eq!(
        event(r#"{"type":"state","event":"media"}"#),
        StateEvent::Media {
            video_enabled: None
        }
    );
}

#[test]
fn stage_status_is_read_from_status_or_stage_status() {
    for frame in [
        r#"{"type":"state","event":"stage","action":"status","status":"invited"}"#,
        r#"{"type":"state","event":"stage","action":"set-status","stageStatus":"invited"}"#,
    ] {
        assert_eq!(
            event(frame),
            StateEvent::Stage(Ok(StageAction::SetStatus {
                status: Ok(StageStatus::Invited)
            })),
            "{frame}"
        );
    }
}

#[test]
fn a_missing_or_unknown_stage_status_is_answered_after_the_permission_check() {
    let status = |frame: &str| match event(frame) {
        StateEvent::Stage(Ok(StageAction::SetStatus { status })) => status,
        other => panic!("not a stage status: {other:?}"),
    };
    assert_eq!(
        status(r#"{"type":"state","event":"stage","action":"status"}"#),
        Err("Stage status must be provided")
    );
    assert_eq!(
        status(
            r#"{"type":"state","event":"stage","action":"status","status":3,"stageStatus":"live"}"#
        ),
        Err("Stage status must be provided"),
        "a status that is present wins over stageStatus, even when unusable"
    );
    assert_eq!(
        status(r#"{"type":"state","event":"stage","action":"status","status":"Live"}"#),
        Err("Invalid stage status"),
        "statuses are exact"
    );
}

#[test]
fn a_raised_hand_is_read_for_truthiness() {
    let raised = |frame: &str| match event(frame) {
        StateEvent::Stage(Ok(StageAction::RaiseHand { raised })) => raised,
        other => panic!("not a hand: {other:?}"),
    };
    assert!(raised(
        r#"{"type":"state","event":"stage","action":"hand","raised":true}"#
    ));
    assert!(raised(
        r#"{"type":"state","event":"stage","action":"raise-hand","value":"yes"}"#
    ));
    assert!(raised(
        r#"{"type":"state","event":"stage","action":"hand","raised":1}"#
    ));
    assert!(!raised(
        r#"{"type":"state","event":"stage","action":"hand","raised":0}"#
    ));
    assert!(!raised(
        r#"{"type":"state","event":"stage","action":"hand","raised":""}"#
    ));
    assert!(!raised(
        r#"{"type":"state","event":"stage","action":"hand"}"#
    ));
    assert!(!raised(
        r#"{"type":"state","event":"stage","action":"hand","raised":null,"value":true}"#
    ));
}

#[test]
fn an_unknown_stage_action_is_answered_after_the_permission_check() {
    assert_eq!(
        event(r#"{"type":"state","event":"stage","action":"kick"}"#),
        StateEvent::Stage(Err("Unsupported stage action"))
    );
    assert_eq!(
        event(r#"{"type":"state","event":"stage"}"#),
        StateEvent::Stage(Err("Unsupported stage action"))
    );
}

#[test]
fn a_quality_report_takes_its_track_out_of_the_metrics() {
    assert_eq!(
        event(
            r#"{"type":"state","event":"quality-report","metrics":{"track":"Video","jitter":0.02,"rtt":41}}"#
        ),
        StateEvent::QualityReport {
            metrics: Ok(QualityMetrics {
                track: "video".into(),
                values: object(json!({"jitter": 0.02, "rtt": 41})),
            })
        }
    );
    assert_eq!(
        event(r#"{"type":"state","event":"quality-report","metrics":{"track":5,"mos":4.1}}"#),
        StateEvent::QualityReport {
            metrics: Ok(QualityMetrics {
                track: "audio".into(),
                values: object(json!({"mos": 4.1})),
            })
        }
    );
}

#[test]
fn quality_metrics_that_are_not_an_object_are_answered_after_the_participants_are_found() {
    for frame in [
        r#"{"type":"state","event":"quality-report"}"#,
        r#"{"type":"state","event":"quality-report","metrics":[1]}"#,
    ] {
        assert_eq!(
            event(frame),
            StateEvent::QualityReport {
                metrics: Err("Quality metrics payload is invalid")
            }
        );
    }
}

#[test]
fn recording_reads_active_for_truthiness() {
    assert_eq!(
        event(r#"{"type":"state","event":"recording","active":true}"#),
        StateEvent::Recording { active: true }
    );
    assert_eq!(
        event(r#"{"type":"state","event":"recording","active":"on"}"#),
        StateEvent::Recording { active: true }
    );
    assert_eq!(
        event(r#"{"type":"state","event":"recording"}"#),
        StateEvent::Recording { active: false }
    );
}

#[test]
fn an_unknown_state_event_is_answered_after_the_participants_are_found() {
    assert_eq!(
        change(r#"{"type":"state","event":"zoom","target":7}"#),
        StateChange {
            target: Some(7),
            event: Err("Unsupported state event"),
        }
    );
}

#[test]
fn a_state_frame_needs_an_event_then_a_valid_target() {
    assert_eq!(
        detail(r#"{"type":"state","target":"x"}"#),
        "State event must be provided"
    );
    assert_eq!(
        detail(r#"{"type":"state","event":"","target":"x"}"#),
        "State event must be provided"
    );
    assert_eq!(
        detail(r#"{"type":"state","event":"zoom","target":"x"}"#),
        "target must be a valid identifier"
    );
}

#[test]
fn state_changes_serialise_as_a_client_sends_them() {
    let frames = [
        (
            SignalClientFrame::State(StateChange {
                target: Some(7),
                event: Ok(StateEvent::SetRole {
                    role: Ok(VoiceRole::Speaker),
                }),
            }),
            json!({"type": "state", "event": "set-role", "target": 7, "role": "speaker"}),
        ),
        (
            SignalClientFrame::State(StateChange {
                target: None,
                event: Ok(StateEvent::SetMuted { muted: Some(true) }),
            }),
            json!({"type": "state", "event": "set-muted", "muted": true}),
        ),
        (
            SignalClientFrame::State(StateChange {
                target: None,
                event: Ok(StateEvent::Media {
                    video_enabled: None,
                }),
            }),
            json!({"type": "state", "event": "media"}),
        ),
        (
            SignalClientFrame::State(StateChange {
                target: Some(7),
                event: Ok(StateEvent::Stage(Ok(StageAction::SetStatus {
                    status: Ok(StageStatus::Backstage),
                }))),
            }),
            json!({"type": "state", "event": "stage", "action": "set-status", "status": "backstage",
                   "target": 7}),
        ),
        (
            SignalClientFrame::State(StateChange {
                target: None,
                event: Ok(StateEvent::Stage(Ok(StageAction::RaiseHand {
                    raised: true,
                }))),
            }),
            json!({"type": "state", "event": "stage", "action": "raise-hand", "raised": true}),
        ),
        (
            SignalClientFrame::State(StateChange {
                target: None,
                event: Ok(StateEvent::QualityReport {
                    metrics: Ok(QualityMetrics {
                        track: "audio".into(),
                        values: object(json!({"jitter": 0.02})),
                    }),
                }),
            }),
            json!({"type": "state", "event": "quality-report",
                   "metrics": {"track": "audio", "jitter": 0.02}}),
        ),
        (
            SignalClientFrame::State(StateChange {
                target: None,
                event: Ok(StateEvent::Recording { active: false }),
            }),
            json!({"type": "state", "event": "recording", "active": false}),
        ),
    ];
    for (frame, expected) in frames {
        assert_eq!(common::to_json(&frame), expected);
        let back: SignalClientFrame = serde_json::from_value(expected).expect("parses back");
        assert_eq!(back, frame);
    }
}

#[test]
fn a_state_change_holding_an_answer_cannot_be_sent() {
    let frame = SignalClientFrame::State(StateChange {
        target: None,
        event: Err("Unsupported state event"),
    });
    assert!(serde_json::to_string(&frame).is_err());
    let frame = SignalClientFrame::State(StateChange {
        target: None,
        event: Ok(StateEvent::Stage(Err("Unsupported stage action"))),
    });
    assert!(serde_json::to_string(&frame).is_err());
}

// ---- client → server: unusable frames ----------------------------------------------------

#[test]
fn a_frame_without_a_type_is_answered_type_must_be_provided() {
    for frame in [
        r#"{}"#,
        r#"{"type":""}"#,
        r#"{"type":null}"#,
        r#"{"type":3}"#,
    ] {
        assert_eq!(
            signal::parse(frame),
            Err(FrameError::MissingType),
            "{frame}"
        );
        assert_eq!(detail(frame), "Message type must be provided");
    }
}

#[test]
fn an_unknown_type_is_unsupported_including_the_shipped_clients_top_level_state_types() {
    for kind in ["set-muted", "set-deafened", "media", "presence"] {
        let frame = format!(r#"{{"type":"{kind}","muted":true}}"#);
        assert_eq!(signal::parse(&frame), Err(FrameError::Unknown(kind.into())));
        assert_eq!(detail(&frame), "Unsupported payload type");
    }
}

#[test]
fn text_that_is_not_a_json_object_is_refused() {
    assert_eq!(signal::parse("{"), Err(FrameError::InvalidJson));
    assert_eq!(detail("{"), "Invalid message format");
    for frame in ["[]", "\"offer\"", "1"] {
        assert_eq!(signal::parse(frame), Err(FrameError::NotAnObject));
        assert_eq!(detail(frame), "Message payload must be a JSON object");
    }
}
