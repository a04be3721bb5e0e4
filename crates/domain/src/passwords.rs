//! Password hashing with bounded memory and bounded waiting: at most `slots` worker threads,
//! each reusing one Argon2 buffer for every hash it computes, fed by a bounded queue.
//!
//! Argon2id is memory-hard on purpose (19 MiB per hash with the default parameters). Run on
//! an unbounded blocking pool, every concurrent sign-in or registration allocated its own
//! buffer, and the allocator kept most of that memory after the burst. Here at most `slots`
//! hashes run at once; workers start with the first jobs and exit after a few idle seconds,
//! giving their buffer back to the system. A request that cannot start within the deadline,
//! or finds the queue full, is answered "busy" (503) instead of waiting without end.
//!
//! Unknown logins are checked against [`DUMMY_HASH`] so that they cost the same as known
//! ones: the answer's timing does not tell whether a login exists.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use tokio::sync::oneshot;

use crate::error::DomainError;

/// A fixed Argon2id hash with the parameters new hashes get; its salt and output are random
/// bytes, so no known password matches it. Unknown logins are verified against it so they
/// take as long as known ones (and the answer ignores the result anyway).
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$cL4VMlcTA7M6dtgsJo0MAw$Pp+Y5ctSQmOMRz4Q/J9wQxZNqKhz+qdTT+0ikddOXUU";

/// The Argon2 memory of one worker, in 1 KiB blocks: what new hashes use (19 MiB). A stored
/// hash asking for more never matches, rather than letting one row claim more memory.
const BLOCKS: usize = Params::DEFAULT.block_count();

/// A worker's stack: its Argon2 buffer plus room for everything else it calls.
const WORKER_STACK: usize = BLOCKS * Block::SIZE + 2 * 1024 * 1024;

/// How long a worker with nothing to do lives on before it exits.
pub const WORKER_IDLE: Duration = Duration::from_secs(10);

/// How the queue and workers are sized.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    /// Hashes that may run at once (one worker thread each).
    pub slots: usize,
    /// Requests that may wait for a worker; more are answered "busy" at once.
    pub queue: usize,
    /// How long a request may wait for a worker before it is answered "busy".
    pub wait: Duration,
    /// How long an idle worker lives on ([`WORKER_IDLE`] in the server).
    pub idle: Duration,
}

/// What the pool has done so far (the integration tests read it through the app state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Worker threads alive right now.
    pub workers: usize,
    /// Hashes running right now.
    pub active: usize,
    /// The most hashes that ever ran at once.
    pub peak: usize,
    /// Hashes and verifications finished.
    pub completed: u64,
    /// Requests answered "busy" (queue full or deadline passed).
    pub refused: u64,
}

/// The password hashing pool. Cheap to clone; the workers stop when the last clone is dropped.
#[derive(Clone)]
pub struct Passwords {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    options: PoolOptions,
}

/// What the request side and the workers share. Every decision about the queue and the
/// number of workers is taken under the one lock, so no job is left without a worker.
struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
    counters: Counters,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    workers: usize,
    idle: usize,
    closed: bool,
}

#[derive(Default)]
struct Counters {
    active: AtomicUsize,
    peak: AtomicUsize,
    completed: AtomicU64,
    refused: AtomicU64,
    spawned: AtomicUsize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

enum Work {
    Hash(String),
    Verify { password: String, hash: String },
}

enum Outcome {
    Hashed(String),
    Verified(bool),
}

/// A job's life: waiting in the queue, taken by a worker, or given up by its request (which
/// then answered "busy" or went away), in which case no worker spends time on it.
const WAITING: u8 = 0;
const STARTED: u8 = 1;
const ABANDONED: u8 = 2;

struct Job {
    work: Work,
    state: Arc<AtomicU8>,
    reply: oneshot::Sender<Result<Outcome, String>>,
}

/// Marks the job abandoned if the request stops waiting before a worker took it (deadline or
/// a dropped request future).
struct Claim(Arc<AtomicU8>);

impl Claim {
    /// True when the job had not started and now never will.
    fn abandon(&self) -> bool {
        self.0
            .compare_exchange(WAITING, ABANDONED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.abandon();
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.ready.notify_all();
    }
}

impl Passwords {
    /// A pool with no workers yet: they start with the first jobs, up to `options.slots`.
    pub fn start(options: PoolOptions) -> Self {
        Self {
            inner: Arc::new(Inner {
                shared: Arc::new(Shared {
                    queue: Mutex::new(Queue::default()),
                    ready: Condvar::new(),
                    counters: Counters::default(),
                }),
                options: PoolOptions {
                    slots: options.slots.max(1),
                    queue: options.queue.max(1),
                    ..options
                },
            }),
        }
    }

    /// Hashes a new password (Argon2id, a fresh random salt) into a PHC string.
    pub async fn hash(&self, password: String) -> Result<String, DomainError> {
        match self.run(Work::Hash(password)).await? {
            Outcome::Hashed(phc) => Ok(phc),
            Outcome::Verified(_) => Err(DomainError::Internal("unexpected hash outcome".into())),
        }
    }

