/**
 * fast-check arbitraries for requests an attacker would send to the management API: strings PostgreSQL cannot store
 * (NUL, unpaired surrogates), prototype keys, numbers no page or date can be, wrong types, deep nesting, bad
 * percent-encoding; and values shaped by the route's own JSON schema (from its OpenAPI document), sometimes valid,
 * so that the fuzz reaches the handlers and the database too.
 */
import fc from 'fast-check';

/** A JSON schema as @fastify/swagger writes it into the OpenAPI document (the parts the fuzz reads). */
export interface Schema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  propertyNames?: Schema;
  required?: string[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
}

/** Strings that broke or could break something: storage, lookups by key, parsers, paths. */
const NASTY_STRINGS = [
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '😀',
  '',
  ' ',
  '..',
  '../..',
  'toString',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  '1e300',
  '-1',
  'NaN',
  'Infinity',
  'null',
  'true',
  '{}',
  "' OR 1=1 --",
  '\u202e',
  '\r\n',
  'a'.repeat(5000),
];

/** Any UTF-16 code units, so unpaired surrogates and NULs come up often. */
const codeUnits = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 })
  .map((units) => String.fromCharCode(...units));

/** A hostile string. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_STRINGS), weight: 3 },
  { arbitrary: codeUnits, weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 1 },
);

/** Numbers as a query string writes them, most of which no page, count or date can be. */
export const hostileNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.constantFrom(
    '1e300',
    '-0',
    '0x10',
    '1.5',
    '99999999999999999999',
    '-1',
    '',
    'NaN',
    'Infinity',
    ' 1',
    '1e-300',
    '9007199254740993',
  ),
  fc.double().map(String),
);

/** Dates as a query string or body writes them: the ends of the calendar, leap seconds, offsets past the range. */
export const hostileDate: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+14:00',
    '9999-12-31T23:59:59-14:00',
    '9999-12-31T23:59:59.999Z',
    '2020-01-01T23:59:60Z',
    '2020-02-30T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '1970-01-01',
    'yesterday',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

/** JSON values of any type (the wrong one, most of the time). */
export const anyJson = fc.jsonValue({ maxDepth: 3 });

/**
 * How a generated value relates to its schema. `valid`: what the schema takes (its types, enums, patterns, bounds and
 * required keys; strings are often ids that exist), so the request reaches the handler and the database. `tainted`:
 * the same, but any string the schema does not pin down by a pattern or an enum may be a hostile one of a length it
 * takes — what gets past a schema to the database. `hostile`: the schema's shape with wrong types, hostile strings
 * and numbers, and extra keys in every object.
 */
export type Mode = 'valid' | 'tainted' | 'hostile';

export function valueFor(
  schema: Schema | undefined,
  known: fc.Arbitrary<string>,
  mode: Mode,
  depth = 0,
): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(anyJson, hostileString);
  if (!schema || depth > 4) return mode === 'hostile' ? wrong : fc.constant({});
  const shaped = shapedValue(schema, known, mode, depth);
  return mode !== 'hostile' ? shaped : fc.oneof({ arbitrary: shaped, weight: 4 }, { arbitrary: wrong, weight: 1 });
}

function shapedValue(schema: Schema, known: fc.Arbitrary<string>, mode: Mode, depth: number): fc.Arbitrary<unknown> {
  const valid = mode !== 'hostile';
  if (schema.enum)
    return valid ? fc.constantFrom(...schema.enum) : fc.oneof(fc.constantFrom(...schema.enum), hostileString);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => valueFor(s, known, mode, depth)));
  if (Array.isArray(schema.type))
    return fc.oneof(...schema.type.map((type) => valueFor({ ...schema, type }, known, mode, depth)));
  switch (schema.type) {
    case 'object':
      return objectFor(schema, known, mode, depth);
    case 'array':
      return fc.array(valueFor(schema.items, known, mode, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'string':
      if (schema.format === 'date-time')
        return valid
          ? fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString())
          : hostileDate;
      if (mode === 'hostile') return fc.oneof(matching(schema), known, hostileString, hostileDate);
      if (mode === 'tainted' && !schema.pattern) {
        const taint = hostileString.filter(
          (h) => h.length >= (schema.minLength ?? 0) && h.length <= (schema.maxLength ?? Infinity),
        );
        return fc.oneof(
          matching(schema),
          known.filter((k) => fits(schema, k)),
          taint,
        );
      }
      return fc.oneof(
        matching(schema),
        known.filter((k) => fits(schema, k)),
      );
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? -1000;
      const inRange = fc.integer({ min, max: Math.max(min, Math.min(schema.maximum ?? 1000, 1e9)) });
      return valid
        ? inRange
        : fc.oneof(inRange, fc.constantFrom(1e300, -1, 0, 2 ** 53 + 2, 1.5, -0, Number.MAX_SAFE_INTEGER), fc.double());
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return valid ? fc.constant({}) : anyJson;
  }
}

