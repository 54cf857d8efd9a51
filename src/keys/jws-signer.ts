/**
 * Compact JWS signing for access tokens, synchronous and without per-request key work: the key is imported
 * once, and the two protected headers (`typ: at+jwt` for RFC 9068, `typ: JWT` for the Auth0 profile) are encoded
 * once. jose's `SignJWT` goes through WebCrypto, which is asynchronous and costs a thread-pool hop per token;
 * tokens are verified with jose in the tests.
 */
import type { KeyObject } from 'node:crypto';
import { signatureFunction, type SigningAlg } from './algorithms.js';

/** `typ` header values of the two token profiles (RFC 9068 §2.1, Auth0's). */
export type TokenTyp = 'at+jwt' | 'JWT';

const encodeHeader = (alg: SigningAlg, kid: string, typ: TokenTyp) =>
  Buffer.from(JSON.stringify({ alg, kid, typ })).toString('base64url');

/** Signs JWT payloads with one key. */
export class JwsSigner {
  readonly #atJwtHeader: string;
  readonly #jwtHeader: string;
  readonly #sign: (input: Buffer) => Buffer;

  constructor(
    readonly kid: string,
    readonly alg: SigningAlg,
    privateKey: KeyObject,
  ) {
    this.#atJwtHeader = encodeHeader(alg, kid, 'at+jwt');
    this.#jwtHeader = encodeHeader(alg, kid, 'JWT');
    this.#sign = signatureFunction(alg, privateKey);
  }

  /** Returns the compact serialisation `header.payload.signature` of `payload` (RFC 7515 §7.1). */
  sign(payload: object, typ: TokenTyp): string {
    const input =
      (typ === 'at+jwt' ? this.#atJwtHeader : this.#jwtHeader) +
      '.' +
      Buffer.from(JSON.stringify(payload)).toString('base64url');
    return input + '.' + this.#sign(Buffer.from(input)).toString('base64url');
  }
}
