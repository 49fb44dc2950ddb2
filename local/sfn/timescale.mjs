// Scaling of simulated AWS time into wall time for one state machine definition.
//
// The local cloud runs AWS time faster (CONTRACTS.md "Time": simulated time =
// wall time / scale), so a Wait of 60 s with scale 0.01 lasts 0.6 wall seconds.
//
// We rewrite a copy of the definition instead of passing aws-local-stepfunctions'
// run overrides (waitTimeOverrides / retryIntervalOverrides) because those
// overrides cannot express AWS semantics:
//   - retryIntervalOverrides is one fixed delay per retrier: it drops
//     BackoffRate, MaxDelaySeconds and JitterStrategy FULL;
//   - both maps are keyed by bare state name and shared by every nested
//     Map/Parallel branch, so two same-named states in different branches
//     with different Seconds would collide.
// Scaling IntervalSeconds and MaxDelaySeconds in the definition gives exactly
// IntervalSeconds×BackoffRate^n×scale, clamped to MaxDelaySeconds×scale, with
// FULL jitter drawn within it by the library itself.

// AWS's default Task timeout (99999999 s) overflows Node's setTimeout (max
// 2^31-1 ms, beyond which it fires at once), and the library's own default is
// 60 s, which AWS does not have. This is the largest safe value (~24.8 days).
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

// AWS's default retry interval, made explicit so it can be scaled.
const DEFAULT_INTERVAL_SECONDS = 1;

/**
 * Returns a deep copy of definition with every duration that counts simulated
 * AWS time multiplied by scale (wall seconds per AWS second):
 *   - Wait.Seconds (in every nesting level);
 *   - Retry IntervalSeconds and MaxDelaySeconds (BackoffRate is a ratio);
 *   - the root TimeoutSeconds (the execution's budget in simulated time).
 * Task TimeoutSeconds is NOT scaled: the Lambda code runs at wall speed, and
 * kumo enforces the function's own Timeout in wall time too.
 * Wait SecondsPath / Timestamp / TimestampPath are not scaled (documented gap):
 * their value is only known at run time, or is an absolute date.
 */
export function scaleDefinition(definition, scale) {
  const copy = structuredClone(definition);
  scaleStates(copy.States, scale);
  if (typeof copy.TimeoutSeconds === 'number') {
    copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds * scale, MAX_TIMER_SECONDS);
  }
  return copy;
}

function scaleStates(states, scale) {
  for (const state of Object.values(states ?? {})) {
    scaleState(state, scale);
  }
}

function scaleState(state, scale) {
  if (state.Type === 'Wait' && typeof state.Seconds === 'number') {
    state.Seconds *= scale;
  }
  if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
    state.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
  for (const retrier of state.Retry ?? []) {
    retrier.IntervalSeconds = (retrier.IntervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * scale;
    if (typeof retrier.MaxDelaySeconds === 'number') {
      retrier.MaxDelaySeconds *= scale;
    }
  }
  const iterator = state.ItemProcessor ?? state.Iterator;
  if (iterator) {
    scaleStates(iterator.States, scale);
  }
  for (const branch of state.Branches ?? []) {
    scaleStates(branch.States, scale);
  }
}

/**
 * Indexes every state of the definition (all nesting levels) by name, so the
 * history writer can find a Task's Resource. When names repeat across
 * branches the first one wins; only Resource lookups depend on it.
 */
export function indexStates(definition) {
  const index = new Map();
  const visit = (states) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (!index.has(name)) index.set(name, state);
      visit((state.ItemProcessor ?? state.Iterator)?.States);
      for (const branch of state.Branches ?? []) visit(branch.States);
    }
  };
  visit(definition.States);
  return index;
}
