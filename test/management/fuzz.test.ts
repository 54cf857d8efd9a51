/**
 * Property: no request to the management API is answered 5xx, every 4xx carries Auth0's error body
 * `{statusCode, error, message, errorCode}`, and none is the database refusing a value validation let through. Every route comes from the server's own OpenAPI document, so a new route
 * is fuzzed without touching this file. Each gets a fixed number of generated requests (path ids that exist or are
 * hostile, query strings from its declared parameters and beyond them, bodies shaped by its schema or not JSON at
 * all), sent with an admin token over HTTP. DELETE routes go last, so the objects they remove serve the others first.
 *
 * Bounded for CI: MINTER_FUZZ_RUNS requests per route (default 20) on each storage; MINTER_FUZZ_SEED replays a
 * failure (the seed is printed with it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { STATUS_TEXT } from '../../src/errors.js';
import {
  anyJson,
  hostileDate,
  hostileJsonText,
  hostileNumberText,
  hostileString,
  percentEncode,
  rawEncoded,
  valueFor,
  type Schema,
} from '../helpers/hostile-input.js';
import { ACTION_CODE, createFixtures } from '../helpers/management-fixtures.js';
import { startMinter, type RunningMinter, type Storage } from '../helpers/minter.js';
import { skipWithoutPostgres } from '../helpers/postgres.js';

/** The 400 the error handler answers when the database refuses a value (class 22/23) that validation let through. */
const DATABASE_REFUSED = 'Payload validation error: the request holds a value that cannot be stored';

const RUNS = Number(process.env.MINTER_FUZZ_RUNS ?? 20);
const SEED = Number(process.env.MINTER_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Parameter {
  in: 'path' | 'query';
  name: string;
  schema?: Schema & { format?: string };
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: Schema;
}

interface GeneratedRequest {
  path: string;
  query: string;
  body?: string;
  contentType: string;
}

function operationsOf(doc: { paths: Record<string, Record<string, any>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        body: operation.requestBody?.content?.['application/json']?.schema,
      });
    }
  }
  // Deletions last: until then the fixtures exist for every other route.
  return operations.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
}

