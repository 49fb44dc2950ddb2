// Local Step Functions API server (awsJson1_0, X-Amz-Target
// AWSStepFunctions.<Op>) running the real ASL with aws-local-stepfunctions.
//
// Configuration (flag, else environment, else default):
//   --host            LOCAL_SFN_HOST        127.0.0.1
//   --port            LOCAL_SFN_PORT        0 (any free port)
//   --account-id      LOCAL_SFN_ACCOUNT_ID  111111111111 (the platform account)
//   --region          LOCAL_SFN_REGION      $AWS_REGION or us-east-1
//   --time-scale      LOCAL_SFN_TIME_SCALE  1 (wall seconds per AWS second)
// Lambda calls use the AWS SDK's standard environment: AWS_ENDPOINT_URL_LAMBDA
// (or AWS_ENDPOINT_URL), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION.
//
// When listening it prints one line to stdout:
//   local-sfn listening on http://HOST:PORT
//
// State lives in memory only: executions running when the server stops are
// lost, and state machines must be created again on the next start.

import http from 'node:http';
import { parseArgs } from 'node:util';
import { ApiError, OPERATIONS, StepFunctions } from './api.mjs';
import { installLambdaErrorNames } from './lambda.mjs';

const TARGET_PREFIX = 'AWSStepFunctions.';

function config() {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'account-id': { type: 'string' },
      region: { type: 'string' },
      'time-scale': { type: 'string' },
    },
  });
  const env = process.env;
  const timeScale = Number(values['time-scale'] ?? env.LOCAL_SFN_TIME_SCALE ?? 1);
  if (!(timeScale > 0)) throw new Error(`time scale must be a positive number, got ${timeScale}`);
  return {
    host: values.host ?? env.LOCAL_SFN_HOST ?? '127.0.0.1',
    port: Number(values.port ?? env.LOCAL_SFN_PORT ?? 0),
    accountId: values['account-id'] ?? env.LOCAL_SFN_ACCOUNT_ID ?? '111111111111',
    region: values.region ?? env.LOCAL_SFN_REGION ?? env.AWS_REGION ?? 'us-east-1',
    timeScale,
  };
}

function send(res, status, body, errorType) {
  const text = JSON.stringify(body);
  const headers = { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(text) };
  if (errorType) headers['X-Amzn-ErrorType'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}

function sendError(res, status, type, message) {
  send(res, status, { __type: type, message }, type);
}

async function readJSON(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function handler(api) {
  return async (req, res) => {
    const target = req.headers['x-amz-target'] ?? '';
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    if (req.method !== 'POST' || !OPERATIONS.has(op)) {
      sendError(res, 400, 'UnknownOperationException', `Unsupported operation: '${target}'`);
      return;
    }
    let body;
    try {
      body = await readJSON(req);
    } catch (err) {
      sendError(res, 400, 'SerializationException', `Malformed request body: ${err.message}`);
      return;
    }
    try {
      send(res, 200, api[op](body));
    } catch (err) {
      if (err instanceof ApiError) {
        sendError(res, 400, err.type, err.message);
        return;
      }
      console.error(`local-sfn: ${op} failed:`, err);
      sendError(res, 500, 'InternalServerError', String(err?.message ?? err));
    }
  };
}

function main() {
  const cfg = config();
  installLambdaErrorNames();
  const api = new StepFunctions(cfg);
  const server = http.createServer(handler(api));
  server.listen(cfg.port, cfg.host, () => {
    const { address, port } = server.address();
    console.log(`local-sfn listening on http://${address}:${port}`);
  });
  const shutdown = () => {
    // Running executions are dropped with the process (documented above).
    server.close();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main();
