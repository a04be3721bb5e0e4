// A minimal store: one state value, changed only by a pure `reduce(state,
// action)`, and listeners told after every change.

/**
 * @template S, A
 * @typedef {{
 *   readonly state: S,
 *   dispatch: (action: A) => void,
 *   subscribe: (listener: (state: S, action: A, previous: S) => void) => () => void,
 * }} Store
 */

/**
 * @template S, A
 * @param {(state: S, action: A) => S} reduce
 * @param {S} initial
 * @returns {Store<S, A>}
 */
export function createStore(reduce, initial) {
  let state = initial;
  /** @type {Set<(state: S, action: A, previous: S) => void>} */
  const listeners = new Set();
  return {
    get state() {
      return state;
    },
    dispatch(action) {
      const previous = state;
      const next = reduce(state, action);
      if (next === previous) return;
      state = next;
      for (const listener of [...listeners]) listener(state, action, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
