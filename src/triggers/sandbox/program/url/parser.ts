/**
 * WHATWG URL inside the isolate: the basic URL parser (https://url.spec.whatwg.org/#concept-basic-url-parser), with
 * the state overrides the setters use. Each state follows the spec's steps (parser-state.ts lists the files), so it
 * reads best next to the spec.
 */
import { authorityState } from './authority-states.js';
import { AUTHORITY, CONTINUE, PATH_START, SCHEME_START, type Parse, type Step } from './parser-state.js';
import { pathState } from './path-states.js';
import { newRecord, type Failure, type UrlRecord } from './record.js';
import { schemeState } from './scheme-states.js';

export { FRAGMENT, HOST, HOSTNAME, PATH_START, PORT, QUERY, SCHEME_START } from './parser-state.js';

/**
 * Parses `input` against `base`; with `url` and `override`, changes that record from the state `override` on (a
 * setter), answering it, or FAILURE where the spec says to stop.
 */
export function basicParse(
  input: string,
  base: UrlRecord | null,
  url?: UrlRecord,
  override?: number,
): UrlRecord | Failure {
  if (!url) {
    url = newRecord();
    input = input.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  }
  input = input.replace(/[\t\n\r]/g, '');
  const s: Parse = {
    url: url,
    base: base,
    override: override || 0,
    state: override || SCHEME_START,
    buffer: '',
    atSeen: false,
    brackets: false,
    passwordSeen: false,
    cps: Array.from(input),
    p: 0,
  };
  for (;;) {
    const c = s.cps[s.p];
    const step: Step =
      s.state < AUTHORITY ? schemeState(s, c) : s.state < PATH_START ? authorityState(s, c) : pathState(s, c);
    if (step !== CONTINUE) return step;
    if (s.p >= s.cps.length) return s.url;
    s.p++;
  }
}
