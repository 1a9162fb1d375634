import { z } from 'zod';
import { matrixError } from './matrix-errors.ts';
import { isCanonicalJsonValue, type CanonicalJsonObject } from './protocol/index.ts';

/**
 * Validates a Matrix request body (or query) with a zod schema: a missing required field answers
 * M_MISSING_PARAM, a wrong one M_BAD_JSON (or M_INVALID_PARAM for query parameters), naming the field.
 */
export function parseMatrix<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'body' | 'query' = 'body',
): z.output<T> {
  const result = schema.safeParse(value ?? (where === 'body' ? {} : {}));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  if (issue?.code === 'invalid_type' && path !== '' && valueAt(value, issue.path) === undefined) {
    throw matrixError('M_MISSING_PARAM', { param: path });
  }
  const reason = `${path === '' ? where : path}: ${issue?.message ?? 'invalid'}`;
  throw where === 'query' ? matrixError('M_INVALID_PARAM', { reason }) : matrixError('M_BAD_JSON', { reason });
}

/** The value at `path` in `value` (zod 4 issues do not carry the input, so a wrong type and a missing field look alike). */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Any JSON object body (event content, account data): must be canonical JSON (integers, no floats). */
export function jsonObjectBody(value: unknown): CanonicalJsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw matrixError('M_NOT_JSON');
  }
  if (!isCanonicalJsonValue(value)) {
    throw matrixError('M_BAD_JSON', { reason: 'content must be canonical JSON (integers within ±2^53, no floats)' });
  }
  return value as CanonicalJsonObject;
}

/** Query-string integers (`limit`, `timeout`). */
export const queryInteger = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d{1,16}$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
