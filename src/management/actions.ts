/**
 * `/api/v2/actions/actions`: list, create, read, update, delete (deploy, versions, roll back and test are in
 * action-versions.ts). Auth0 actions (`credentials-exchange`) and Kinde workflows (`m2m:token_generation`) share
 * the shape; a workflow's code is its entry file, `files` holds what it imports.
 */
import type { FastifyInstance } from 'fastify';
import { BadRequest, Conflict, NotFound } from '../errors.js';
import { newUuid } from '../ids.js';
import type { Registry } from '../registry/registry.js';
import {
  countBindingsOf,
  deleteAction,
  deleteBindingsOf,
  findAction,
  findActionByName,
  findActionVersion,
  insertAction,
  listActions,
  updateAction,
  type ActionRow,
} from '../store/actions.js';
import { versionSecretsContext } from '../triggers/chain-loader.js';
import type { TriggerId } from '../triggers/contract.js';
import { mergeSecrets, secretsSchema } from './action-secrets.js';
import { actionView } from './action-views.js';
import { bundleSchema, dependenciesSchema, draftDependencies, type DependencyBody } from './action-dependencies.js';
import { actionDeployer, type ActionRouteOptions } from './action-deployer.js';
import { registerActionVersionRoutes } from './action-versions.js';
import { actionsPagingSchema, countedSlice } from './paging.js';
import { idParam, ignoredFields, timestampsSent, unchangeable } from './schemas.js';

const TRIGGERS = ['credentials-exchange', 'm2m:token_generation'] as const;
const RUNTIME_FOR: Record<TriggerId, string[]> = {
  'credentials-exchange': ['node22', 'node18'],
  'm2m:token_generation': ['kinde'],
};

const editable = {
  name: { type: 'string', minLength: 1, maxLength: 100 },
  code: { type: 'string', maxLength: 100 * 1024 },
  runtime: { type: 'string', enum: ['node22', 'node18', 'kinde'] },
  dependencies: dependenciesSchema,
  bundle: bundleSchema,
  secrets: secretsSchema,
  files: {
    type: 'object',
    maxProperties: 100,
    additionalProperties: { type: 'string', maxLength: 512 * 1024 },
    description: 'Kinde workflows: files the entry imports, path → source',
  },
  entry_path: { type: 'string', minLength: 1, maxLength: 500 },
} as const;

/** What GET returns beside the editable fields: accepted back on POST and PATCH, and ignored. */
const sentBack = {
  ...ignoredFields('status', 'all_changes_deployed', 'deployed_version'),
  ...timestampsSent,
} as const;

const supportedTriggersSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 1,
  items: {
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: { id: { type: 'string', enum: TRIGGERS }, version: { type: 'string' } },
  },
} as const;

interface ActionBody extends DependencyBody {
  name?: string;
  code?: string;
  runtime?: string;
  secrets?: Array<{ name: string; value?: string }>;
  files?: Record<string, string>;
  entry_path?: string;
}

