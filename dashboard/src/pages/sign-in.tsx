/** The sign-in form: a management API client's ID and secret, traded for a token kept in memory only. */
import { useState } from 'preact/hooks';
import { signIn, SignInError, type Session } from '../session';
import { ErrorText } from '../ui/feedback';

export function SignIn({ onSignedIn, notice }: { onSignedIn: (session: Session) => void; notice?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError(undefined);
    try {
      const session = await signIn(String(data.get('client_id')).trim(), String(data.get('client_secret')));
      form.reset();
      onSignedIn(session);
    } catch (caught) {
      setError(caught instanceof SignInError ? caught.message : `Sign-in failed: ${String(caught)}`);
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Minter</h1>
      <p>
        Sign in with a client of the management API: the admin client Minter printed on its first start, or any client
        with a grant on it.
      </p>
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      <form onSubmit={submit} aria-label="Sign in">
        <label class="field">
          <span class="label">Client ID</span>
          <input name="client_id" autocomplete="username" required spellcheck={false} />
        </label>
        <label class="field">
          <span class="label">Client secret</span>
          <input name="client_secret" type="password" autocomplete="current-password" required />
        </label>
        <ErrorText error={error} />
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
      <p class="hint">The token stays in this tab's memory: reloading the page or signing out forgets it.</p>
    </main>
  );
}
