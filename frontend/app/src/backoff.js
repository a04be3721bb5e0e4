// Reconnect delays: exponential growth with jitter, capped.

/**
 * @typedef {{ base?: number, factor?: number, max?: number, jitter?: number }} BackoffOptions
 */

/**
 * Delay before reconnect attempt number `attempt` (0 = first retry).
 * The delay grows as base * factor^attempt up to `max`; `jitter` (0..1) is the
 * share of that delay which is random, so many clients that lost the same
 * server do not come back in lock-step.
 * @param {number} attempt
 * @param {BackoffOptions} [options]
 * @param {() => number} [random] returns a number in [0, 1)
 * @returns {number} milliseconds
 */
export function backoffDelay(attempt, options = {}, random = Math.random) {
  const base = options.base ?? 500;
  const factor = options.factor ?? 2;
  const max = options.max ?? 15000;
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const n = Math.max(0, Math.floor(attempt));
  const ceiling = Math.min(max, base * Math.pow(factor, Math.min(n, 30)));
  const fixed = ceiling * (1 - jitter);
  return Math.round(fixed + ceiling * jitter * random());
}

/** Counts failed attempts; `reset()` after a connection has been healthy. */
export class Backoff {
  /** @param {BackoffOptions} [options] @param {() => number} [random] */
  constructor(options = {}, random = Math.random) {
    this.options = options;
    this.random = random;
    this.attempt = 0;
  }
  next() {
    const delay = backoffDelay(this.attempt, this.options, this.random);
    this.attempt += 1;
    return delay;
  }
  reset() {
    this.attempt = 0;
  }
}
