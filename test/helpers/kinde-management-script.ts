/**
 * A script as a Kinde user writes it with `@kinde/management-api-js` (unmodified), run as its own process so that
 * NODE_EXTRA_CA_CERTS trusts the test's self-signed certificate, as an operator would set it. The package reads
 * KINDE_DOMAIN (`host:port`; it prefixes `https://`), KINDE_MANAGEMENT_CLIENT_ID and KINDE_MANAGEMENT_CLIENT_SECRET,
 * takes a token for `https://<domain>/api` at `/oauth2/token`, then: creates an M2M application, registers an API with
 * a scope and authorizes the application for it, creates an organization, links them with the `org_code` property
 * the organization-mapping workflow reads, stores a secret environment variable, walks the applications list in pages
 * of 2, and calls one path Minter does not serve. Reads API_AUDIENCE; prints one JSON line.
 */
// The package's type declarations re-export without file extensions, which TypeScript's NodeNext resolution cannot
// follow: its classes are typed `any` here. The code that runs is the package's own, as published.
const { ApiError, Apis, Applications, EnvironmentVariables, init, Organizations, Users } =
  (await import('@kinde/management-api-js')) as any;

init();

const { application } = await Applications.createApplication({ requestBody: { name: 'Billing service', type: 'm2m' } });
const { api } = await Apis.addApis({ requestBody: { name: 'Billing API', audience: process.env.API_AUDIENCE! } });
await Apis.addApiScope({ apiId: api.id, requestBody: { key: 'read:invoices', description: 'Read invoices' } });
const authorized = await Apis.updateApiApplications({
  apiId: api.id,
  requestBody: { applications: [{ id: application.client_id }] },
});
const { scopes } = await Apis.getApiScopes({ apiId: api.id });
await Apis.addApiApplicationScope({ apiId: api.id, applicationId: application.id, scopeId: scopes[0].id });

const { organization } = await Organizations.createOrganization({
  requestBody: { name: 'Acme Corp', external_id: 'crm-42' },
});
await Applications.updateApplicationsProperty({
  applicationId: application.id,
  propertyKey: 'org_code',
  requestBody: { value: organization.code },
});
const { properties } = await Applications.getApplicationPropertyValues({ applicationId: application.id });
const org = await Organizations.getOrganization({ code: organization.code });

await EnvironmentVariables.createEnvironmentVariable({
  requestBody: { key: 'BILLING_WEBHOOK_SECRET', value: 'whsec-do-not-show', is_secret: true },
});
const { environment_variables } = await EnvironmentVariables.getEnvironmentVariables();

const listed: string[] = [];
let nextToken: string | undefined;
let pages = 0;
do {
  const page = await Applications.getApplications({ pageSize: 2, ...(nextToken && { nextToken }) });
  listed.push(...(page.applications ?? []).map((a: { id: string }) => a.id));
  nextToken = page.next_token ?? undefined;
  pages++;
} while (nextToken);

let notServed: { status: number; body: unknown } | undefined;
try {
  await Users.getUsers();
} catch (error: any) {
  if (!(error instanceof ApiError)) throw error;
  notServed = { status: error.status, body: error.body };
}

process.stdout.write(
  JSON.stringify({
    application,
    api,
    authorized,
    scopes,
    organization,
    properties,
    org,
    environment_variables,
    listed,
    pages,
    notServed,
  }) + '\n',
);
