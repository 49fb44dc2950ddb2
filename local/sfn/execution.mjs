// One execution of a state machine, run by aws-local-stepfunctions.
//
// Executions live in this process's memory only: an execution that is running
// when the server stops is lost (it is neither resumed nor marked failed).

import { StateMachine, ExecutionAbortedError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import { History } from './history.mjs';
import { indexStates, scaleDefinition } from './timescale.mjs';

// How long to wait for the library's event log to drain after the result has
// settled. The log is closed by every terminal path; this only guards against
// a library bug leaving an execution RUNNING forever.
const DRAIN_GRACE_MS = 2000;

export class Execution {
  /**
   * @param {object} p
   * @param {object} p.machine the state machine record (arn, name, definition object, roleArn)
   * @param {string} p.arn execution ARN
   * @param {string} p.name execution name
   * @param {string} p.input input JSON text, as given to StartExecution
   * @param {number} p.timeScale wall seconds per simulated AWS second
   */
  constructor({ machine, arn, name, input, timeScale }) {
    this.arn = arn;
    this.name = name;
    this.stateMachineArn = machine.arn;
    this.input = input;
    this.status = 'RUNNING';
    this.startDate = Date.now();
    this.stopDate = undefined;
    this.output = undefined;
    this.error = undefined;
    this.cause = undefined;
    this.history = new History(indexStates(machine.definition), machine.roleArn);

    // The definition was validated by CreateStateMachine; the scaled copy
    // has fractional seconds that asl-validator would reject.
    const runnable = new StateMachine(scaleDefinition(machine.definition, timeScale), {
      validationOptions: { noValidate: true },
    });
    const run = runnable.run(JSON.parse(input), {
      context: { Execution: { Id: arn, Name: name, RoleArn: machine.roleArn }, StateMachine: { Id: machine.arn, Name: machine.name } },
    });
    this.abortRun = run.abort;
    const drained = this.drain(run.eventLogs);
    this.done = run.result.then(
      (output) => this.settle(drained, () => this.succeed(output)),
      (err) => this.settle(drained, () => this.fail(err)),
    );
  }

  async drain(eventLogs) {
    for await (const ev of eventLogs) {
      this.history.record(ev);
    }
  }

  // Status changes only once the history is complete, so a caller that sees
  // a terminal status also sees every event in GetExecutionHistory.
  async settle(drained, apply) {
    await Promise.race([drained, new Promise((r) => setTimeout(r, DRAIN_GRACE_MS))]);
    if (this.status !== 'RUNNING') return; // stopped meanwhile
    apply();
    this.stopDate = Date.now();
  }

  succeed(output) {
    this.status = 'SUCCEEDED';
    this.output = JSON.stringify(output);
  }

  fail(err) {
    if (err instanceof ExecutionTimeoutError) {
      this.status = 'TIMED_OUT';
      this.error = 'States.Timeout';
      return;
    }
    if (err instanceof ExecutionAbortedError) return; // StopExecution set ABORTED
    const cause = err?.cause ?? err;
    this.status = 'FAILED';
    this.error = cause?.name ?? 'States.Runtime';
    const detail = cause?.cause ?? cause?.message;
    this.cause = typeof detail === 'string' ? detail : JSON.stringify(detail);
  }

  /** StopExecution: AWS marks the execution ABORTED at once. */
  stop(error, cause) {
    if (this.status !== 'RUNNING') return;
    this.status = 'ABORTED';
    this.error = error;
    this.cause = cause;
    this.stopDate = Date.now();
    this.history.aborted(error, cause);
    this.abortRun();
  }

  describe() {
    return {
      executionArn: this.arn,
      stateMachineArn: this.stateMachineArn,
      name: this.name,
      status: this.status,
      startDate: this.startDate / 1000,
      stopDate: this.stopDate === undefined ? undefined : this.stopDate / 1000,
      input: this.input,
      inputDetails: { included: true },
      output: this.output,
      outputDetails: this.output === undefined ? undefined : { included: true },
      error: this.error,
      cause: this.cause,
    };
  }

  summary() {
    const { executionArn, stateMachineArn, name, status, startDate, stopDate } = this.describe();
    return { executionArn, stateMachineArn, name, status, startDate, stopDate };
  }
}
