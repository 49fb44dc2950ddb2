// Makes Lambda failures look the way Step Functions reports them on AWS.
//
// Function errors (X-Amz-Function-Error): aws-local-stepfunctions names the
// States error after the function's errorType, as AWS does, but its Cause is
// "<type>: <message>". AWS's Cause — in Catch output (ResultPath) and in
// history — is the function's JSON error payload, which the service may
// parse, so we raise the error here with that payload as its message.
//
// Invoke failures: when the Invoke call itself fails (kumo answers 502 ServiceException because no
// handler picked the invocation up, throttling, connection refused…) the SDK
// error reaches Retry/Catch as "ServiceException" or "Error", whereas AWS
// names it "Lambda.ServiceException", "Lambda.TooManyRequestsException",
// "Lambda.SdkClientException" — the names the service's state machines retry on.
//
// The library constructs its own @aws-sdk/client-lambda LambdaClient; ES
// modules are singletons, so patching the prototype here reaches it. The
// package is the library's dependency (hoisted by npm), pinned by the lock file.

import { LambdaClient } from '@aws-sdk/client-lambda';

export function installLambdaErrorNames() {
  const send = LambdaClient.prototype.send;
  LambdaClient.prototype.send = async function sendWithStatesErrorNames(...args) {
    let out;
    try {
      out = await send.apply(this, args);
    } catch (err) {
      throw renameLambdaError(err);
    }
    if (out?.FunctionError) throw functionError(out.Payload);
    return out;
  };
}

function functionError(payload) {
  const text = payload ? new TextDecoder().decode(payload) : '';
  let errorType;
  try {
    errorType = JSON.parse(text)?.errorType;
  } catch {
    // Not JSON: AWS reports such failures as Lambda.Unknown too.
  }
  const err = new Error(text);
  err.name = typeof errorType === 'string' && errorType ? errorType : 'Lambda.Unknown';
  return err;
}

function renameLambdaError(err) {
  if (!(err instanceof Error) || err.name?.startsWith('Lambda.')) return err;
  // Service exceptions carry $fault; anything else never got an answer.
  const isServiceError = err.$fault !== undefined && err.name && err.name !== 'Error';
  err.name = isServiceError ? `Lambda.${err.name}` : 'Lambda.SdkClientException';
  return err;
}
