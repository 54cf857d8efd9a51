/**
 * Deploying and running action versions: `deploy` (an immutable numbered version, built first so that broken code
 * is a 400 here and never a failure on the token path), versions list and get, roll back, lifting a quarantine,
 * and `test`.
 */
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../errors.js';
import { newUuid } from '../ids.js';
import type { Registry } from '../registry/registry.js';
import {
  findActionVersion,
  liftQuarantine,
  listActionVersions,
  setDeployedVersion,
  updateAction,
  type ActionRow,
} from '../store/actions.js';
import { deployedAction, openSecrets } from '../triggers/chain-loader.js';
import { loadKindeEnvironment } from '../triggers/kinde/environment.js';
import { testRequestFromPayload } from '../triggers/test-payload.js';
import { actionDeployer, engineOf, type ActionRouteOptions } from './action-deployer.js';
import { actionVersionView, versionBundle } from './action-views.js';
import { actionsPagingSchema, countedPage } from './paging.js';
import { idParam, idParams } from './schemas.js';

export function registerActionVersionRoutes(
  app: FastifyInstance,
  registry: Registry,
  options: ActionRouteOptions,
  helpers: { mustFind: (id: string) => Promise<ActionRow> },
): void {
  const { db, box } = registry;
  const { mustFind } = helpers;
  const { build, deploy } = actionDeployer(registry, options);

  app.post<{ Params: { id: string } }>(
    '/actions/actions/:id/deploy',
    { config: { scope: 'create:actions' }, schema: { tags: ['actions'], params: idParam('id') } },
    async (request, reply) => reply.code(201).send(await deploy(await mustFind(request.params.id))),
  );

  app.get<{ Params: { id: string }; Querystring: { page?: number; per_page?: number } }>(
    '/actions/actions/:id/versions',
    {
      config: { scope: 'read:actions' },
      schema: {
        tags: ['actions'],
        params: idParam('id'),
        querystring: { type: 'object', properties: actionsPagingSchema },
      },
    },
    async (request) => {
      const action = await mustFind(request.params.id);
      const versions = (await listActionVersions(db, action.id)).map((v) => actionVersionView(action, v));
      return countedPage(versions, request.query, 'versions');
    },
  );

  app.get<{ Params: { id: string; versionId: string } }>(
    '/actions/actions/:id/versions/:versionId',
    { config: { scope: 'read:actions' }, schema: { tags: ['actions'], params: idParams('id', 'versionId') } },
    async (request) => {
      const action = await mustFind(request.params.id);
      const version = await findActionVersion(db, action.id, request.params.versionId);
      if (!version) throw new NotFound(`The version ${request.params.versionId} does not exist`);
      return actionVersionView(action, version);
    },
  );

  app.post<{ Params: { id: string; versionId: string }; Body: { update_draft?: boolean } | undefined }>(
    '/actions/actions/:id/versions/:versionId/deploy',
    {
      config: { scope: 'create:actions' },
      schema: {
        tags: ['actions'],
        params: idParams('id', 'versionId'),
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { update_draft: { type: 'boolean' } },
        },
      },
    },
    async (request, reply) => {
      const action = await mustFind(request.params.id);
      const version = await findActionVersion(db, action.id, request.params.versionId);
      if (!version) throw new NotFound(`The version ${request.params.versionId} does not exist`);
      // Roll back: the old version runs again as it was built; optionally the draft becomes its code.
      let updated = await setDeployedVersion(db, action.id, version.id);
      if (request.body?.update_draft) {
        updated = (await updateAction(db, action.id, {
          code: version.code,
          files: version.files,
          entry_path: version.entry_path,
          secrets: version.secrets,
          dependencies: version.dependencies,
          // The version's bundle comes back with its code: deploying the draft again needs no registry.
          bundle: version.dependencies.length > 0 ? versionBundle(version) : null,
        }))!;
      }
      await registry.changed();
      return reply.code(201).send(actionVersionView(updated!, version));
    },
  );

  // Minter's own route (Auth0 has no quarantine): the version runs again, on every instance, from the next reload.
  app.delete<{ Params: { id: string; versionId: string } }>(
    '/actions/actions/:id/versions/:versionId/quarantine',
    {
      config: { scope: 'update:actions' },
      schema: {
        tags: ['actions'],
        description:
          'Lifts the quarantine of a version that was loading or first running when a Minter process died ' +
          '(docs/security.md, "quarantine"): it is prewarmed and runs again. 204 also when it was not quarantined.',
        params: idParams('id', 'versionId'),
      },
    },
    async (request, reply) => {
      const action = await mustFind(request.params.id);
      const version = await findActionVersion(db, action.id, request.params.versionId);
      if (!version) throw new NotFound(`The version ${request.params.versionId} does not exist`);
      if (await liftQuarantine(db, action.id, version.id)) {
        request.log.warn({ action_id: action.id, version_id: version.id }, 'action version quarantine lifted');
        await registry.changed();
      }
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { id: string }; Body: { payload?: Record<string, unknown> } }>(
    '/actions/actions/:id/test',
    {
      config: { scope: 'create:actions' },
      schema: {
        tags: ['actions'],
        params: idParam('id'),
        body: { type: 'object', additionalProperties: false, properties: { payload: { type: 'object' } } },
      },
    },
    async (request) => {
      const action = await mustFind(request.params.id);
      const runner = engineOf(options);
      const built = await build(action);
      await options.beforeTest?.();
      const result = await runner.test(
        deployedAction({
          actionId: action.id,
          versionId: `draft-${newUuid()}`,
          name: action.name,
          triggerId: action.trigger_id,
          code: built.compiled,
          secrets: openSecrets(box, action.id, action.secrets),
          settings: built.settings as Record<string, unknown>,
          // A Kinde workflow under test reads the environment variables too, as it will once bound.
          ...(action.trigger_id === 'm2m:token_generation' && { environment: await loadKindeEnvironment(db, box) }),
        }),
        testRequestFromPayload(request.body.payload ?? {}, options),
      );
      const only = result.results[0];
      return {
        payload: {
          status: only?.status ?? 'ok',
          ...(result.denial && { denial: result.denial }),
          claims: result.claims,
          scopes: result.scopes,
          logs: only?.logs ?? [],
          refused_claims: only?.refused_claims ?? [],
          ...(only?.error && { error: only.error }),
          duration_ms: only?.duration_ms ?? 0,
        },
      };
    },
  );
}
