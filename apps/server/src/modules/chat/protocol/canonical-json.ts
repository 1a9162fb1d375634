/**
 * Matrix canonical JSON (spec: appendices.md § "Canonical JSON"): the shortest UTF-8 JSON encoding, object
 * keys sorted by Unicode code point, numbers only as integers in [-(2^53)+1, 2^53-1] without fraction or
 * exponent. Every hash and signature in Matrix is computed over these bytes, so one stray float or one key
 * out of order makes an event id differ from what another server computes.
 */

/** A JSON value Matrix accepts in room versions 6 and later. */
export type CanonicalJsonValue = null | boolean | number | string | CanonicalJsonValue[] | CanonicalJsonObject;

export interface CanonicalJsonObject {
  [key: string]: CanonicalJsonValue;
}

/** Largest integer canonical JSON allows (2^53 - 1); the smallest is its negation. */
export const MAX_CANONICAL_INTEGER = Number.MAX_SAFE_INTEGER;
export const MIN_CANONICAL_INTEGER = -Number.MAX_SAFE_INTEGER;

/** Size limit of a whole event in the federation format, signatures included (client-server-api § "Size limits"). */
export const MAX_PDU_BYTES = 65_536;

/**
 * Deepest nesting accepted. The spec sets none; Synapse's Python JSON stack stops near 1,000 levels. A bound
 * keeps a hostile 64 KiB body of `[[[[…` from exhausting the stack of the recursive encoder.
 */
export const MAX_CANONICAL_JSON_DEPTH = 512;

export type CanonicalJsonErrorCode =
  | 'CANONICAL_JSON_SYNTAX'
  | 'CANONICAL_JSON_FLOAT'
  | 'CANONICAL_JSON_INTEGER_OUT_OF_RANGE'
  | 'CANONICAL_JSON_NOT_FINITE'
  | 'CANONICAL_JSON_UNSUPPORTED_VALUE'
  | 'CANONICAL_JSON_INVALID_STRING'
  | 'CANONICAL_JSON_CIRCULAR'
  | 'CANONICAL_JSON_TOO_DEEP'
  | 'CANONICAL_JSON_TOO_LARGE';

/** The Matrix `errcode` a client-server endpoint answers for each failure. */
export type MatrixJsonErrcode = 'M_NOT_JSON' | 'M_BAD_JSON' | 'M_TOO_LARGE';

/** A value that cannot be written (or a text that cannot be read) as Matrix canonical JSON. */
export class CanonicalJsonError extends Error {
  readonly code: CanonicalJsonErrorCode;
  /** Where in the value the problem is, e.g. `content.items[2]`; empty for the root. */
  readonly path: string;
  readonly errcode: MatrixJsonErrcode;

  constructor(code: CanonicalJsonErrorCode, path: string, message: string) {
    super(path ? `${message} at ${path}` : message);
    this.name = 'CanonicalJsonError';
    this.code = code;
    this.path = path;
    this.errcode =
      code === 'CANONICAL_JSON_SYNTAX'
        ? 'M_NOT_JSON'
        : code === 'CANONICAL_JSON_TOO_LARGE'
          ? 'M_TOO_LARGE'
          : 'M_BAD_JSON';
  }
}

/**
 * Encodes `value` as canonical JSON. Throws a `CanonicalJsonError` for anything canonical JSON cannot carry:
 * non-integer or out-of-range numbers, `NaN`/`Infinity`, `undefined` (even as an object property, which
 * `JSON.stringify` would silently drop), bigints, functions, symbols, class instances, strings with lone
 * surrogates (not encodable as UTF-8), cycles. `-0` is written `0`, as the spec's example requires.
 */
export function encodeCanonicalJson(value: unknown): string {
  return encodeValue(value, '', new Set<object>(), 0);
}

/** The UTF-8 bytes of `encodeCanonicalJson(value)`, what hashes and signatures cover. */
export function encodeCanonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(encodeCanonicalJson(value), 'utf8');
}

/** Throws a `CanonicalJsonError` unless `value` can be encoded as canonical JSON. */
export function assertCanonicalJsonValue(value: unknown): asserts value is CanonicalJsonValue {
  encodeCanonicalJson(value);
}

export function isCanonicalJsonValue(value: unknown): value is CanonicalJsonValue {
  try {
    encodeCanonicalJson(value);
    return true;
  } catch (error) {
    if (error instanceof CanonicalJsonError) return false;
    throw error;
  }
}

/**
 * Parses JSON text received from a client or a server and enforces the canonical JSON value rules (room
 * versions 6+ "MUST strictly enforce", rooms/fragments/v6-canonical-json.md): a number written with a
 * fraction or an exponent is rejected even when its value is whole (`1.0`, `1e3`), as Synapse does, which
 * `JSON.parse` alone cannot tell. `-0` is read as `0`. Whitespace and key order of the text do not matter.
 */
export function parseCanonicalJson(text: string): CanonicalJsonValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, rejectNonIntegerLiterals);
  } catch (error) {
    if (error instanceof CanonicalJsonError) throw error;
    throw new CanonicalJsonError('CANONICAL_JSON_SYNTAX', '', `Invalid JSON: ${(error as Error).message}`);
  }
  assertCanonicalJsonValue(parsed);
  return parsed;
}

