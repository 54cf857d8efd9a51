/**
 * The console's shell: the sign-in form until a session exists, then the header (who is signed in, "Sign out"), the
 * navigation and the page the route names. Signing out, a 401 or the token's expiry drop the session.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiClient } from './api';
import { ConsoleContext, type Console } from './context';
import { startSampler, stopSampler } from './metrics-sampler';
import { ActionsPage } from './pages/actions';
import { ApisPage } from './pages/apis';
import { ApplicationsPage } from './pages/applications';
import { KeysPage } from './pages/keys';
import { LogsPage } from './pages/logs';
import { OrganizationsPage } from './pages/organizations';
import { OverviewPage } from './pages/overview';
import { SignIn } from './pages/sign-in';
import { TriggersPage } from './pages/triggers';
import { href, useRoute } from './router';
import { canWriteAnything, type Session } from './session';

const PAGES = {
  overview: { name: 'Overview', Component: OverviewPage },
  applications: { name: 'Applications', Component: ApplicationsPage },
  apis: { name: 'APIs', Component: ApisPage },
  organizations: { name: 'Organizations', Component: OrganizationsPage },
  actions: { name: 'Actions', Component: ActionsPage },
  triggers: { name: 'Triggers', Component: TriggersPage },
  logs: { name: 'Logs', Component: LogsPage },
  keys: { name: 'Keys', Component: KeysPage },
} as const;
type PageId = keyof typeof PAGES;

const isPage = (id: string | undefined): id is PageId => id !== undefined && Object.hasOwn(PAGES, id);

export function App() {
  const [session, setSession] = useState<Session>();
  const [notice, setNotice] = useState<string>();
  const route = useRoute();

  const value = useMemo<Console | undefined>(() => {
    if (!session) return undefined;
    const end = (reason: string) => {
      setSession(undefined);
      setNotice(reason);
    };
    return { session, api: apiClient(session, end), can: (scope) => session.scopes.has(scope) };
  }, [session]);

  useEffect(() => {
    if (!session) return;
    startSampler();
    // Browsers cap timers at 2^31-1 ms (~24.8 days); a management token lives a day by default.
    const timer = setTimeout(
      () => {
        setSession(undefined);
        setNotice('Your session ended: the token expired. Sign in again.');
      },
      Math.min(session.expiresAt - Date.now(), 2 ** 31 - 1),
    );
    return () => {
      clearTimeout(timer);
      stopSampler();
    };
  }, [session]);

  if (!value) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(s) => {
          setNotice(undefined);
          setSession(s);
        }}
      />
    );
  }

  const [first, ...params] = route;
  const pageId: PageId = isPage(first) ? first : 'overview';
  const { Component } = PAGES[pageId];
  const skip = (event: Event) => {
    event.preventDefault();
    document.querySelector<HTMLElement>('main h1')?.focus();
  };
  return (
    <ConsoleContext.Provider value={value}>
      <header class="top">
        <a class="skip" href="#main" onClick={skip}>
          Skip to content
        </a>
        <span class="brand">Minter</span>
        <span class="who">
          Signed in as <code>{value.session.clientId}</code>
        </span>
        <button
          type="button"
          onClick={() => {
            setSession(undefined);
            setNotice('Signed out: the token is forgotten.');
          }}
        >
          Sign out
        </button>
      </header>
      <div class="layout">
        <nav aria-label="Main">
          <ul>
            {Object.entries(PAGES).map(([id, page]) => (
              <li key={id}>
                <a href={href(id)} aria-current={id === pageId ? 'page' : undefined}>
                  {page.name}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main">
          {!canWriteAnything(value.session.scopes) && (
            <p class="banner" role="note">
              Read-only console: this client's token carries only read scopes, so every change is disabled.
            </p>
          )}
          <Component key={pageId} params={params} />
        </main>
      </div>
    </ConsoleContext.Provider>
  );
}