    /// Checks a password against a stored hash; with no stored hash (an unknown login) it
    /// checks against [`DUMMY_HASH`] and answers false, taking the same time.
    pub async fn verify(
        &self,
        password: String,
        hash: Option<String>,
    ) -> Result<bool, DomainError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
        match self.run(Work::Verify { password, hash }).await? {
            Outcome::Verified(matches) => Ok(known && matches),
            Outcome::Hashed(_) => Err(DomainError::Internal("unexpected verify outcome".into())),
        }
    }

    pub fn stats(&self) -> PoolStats {
        let shared = &self.inner.shared;
        let c = &shared.counters;
        PoolStats {
            workers: shared.lock().workers,
            active: c.active.load(Ordering::Acquire),
            peak: c.peak.load(Ordering::Acquire),
            completed: c.completed.load(Ordering::Acquire),
            refused: c.refused.load(Ordering::Acquire),
        }
    }

    fn busy(&self) -> DomainError {
        self.inner
            .shared
            .counters
            .refused
            .fetch_add(1, Ordering::AcqRel);
        DomainError::Busy {
            retry_after_secs: self.inner.options.wait.as_secs_f64().ceil().max(1.0) as u64,
        }
    }

    /// Queues a job, starting a worker if every live one is busy and a slot is free.
    fn submit(&self, job: Job) -> Result<(), DomainError> {
        let shared = &self.inner.shared;
        let options = &self.inner.options;
        let mut queue = shared.lock();
        if queue.jobs.len() >= options.queue {
            drop(queue);
            return Err(self.busy());
        }
        queue.jobs.push_back(job);
        if queue.jobs.len() > queue.idle && queue.workers < options.slots {
            let n = shared.counters.spawned.fetch_add(1, Ordering::Relaxed);
            let worker_shared = shared.clone();
            let idle = options.idle;
            let started = std::thread::Builder::new()
                .name(format!("password-hash-{n}"))
                .stack_size(WORKER_STACK)
                .spawn(move || work(&worker_shared, idle));
            match started {
                Ok(_) => queue.workers += 1,
                // With no worker at all the job would never run: take it back.
                Err(e) if queue.workers == 0 => {
                    queue.jobs.pop_back();
                    return Err(DomainError::Internal(format!(
                        "cannot start a password worker: {e}"
                    )));
                }
                Err(e) => tracing::warn!(error = %e, "cannot start another password worker"),
            }
        }
        drop(queue);
        shared.ready.notify_one();
        Ok(())
    }

