/**
 * WHATWG URL inside the isolate: `application/x-www-form-urlencoded`
 * (https://url.spec.whatwg.org/#application/x-www-form-urlencoded), the text of `URLSearchParams`.
 */
import { percentDecode } from './encoding.js';

/** A list of name-value pairs, in order. */
export type FormList = [string, string][];

function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()~]|%20/g, function (m) {
    return m === '%20' ? '+' : '%' + m.charCodeAt(0).toString(16).toUpperCase();
  });
}

/** https://url.spec.whatwg.org/#concept-urlencoded-parser */
export function formParse(input: string): FormList {
  const list: FormList = [];
  const seqs = input.split('&');
  for (let i = 0; i < seqs.length; i++) {
    const seq = seqs[i]!;
    if (seq === '') continue;
    const eq = seq.indexOf('=');
    const name = eq < 0 ? seq : seq.slice(0, eq);
    const value = eq < 0 ? '' : seq.slice(eq + 1);
    list.push([percentDecode(name.replace(/\+/g, ' ')), percentDecode(value.replace(/\+/g, ' '))]);
  }
  return list;
}

/** https://url.spec.whatwg.org/#concept-urlencoded-serializer */
export function formSerialize(list: FormList): string {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) out.push(formEncode(list[i]![0]) + '=' + formEncode(list[i]![1]));
  return out.join('&');
}

/** Web IDL's arity check, with the message browsers and Node give. */
export function needArgs(n: number, got: number, what: string): void {
  if (got < n) {
    throw new TypeError(
      "Failed to execute '" +
        what +
        "': " +
        n +
        ' argument' +
        (n > 1 ? 's' : '') +
        ' required, but only ' +
        got +
        ' present.',
    );
  }
}
