/** What every page reads: the API client and what the signed-in client's scopes allow. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api';
import type { Session } from './session';

export interface Console {
  session: Session;
  api: Api;
  /** Whether the token carries `scope`. */
  can(scope: string): boolean;
}

export const ConsoleContext = createContext<Console | undefined>(undefined);

export function useConsole(): Console {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside a signed-in console');
  return value;
}
