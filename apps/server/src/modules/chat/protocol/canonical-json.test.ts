import { describe, expect, it } from 'vitest';
import {
  assertCanonicalJsonValue,
  assertPduWithinSizeLimit,
  canonicalJsonByteLength,
  CanonicalJsonError,
  compareByCodePoint,
  encodeCanonicalJson,
  encodeCanonicalJsonBytes,
  isCanonicalJsonValue,
  MAX_CANONICAL_JSON_DEPTH,
  MAX_PDU_BYTES,
  parseCanonicalJson,
} from './canonical-json.ts';

/** `[1, <hole>, 3]`, written without a sparse array literal. */
function arrayWithHole(): unknown[] {
  const array: unknown[] = [1];
  array[2] = 3;
  return array;
}

function errorOf(run: () => unknown): CanonicalJsonError {
  try {
    run();
  } catch (error) {
    if (error instanceof CanonicalJsonError) return error;
    throw error;
  }
  throw new Error('Expected a CanonicalJsonError');
}

describe(encodeCanonicalJson.name, () => {
  // The examples of appendices.md § "Canonical JSON" (matrix-org/matrix-spec@d0ba2aae), input as printed there.
  const specExamples: [string, string][] = [
    ['{}', '{}'],
    ['{\n    "one": 1,\n    "two": "Two"\n}', '{"one":1,"two":"Two"}'],
    ['{\n    "b": "2",\n    "a": "1"\n}', '{"a":"1","b":"2"}'],
    ['{"b":"2","a":"1"}', '{"a":"1","b":"2"}'],
    [
      `{
    "auth": {
        "success": true,
        "mxid": "@john.doe:example.com",
        "profile": {
            "display_name": "John Doe",
            "three_pids": [
                { "medium": "email", "address": "john.doe@example.org" },
                { "medium": "msisdn", "address": "123456789" }
            ]
        }
    }
}`,
      '{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}',
    ],
    ['{\n    "a": "日本語"\n}', '{"a":"日本語"}'],
    ['{\n    "本": 2,\n    "日": 1\n}', '{"日":1,"本":2}'],
    ['{\n    "a": "\\u65E5"\n}', '{"a":"日"}'],
    ['{\n    "a": null\n}', '{"a":null}'],
    ['{\n    "a": -0,\n    "b": 1e10\n}', '{"a":0,"b":10000000000}'],
  ];

  it.each(specExamples)('reproduces the spec example %#', (input, expected) => {
    expect(encodeCanonicalJson(JSON.parse(input))).toBe(expected);
  });

  it('writes UTF-8 bytes, not \\u escapes, for non-ASCII text', () => {
    expect(encodeCanonicalJsonBytes({ a: 'é😀' })).toEqual(Buffer.from('{"a":"é😀"}', 'utf8'));
  });

  it('escapes only what the grammar requires, with lower-case hexadecimal', () => {
    const value = '"\\\b\f\n\r\t\u0000\u001f\u000b\u007f\u2028/';
    expect(encodeCanonicalJson(value)).toBe('"\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\\u000b\u007f\u2028/"');
  });

  it('sorts keys by code point, putting astral characters after U+FFFF', () => {
    // UTF-16 order would put "😀" (0xD83D 0xDE00) before "\uFFFD".
    expect(encodeCanonicalJson({ '😀': 1, '\uFFFD': 2, b: 3, B: 4, '': 5 })).toBe(
      '{"":5,"B":4,"b":3,"\uFFFD":2,"😀":1}',
    );
    expect(compareByCodePoint('\uE000', '\u{10000}')).toBeLessThan(0);
    expect(compareByCodePoint('a', 'ab')).toBeLessThan(0);
    expect(compareByCodePoint('\u{10001}', '\u{10000}')).toBeGreaterThan(0);
  });

  it('keeps array order and nests objects', () => {
    expect(encodeCanonicalJson([3, { z: [], a: {} }, 'x', true, false, null])).toBe(
      '[3,{"a":{},"z":[]},"x",true,false,null]',
    );
  });

  it('accepts the integer bounds and rejects one beyond', () => {
    expect(encodeCanonicalJson([2 ** 53 - 1, -(2 ** 53) + 1])).toBe('[9007199254740991,-9007199254740991]');
    expect(errorOf(() => encodeCanonicalJson({ n: 2 ** 53 })).code).toBe('CANONICAL_JSON_INTEGER_OUT_OF_RANGE');
    expect(errorOf(() => encodeCanonicalJson(-(2 ** 53))).code).toBe('CANONICAL_JSON_INTEGER_OUT_OF_RANGE');
  });

  const rejected: [string, unknown, string][] = [
    ['a float', { a: 1.5 }, 'CANONICAL_JSON_FLOAT'],
    ['NaN', [Number.NaN], 'CANONICAL_JSON_NOT_FINITE'],
    ['Infinity', Number.POSITIVE_INFINITY, 'CANONICAL_JSON_NOT_FINITE'],
    ['undefined as a property', { a: undefined }, 'CANONICAL_JSON_UNSUPPORTED_VALUE'],
    ['undefined at the root', undefined, 'CANONICAL_JSON_UNSUPPORTED_VALUE'],
    ['a hole in an array', arrayWithHole(), 'CANONICAL_JSON_UNSUPPORTED_VALUE'],
    ['a bigint', { a: 1n }, 'CANONICAL_JSON_UNSUPPORTED_VALUE'],
    ['a function', { a: () => 1 }, 'CANONICAL_JSON_UNSUPPORTED_VALUE'],
    ['a symbol', Symbol('s'), 'CANONICAL_JSON_UNSUPPORTED_VALUE'],
    ['a Date', { at: new Date(0) }, 'CANONICAL_JSON_UNSUPPORTED_VALUE'],
    ['a Map', new Map(), 'CANONICAL_JSON_UNSUPPORTED_VALUE'],
    ['a lone surrogate in a value', { a: '\uD800' }, 'CANONICAL_JSON_INVALID_STRING'],
    ['a lone surrogate in a key', { '\uDC00': 1 }, 'CANONICAL_JSON_INVALID_STRING'],
  ];

  it.each(rejected)('rejects %s', (_name, value, code) => {
    const error = errorOf(() => encodeCanonicalJson(value));
    expect(error.code).toBe(code);
    expect(error.errcode).toBe('M_BAD_JSON');
  });

  it('says where the bad value is', () => {
    expect(errorOf(() => encodeCanonicalJson({ content: { items: [1, 2.5] } })).path).toBe('content.items[1]');
  });

  it('rejects cycles but accepts a shared (acyclic) value twice', () => {
    const shared = { x: 1 };
    expect(encodeCanonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(errorOf(() => encodeCanonicalJson(cyclic)).code).toBe('CANONICAL_JSON_CIRCULAR');
  });

  it('bounds nesting depth', () => {
    const nest = (depth: number): unknown => (depth === 0 ? 0 : [nest(depth - 1)]);
    expect(() => encodeCanonicalJson(nest(MAX_CANONICAL_JSON_DEPTH))).not.toThrow();
    expect(errorOf(() => encodeCanonicalJson(nest(MAX_CANONICAL_JSON_DEPTH + 1))).code).toBe('CANONICAL_JSON_TOO_DEEP');
  });

  it('accepts objects without a prototype', () => {
    const value = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: 2 });
    expect(encodeCanonicalJson(value)).toBe('{"a":2,"b":1}');
  });
});

