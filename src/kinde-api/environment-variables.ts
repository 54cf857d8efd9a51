/**
 * `/api/v1/environment_variables`: Kinde's environment variables, the values workflows read with `kinde.env.get` and
 * `getEnvironmentVariable` (triggers/kinde/environment.ts). A secret one (`is_secret: true`; Kinde's dashboard calls
 * it "sensitive", and `sensitive` is taken as another name for it) is sealed at rest with the secret box and its
 * value is never answered again (`value: null`); it may be given a new value, but not made plain, which would show it.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { KindeError } from '../errors.js';
import { idParams } from '../management/schemas.js';
import type { Registry } from '../registry/registry.js';
import type { Db } from '../store/database.js';
import {
  deleteEnvironmentVariable,
  findEnvironmentVariable,
  findEnvironmentVariableByKey,
  insertEnvironmentVariable,
  listEnvironmentVariables,
  updateEnvironmentVariable,
  type EnvironmentVariableRow,
} from '../store/environment-variables.js';
import { clearValue, storedValue } from '../triggers/kinde/environment.js';
import { kindePage, pagingQuerySchema, type PagingQuery } from './paging.js';

/** Kinde: the key at most 128 characters, the value at most 2048. A key is what a workflow asks `kinde.env` for. */
const KEY = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' } as const;
const VALUE = { type: 'string', maxLength: 2048 } as const;

interface VariableBody {
  key?: string;
  value?: string;
  is_secret?: boolean;
  sensitive?: boolean;
}

const newVariableId = () => `env_var_${randomBytes(16).toString('hex')}`;

/** Kinde's `environment_variable`: a secret's value is never shown. */
const view = (row: EnvironmentVariableRow) => ({
  id: row.id,
  key: row.key,
  value: row.is_secret ? null : row.value,
  is_secret: row.is_secret,
  created_on: row.created_at.toISOString(),
});

/** `is_secret`, or its other name `sensitive`; both may be sent only when they agree. */
function secretFlag(body: VariableBody): boolean | undefined {
  if (body.is_secret !== undefined && body.sensitive !== undefined && body.is_secret !== body.sensitive)
    throw new KindeError(400, 'INVALID_REQUEST', 'is_secret and sensitive disagree; send one of them');
  return body.is_secret ?? body.sensitive;
}

async function mustFind(db: Db, id: string): Promise<EnvironmentVariableRow> {
  const row = await findEnvironmentVariable(db, id);
  if (!row) throw new KindeError(404, 'ENVIRONMENT_VARIABLE_NOT_FOUND', `No environment variable has the id ${id}`);
  return row;
}

async function mustBeFreeKey(db: Db, key: string, except?: string): Promise<void> {
  const holder = await findEnvironmentVariableByKey(db, key);
  if (holder && holder.id !== except)
    throw new KindeError(400, 'VARIABLE_ALREADY_EXISTS', `An environment variable already has the key ${key}`);
}

export function registerEnvironmentVariableRoutes(app: FastifyInstance, registry: Registry): void {
  const { db, box } = registry;
  const tags = ['environment variables'];
  const params = idParams('variable_id');
  const fields = { key: KEY, value: VALUE, is_secret: { type: 'boolean' }, sensitive: { type: 'boolean' } };

  app.get<{ Querystring: PagingQuery }>(
    '/environment_variables',
    {
      config: { kindeScope: 'read:environment_variables' },
      schema: { tags, querystring: { type: 'object', properties: pagingQuerySchema } },
    },
    async (request) => {
      // Kinde answers every variable with `has_more`; page_size / next_token page the list as the others do.
      const query = { page_size: Number.MAX_SAFE_INTEGER, ...request.query };
      const { items, next_token } = kindePage(await listEnvironmentVariables(db), query, {
        name: 'key',
        key: (row) => [row.key, row.id],
      });
      return {
        code: 'OK',
        message: 'Success',
        has_more: next_token !== null,
        environment_variables: items.map(view),
        next_token,
      };
    },
  );

  app.post<{ Body: VariableBody & { key: string; value: string } }>(
    '/environment_variables',
    {
      config: { kindeScope: 'create:environment_variables' },
      schema: {
        tags,
        body: { type: 'object', required: ['key', 'value'], additionalProperties: false, properties: fields },
      },
    },
    async (request, reply) => {
      const { key, value } = request.body;
      const isSecret = secretFlag(request.body) ?? false;
      await mustBeFreeKey(db, key);
      const id = newVariableId();
      await insertEnvironmentVariable(db, {
        id,
        key,
        value: storedValue(box, id, value, isSecret),
        is_secret: isSecret,
      });
      await registry.changed();
      return reply.code(201).send({
        code: 'VARIABLE_CREATED',
        message: 'Environment variable created',
        environment_variable: { id },
      });
    },
  );

  app.get<{ Params: { variable_id: string } }>(
    '/environment_variables/:variable_id',
    { config: { kindeScope: 'read:environment_variables' }, schema: { tags, params } },
    async (request) => ({
      code: 'OK',
      message: 'Success',
      environment_variable: view(await mustFind(db, request.params.variable_id)),
    }),
  );

  app.patch<{ Params: { variable_id: string }; Body: VariableBody | undefined }>(
    '/environment_variables/:variable_id',
    {
      config: { kindeScope: 'update:environment_variables' },
      schema: { tags, params, body: { type: 'object', additionalProperties: false, properties: fields } },
    },
    async (request) => {
      const row = await mustFind(db, request.params.variable_id);
      const body = request.body ?? {};
      const isSecret = secretFlag(body) ?? row.is_secret;
      if (row.is_secret && !isSecret) {
        throw new KindeError(
          400,
          'SECRET_CANNOT_BE_REVEALED',
          `The environment variable ${row.key} is secret and stays so: delete it and create it again to make it plain`,
        );
      }
      if (body.key !== undefined) await mustBeFreeKey(db, body.key, row.id);
      // A plain variable made secret is sealed now, with its value as it was unless a new one is given.
      const value = body.value ?? (isSecret !== row.is_secret ? clearValue(box, row) : undefined);
      await updateEnvironmentVariable(db, row.id, {
        ...(body.key !== undefined && { key: body.key }),
        ...(value !== undefined && { value: storedValue(box, row.id, value, isSecret) }),
        is_secret: isSecret,
      });
      await registry.changed();
      return { code: 'ENVIRONMENT_VARIABLE_UPDATED', message: 'Environment variable updated' };
    },
  );

  app.delete<{ Params: { variable_id: string } }>(
    '/environment_variables/:variable_id',
    { config: { kindeScope: 'delete:environment_variables' }, schema: { tags, params } },
    async (request) => {
      const row = await mustFind(db, request.params.variable_id);
      await deleteEnvironmentVariable(db, row.id);
      await registry.changed();
      return { code: 'ENVIRONMENT_VARIABLE_DELETED', message: 'Environment variable deleted' };
    },
  );
}
