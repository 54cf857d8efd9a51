/**
 * JSON text that PostgreSQL's `jsonb` will take. jsonb refuses two things JSON allows: the escape `\u0000` (SQLSTATE
 * 22P05, "unsupported Unicode escape sequence") and an unpaired UTF-16 surrogate (`\ud800` alone, 22P02). Both reach
 * records from outside — a NUL in a form field, a lone surrogate in a JSON body, an action's `console.log('a\u0000b')` —
 * and a refused record must not cost the audit log its batch. JSON.stringify writes exactly these characters as
 * `\uXXXX` escapes (a paired surrogate it writes as itself), so the check runs on the JSON text, and only when the
 * text holds a `\u` at all: ordinary records never do, and pay one `includes`.
 */

/**
 * `\u0000` or `\uD800`–`\uDFFF` as an escape: preceded by an even run of backslashes (`\\u0000` is an escaped
 * backslash and the text "u0000", which is kept).
 */
const UNSTORABLE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/** What an unstorable character becomes: U+FFFD REPLACEMENT CHARACTER, as a decoder writes for what it cannot read. */
export const REPLACEMENT = '\ufffd';

/**
 * `json` with every NUL and unpaired surrogate replaced by U+FFFD (as the escape `\ufffd`), and how many were
 * replaced; `json` itself, and 0, when there is nothing to replace.
 */
export function replaceUnstorable(json: string): { json: string; replaced: number } {
  if (!json.includes('\\u')) return { json, replaced: 0 };
  let replaced = 0;
  const storable = json.replace(UNSTORABLE, (_match, backslashes: string) => {
    replaced++;
    return `${backslashes}\\ufffd`;
  });
  return { json: replaced === 0 ? json : storable, replaced };
}
