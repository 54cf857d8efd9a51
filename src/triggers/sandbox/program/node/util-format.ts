/**
 * `util.format` as Node's (v12+): `%s`, `%d`, `%i`, `%f`, `%j`, `%o`, `%O`, `%c` and `%%`, extra arguments appended
 * (strings as they are, the rest inspected). The `util` package's own `format` knows only `%s`, `%d` and `%j`.
 * Values are printed with that package's `inspect`, whose output is close to Node's, not identical.
 */
import { JSONstringify, NumberCtor, StringCtor } from '../intrinsics.js';

type Inspect = (value: unknown, options?: Record<string, unknown>) => string;

function formatNumber(value: unknown, integer: boolean, float: boolean): string {
  if (typeof value === 'bigint') return StringCtor(value) + 'n';
  if (typeof value === 'symbol') return 'NaN';
  if (float) return StringCtor(parseFloat(value as string));
  if (integer) return StringCtor(parseInt(value as string, 10));
  const n = typeof value === 'object' && value !== null ? NaN : NumberCtor(value);
  return Object.is(n, -0) ? '-0' : StringCtor(n);
}

function formatString(value: unknown, inspect: Inspect): string {
  if (typeof value === 'bigint') return StringCtor(value) + 'n';
  if (Object.is(value, -0)) return '-0';
  if (value !== null && typeof value === 'object') {
    const own = (value as { toString?: unknown }).toString;
    if (own === Object.prototype.toString || own === Error.prototype.toString || own === undefined)
      return inspect(value, { depth: 0 });
  }
  return StringCtor(value);
}

function formatJson(value: unknown): string {
  try {
    return JSONstringify(value) as string;
  } catch (error) {
    if (error instanceof TypeError && /circular/i.test(error.message)) return '[Circular]';
    throw error;
  }
}

/** Makes `util.format` over `inspect`. */
export function makeFormat(inspect: Inspect): (...args: unknown[]) => string {
  const show = (value: unknown) => (typeof value === 'string' ? value : inspect(value));
  return function format(...args: unknown[]): string {
    const first = args[0];
    let out = '';
    let next = 1;
    if (typeof first !== 'string') next = 0;
    else {
      let from = 0;
      for (let i = 0; i < first.length - 1; i++) {
        if (first.charCodeAt(i) !== 37) continue;
        const c = first[i + 1];
        let text: string | undefined;
        if (c === '%') text = '%';
        else if (next < args.length) {
          const a = args[next];
          if (c === 's') text = formatString(a, inspect);
          else if (c === 'd' || c === 'i' || c === 'f') text = formatNumber(a, c === 'i', c === 'f');
          else if (c === 'j') text = formatJson(a);
          else if (c === 'o') text = inspect(a, { showHidden: true, depth: 4 });
          else if (c === 'O') text = inspect(a);
          else if (c === 'c') text = '';
          if (text !== undefined) next++;
        }
        if (text === undefined) continue;
        out += first.slice(from, i) + text;
        from = i + 2;
        i++;
      }
      out += first.slice(from);
    }
    for (let i = next; i < args.length; i++) out += (out === '' && i === 0 ? '' : ' ') + show(args[i]);
    return out;
  };
}
