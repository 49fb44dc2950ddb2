import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from '../api';
import { errorAt, fieldErrors, unplaced } from './errors';

describe('toApiError', () => {
  it('reads the service error envelope', () => {
    const e = toApiError(400, {
      error: { code: 'invalid_request', message: 'must be 1, 3 or 5', field: 'nodePools[0].size', details: [{ field: 'nodePools[0].size', message: 'must be 1, 3 or 5' }, { field: 'name', message: 'is required' }] },
    });
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.field, e.details.length]).toEqual([400, 'invalid_request', 'nodePools[0].size', 2]);
  });
  it('reads the force-delete unlock time', () => {
    const e = toApiError(409, { error: { code: 'ForceDeleteNotAvailable', message: 'not yet', availableAt: '2026-01-01T00:15:00Z' } });
    expect(e.availableAt).toBe('2026-01-01T00:15:00Z');
  });
  it("reads API Gateway's authorizer answer", () => {
    const e = toApiError(401, { message: 'Unauthorized' });
    expect([e.code, e.message]).toEqual(['unauthorized', 'Unauthorized']);
  });
});

describe('fieldErrors', () => {
  it('maps every detail to its field, first message wins', () => {
    const e = new ApiError(400, 'invalid_request', 'bad size', 'nodePools[0].size', [
      { field: 'nodePools[0].size', message: 'bad size' },
      { field: 'nodePools[1].taints[0].effect', message: 'must be NoSchedule, PreferNoSchedule or NoExecute' },
      { field: 'nodePools[0].size', message: 'second message' },
    ]);
    expect(fieldErrors(e)).toEqual({
      'nodePools[0].size': 'bad size',
      'nodePools[1].taints[0].effect': 'must be NoSchedule, PreferNoSchedule or NoExecute',
    });
  });
  it('keeps a fieldless error under ""', () => {
    expect(fieldErrors(new ApiError(409, 'conflict', 'changed by another request'))).toEqual({ '': 'changed by another request' });
    expect(fieldErrors(new Error('network down'))).toEqual({ '': 'network down' });
  });
});

describe('errorAt', () => {
  const errs = { name: 'taken', 'nodePools[1].taints[0].effect': 'bad effect', 'nodePools[10].size': 'too big' };
  it('finds an exact field', () => expect(errorAt(errs, 'name')).toBe('taken'));
  it('finds a nested field and names it', () => expect(errorAt(errs, 'nodePools[1].taints')).toBe('[0].effect: bad effect'));
  it('does not confuse pool 1 with pool 10', () => expect(errorAt(errs, 'nodePools[1].size')).toBeUndefined());
  it('lists what no input shows', () => {
    expect(unplaced(errs, ['name', 'nodePools[1]'])).toEqual(['nodePools[10].size: too big']);
  });
});
