//! The message writer: every new chat message goes through one task that commits them in
//! batches (group commit). A burst of N messages costs one transaction instead of N, and since
//! one task assigns ids in commit order, "everything after id X" never skips a message that
//! commits late.

use charge_store::{Message, NewMessage, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

/// Messages waiting for the writer; senders wait (back-pressure) when it is full.
const QUEUE: usize = 4096;
/// Most messages committed in one transaction.
const MAX_BATCH: usize = 256;

/// A message to store, owned so it can cross to the writer task.
#[derive(Debug, Clone)]
pub struct Draft {
    pub channel_id: i64,
    pub author_id: i64,
    pub content: String,
    pub parent_id: Option<i64>,
}

type Job = (Draft, oneshot::Sender<Result<Message, StoreError>>);

#[derive(Clone)]
pub struct MessageWriter {
    tx: mpsc::Sender<Job>,
}

impl MessageWriter {
    /// Starts the writer task for `store`.
    pub fn start(store: Store) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, rx));
        Self { tx }
    }

    /// Stores a message; resolves once it is committed.
    pub async fn create(&self, draft: Draft) -> Result<Message, StoreError> {
        let (done, result) = oneshot::channel();
        self.tx
            .send((draft, done))
            .await
            .map_err(|_| StoreError::Unavailable("message writer stopped".into()))?;
        result
            .await
            .map_err(|_| StoreError::Unavailable("message writer stopped".into()))?
    }
}

async fn run(store: Store, mut rx: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let drafts: Vec<NewMessage<'_>> = jobs
            .iter()
            .map(|(d, _)| NewMessage {
                channel_id: d.channel_id,
                author_id: d.author_id,
                content: &d.content,
                parent_id: d.parent_id,
            })
            .collect();
        metrics::histogram!("message_write_batch_size").record(drafts.len() as f64);
        match store.create_messages(&drafts).await {
            Ok(stored) if stored.len() == jobs.len() => {
                for ((_, done), message) in jobs.drain(..).zip(stored) {
                    let _ = done.send(Ok(message));
                }
            }
            // One bad message (say, its channel was just deleted) must not fail the others:
            // store them one by one.
            _ => {
                for (draft, done) in jobs.drain(..) {
                    let single = NewMessage {
                        channel_id: draft.channel_id,
                        author_id: draft.author_id,
                        content: &draft.content,
                        parent_id: draft.parent_id,
                    };
                    let _ = done.send(store.create_message(single).await);
                }
            }
        }
    }
}
