//! The message writer: every new chat message goes through one task that commits them in
//! batches (group commit) and then broadcasts them. A burst of N messages costs one transaction
//! instead of N; since one task assigns ids in commit order and broadcasts in that order, a
//! channel sees its messages in id order, and "everything after id X" never skips a message
//! that commits late.
//!
//! Submitting does not wait for the commit: a session can have several messages in flight
//! ([`Pending`]), so a sender's throughput is not bounded by one commit's latency. Replies to
//! the sender that come after a message still in flight wait in its [`FollowUps`] and are
//! queued right after the message's echo (or its error).

use std::sync::{Arc, Mutex};

use crate::ws::Utf8Bytes;
use charge_domain::frame;
use charge_protocol::frames::TextServerFrame;
use charge_store::{Message, NewMessage, Store, StoreError};
use std::borrow::Cow;
use tokio::sync::{mpsc, oneshot};

use crate::conn::{Conn, OUTBOUND_QUEUE};
use crate::frames::error_frame;
use crate::hub::Hub;
use charge_domain::dto;
use charge_domain::messages::Draft;

/// Messages waiting for the writer; submitters wait (back-pressure) when it is full.
const QUEUE: usize = 4096;
/// Most messages committed in one transaction.
const MAX_BATCH: usize = 256;

/// The socket a message came from: told if the commit fails, and sent its held replies.
pub struct Origin {
    pub conn: Conn,
    pub follow_ups: Arc<FollowUps>,
}

struct Job {
    draft: Draft,
    origin: Option<Origin>,
    done: oneshot::Sender<Result<Message, StoreError>>,
}

/// A submitted message: resolves once it is committed and broadcast (or failed).
pub type Pending = oneshot::Receiver<Result<Message, StoreError>>;

/// Replies to a socket that must come after one of its messages still being committed.
/// `None` once the writer has queued that message's echo or error: replies from then on go
/// straight to the socket's queue.
#[derive(Debug)]
pub struct FollowUps(Mutex<Option<Vec<Utf8Bytes>>>);

impl FollowUps {
    pub fn new() -> Arc<Self> {
        Arc::new(Self(Mutex::new(Some(Vec::new()))))
    }

    /// Holds `frames` behind the message; gives them back if its echo is already queued. A
    /// socket holding more than its queue's worth is closed as too slow.
    pub fn hold(&self, conn: &Conn, frames: Vec<Utf8Bytes>) -> Result<(), Vec<Utf8Bytes>> {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match held.as_mut() {
            Some(list) => {
                list.extend(frames);
                if list.len() > OUTBOUND_QUEUE {
                    list.clear();
                    conn.kick(1008, "Too slow");
                }
                Ok(())
            }
            None => Err(frames),
        }
    }

    /// Queues `first` (the message's error, if any) and then everything held, under the lock
    /// so that nothing the session sends meanwhile can overtake them.
    fn release(&self, conn: &Conn, first: Option<Utf8Bytes>) {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for frame in first.into_iter().chain(held.take().unwrap_or_default()) {
            conn.push(&frame);
        }
    }
}

#[derive(Clone)]
pub struct MessageWriter {
    tx: mpsc::Sender<Job>,
}

fn stopped() -> StoreError {
    StoreError::Unavailable("message writer stopped".into())
}

impl MessageWriter {
    /// Starts the writer task for `store`; committed messages are broadcast through `hub`.
    pub fn start(store: Store, hub: Arc<Hub>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, hub, rx));
        Self { tx }
    }

    /// Queues a message (waiting while the queue is full) and returns at once; the message
    /// is broadcast to its channel when it commits, before `Pending` resolves.
    pub async fn submit(
        &self,
        draft: Draft,
        origin: Option<Origin>,
    ) -> Result<Pending, StoreError> {
        let (done, pending) = oneshot::channel();
        let job = Job {
            draft,
            origin,
            done,
        };
        self.tx.send(job).await.map_err(|_| stopped())?;
        Ok(pending)
    }

    /// Stores and broadcasts a message; resolves once it is committed.
    pub async fn create(&self, draft: Draft) -> Result<Message, StoreError> {
        self.submit(draft, None)
            .await?
            .await
            .map_err(|_| stopped())?
    }
}

async fn run(store: Store, hub: Arc<Hub>, mut rx: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let drafts: Vec<NewMessage<'_>> = jobs.iter().map(|j| new_message(&j.draft)).collect();
        metrics::histogram!("message_write_batch_size").record(drafts.len() as f64);
        match store.create_messages(&drafts).await {
            Ok(stored) if stored.len() == jobs.len() => {
                for (job, message) in jobs.drain(..).zip(stored) {
                    finish(&hub, job, Ok(message));
                }
            }
            // One bad message (say, its channel was just deleted) must not fail the others:
            // store them one by one.
            _ => {
                for job in jobs.drain(..) {
                    let result = store.create_message(new_message(&job.draft)).await;
                    finish(&hub, job, result);
                }
            }
        }
    }
}

fn new_message(draft: &Draft) -> NewMessage<'_> {
    NewMessage {
        channel_id: draft.channel_id,
        author_id: draft.author_id,
        content: &draft.content,
        parent_id: draft.parent_id,
        mentions: &draft.mentions.users,
        mention_everyone: draft.mentions.everyone,
        nonce: draft.nonce.as_deref(),
    }
}

/// Committed: now everyone in the channel, the author included, may see it. Then the author's
/// held replies follow. A resend of a message already stored is echoed to its sender only
/// (everyone else has it), with the nonce, so the client can settle its copy.
fn finish(hub: &Hub, job: Job, result: Result<Message, StoreError>) {
    if let Ok(message) = &result {
        let bytes = frame(&TextServerFrame::Message {
            message: Cow::Owned(dto::message(message)),
        });
        if !message.replayed {
            hub.to_channel(message.channel_id, &bytes);
        } else if let Some(origin) = &job.origin {
            origin.conn.push(&bytes);
        }
    }
    if let Some(origin) = &job.origin {
        let error = result
            .is_err()
            .then(|| error_frame("Failed to store message"));
        origin.follow_ups.release(&origin.conn, error);
    }
    // The submitter may have gone (its session ended); the message is committed regardless.
    if job.done.send(result).is_err() {
        tracing::trace!("a committed message's submitter has gone");
    }
}