describe(assertCanonicalJsonValue.name, () => {
  it('passes canonical values and throws typed errors otherwise', () => {
    expect(() => assertCanonicalJsonValue({ a: [1, 'x', null] })).not.toThrow();
    expect(() => assertCanonicalJsonValue({ a: 0.1 })).toThrow(CanonicalJsonError);
    expect(isCanonicalJsonValue({ a: 1 })).toBe(true);
    expect(isCanonicalJsonValue({ a: 0.1 })).toBe(false);
  });
});

describe(parseCanonicalJson.name, () => {
  it('reads JSON whatever its whitespace and key order', () => {
    expect(parseCanonicalJson(' { "b" : [ 1 , -2 ] , "a" : "x" } ')).toEqual({ a: 'x', b: [1, -2] });
  });

  it.each(['1.0', '{"a":1.5}', '[1e3]', '{"a":2E1}', '-0.0'])('rejects the non-integer literal in %s', (text) => {
    expect(errorOf(() => parseCanonicalJson(text)).code).toBe('CANONICAL_JSON_FLOAT');
  });

  it('reads -0 as 0', () => {
    expect(Object.is(parseCanonicalJson('-0'), 0)).toBe(true);
  });

  it('rejects integers beyond 2^53-1 even though JSON.parse would round them', () => {
    expect(errorOf(() => parseCanonicalJson('{"a":9007199254740993}')).code).toBe(
      'CANONICAL_JSON_INTEGER_OUT_OF_RANGE',
    );
  });

  it('rejects lone surrogates written as escapes', () => {
    expect(errorOf(() => parseCanonicalJson('"\\ud800"')).code).toBe('CANONICAL_JSON_INVALID_STRING');
  });

  it('answers M_NOT_JSON for text that is not JSON', () => {
    for (const text of ['', '{', 'NaN', "{'a':1}", '[1,]']) {
      const error = errorOf(() => parseCanonicalJson(text));
      expect(error.code).toBe('CANONICAL_JSON_SYNTAX');
      expect(error.errcode).toBe('M_NOT_JSON');
    }
  });
});

describe(assertPduWithinSizeLimit.name, () => {
  const eventOfSize = (bytes: number) => {
    const overhead = canonicalJsonByteLength({ content: { body: '' } });
    return { content: { body: 'x'.repeat(bytes - overhead) } };
  };

  it('accepts an event of exactly 65,536 bytes and rejects one more byte', () => {
    expect(canonicalJsonByteLength(eventOfSize(MAX_PDU_BYTES))).toBe(MAX_PDU_BYTES);
    expect(() => assertPduWithinSizeLimit(eventOfSize(MAX_PDU_BYTES))).not.toThrow();
    const error = errorOf(() => assertPduWithinSizeLimit(eventOfSize(MAX_PDU_BYTES + 1)));
    expect(error.code).toBe('CANONICAL_JSON_TOO_LARGE');
    expect(error.errcode).toBe('M_TOO_LARGE');
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(canonicalJsonByteLength('é')).toBe(4);
  });
});
