// The console's only way out: the public API, with the bearer token of the
// signed-in user. Nothing here logs a request or response body.

export interface FieldProblem { field?: string; message: string }

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details: FieldProblem[] = [],
    readonly availableAt?: string,
  ) {
    super(message);
  }
}

// toApiError reads the service's {"error":{code,message,field,details}} or
// API Gateway's {"message"} (authorizer rejections).
export function toApiError(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as { error?: Record<string, unknown>; message?: string };
  const e = b.error;
  if (e && typeof e === 'object') {
    return new ApiError(
      status,
      String(e.code ?? 'error'),
      String(e.message ?? 'request failed'),
      typeof e.field === 'string' && e.field ? e.field : undefined,
      Array.isArray(e.details) ? (e.details as FieldProblem[]) : [],
      typeof e.availableAt === 'string' ? e.availableAt : undefined,
    );
  }
  const msg = typeof b.message === 'string' ? b.message : `HTTP ${status}`;
  return new ApiError(status, status === 401 ? 'unauthorized' : 'error', msg);
}

export interface Client {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

function newIdempotencyKey(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

// newClient talks to base (same origin when empty). onUnauthorized lets the
// app return to sign-in when the token expires.
export function newClient(base: string, token: string, onUnauthorized: () => void): Client {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    // Every mutation carries a fresh key, so a network retry by the
    // browser can never create a second cluster.
    if (method !== 'GET') headers['Idempotency-Key'] = newIdempotencyKey();
    const res = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { message: text.slice(0, 200) };
      }
    }
    if (!res.ok) {
      if (res.status === 401) onUnauthorized();
      throw toApiError(res.status, parsed);
    }
    return parsed as T;
  }
  return {
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
  };
}