export function registerActionRoutes(app: FastifyInstance, registry: Registry, options: ActionRouteOptions): void {
  const { db, box } = registry;
  const mustFind = async (id: string) => {
    const row = await findAction(db, id);
    if (!row) throw new NotFound(`The action ${id} does not exist`);
    return row;
  };
  const deployedOf = async (action: ActionRow) =>
    action.deployed_version_id ? findActionVersion(db, action.id, action.deployed_version_id) : undefined;
  const view = async (action: ActionRow) => actionView(action, await deployedOf(action));
  const { deploy } = actionDeployer(registry, options);

  app.get<{
    Querystring: { triggerId?: string; actionName?: string; deployed?: boolean; page?: number; per_page?: number };
  }>(
    '/actions/actions',
    {
      config: { scope: 'read:actions' },
      schema: {
        tags: ['actions'],
        querystring: {
          type: 'object',
          properties: {
            triggerId: { type: 'string', enum: TRIGGERS },
            actionName: { type: 'string' },
            deployed: { type: 'boolean' },
            ...actionsPagingSchema,
          },
        },
      },
    },
    async (request) => {
      const q = request.query;
      const all = (await listActions(db)).filter(
        (a) =>
          (!q.triggerId || a.trigger_id === q.triggerId) &&
          (!q.actionName || a.name === q.actionName) &&
          (q.deployed === undefined || Boolean(a.deployed_version_id) === q.deployed),
      );
      const { slice, ...counts } = countedSlice(all, q);
      return { actions: await Promise.all(slice.map(view)), ...counts };
    },
  );

  app.post<{
    Body: ActionBody & {
      name: string;
      code: string;
      supported_triggers: Array<{ id: TriggerId; version?: string }>;
      deploy?: boolean;
    };
  }>(
    '/actions/actions',
    {
      config: { scope: 'create:actions' },
      bodyLimit: options.bodyLimit,
      schema: {
        tags: ['actions'],
        body: {
          type: 'object',
          required: ['name', 'supported_triggers', 'code'],
          additionalProperties: false,
          properties: {
            ...editable,
            ...sentBack,
            supported_triggers: supportedTriggersSchema,
            deploy: { type: 'boolean' },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const triggerId = body.supported_triggers[0]!.id;
      const runtime = body.runtime ?? RUNTIME_FOR[triggerId][0]!;
      if (!RUNTIME_FOR[triggerId].includes(runtime)) {
        throw new BadRequest(
          `Payload validation error: runtime "${runtime}" cannot run trigger ${triggerId}; use ${RUNTIME_FOR[triggerId].join(' or ')}`,
        );
      }
      if (await findActionByName(db, body.name)) throw new Conflict(`An action named "${body.name}" already exists`);
      const { dependencies, bundle } = draftDependencies(body, triggerId, undefined);
      const id = newUuid();
      const { values, names } = mergeSecrets(box, undefined, body.secrets);
      const action = await insertAction(db, {
        id,
        name: body.name,
        trigger_id: triggerId,
        code: body.code,
        files: body.files ?? {},
        entry_path: body.entry_path ?? null,
        runtime,
        dependencies: dependencies ?? [],
        bundle,
        secrets: box.seal(JSON.stringify(values), versionSecretsContext(id)),
        secret_names: names,
      });
      if (body.deploy) {
        // Create and deploy are one step for the caller: a build that fails creates nothing, so a retry of the
        // same request is not a 409 on the draft the failure would have left.
        try {
          await deploy(action);
        } catch (error) {
          await deleteAction(db, id);
          throw error;
        }
      }
      return reply.code(201).send(await view((await findAction(db, id))!));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/actions/actions/:id',
    { config: { scope: 'read:actions' }, schema: { tags: ['actions'], params: idParam('id') } },
    async (request) => view(await mustFind(request.params.id)),
  );

  app.patch<{
    Params: { id: string };
    Body: ActionBody & { id?: string; supported_triggers?: Array<{ id: TriggerId; version?: string }> };
  }>(
    '/actions/actions/:id',
    {
      config: { scope: 'update:actions' },
      bodyLimit: options.bodyLimit,
      schema: {
        tags: ['actions'],
        params: idParam('id'),
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ...editable,
            ...sentBack,
            id: { type: 'string', maxLength: 64 },
            supported_triggers: supportedTriggersSchema,
          },
        },
      },
    },
    async (request) => {
      const action = await mustFind(request.params.id);
      const body = request.body;
      unchangeable(body, action, ['id'], 'an action keeps its id');
      // Auth0 takes supported_triggers on update; an action here stays on the trigger it was made for (its
      // bindings and versions are that trigger's), so the same trigger is accepted and another refused.
      const trigger = body.supported_triggers?.[0]?.id;
      if (trigger !== undefined && trigger !== action.trigger_id) {
        throw new BadRequest(
          `Payload validation error: body.supported_triggers: the action supports ${action.trigger_id} and cannot move to ${trigger}; create a new action`,
          { errorCode: 'incompatible_trigger' },
        );
      }
      if (body.runtime && !RUNTIME_FOR[action.trigger_id as TriggerId].includes(body.runtime)) {
        throw new BadRequest(
          `Payload validation error: runtime "${body.runtime}" cannot run trigger ${action.trigger_id}`,
        );
      }
      if (body.name && body.name !== action.name && (await findActionByName(db, body.name))) {
        throw new Conflict(`An action named "${body.name}" already exists`);
      }
      const { values, names } = mergeSecrets(box, action, body.secrets);
      const { dependencies, bundle } = draftDependencies(body, action.trigger_id, action);
      const updated = await updateAction(db, action.id, {
        ...(dependencies !== undefined && { dependencies }),
        ...(bundle !== undefined && { bundle }),
        ...(body.name !== undefined && { name: body.name }),
        ...(body.code !== undefined && { code: body.code }),
        ...(body.runtime !== undefined && { runtime: body.runtime }),
        ...(body.files !== undefined && { files: body.files }),
        ...(body.entry_path !== undefined && { entry_path: body.entry_path }),
        ...(body.secrets !== undefined && {
          secrets: box.seal(JSON.stringify(values), versionSecretsContext(action.id)),
          secret_names: names,
        }),
      });
      // A renamed, bound action changes the name the engine reports.
      await registry.changed();
      return view(updated!);
    },
  );

  app.delete<{ Params: { id: string }; Querystring: { force?: boolean } }>(
    '/actions/actions/:id',
    {
      config: { scope: 'delete:actions' },
      schema: {
        tags: ['actions'],
        params: idParam('id'),
        querystring: { type: 'object', properties: { force: { type: 'boolean', default: false } } },
      },
    },
    async (request, reply) => {
      const action = await mustFind(request.params.id);
      if ((await countBindingsOf(db, action.id)) > 0) {
        if (!request.query.force)
          throw new Conflict('The action is bound to a trigger; unbind it first or pass ?force=true');
        await deleteBindingsOf(db, action.id);
      }
      await deleteAction(db, action.id);
      await registry.changed();
      return reply.code(204).send();
    },
  );

  registerActionVersionRoutes(app, registry, options, { mustFind });
}
