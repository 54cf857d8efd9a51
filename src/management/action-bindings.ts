/**
 * `/api/v2/actions/triggers` (list), `/actions/triggers/{id}/bindings` (get; PATCH replaces them, list order =
 * run order) and `/actions/executions/{id}` (what each action of one token request did).
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest, NotFound } from '../errors.js';
import { newUuid } from '../ids.js';
import type { Flushable } from '../observability/batch-writer.js';
import type { Registry } from '../registry/registry.js';
import { findAction, findActionByName, listBindings, replaceBindings } from '../store/actions.js';
import { findExecution } from '../store/logs.js';
import { TRIGGER_IDS } from '../triggers/contract.js';
import { bindingView, TRIGGER_VERSION } from './action-views.js';
import { actionsPagingSchema, countedPage } from './paging.js';
import { idParam } from './schemas.js';

/** Auth0: at most 20 actions per trigger. */
const MAX_BINDINGS = 20;

const triggerParam = {
  type: 'object',
  required: ['triggerId'],
  properties: { triggerId: { type: 'string', enum: TRIGGER_IDS } },
} as const;

interface BindingRef {
  ref: { type: 'action_id' | 'action_name' | 'binding_id'; value: string };
  display_name?: string;
}

export function registerActionBindingRoutes(app: FastifyInstance, registry: Registry, logs: Flushable): void {
  const db = registry.db;

  async function bindingsOf(triggerId: string) {
    const rows = await listBindings(db, triggerId);
    const out = [];
    for (const row of rows) {
      const action = await findAction(db, row.action_id);
      if (action) out.push(bindingView(row, action));
    }
    return out;
  }

  app.get('/actions/triggers', { config: { scope: 'read:actions' }, schema: { tags: ['actions'] } }, async () => ({
    triggers: [
      {
        id: 'credentials-exchange',
        version: TRIGGER_VERSION['credentials-exchange'],
        status: 'CURRENT',
        runtimes: ['node22', 'node18'],
        default_runtime: 'node22',
        compatible_triggers: [],
        binding_policy: 'trigger-bound',
      },
      {
        id: 'm2m:token_generation',
        version: TRIGGER_VERSION['m2m:token_generation'],
        status: 'CURRENT',
        runtimes: ['kinde'],
        default_runtime: 'kinde',
        compatible_triggers: [],
        binding_policy: 'trigger-bound',
      },
    ],
  }));

  app.get<{ Params: { triggerId: string }; Querystring: { page?: number; per_page?: number } }>(
    '/actions/triggers/:triggerId/bindings',
    {
      config: { scope: 'read:actions' },
      schema: {
        tags: ['actions'],
        params: triggerParam,
        querystring: { type: 'object', properties: actionsPagingSchema },
      },
    },
    async (request) => countedPage(await bindingsOf(request.params.triggerId), request.query, 'bindings'),
  );

  app.patch<{ Params: { triggerId: string }; Body: { bindings: BindingRef[] } }>(
    '/actions/triggers/:triggerId/bindings',
    {
      config: { scope: 'update:actions' },
      schema: {
        tags: ['actions'],
        params: triggerParam,
        body: {
          type: 'object',
          required: ['bindings'],
          additionalProperties: false,
          properties: {
            bindings: {
              type: 'array',
              maxItems: MAX_BINDINGS,
              items: {
                type: 'object',
                required: ['ref'],
                additionalProperties: false,
                properties: {
                  ref: {
                    type: 'object',
                    required: ['type', 'value'],
                    additionalProperties: false,
                    properties: {
                      type: { type: 'string', enum: ['action_id', 'action_name', 'binding_id'] },
                      value: { type: 'string', minLength: 1 },
                    },
                  },
                  display_name: { type: 'string', minLength: 1, maxLength: 100 },
                  secrets: { type: 'array' },
                },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const { triggerId } = request.params;
      const existing = await listBindings(db, triggerId);
      const resolved: Array<{ id: string; action_id: string; display_name: string }> = [];
      for (const [index, { ref, display_name }] of request.body.bindings.entries()) {
        const where = `bindings[${index}]`;
        let action;
        let bindingId: string = newUuid();
        if (ref.type === 'binding_id') {
          const binding = existing.find((b) => b.id === ref.value);
          if (!binding) throw new BadRequest(`${where}: binding ${ref.value} is not bound to ${triggerId}`);
          action = await findAction(db, binding.action_id);
          bindingId = binding.id;
        } else {
          action = ref.type === 'action_id' ? await findAction(db, ref.value) : await findActionByName(db, ref.value);
        }
        if (!action) throw new BadRequest(`${where}: no action with ${ref.type.replace('action_', '')} "${ref.value}"`);
        if (action.trigger_id !== triggerId) {
          throw new BadRequest(`${where}: action "${action.name}" supports ${action.trigger_id}, not ${triggerId}`, {
            errorCode: 'incompatible_trigger',
          });
        }
        if (!action.deployed_version_id)
          throw new BadRequest(`${where}: action "${action.name}" must be deployed before it is bound`, {
            errorCode: 'not_deployed',
          });
        if (resolved.some((r) => r.action_id === action.id))
          throw new BadRequest(`${where}: action "${action.name}" is listed twice`);
        resolved.push({ id: bindingId, action_id: action.id, display_name: display_name ?? action.name });
      }
      await replaceBindings(db, triggerId, resolved);
      await registry.changed();
      return { bindings: await bindingsOf(triggerId) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/actions/executions/:id',
    { config: { scope: 'read:actions' }, schema: { tags: ['actions'], params: idParam('id') } },
    async (request) => {
      // Records still buffered become visible first: the id comes from a log the caller just read.
      await logs.flush();
      const row = await findExecution(db, request.params.id);
      if (!row?.execution) throw new NotFound(`The execution ${request.params.id} does not exist`);
      return {
        id: row.execution_id,
        ...row.execution,
        created_at: row.date.toISOString(),
        updated_at: row.date.toISOString(),
      };
    },
  );
}
