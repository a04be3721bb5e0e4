//! The hub's fan-out: coalescing windows, ordering against presence, and the queue limit.

use std::sync::Arc;
use std::time::Duration;

use charge_domain::OnlineUser;

use super::Hub;
use crate::bus::Bus;
use crate::channels::{COALESCE_MIN_SOCKETS, MAX_BATCH_FRAMES};
use crate::conn::{OUTBOUND_QUEUE, Outbox, Outgoing};
use crate::ws::Utf8Bytes;

fn hub(coalesce_ms: u64) -> Arc<Hub> {
    Hub::new(
        Duration::from_secs(8),
        Bus::memory("test"),
        Duration::from_secs(6),
        Duration::from_millis(coalesce_ms),
        Arc::default(),
    )
}

fn member(hub: &Hub, channel: i64, user: i64) -> Outbox {
    let (conn, outbox) = hub.connection(user);
    let me = OnlineUser {
        id: user,
        display_name: format!("u{user}"),
        status: "online".into(),
        avatar_url: None,
    };
    hub.join_text(channel, 1, conn, me);
    outbox
}

/// A channel large enough to coalesce; returns the first member's queue.
fn crowd(hub: &Hub, channel: i64) -> Outbox {
    let first = member(hub, channel, 1);
    for user in 2..=COALESCE_MIN_SOCKETS as i64 {
        member(hub, channel, user);
    }
    first
}

fn drain(outbox: &mut Outbox) -> Vec<String> {
    let mut frames = Vec::new();
    while let Some(item) = outbox.try_recv() {
        outbox.kick.dequeued(item.frames());
        match item {
            Outgoing::One(f) => frames.push(f.as_str().to_owned()),
            Outgoing::Batch(fs) => frames.extend(fs.iter().map(|f| f.as_str().to_owned())),
        }
    }
    frames
}

#[test]
fn a_quiet_channel_sends_at_once_and_a_busy_one_in_order_batches() {
    let hub = hub(20);
    let mut outbox = crowd(&hub, 7);
    hub.to_channel(7, &Utf8Bytes::from("m1"));
    assert_eq!(
        drain(&mut outbox),
        ["m1"],
        "the first frame is not held back"
    );
    hub.to_channel(7, &Utf8Bytes::from("m2"));
    hub.to_channel(7, &Utf8Bytes::from("m3"));
    assert!(
        drain(&mut outbox).is_empty(),
        "frames inside the window wait"
    );
    assert!(hub.flush_windows(), "a window that sent a batch stays open");
    let item = outbox.try_recv().expect("one queue entry for the batch");
    assert_eq!(item.frames(), 2);
    outbox.kick.dequeued(2);
    assert!(!hub.flush_windows(), "an empty window closes");
    hub.to_channel(7, &Utf8Bytes::from("m4"));
    assert_eq!(
        drain(&mut outbox),
        ["m4"],
        "a quiet channel again sends at once"
    );
}

#[test]
fn held_back_frames_go_before_a_presence_list() {
    let hub = hub(20);
    let mut outbox = crowd(&hub, 7);
    hub.flush_presence();
    drain(&mut outbox);
    hub.to_channel(7, &Utf8Bytes::from("m1"));
    hub.to_channel(7, &Utf8Bytes::from("m2"));
    let _another = member(&hub, 7, 1000);
    hub.flush_presence();
    let frames = drain(&mut outbox);
    assert_eq!(frames[..2], ["m1", "m2"]);
    assert!(frames[2].contains("\"type\":\"presence\""), "{frames:?}");
}

#[test]
fn zero_disables_coalescing_and_small_channels_never_wait() {
    let never = hub(0);
    let mut outbox = crowd(&never, 7);
    for f in ["a", "b", "c"] {
        never.to_channel(7, &Utf8Bytes::from(f));
    }
    assert_eq!(drain(&mut outbox), ["a", "b", "c"]);

    let small = hub(20);
    let mut outbox = member(&small, 8, 1);
    for f in ["a", "b", "c"] {
        small.to_channel(8, &Utf8Bytes::from(f));
    }
    assert_eq!(drain(&mut outbox), ["a", "b", "c"]);
}

#[test]
fn the_queue_limit_counts_frames_inside_batches() {
    let hub = hub(20);
    let outbox = crowd(&hub, 7);
    hub.to_channel(7, &Utf8Bytes::from("open"));
    let mut sent = 1;
    while outbox.kick.reason.get().is_none() && sent < OUTBOUND_QUEUE * 2 {
        hub.to_channel(7, &Utf8Bytes::from("x"));
        sent += 1;
        if sent % MAX_BATCH_FRAMES == 0 {
            hub.flush_windows();
        }
    }
    assert_eq!(outbox.kick.reason.get(), Some(&(1008, "Too slow")));
    assert!(
        sent <= OUTBOUND_QUEUE + MAX_BATCH_FRAMES,
        "kicked after {sent} frames"
    );
}
