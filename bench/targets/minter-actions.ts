/**
 * Binds Auth0 `credentials-exchange` actions through Minter's management API, in Auth0's shape: create, wait until
 * built, deploy, then one PATCH of the trigger's bindings with the whole chain.
 *
 * Until the actions routes exist they answer 404; the scenario is then skipped, not failed.
 */
import type { MinterAdmin } from './minter-admin.js';
import { TIER_CLAIM, type Skipped } from './target.js';

/** The claim the `index`-th action (0-based) sets: the first is the one-action scenario's claim. */
export const claimOf = (index: number) => (index === 0 ? TIER_CLAIM : `${TIER_CLAIM}-${index + 1}`);

/** An action that sets one custom claim and does nothing else. */
const actionCode = (claim: string) =>
  `exports.onExecuteCredentialsExchange = async (event, api) => { api.accessToken.setCustomClaim(${JSON.stringify(claim)}, 'gold'); };\n`;

const TRIGGER = 'credentials-exchange';
/** How long an action may take to build and deploy (ms). */
const READY_WITHIN = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits while Auth0's action `status` says the build is under way (`pending`, `building`, `retrying`). */
async function waitUntilBuilt(admin: MinterAdmin, id: string): Promise<void> {
  const until = Date.now() + READY_WITHIN;
  for (;;) {
    const action = await admin.must<{ status?: string }>('GET', `/actions/actions/${encodeURIComponent(id)}`);
    if (action.status === 'failed') throw new Error(`action ${id} failed to build: ${JSON.stringify(action)}`);
    if (!['pending', 'building', 'retrying'].includes(action.status ?? '')) return;
    if (Date.now() > until) throw new Error(`action ${id} still "${action.status}" after ${READY_WITHIN} ms`);
    await sleep(200);
  }
}

/** Deploys, retrying a refusal for a while (a deploy may be refused until the build is done). */
async function deploy(admin: MinterAdmin, id: string): Promise<void> {
  const until = Date.now() + READY_WITHIN;
  for (;;) {
    const answer = await admin.call('POST', `/actions/actions/${encodeURIComponent(id)}/deploy`);
    if (answer.status >= 200 && answer.status < 300) return;
    if (answer.status === 404 || Date.now() > until) {
      throw new Error(`deploy of action ${id} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
    }
    await sleep(200);
  }
}

/**
 * Creates, deploys and binds `count` actions (in that order); returns the claims the token must then carry,
 * or why the scenario cannot run.
 */
export async function bindActions(
  admin: MinterAdmin,
  count: number,
): Promise<{ claims: Record<string, string> } | Skipped> {
  const ids: string[] = [];
  const claims: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const claim = claimOf(i);
    const created = await admin.call<{ id?: string }>('POST', '/actions/actions', {
      name: `bench-set-claim-${i + 1}`,
      supported_triggers: [{ id: TRIGGER, version: 'v2' }],
      code: actionCode(claim),
    });
    if (created.status === 404)
      return { skipped: 'actions API not available (POST /api/v2/actions/actions answered 404)' };
    if (created.status < 200 || created.status > 299 || !created.body?.id) {
      throw new Error(
        `POST /api/v2/actions/actions answered ${created.status}: ${JSON.stringify(created.body).slice(0, 300)}`,
      );
    }
    ids.push(created.body.id);
    claims[claim] = 'gold';
  }
  for (const id of ids) {
    await waitUntilBuilt(admin, id);
    await deploy(admin, id);
  }
  await admin.must('PATCH', `/actions/triggers/${TRIGGER}/bindings`, {
    bindings: ids.map((value, i) => ({ ref: { type: 'action_id', value }, display_name: `bench-set-claim-${i + 1}` })),
  });
  return { claims };
}
