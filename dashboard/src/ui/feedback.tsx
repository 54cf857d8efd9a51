/** How outcomes are shown: errors in words where they happened, notices, empty states, loading. */
import type { ComponentChildren } from 'preact';
import type { Loaded, Task } from '../hooks';

/** An error, announced (role=alert). Nothing when there is none. */
export function ErrorText({ error }: { error: string | undefined }) {
  return error ? (
    <p role="alert" class="error">
      {error}
    </p>
  ) : null;
}

/** A write's outcome: its error, or its success message (role=status), kept in place while idle. */
export function TaskStatus({ task }: { task: Task }) {
  if (task.error) return <ErrorText error={task.error} />;
  return (
    <p role="status" class="notice">
      {task.busy ? 'Working…' : (task.message ?? '')}
    </p>
  );
}

/** What a list shows when it has nothing yet: what to do first. */
export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p>
        <strong>{title}</strong>
      </p>
      {children && <p>{children}</p>}
    </div>
  );
}

/** Renders `children(data)` once loaded; the error or a loading line before that. */
export function LoadedView<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (loaded.error && loaded.data === undefined) return <ErrorText error={loaded.error} />;
  if (loaded.data === undefined) return <p class="muted">Loading…</p>;
  return (
    <>
      <ErrorText error={loaded.error} />
      {children(loaded.data)}
    </>
  );
}

/** Shown instead of a page whose reading scope the token lacks. */
export function NeedsScope({ scope }: { scope: string }) {
  return (
    <Empty title={`Your client's token lacks ${scope}.`}>
      Sign in with a client whose grant on the management API includes {scope} to see this page.
    </Empty>
  );
}
