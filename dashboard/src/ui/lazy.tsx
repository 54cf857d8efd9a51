/** A component whose module loads on first use (the code editor, the charts), so the first screen paints sooner. */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export function lazy<P extends object>(load: () => Promise<{ default: ComponentType<P> }>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let failed: string | undefined;
  return function Lazy(props: P) {
    const [, setReady] = useState(0);
    useEffect(() => {
      if (loaded || failed) return;
      load().then(
        (module) => {
          loaded = module.default;
          setReady((n) => n + 1);
        },
        (error: unknown) => {
          failed = `Part of the dashboard did not load (${String(error)}): reload the page.`;
          setReady((n) => n + 1);
        },
      );
    }, []);
    if (failed)
      return (
        <p role="alert" class="error">
          {failed}
        </p>
      );
    if (!loaded) return <p class="muted">Loading…</p>;
    const Component = loaded;
    return <Component {...props} />;
  };
}