    async fn run(&self, work: Work) -> Result<Outcome, DomainError> {
        let state = Arc::new(AtomicU8::new(WAITING));
        let (reply, mut answer) = oneshot::channel();
        self.submit(Job {
            work,
            state: state.clone(),
            reply,
        })?;
        let claim = Claim(state);
        let gone = |_| DomainError::Internal("a password worker stopped".into());
        let result = match tokio::time::timeout(self.inner.options.wait, &mut answer).await {
            Ok(result) => result.map_err(gone)?,
            // Past the deadline: answer busy unless a worker took the job meanwhile, in
            // which case it finishes within one hash's time.
            Err(_) if claim.abandon() => return Err(self.busy()),
            Err(_) => answer.await.map_err(gone)?,
        };
        result.map_err(DomainError::Internal)
    }
}

/// One worker: takes jobs until it has been idle for `idle` or the pool is dropped.
///
/// Its Argon2 buffer lives on its own stack, reused for every hash it computes. When the
/// worker exits, the C library hands the touched stack pages back to the system, so a burst
/// leaves no hashing memory behind; a heap buffer freed the same way would stay with the
/// allocator.
fn work(shared: &Shared, idle: Duration) {
    let mut memory = [Block::new(); BLOCKS];
    let mut queue = shared.lock();
    loop {
        if let Some(job) = queue.jobs.pop_front() {
            drop(queue);
            run_job(&mut memory, job, &shared.counters);
            queue = shared.lock();
            continue;
        }
        if queue.closed {
            break;
        }
        queue.idle += 1;
        let (guard, wait) = shared
            .ready
            .wait_timeout(queue, idle)
            .unwrap_or_else(PoisonError::into_inner);
        queue = guard;
        queue.idle -= 1;
        if wait.timed_out() && queue.jobs.is_empty() {
            break;
        }
    }
    queue.workers -= 1;
}

fn run_job(memory: &mut [Block], job: Job, counters: &Counters) {
    if job
        .state
        .compare_exchange(WAITING, STARTED, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return;
    }
    let now = counters.active.fetch_add(1, Ordering::AcqRel) + 1;
    counters.peak.fetch_max(now, Ordering::AcqRel);
    let outcome = match job.work {
        Work::Hash(password) => hash_with(memory, password.as_bytes()).map(Outcome::Hashed),
        Work::Verify { password, hash } => Ok(Outcome::Verified(verify_with(
            memory,
            password.as_bytes(),
            &hash,
        ))),
    };
    counters.active.fetch_sub(1, Ordering::AcqRel);
    counters.completed.fetch_add(1, Ordering::AcqRel);
    let _ = job.reply.send(outcome);
}

fn hash_with(memory: &mut [Block], password: &[u8]) -> Result<String, String> {
    let params = Params::DEFAULT;
    let salt = argon2::password_hash::try_generate_salt()
        .map_err(|e| format!("no randomness for a salt: {e}"))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    argon
        .hash_password_into_with_memory(password, &salt, &mut out, memory)
        .map_err(|e| format!("password hashing failed: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| e.to_string())?,
        salt: Some(Salt::new(&salt).map_err(|e| e.to_string())?),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, with that hash's own parameters. A hash
/// that does not parse, or asks for more than [`BLOCKS`] of memory, matches nothing.
fn verify_with(memory: &mut [Block], password: &[u8], stored: &str) -> bool {
    if crate::legacy_hash::is_legacy(stored) {
        return crate::legacy_hash::verify(password, stored);
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let Some(memory) = memory.get_mut(..params.block_count()) else {
        return false;
    };
    let mut out = [0u8; Output::MAX_LENGTH];
    let Some(out) = out.get_mut(..expected.len()) else {
        return false;
    };
    if Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, out, memory)
        .is_err()
    {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(out).is_ok_and(|computed| computed == *expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(slots: usize) -> Passwords {
        Passwords::start(PoolOptions {
            slots,
            queue: 16,
            wait: Duration::from_secs(30),
            idle: WORKER_IDLE,
        })
    }

    #[tokio::test]
    async fn a_hash_verifies_with_its_password_only() {
        let pool = pool(1);
        let phc = pool.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(
            pool.verify("correct horse".into(), Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(!pool.verify("wrong horse".into(), Some(phc)).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_verify_too() {
        use argon2::PasswordHasher;
        let phc = Argon2::default()
            .hash_password(b"pre-existing")
            .unwrap()
            .to_string();
        let pool = pool(1);
        assert!(
            pool.verify("pre-existing".into(), Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(
            !pool
                .verify("pre-existing!".into(), Some(phc))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn an_unknown_login_never_verifies_and_a_broken_hash_matches_nothing() {
        let pool = pool(1);
        assert!(!pool.verify("anything".into(), None).await.unwrap());
        assert!(
            !pool
                .verify("anything".into(), Some("not a hash".into()))
                .await
                .unwrap()
        );
        assert!(
            !pool
                .verify(
                    "anything".into(),
                    Some("$argon2id$v=19$m=65536,t=1,p=1$cL4VMlcTA7M6dtgsJo0MAw$Pp+Y5ctSQmOMRz4Q/J9wQxZNqKhz+qdTT+0ikddOXUU".into())
                )
                .await
                .unwrap(),
            "a hash asking for more memory than new hashes is refused"
        );
    }

    #[test]
    fn the_dummy_hash_has_the_parameters_of_new_hashes() {
        let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
        let params = Params::try_from(&parsed).unwrap();
        assert_eq!(parsed.algorithm, Algorithm::Argon2id.ident());
        assert_eq!(params.m_cost(), Params::DEFAULT.m_cost());
        assert_eq!(params.t_cost(), Params::DEFAULT.t_cost());
        assert_eq!(params.p_cost(), Params::DEFAULT.p_cost());
    }

    #[tokio::test]
    async fn no_more_hashes_run_at_once_than_there_are_slots() {
        let pool = pool(2);
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let pool = pool.clone();
                tokio::spawn(async move { pool.hash(format!("password-{i}")).await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let stats = pool.stats();
        assert_eq!(stats.completed, 8);
        assert!(stats.peak >= 1 && stats.peak <= 2, "{stats:?}");
        assert!(stats.workers <= 2, "{stats:?}");
        assert_eq!(stats.active, 0);
    }

    #[tokio::test]
    async fn idle_workers_exit_and_new_ones_start_with_the_next_job() {
        let pool = Passwords::start(PoolOptions {
            slots: 2,
            queue: 16,
            wait: Duration::from_secs(30),
            idle: Duration::from_millis(50),
        });
        assert_eq!(pool.stats().workers, 0, "no worker before the first job");
        let phc = pool.hash("first".into()).await.unwrap();
        let mut waited = 0;
        while pool.stats().workers > 0 {
            assert!(waited < 200, "workers exit once idle: {:?}", pool.stats());
            tokio::time::sleep(Duration::from_millis(10)).await;
            waited += 1;
        }
        assert!(pool.verify("first".into(), Some(phc)).await.unwrap());
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let pool = Passwords::start(PoolOptions {
            slots: 1,
            queue: 1,
            wait: Duration::from_millis(1),
            idle: WORKER_IDLE,
        });
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let pool = pool.clone();
                tokio::spawn(async move { pool.hash(format!("password-{i}")).await })
            })
            .collect();
        let mut busy = 0;
        for t in tasks {
            if let Err(DomainError::Busy { retry_after_secs }) = t.await.unwrap() {
                assert_eq!(retry_after_secs, 1);
                busy += 1;
            }
        }
        assert!(
            busy >= 1,
            "with one slot, a queue of one and a 1 ms deadline"
        );
        assert_eq!(pool.stats().refused, busy);
    }
}