/** A value the declared parameter takes. */
const validQueryValue = (parameter: Parameter, known: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .oneof(valueFor(parameter.schema ?? {}, known, 'valid'), valueFor(parameter.schema ?? {}, known, 'tainted'))
    .map((v) => (typeof v === 'string' ? v : String(v)));

/** A query value for a declared parameter: its type's likely values, hostile ones, and ids that exist. */
function queryValue(parameter: Parameter, known: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const schema = parameter.schema ?? {};
  if (schema.format === 'date-time')
    return fc.oneof(valueFor(schema, known, 'valid').map(String), hostileDate, hostileString);
  if (schema.type === 'integer' || schema.type === 'number') {
    return fc.oneof(valueFor(schema, known, 'valid').map(String), hostileNumberText, hostileString);
  }
  if (schema.type === 'boolean') return fc.oneof(fc.constantFrom('true', 'false', '1', '0', ''), hostileString);
  return fc
    .oneof(valueFor(schema, known, 'valid'), valueFor(schema, known, 'hostile'))
    .map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')));
}

function requestFor(operation: Operation, known: fc.Arbitrary<string>): fc.Arbitrary<GeneratedRequest> {
  const segment = fc.oneof(
    { arbitrary: known.map(percentEncode), weight: 4 },
    { arbitrary: hostileString.map(percentEncode), weight: 2 },
    { arbitrary: rawEncoded, weight: 1 },
  );
  const pathNames = operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);
  const path = fc
    .tuple(...pathNames.map(() => segment))
    .map((values) => pathNames.reduce((p, name, i) => p.replace(`{${name}}`, values[i]!), operation.path));

  const declared = operation.parameters.filter((p) => p.in === 'query');
  const encode = (pairs: ReadonlyArray<readonly [string, string]>) =>
    pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`);
  // Declared parameters with values they take, or anything: values of the wrong kind, unknown and prototype keys.
  const validPair = declared.length
    ? fc.constantFrom(...declared).chain((p) => validQueryValue(p, known).map((v) => [p.name, v] as const))
    : undefined;
  const anyPair = fc.oneof(
    ...(declared.length
      ? [
          {
            arbitrary: fc.constantFrom(...declared).chain((p) => queryValue(p, known).map((v) => [p.name, v] as const)),
            weight: 4,
          },
        ]
      : []),
    {
      arbitrary: fc.tuple(
        fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'page[]')),
        hostileString,
      ),
      weight: 1,
    },
  );
  const query = fc.oneof(
    validPair
      ? fc.uniqueArray(validPair, { maxLength: 3, selector: ([k]) => k }).map((pairs) => encode(pairs).join('&'))
      : fc.constant(''),
    fc
      .tuple(fc.array(anyPair, { maxLength: 4 }), fc.option(rawEncoded, { freq: 6 }))
      .map(([pairs, raw]) => [...encode(pairs), ...(raw ? [`x=${raw}`] : [])].join('&')),
  );

  const writes = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(operation.method);
  const json = (value: unknown) => JSON.stringify(value) ?? 'null';
  const body: fc.Arbitrary<string | undefined> = !writes
    ? fc.constant(undefined)
    : operation.body
      ? fc.oneof(
          { arbitrary: valueFor(operation.body, known, 'valid').map(json), weight: 3 },
          { arbitrary: valueFor(operation.body, known, 'tainted').map(json), weight: 3 },
          { arbitrary: valueFor(operation.body, known, 'hostile').map(json), weight: 3 },
          { arbitrary: hostileJsonText, weight: 1 },
          { arbitrary: anyJson.map(json), weight: 1 },
        )
      : fc.option(fc.oneof(hostileJsonText, anyJson.map(json)), { freq: 2 });
  const contentType = fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 8 },
    {
      arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'),
      weight: 1,
    },
  );
  return fc.record({ path, query, body, contentType });
}

/** The whole answer as the failure message shows it. */
const describeExchange = (operation: Operation, request: GeneratedRequest, status: number, text: string) =>
  `${operation.method} ${request.path}?${request.query} (${request.contentType}) body=${request.body?.slice(0, 300)} → ${status} ${text.slice(0, 300)}`;

function fuzzSuite(storage: Storage) {
  describe(
    `management API fuzz (${storage}): no 5xx, every 4xx in Auth0's shape`,
    { skip: storage === 'postgres' && skipWithoutPostgres },
    () => {
      let m: RunningMinter;
      let operations: Operation[];
      let known: fc.Arbitrary<string>;
      before(async () => {
        m = await startMinter({ storage });
        const fixtures = await createFixtures(m);
        const { pem, ...ids } = fixtures;
        // Every id that exists (a signing key's kid is not one of them: revoking the current key would end the admin token).
        known = fc.constantFrom(
          ...Object.values(ids),
          'credentials-exchange',
          'm2m:token_generation',
          ACTION_CODE,
          pem,
        );
        const doc = (await (await fetch(`${m.baseUrl}/api/v2/openapi.json`)).json()) as {
          paths: Record<string, Record<string, any>>;
        };
        operations = operationsOf(doc);
      });
      after(() => m?.close());

      test(`${RUNS} generated requests to each route of the OpenAPI document (seed ${SEED})`, async (t) => {
        assert.ok(operations.length >= 52, `the OpenAPI document lists ${operations.length} operations`);
        const token = await m.adminToken();
        const started = performance.now();
        const statuses = new Map<number, number>();
        for (const [index, operation] of operations.entries()) {
          const seed = SEED + index + (storage === 'postgres' ? 1000 : 0);
          const property = fc.asyncProperty(requestFor(operation, known), async (request) => {
            const url = `${m.baseUrl}/api/v2${request.path}${request.query ? `?${request.query}` : ''}`;
            const response = await fetch(url, {
              method: operation.method,
              headers: {
                authorization: `Bearer ${token}`,
                ...(request.body !== undefined && { 'content-type': request.contentType }),
              },
              ...(request.body !== undefined && { body: request.body }),
            });
            const text = await response.text();
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            const exchange = describeExchange(operation, request, response.status, text);
            assert.ok(response.status < 500, `5xx: ${exchange}`);
            if (response.status >= 400) {
              const body = JSON.parse(text) as Record<string, unknown>;
              assert.deepEqual(
                Object.keys(body).sort(),
                ['error', 'errorCode', 'message', 'statusCode'],
                `not Auth0's error body: ${exchange}`,
              );
              assert.equal(body.statusCode, response.status, exchange);
              assert.equal(body.error, STATUS_TEXT[response.status], exchange);
              assert.ok(typeof body.message === 'string' && body.message.length > 0, exchange);
              assert.ok(typeof body.errorCode === 'string' && body.errorCode.length > 0, exchange);
              assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8', exchange);
              // The database's refusal is a safety net (error-handler.ts): validation at the edge must come first.
              assert.notEqual(
                body.message,
                DATABASE_REFUSED,
                `the edge let through what the database refused: ${exchange}`,
              );
            }
          });
          try {
            await fc.assert(property, { numRuns: RUNS, seed });
          } catch (error) {
            const cause = (error as Error & { cause?: Error }).cause;
            throw new Error(
              `${operation.method} ${operation.path}: replay with MINTER_FUZZ_SEED=${SEED} (route seed ${seed})\n${(error as Error).message}\n${cause?.message ?? ''}`,
              { cause: error },
            );
          }
        }
        const seconds = (performance.now() - started) / 1000;
        t.diagnostic(
          `${operations.length} routes × ${RUNS} runs in ${seconds.toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
        );
      });
    },
  );
}

fuzzSuite('pglite');
fuzzSuite('postgres');