function rejectNonIntegerLiterals(this: unknown, key: string, value: unknown, context?: { source?: string }) {
  if (typeof value !== 'number') return value;
  const source = context?.source;
  if (source !== undefined && /[.eE]/.test(source)) {
    throw new CanonicalJsonError('CANONICAL_JSON_FLOAT', key, `Number ${source} is not an integer literal`);
  }
  return Object.is(value, -0) ? 0 : value;
}

/** Byte length of the canonical JSON encoding of `value`. */
export function canonicalJsonByteLength(value: unknown): number {
  return Buffer.byteLength(encodeCanonicalJson(value), 'utf8');
}

/**
 * Throws `CANONICAL_JSON_TOO_LARGE` (errcode `M_TOO_LARGE`) when the PDU, signatures included, exceeds
 * 65,536 bytes of canonical JSON. Check the complete federation-format event, after signing.
 */
export function assertPduWithinSizeLimit(pdu: unknown): void {
  const size = canonicalJsonByteLength(pdu);
  if (size > MAX_PDU_BYTES) {
    throw new CanonicalJsonError(
      'CANONICAL_JSON_TOO_LARGE',
      '',
      `Event is ${size} bytes of canonical JSON, above the ${MAX_PDU_BYTES}-byte limit`,
    );
  }
}

/**
 * Orders strings by Unicode code point, as the spec requires for keys. JavaScript's default comparison
 * orders UTF-16 code units, which puts U+10000 and above (surrogate pairs, 0xD800–0xDFFF) before
 * U+E000–U+FFFF; lifting surrogates above that range at the first difference restores code point order.
 */
export function compareByCodePoint(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) {
    const leftUnit = left.charCodeAt(index);
    const rightUnit = right.charCodeAt(index);
    if (leftUnit !== rightUnit) return codePointOrderOfUnit(leftUnit) - codePointOrderOfUnit(rightUnit);
  }
  return left.length - right.length;
}

function codePointOrderOfUnit(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

function encodeValue(value: unknown, path: string, ancestors: Set<object>, depth: number): string {
  switch (typeof value) {
    case 'string':
      return encodeString(value, path);
    case 'number':
      return encodeNumber(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return encodeContainer(value, path, ancestors, depth + 1);
    default:
      throw new CanonicalJsonError(
        'CANONICAL_JSON_UNSUPPORTED_VALUE',
        path,
        `A ${typeof value} value cannot be encoded as JSON`,
      );
  }
}

function encodeString(value: string, path: string): string {
  if (!value.isWellFormed()) {
    throw new CanonicalJsonError('CANONICAL_JSON_INVALID_STRING', path, 'String contains a lone UTF-16 surrogate');
  }
  // JSON.stringify writes exactly the spec's grammar for well-formed strings: `\"`, `\\`, `\b\f\n\r\t`,
  // other controls as lower-case `\u00xx`, and everything else (DEL, U+2028, non-ASCII) unescaped.
  return JSON.stringify(value);
}

function encodeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) {
    throw new CanonicalJsonError('CANONICAL_JSON_NOT_FINITE', path, `${value} is not a JSON number`);
  }
  if (!Number.isInteger(value)) {
    throw new CanonicalJsonError('CANONICAL_JSON_FLOAT', path, `${value} is not an integer`);
  }
  if (value > MAX_CANONICAL_INTEGER || value < MIN_CANONICAL_INTEGER) {
    throw new CanonicalJsonError(
      'CANONICAL_JSON_INTEGER_OUT_OF_RANGE',
      path,
      `${value} is outside [-(2^53)+1, (2^53)-1]`,
    );
  }
  // String() never uses an exponent below 1e21, and turns -0 into "0".
  return String(value);
}

function encodeContainer(value: object, path: string, ancestors: Set<object>, depth: number): string {
  if (depth > MAX_CANONICAL_JSON_DEPTH) {
    throw new CanonicalJsonError('CANONICAL_JSON_TOO_DEEP', path, `Nesting deeper than ${MAX_CANONICAL_JSON_DEPTH}`);
  }
  if (ancestors.has(value)) {
    throw new CanonicalJsonError('CANONICAL_JSON_CIRCULAR', path, 'Value contains itself');
  }
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let index = 0; index < value.length; index += 1) {
        // Index access, not iteration: a hole in a sparse array reads as undefined and is rejected.
        items.push(encodeValue((value as unknown[])[index], `${path}[${index}]`, ancestors, depth));
      }
      return `[${items.join(',')}]`;
    }
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new CanonicalJsonError(
        'CANONICAL_JSON_UNSUPPORTED_VALUE',
        path,
        `A ${value.constructor.name} instance is not a plain JSON object`,
      );
    }
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .sort(compareByCodePoint)
      .map((key) => {
        const memberPath = path ? `${path}.${key}` : key;
        return `${encodeString(key, memberPath)}:${encodeValue(record[key], memberPath, ancestors, depth)}`;
      });
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(value);
  }
}
