/**
 * The exact audience to use when a token request names an API that does not exist but looks like one that does:
 * the same path under another host name, scheme or port (the management API reached as `127.0.0.1` while the issuer
 * says `localhost`), or the identifier without (or with an extra) trailing slash, or in another case. Only on the
 * failure path; the index is built once per snapshot's set of APIs.
 */
import type { ApiEntry } from '../registry/snapshot.js';

/** Normalised key → identifier, or null when two APIs share the key (then no hint is given). */
type Index = Map<string, string | null>;

const indexes = new WeakMap<ReadonlyMap<string, ApiEntry>, Index>();

/**
 * What an identifier is compared by, without trailing slashes and in any case: a URL's path (its host when the path
 * is empty), the whole of any other identifier.
 */
function keyOf(identifier: string): string | undefined {
  let key = identifier.replace(/\/+$/, '');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(identifier)) {
    try {
      const url = new URL(identifier);
      key = url.pathname.replace(/\/+$/, '') || `//${url.host}`;
    } catch {
      // Not a URL after all: compared whole.
    }
  }
  key = key.toLowerCase();
  return key === '' ? undefined : key;
}

function indexOf(apis: ReadonlyMap<string, ApiEntry>): Index {
  let index = indexes.get(apis);
  if (index === undefined) {
    index = new Map();
    for (const identifier of apis.keys()) {
      const key = keyOf(identifier);
      if (key !== undefined) index.set(key, index.has(key) ? null : identifier);
    }
    indexes.set(apis, index);
  }
  return index;
}

/** The identifier of the one API `audience` was probably meant for, if any. */
export function nearAudience(audience: string, apis: ReadonlyMap<string, ApiEntry>): string | undefined {
  const key = keyOf(audience);
  if (key === undefined) return undefined;
  const identifier = indexOf(apis).get(key);
  return identifier === null || identifier === audience ? undefined : identifier;
}
