// The Step Functions API operations served locally: state machines and
// executions kept in memory, executions run by aws-local-stepfunctions.

import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { Execution } from './execution.mjs';
import { page } from './paging.mjs';

export class ApiError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

// AWS: 1–80 characters, no whitespace, brackets, wildcards, special
// characters or control characters.
const NAME_PATTERN = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/;

function checkName(name, what) {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new ApiError('InvalidName', `Invalid ${what} name: ${name}`);
  }
}

/** Parses and validates an ASL definition, as CreateStateMachine does. */
function parseDefinition(text) {
  let definition;
  try {
    definition = JSON.parse(text);
  } catch (err) {
    throw new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${err.message}'`);
  }
  try {
    // Constructing validates with asl-validator (schema, paths, ARNs).
    new StateMachine(definition);
  } catch (err) {
    throw new ApiError('InvalidDefinition', `Invalid State Machine Definition: '${err.message}'`);
  }
  return definition;
}

export class StepFunctions {
  /** @param {{accountId: string, region: string, timeScale: number}} config */
  constructor(config) {
    this.config = config;
    this.machines = new Map(); // arn → machine
    this.executions = new Map(); // arn → Execution
  }

  arn(kind, ...names) {
    return `arn:aws:states:${this.config.region}:${this.config.accountId}:${kind}:${names.join(':')}`;
  }

  machine(arn) {
    const m = this.machines.get(arn);
    if (!m) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  execution(arn) {
    const e = this.executions.get(arn);
    if (!e) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  CreateStateMachine({ name, definition, roleArn, type = 'STANDARD' }) {
    checkName(name, 'state machine');
    const parsed = parseDefinition(definition);
    const arn = this.arn('stateMachine', name);
    const existing = this.machines.get(arn);
    if (existing) {
      // AWS: idempotent for an identical request, a conflict otherwise.
      if (existing.definitionText === definition && existing.roleArn === roleArn) {
        return { stateMachineArn: arn, creationDate: existing.creationDate / 1000 };
      }
      throw new ApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const creationDate = Date.now();
    this.machines.set(arn, { arn, name, definition: parsed, definitionText: definition, roleArn, type, creationDate });
    return { stateMachineArn: arn, creationDate: creationDate / 1000 };
  }

  UpdateStateMachine({ stateMachineArn, definition, roleArn }) {
    const m = this.machine(stateMachineArn);
    if (definition !== undefined) {
      // Running executions keep the definition they started with.
      m.definition = parseDefinition(definition);
      m.definitionText = definition;
    }
    if (roleArn !== undefined) m.roleArn = roleArn;
    return { updateDate: Date.now() / 1000 };
  }

  DescribeStateMachine({ stateMachineArn }) {
    const m = this.machine(stateMachineArn);
    return {
      stateMachineArn: m.arn, name: m.name, status: 'ACTIVE', definition: m.definitionText,
      roleArn: m.roleArn, type: m.type, creationDate: m.creationDate / 1000,
    };
  }

  ListStateMachines({ maxResults, nextToken }) {
    const all = [...this.machines.values()].map((m) => ({
      stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: m.creationDate / 1000,
    }));
    const { items, nextToken: next } = page(all, maxResults, nextToken);
    return { stateMachines: items, nextToken: next };
  }

  DeleteStateMachine({ stateMachineArn }) {
    // AWS lets running executions finish; ours keep running in memory too.
    this.machines.delete(stateMachineArn);
    return {};
  }

  StartExecution({ stateMachineArn, name, input = '{}' }) {
    const machine = this.machine(stateMachineArn);
    const execName = name ?? randomUUID();
    checkName(execName, 'execution');
    try {
      JSON.parse(input);
    } catch (err) {
      throw new ApiError('InvalidExecutionInput', `Invalid execution input: ${err.message}`);
    }
    const arn = this.arn('execution', machine.name, execName);
    const existing = this.executions.get(arn);
    if (existing) {
      // AWS (STANDARD): idempotent while the execution with the same name
      // and input is running; closed or different input is a conflict.
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn: arn, startDate: existing.startDate / 1000 };
      }
      throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const execution = new Execution({ machine, arn, name: execName, input, timeScale: this.config.timeScale });
    this.executions.set(arn, execution);
    return { executionArn: arn, startDate: execution.startDate / 1000 };
  }

  DescribeExecution({ executionArn }) {
    return this.execution(executionArn).describe();
  }

  StopExecution({ executionArn, error, cause }) {
    const e = this.execution(executionArn);
    e.stop(error, cause);
    return { stopDate: (e.stopDate ?? Date.now()) / 1000 };
  }

  GetExecutionHistory({ executionArn, reverseOrder, maxResults, nextToken, includeExecutionData }) {
    return this.execution(executionArn).history.page({ reverseOrder, maxResults, nextToken, includeExecutionData });
  }

  ListExecutions({ stateMachineArn, statusFilter, maxResults, nextToken }) {
    this.machine(stateMachineArn);
    const all = [...this.executions.values()]
      .filter((e) => e.stateMachineArn === stateMachineArn && (!statusFilter || e.status === statusFilter))
      .sort((a, b) => b.startDate - a.startDate) // AWS lists newest first
      .map((e) => e.summary());
    const { items, nextToken: next } = page(all, maxResults, nextToken);
    return { executions: items, nextToken: next };
  }
}

/** The operations exposed over X-Amz-Target, by name. */
export const OPERATIONS = new Set([
  'CreateStateMachine', 'UpdateStateMachine', 'DescribeStateMachine', 'ListStateMachines',
  'DeleteStateMachine', 'StartExecution', 'DescribeExecution', 'StopExecution',
  'GetExecutionHistory', 'ListExecutions',
]);
