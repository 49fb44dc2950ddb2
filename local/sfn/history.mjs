// Translation of aws-local-stepfunctions event logs into AWS Step Functions
// history events (GetExecutionHistory shapes and type names).
//
// The library reports state-level events only (StateEntered, StateFailed,
// StateRetried, StateCaught, StateExited, MapIteration*, ParallelBranch*). A
// Task's Lambda call happens between StateEntered (or StateRetried, which the
// library dispatches right before re-running the state) and StateFailed /
// StateExited, so the Lambda events are derived from those boundaries.

import { page } from './paging.mjs';

const STATE_EVENT_PREFIX = {
  Task: 'Task', Pass: 'Pass', Wait: 'Wait', Choice: 'Choice', Succeed: 'Succeed',
  Fail: 'Fail', Map: 'Map', Parallel: 'Parallel',
};

/** Serialises a payload the way AWS reports it: as a JSON string. */
function json(value) {
  return value === undefined ? undefined : JSON.stringify(value);
}

/** AWS reports a Lambda error's cause as the function's JSON error payload. */
function causeString(cause) {
  if (cause === undefined || cause === null) return undefined;
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

/** Resolves the simple JSONPaths ($, $.a.b) used to size a Map's items. */
function simplePath(path, value) {
  if (path === undefined || path === '$') return value;
  if (!/^\$(\.[A-Za-z0-9_]+)+$/.test(path)) return undefined;
  return path.slice(2).split('.').reduce((v, key) => (v == null ? undefined : v[key]), value);
}

export class History {
  /**
   * @param {Map<string, object>} states state definitions by name (indexStates)
   * @param {string} roleArn the state machine's role, echoed in ExecutionStarted
   */
  constructor(states, roleArn) {
    this.states = states;
    this.roleArn = roleArn;
    this.events = [];
    // Keys (iteration index + state name) of Tasks whose last Lambda call
    // failed; their StateExited after a Catch must not claim a success.
    this.failedTasks = new Set();
    // Set by StopExecution: the library may still report events it queued
    // before the abort, which must not follow ExecutionAborted.
    this.closed = false;
  }

  add(type, timestamp, details) {
    const id = this.events.length + 1;
    const event = { id, previousEventId: id - 1, timestamp: timestamp / 1000, type, ...details };
    this.events.push(event);
    return event;
  }

  /** Appends the AWS events for one library event. */
  record(ev) {
    if (this.closed) return undefined;
    const t = ev.timestamp ?? Date.now();
    switch (ev.type) {
      case 'ExecutionStarted':
        return this.add('ExecutionStarted', t, {
          executionStartedEventDetails: { input: json(ev.input), inputDetails: { truncated: false }, roleArn: this.roleArn },
        });
      case 'ExecutionSucceeded':
        return this.add('ExecutionSucceeded', t, {
          executionSucceededEventDetails: { output: json(ev.output), outputDetails: { truncated: false } },
        });
      case 'ExecutionFailed':
        return this.add('ExecutionFailed', t, {
          executionFailedEventDetails: { error: ev.Error, cause: causeString(ev.Cause) },
        });
      case 'ExecutionTimeout':
        return this.add('ExecutionTimedOut', t, {
          executionTimedOutEventDetails: { error: 'States.Timeout', cause: 'The execution timed out (TimeoutSeconds).' },
        });
      case 'ExecutionAborted':
        // StopExecution records its own event with the caller's error/cause.
        return undefined;
      case 'StateEntered':
        return this.stateEntered(ev, t);
      case 'StateExited':
        return this.stateExited(ev, t);
      case 'StateFailed':
        return this.stateFailed(ev, t);
      case 'StateRetried':
        return ev.state.type === 'Task' ? this.lambdaScheduled(ev, t) : undefined;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        return this.mapIteration(ev, t);
      default:
        // StateCaught and ParallelBranch* have no AWS counterpart.
        return undefined;
    }
  }

  /** Records StopExecution's ExecutionAborted with the caller's error/cause. */
  aborted(error, cause) {
    this.closed = true;
    return this.add('ExecutionAborted', Date.now(), { executionAbortedEventDetails: { error, cause } });
  }

  stateEntered(ev, t) {
    const { name, type, input } = ev.state;
    this.add(`${STATE_EVENT_PREFIX[type]}StateEntered`, t, {
      stateEnteredEventDetails: { name, input: json(input), inputDetails: { truncated: false } },
    });
    if (type === 'Task') return this.lambdaScheduled(ev, t);
    if (type === 'Map') {
      const def = this.states.get(name) ?? {};
      const items = simplePath(def.ItemsPath, simplePath(def.InputPath, input));
      const details = Array.isArray(items) ? { mapStateStartedEventDetails: { length: items.length } } : {};
      return this.add('MapStateStarted', t, details);
    }
    if (type === 'Parallel') return this.add('ParallelStateStarted', t, {});
    return undefined;
  }

  stateExited(ev, t) {
    const { name, type, output } = ev.state;
    const key = taskKey(ev);
    if (type === 'Task' && !this.failedTasks.delete(key)) {
      this.add('LambdaFunctionSucceeded', t, {
        lambdaFunctionSucceededEventDetails: { output: json(output), outputDetails: { truncated: false } },
      });
    }
    if (type === 'Map') this.add('MapStateSucceeded', t, {});
    if (type === 'Parallel') this.add('ParallelStateSucceeded', t, {});
    return this.add(`${STATE_EVENT_PREFIX[type]}StateExited`, t, {
      stateExitedEventDetails: { name, output: json(output), outputDetails: { truncated: false } },
    });
  }

  stateFailed(ev, t) {
    const { type } = ev.state;
    const details = { error: ev.Error, cause: causeString(ev.Cause) };
    if (type === 'Task') {
      this.failedTasks.add(taskKey(ev));
      if (ev.Error === 'States.Timeout') {
        return this.add('LambdaFunctionTimedOut', t, { lambdaFunctionTimedOutEventDetails: details });
      }
      return this.add('LambdaFunctionFailed', t, { lambdaFunctionFailedEventDetails: details });
    }
    if (type === 'Map') return this.add('MapStateFailed', t, {});
    if (type === 'Parallel') return this.add('ParallelStateFailed', t, {});
    return undefined;
  }

  lambdaScheduled(ev, t) {
    const { name, input } = ev.state;
    this.failedTasks.delete(taskKey(ev));
    const def = this.states.get(name) ?? {};
    const details = { resource: def.Resource, input: json(input), inputDetails: { truncated: false } };
    if (typeof def.TimeoutSeconds === 'number') details.timeoutInSeconds = def.TimeoutSeconds;
    this.add('LambdaFunctionScheduled', t, { lambdaFunctionScheduledEventDetails: details });
    return this.add('LambdaFunctionStarted', t, {});
  }

  mapIteration(ev, t) {
    const details = { name: ev.parentState.name, index: ev.index };
    const field = ev.type.charAt(0).toLowerCase() + ev.type.slice(1) + 'EventDetails';
    return this.add(ev.type, t, { [field]: details });
  }

  /** One page of events, as GetExecutionHistory answers. */
  page({ reverseOrder = false, maxResults, nextToken, includeExecutionData = true }) {
    const ordered = reverseOrder ? [...this.events].reverse() : this.events;
    const { items, nextToken: next } = page(ordered, maxResults, nextToken);
    return { events: includeExecutionData === false ? items.map(stripData) : items, nextToken: next };
  }
}

function taskKey(ev) {
  return `${ev.index ?? ''}/${ev.state.name}`;
}

/** Drops inputs and outputs, as includeExecutionData=false does on AWS. */
function stripData(event) {
  const copy = structuredClone(event);
  for (const [key, value] of Object.entries(copy)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') {
      delete value.input;
      delete value.output;
    }
  }
  return copy;
}
