import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileKindeWorkflow, WorkflowCompileError } from '../../src/triggers/kinde/compile.js';
import { kindeFixturesDir, runBundle } from '../fixtures/kinde/run-bundle.js';

const OFFICIAL = 'kindeSrc/environment/workflows/m2m/mapOrgToM2MApplicationWorkflow.ts';

async function official(): Promise<string> {
  return readFile(join(kindeFixturesDir(), 'project', OFFICIAL), 'utf8');
}

const SETTINGS = `export const workflowSettings = {
  id: "w",
  trigger: "m2m:token_generation",
  bindings: { "kinde.m2mToken": {} },
};
`;

/** Compile one file `w.ts` and return the error it must fail with. */
async function compileError(source: string, files: Record<string, string> = {}): Promise<WorkflowCompileError> {
  try {
    await compileKindeWorkflow({ files: { 'w.ts': source, ...files }, entry: 'w.ts' });
  } catch (error) {
    assert.ok(error instanceof WorkflowCompileError, `expected WorkflowCompileError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a WorkflowCompileError');
}

describe('Kinde workflow-examples m2mToken/mapOrgToM2MApplicationWorkflow.ts', () => {
  it('compiles and its workflowSettings read back exactly (notes §3)', async () => {
    const { settings, code } = await compileKindeWorkflow({ files: { [OFFICIAL]: await official() }, entry: OFFICIAL });
    assert.deepEqual(settings, {
      id: 'm2mTokenGeneration',
      name: 'M2M custom claims',
      trigger: 'm2m:token_generation',
      failurePolicy: 'stop',
      bindings: ['kinde.m2mToken', 'kinde.fetch', 'kinde.env', 'url'],
    });
    assert.doesNotMatch(code, /\brequire\(/, 'one self-contained file');
  });

  it('runs: claims set through the m2mTokenClaims() proxy, Management API reads go to kindeDomain/api/v1, no token round-trip', async () => {
    const { code } = await compileKindeWorkflow({ files: { [OFFICIAL]: await official() }, entry: OFFICIAL });
    // The example destructures `appProperties`, which Kinde's real endpoint does not return (it returns
    // `properties`, notes §3): the stub answers the shape the example reads.
    const run = await runBundle(code, {
      responses: {
        'https://issuer.example/api/v1/applications/abc/properties': {
          appProperties: [{ key: 'org_code', value: 'org_1' }],
        },
        'https://issuer.example/api/v1/organization?code=org_1': { code: 'org_1', name: 'Acme' },
      },
    });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.setCalls, [
      ['applicationId', 'abc'],
      ['orgName', 'Acme'],
      ['orgCode', 'org_1'],
    ]);
    assert.deepEqual(
      run.fetchCalls.map((c) => c.url),
      [
        'https://issuer.example/api/v1/applications/abc/properties',
        'https://issuer.example/api/v1/organization?code=org_1',
      ],
    );
    assert.deepEqual(run.envCalls, [], 'KINDE_WF_M2M_CLIENT_ID/SECRET are not needed');
  });
});

describe('Kinde workflow module forms (notes §1.1)', () => {
  it('a raw kinde.m2mToken.setCustomClaim workflow compiles and runs', async () => {
    const source = `${SETTINGS}export default async function Workflow(event: any) {
  kinde.m2mToken.setCustomClaim("hello", "world");
}`;
    const { code, settings } = await compileKindeWorkflow({ files: { 'w.ts': source }, entry: 'w.ts' });
    assert.deepEqual(settings, {
      id: 'w',
      trigger: 'm2m:token_generation',
      failurePolicy: 'stop',
      bindings: ['kinde.m2mToken'],
    });
    assert.deepEqual((await runBundle(code)).setCalls, [['hello', 'world']]);
  });

  it('the older `export default { async handle(event) {} }` form compiles and runs', async () => {
    const source = `${SETTINGS}export default {
  async handle(event) {
    kinde.m2mToken.setCustomClaim("client", event.context.application.clientId);
  },
};`;
    const { code } = await compileKindeWorkflow({ files: { 'w.js': source }, entry: 'w.js' });
    assert.deepEqual((await runBundle(code)).setCalls, [['client', 'abc']]);
  });

  it('failurePolicy.action "continue" is kept; ES2021 syntax is lowered to the es2020 target', async () => {
    const source = `export const workflowSettings = { id: "w", trigger: "m2m:token_generation", failurePolicy: { action: "continue" } };
export default async function () { let a = null; a ??= 1; a ||= 2; kinde.m2mToken.setCustomClaim("a", a); }`;
    const { code, settings } = await compileKindeWorkflow({ files: { 'w.ts': source }, entry: 'w.ts' });
    assert.equal(settings.failurePolicy, 'continue');
    assert.deepEqual(settings.bindings, []);
    assert.doesNotMatch(code, /\?\?=|\|\|=/);
    assert.deepEqual((await runBundle(code)).setCalls, [['a', 1]]);
  });

  it('relative imports resolve among the given files, NodeNext `.js` naming a `.ts` file included', async () => {
    const source = `import { v } from "./lib/value.js";
import { w } from "./lib";
${SETTINGS}export default async () => kinde.m2mToken.setCustomClaim("v", v + w);`;
    const { code } = await compileKindeWorkflow({
      files: { 'w.ts': source, 'lib/value.ts': 'export const v: number = 40;', 'lib/index.ts': 'export const w = 2;' },
      entry: './w.ts',
    });
    assert.deepEqual((await runBundle(code)).setCalls, [['v', 42]]);
  });
});

describe('WorkflowCompileError: every deploy problem has a file and a line', () => {
  it('a syntax error names the file and line', async () => {
    const error = await compileError(`${SETTINGS}export default async function () {\n  const x = ;\n}`);
    assert.equal(error.code, 'build');
    assert.equal(error.file, 'w.ts');
    assert.equal(error.line, 7);
    assert.equal(error.column, 13);
    assert.match(error.message, /^w\.ts:7:13: Unexpected ";"/);
  });

  it('a syntax error in an imported helper names the helper', async () => {
    const error = await compileError(`import { h } from "./helper";\n${SETTINGS}export default async () => h;`, {
      'helper.ts': 'export const h = 1;\nexport const broken = {;\n',
    });
    assert.equal(error.file, 'helper.ts');
    assert.equal(error.line, 2);
  });

  it('all esbuild errors are kept, the first in the message', async () => {
    const error = await compileError(
      `import a from "axios";\nimport b from "lodash";\n${SETTINGS}export default async () => [a, b];`,
    );
    assert.equal(error.diagnostics.length, 2);
    assert.match(error.message, /axios/);
    assert.match(error.diagnostics[1]?.text ?? '', /lodash/);
  });

  it('an import of axios is refused at deploy: only @kinde/infrastructure is available', async () => {
    const error = await compileError(
      `import axios from "axios";\n${SETTINGS}export default async () => { await axios.get("x"); };`,
    );
    assert.equal(error.code, 'import');
    assert.equal(error.file, 'w.ts');
    assert.equal(error.line, 1);
    assert.equal(
      error.message,
      'w.ts:1:19: Cannot import "axios" in w.ts: only @kinde/infrastructure is available in the sandbox',
    );
  });

  it('node built-ins are refused the same way', async () => {
    const error = await compileError(
      `import { readFileSync } from "node:fs";\n${SETTINGS}export default async () => readFileSync("/etc/passwd");`,
    );
    assert.match(error.message, /Cannot import "node:fs" in w\.ts: only @kinde\/infrastructure/);
  });

  it('a missing local file is a compile error', async () => {
    const error = await compileError(`import { h } from "./nope";\n${SETTINGS}export default async () => h;`);
    assert.equal(error.code, 'import');
    assert.match(error.message, /Cannot find "\.\/nope" imported by w\.ts/);
  });

  it('a helper Minter does not provide (page helpers) fails at deploy, not at run time', async () => {
    const error = await compileError(
      `import { getKindeWidget } from "@kinde/infrastructure";\n${SETTINGS}export default async () => getKindeWidget();`,
    );
    assert.match(error.message, /No matching export in "@kinde\/infrastructure" for import "getKindeWidget"/);
    assert.match(error.message, /m2m:token_generation helpers only/);
  });

  it('trigger user:tokens_generation is refused: Minter only runs m2m:token_generation', async () => {
    const error = await compileError(`import { WorkflowTrigger } from "@kinde/infrastructure";
export const workflowSettings = {
  id: "w",
  trigger: WorkflowTrigger.UserTokenGeneration,
};
export default async () => {};`);
    assert.equal(error.code, 'trigger');
    assert.equal(error.line, 4);
    assert.match(error.message, /"user:tokens_generation".*Minter only runs "m2m:token_generation" workflows/);
  });

  it('the README typo m2m:tokens_generation gets a hint', async () => {
    const error = await compileError(
      `export const workflowSettings = { id: "w", trigger: "m2m:tokens_generation" };\nexport default async () => {};`,
    );
    assert.match(error.message, /did you mean "m2m:token_generation"/);
  });

  it('a missing workflowSettings export is refused', async () => {
    const error = await compileError('export default async function Workflow() {}');
    assert.equal(error.code, 'settings');
    assert.match(error.message, /must export a "workflowSettings" object/);
  });

  it('an empty id is refused', async () => {
    const error = await compileError(
      `export const workflowSettings = { id: "", trigger: "m2m:token_generation" };\nexport default async () => {};`,
    );
    assert.equal(error.code, 'settings');
    assert.equal(error.line, 1);
    assert.match(error.message, /workflowSettings\.id must be a non-empty string/);
  });

  it('failurePolicy.action outside stop|continue is refused', async () => {
    const error = await compileError(
      `export const workflowSettings = { id: "w", trigger: "m2m:token_generation", failurePolicy: { action: "warn" } };\nexport default async () => {};`,
    );
    assert.match(error.message, /failurePolicy\.action must be "stop" or "continue"/);
  });

  it('an unknown binding name is refused', async () => {
    const error = await compileError(
      `export const workflowSettings = { id: "w", trigger: "m2m:token_generation", bindings: { "kinde.fecth": {} } };\nexport default async () => {};`,
    );
    assert.match(error.message, /unknown binding "kinde\.fecth"/);
  });

  it('a default export that is neither a function nor { handle } is refused', async () => {
    const error = await compileError(`${SETTINGS}export default { run() {} };`);
    assert.equal(error.code, 'default_export');
    assert.equal(error.line, 6);
  });

  it('no default export is refused', async () => {
    const error = await compileError(SETTINGS);
    assert.equal(error.code, 'default_export');
  });

  it('top-level code that throws is reported, not crashed on', async () => {
    const error = await compileError(`${SETTINGS}throw new Error("boom");\nexport default async () => {};`);
    assert.equal(error.code, 'evaluate');
    assert.match(error.message, /top-level code threw: boom/);
  });

  it('top-level code that never ends is stopped by the 1 s budget', async () => {
    const started = Date.now();
    const error = await compileError(`${SETTINGS}while (true) {}\nexport default async () => {};`);
    assert.equal(error.code, 'evaluate');
    assert.ok(Date.now() - started < 5000);
  });

  it('an entry that is not among the files is refused', async () => {
    await assert.rejects(
      compileKindeWorkflow({ files: { 'a.ts': SETTINGS }, entry: 'b.ts' }),
      (e: unknown) => e instanceof WorkflowCompileError && /entry "b\.ts" is not among/.test(e.message),
    );
  });
});
