/**
 * `GET /api/v2/openapi.json`: the management API described as an OpenAPI 3 document, public (discovery's
 * `service_documentation` points at it), with paths relative to its server URL `<issuer>/api/v2`. Storage plays
 * no part, so the suite runs on one storage (see `anyStorage`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { anyStorage, startMinter, type RunningMinter } from '../helpers/minter.js';

describe(`management API OpenAPI document (${anyStorage})`, () => {
  let m: RunningMinter;
  let doc: {
    openapi: string;
    servers: Array<{ url: string }>;
    paths: Record<string, Record<string, unknown>>;
    components: any;
  };
  before(async () => {
    m = await startMinter({ storage: anyStorage });
    const response = await fetch(`${m.baseUrl}/api/v2/openapi.json`);
    assert.equal(response.status, 200, 'public: no token needed');
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    doc = (await response.json()) as typeof doc;
  });
  after(() => m?.close());

  test('is an OpenAPI 3 document whose server is <issuer>/api/v2 with a Bearer JWT security scheme', () => {
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.deepEqual(doc.servers, [{ url: `${m.issuer}/api/v2` }]);
    assert.deepEqual(doc.components.securitySchemes, {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
  });

  test('lists /clients, /resource-servers, /client-grants, /keys/signing and /logs relative to the server URL', () => {
    const paths = Object.keys(doc.paths);
    for (const path of ['/clients', '/resource-servers', '/client-grants', '/keys/signing', '/logs']) {
      assert.ok(paths.includes(path), `${path} missing; paths: ${paths.join(', ')}`);
    }
    assert.deepEqual(Object.keys(doc.paths['/clients'] ?? {}).sort(), ['get', 'post']);
    assert.ok(paths.includes('/clients/{id}'), 'path parameters in OpenAPI {braces}');
    assert.ok(!paths.includes('/openapi.json'), 'the document does not list itself');
  });
});