/** Whether a known id fits a string schema's length and pattern. */
function fits(schema: Schema, text: string): boolean {
  if (text.length < (schema.minLength ?? 0) || text.length > (schema.maxLength ?? Infinity)) return false;
  try {
    return !schema.pattern || new RegExp(schema.pattern, 'u').test(text);
  } catch {
    return true;
  }
}

/** Strings the schema's pattern takes (when fast-check can generate from it), else short strings within its lengths. */
function matching(schema: Schema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 40, 40));
  if (schema.pattern) {
    try {
      return fc
        .stringMatching(new RegExp(schema.pattern, 'u'))
        .filter((s) => s.length >= minLength && s.length <= maxLength);
    } catch {
      // A pattern fast-check cannot generate from: plain strings below.
    }
  }
  return fc.oneof(fc.string({ minLength, maxLength }), fc.string({ minLength, maxLength, unit: 'grapheme' }));
}

/** Keys an object should never trip over. */
const PROTOTYPE_KEYS = fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'toJSON');

function objectFor(schema: Schema, known: fc.Arbitrary<string>, mode: Mode, depth: number): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const declared = fc.record(
    Object.fromEntries(Object.entries(properties).map(([key, s]) => [key, valueFor(s, known, mode, depth + 1)])),
    { requiredKeys: mode !== 'hostile' ? (schema.required ?? []).filter((key) => key in properties) : [] },
  );
  if (Object.keys(properties).length === 0 && typeof schema.additionalProperties === 'object') {
    // A map (metadata, files): keys and values of its own.
    const names = schema.propertyNames ?? { type: 'string', minLength: 1, maxLength: 20 };
    const key = {
      valid: matching(names),
      tainted: names.pattern
        ? matching(names)
        : fc.oneof(
            matching(names),
            PROTOTYPE_KEYS,
            hostileString.filter((h) => h.length > 0),
          ),
      hostile: fc.oneof(PROTOTYPE_KEYS, hostileString),
    }[mode];
    return fc.dictionary(key, valueFor(schema.additionalProperties, known, mode, depth + 1), { maxKeys: 3 });
  }
  if (mode !== 'hostile') return declared;
  const extraValue =
    typeof schema.additionalProperties === 'object'
      ? valueFor(schema.additionalProperties, known, mode, depth + 1)
      : anyJson;
  const extra = fc.dictionary(fc.oneof(PROTOTYPE_KEYS, hostileString, fc.string({ maxLength: 8 })), extraValue, {
    maxKeys: 3,
  });
  // Own properties named `__proto__` survive: assignment through defineProperty, as JSON.parse makes them.
  return fc.tuple(declared, fc.option(extra, { freq: 3 })).map(([own, more]) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries({ ...own })) define(out, key, value);
    for (const [key, value] of Object.entries(more ?? {})) define(out, key, value);
    return out;
  });
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Raw JSON texts no serializer would write: deep nesting, prototype pollution, escapes of unstorable characters. */
export const hostileJsonText = fc.constantFrom(
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '['.repeat(5000) + ']'.repeat(5000),
  '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
  '{"name":"\\u0000"}',
  '{"name":"\\ud800"}',
  '{"name":"x","\\u0000":1}',
  '{"name":1e400}',
  '{"value":-1e400}',
  '{"name":"a"',
  'null',
  '"\\ud800"',
  '1',
  '{}',
);

/**
 * Percent-encodes a string the way a browser cannot: each unpaired surrogate as the three bytes a lax UTF-8 encoder
 * (WTF-8) gives it, which no server may decode as text.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** Path segments and query values already encoded, some of them badly. */
export const rawEncoded = fc.constantFrom(
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%ED%A0%80',
  '%C0%AE%C0%AE',
  '..%2F..',
  '%2e%2e',
  '%25',
  '%FF',
);
