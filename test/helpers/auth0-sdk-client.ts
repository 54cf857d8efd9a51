/**
 * A service using Auth0's SDKs against Minter, as its own process (so that NODE_EXTRA_CA_CERTS trusts a test's
 * self-signed certificate, as an operator would set it): the `auth0` v5 AuthenticationClient takes a token, and the v5
 * and v7 ManagementClients list every client, resource server, client grant and organization, following pages.
 * Reads MINTER_DOMAIN (`host:port`), CLIENT_ID, CLIENT_SECRET and AUDIENCE; prints one JSON line.
 */
import { ManagementClient as ManagementClientV7 } from 'auth0';
import { AuthenticationClient, ManagementClient as ManagementClientV5 } from 'auth0-v5';

const domain = process.env.MINTER_DOMAIN!;
const clientId = process.env.CLIENT_ID!;
const clientSecret = process.env.CLIENT_SECRET!;
const audience = process.env.AUDIENCE!;

/** Every item of a paged list, the way an SDK user walks it. */
async function all<T>(page: Promise<AsyncIterable<T>>, id: (item: T) => string | undefined): Promise<string[]> {
  const ids: string[] = [];
  for await (const item of await page) ids.push(id(item) ?? '?');
  return ids.sort();
}

type Lister = {
  clients: { list(): Promise<AsyncIterable<{ client_id?: string }>> };
  resourceServers: { list(): Promise<AsyncIterable<{ identifier?: string }>> };
  clientGrants: { list(): Promise<AsyncIterable<{ id?: string }>> };
  organizations: { list(): Promise<AsyncIterable<{ id?: string }>> };
};

async function lists(management: Lister) {
  return {
    clients: await all(management.clients.list(), (c) => c.client_id),
    resourceServers: await all(management.resourceServers.list(), (r) => r.identifier),
    clientGrants: await all(management.clientGrants.list(), (g) => g.id),
    organizations: await all(management.organizations.list(), (o) => o.id),
  };
}

const auth = new AuthenticationClient({ domain, clientId, clientSecret });
const grant = await auth.oauth.clientCredentialsGrant({ audience });
const v5 = await lists(new ManagementClientV5({ domain, clientId, clientSecret }) as unknown as Lister);
const v7 = await lists(new ManagementClientV7({ domain, clientId, clientSecret }) as unknown as Lister);
process.stdout.write(JSON.stringify({ token: grant.data.access_token, v5, v7 }) + '\n');
