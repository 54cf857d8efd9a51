import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compileKindeWorkflow, WorkflowCompileError } from '../../src/triggers/kinde/compile.js';
import { compileKindeProject, readKindeProject } from '../../src/triggers/kinde/project.js';
import { kindeFixturesDir, runBundle } from '../fixtures/kinde/run-bundle.js';

const PROJECT = join(kindeFixturesDir(), 'project');
const MAP_ORG = 'kindeSrc/environment/workflows/m2m/mapOrgToM2MApplicationWorkflow.ts';
const ADD_CLAIMS = 'kindeSrc/environment/workflows/claims/addClaimsWorkflow.ts';
const HELPER = 'kindeSrc/environment/lib/helper.ts';

const temps: string[] = [];
after(async () => {
  await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
});

/** A temporary project from path → contents. */
async function project(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'minter-kinde-'));
  temps.push(root);
  for (const [path, contents] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), contents);
  }
  return root;
}

const WORKFLOW = (id: string): string =>
  `export const workflowSettings = { id: "${id}", trigger: "m2m:token_generation" };\nexport default async () => {};\n`;

describe('readKindeProject: Kinde repository layout (notes §4.1)', () => {
  it('finds both workflows of the fixture project with the files they import, paths relative to the root', async () => {
    const workflows = await readKindeProject(PROJECT);
    assert.deepEqual(
      workflows.map((w) => w.entry),
      [ADD_CLAIMS, MAP_ORG],
    );
    for (const w of workflows) {
      assert.deepEqual(Object.keys(w.files).sort(), [HELPER, ADD_CLAIMS, MAP_ORG].sort());
    }
  });

  it('both fixture workflows compile, the helper bundled into the one that imports it', async () => {
    const [addClaims, mapOrg] = await readKindeProject(PROJECT);
    assert.ok(addClaims && mapOrg);
    const a = await compileKindeWorkflow(addClaims);
    const m = await compileKindeWorkflow(mapOrg);
    assert.deepEqual(a.settings, {
      id: 'addClaims',
      trigger: 'm2m:token_generation',
      failurePolicy: 'continue',
      bindings: ['kinde.m2mToken', 'kinde.env'],
    });
    assert.equal(m.settings.id, 'm2mTokenGeneration');
    const run = await runBundle(a.code, { env: { TIER: { value: 'gold', isSecret: false } } });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.claims, { client: 'abc', audience: 'https://api.example', tier: 'gold' });
  });

  it('compileKindeProject compiles every workflow (Minter allows several per trigger)', async () => {
    const compiled = await compileKindeProject(PROJECT);
    assert.deepEqual(
      compiled.map((c) => c.compiled.settings.id),
      ['addClaims', 'm2mTokenGeneration'],
    );
  });

  it('compileKindeProject refuses two workflows with the same id, as a Kinde sync does', async () => {
    const root = await project({
      'kindeSrc/environment/workflows/aWorkflow.ts': WORKFLOW('same'),
      'kindeSrc/environment/workflows/bWorkflow.ts': WORKFLOW('same'),
    });
    await assert.rejects(
      compileKindeProject(root),
      (e: unknown) =>
        e instanceof WorkflowCompileError &&
        e.file === 'kindeSrc/environment/workflows/bWorkflow.ts' &&
        /"same" is also used by/.test(e.message),
    );
  });

  it('honours rootDir from kinde.json; the Workflow suffix is case-insensitive; other files are not entries', async () => {
    const root = await project({
      'kinde.json': JSON.stringify({ rootDir: 'src/kinde', version: '2024-12-09' }),
      'src/kinde/environment/workflows/oneworkflow.js': WORKFLOW('one'),
      'src/kinde/environment/workflows/deep/TwoWORKFLOW.tsx': WORKFLOW('two'),
      'src/kinde/environment/workflows/helpers.ts': 'export {};',
      'src/kinde/environment/workflows/fooWorkflow.test.ts': 'export {};',
      'src/kinde/environment/workflows/node_modules/x/yWorkflow.ts': 'export {};',
      'src/kinde/environment/pages/page.tsx': 'export {};',
      'kindeSrc/environment/workflows/ignoredWorkflow.ts': WORKFLOW('ignored'),
    });
    const workflows = await readKindeProject(root);
    assert.deepEqual(
      workflows.map((w) => w.entry),
      ['src/kinde/environment/workflows/deep/TwoWORKFLOW.tsx', 'src/kinde/environment/workflows/oneworkflow.js'],
    );
    assert.ok(!Object.keys(workflows[0]?.files ?? {}).some((p) => p.includes('node_modules')));
  });

  it('without kinde.json: root is the project root (kindeSrc/) or the rootDir itself', async () => {
    const asProject = await project({ 'kindeSrc/environment/workflows/aWorkflow.ts': WORKFLOW('a') });
    assert.deepEqual(
      (await readKindeProject(asProject)).map((w) => w.entry),
      ['kindeSrc/environment/workflows/aWorkflow.ts'],
    );
    const asRootDir = await project({ 'environment/workflows/aWorkflow.ts': WORKFLOW('a') });
    assert.deepEqual(
      (await readKindeProject(asRootDir)).map((w) => w.entry),
      ['environment/workflows/aWorkflow.ts'],
    );
  });

  it('a folder that is not a Kinde project is an error naming what was expected', async () => {
    const root = await project({ 'README.md': '#' });
    await assert.rejects(readKindeProject(root), /no kindeSrc\/environment\/workflows folder/);
  });

  it('a rootDir leaving the project is refused', async () => {
    const root = await project({ 'kinde.json': JSON.stringify({ rootDir: '../elsewhere' }) });
    await assert.rejects(readKindeProject(root), /rootDir must stay inside the project/);
  });
});
