/** Loading data and running writes, with their errors kept for the place they happened. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload(): void;
}

/** Runs `load` on mount and whenever `deps` change; an answer that arrives after a newer call is dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const call = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => call === latest.current && setState({ data, loading: false }),
      (error: unknown) =>
        call === latest.current && setState((s) => ({ ...s, error: errorText(error), loading: false })),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Calls `tick` every `ms` while mounted and `active`. */
export function useInterval(tick: () => void, ms: number, active = true): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => saved.current(), ms);
    return () => clearInterval(timer);
  }, [ms, active]);
}

export interface Task {
  busy: boolean;
  error: string | undefined;
  /** What the last run reported when it succeeded. */
  message: string | undefined;
  /** Runs `work`; its resolved text (if any) becomes `message`, its rejection `error`. */
  run(work: () => Promise<string | void>): Promise<boolean>;
  clear(): void;
}

/** A write the user started: busy while it runs, then its outcome in words. */
export function useTask(): Task {
  const [state, setState] = useState<{ busy: boolean; error?: string; message?: string }>({ busy: false });
  const run = useCallback(async (work: () => Promise<string | void>) => {
    setState({ busy: true });
    try {
      const message = await work();
      setState({ busy: false, message: message || undefined });
      return true;
    } catch (error) {
      setState({ busy: false, error: errorText(error) });
      return false;
    }
  }, []);
  const clear = useCallback(() => setState({ busy: false }), []);
  return { busy: state.busy, error: state.error, message: state.message, run, clear };
}
