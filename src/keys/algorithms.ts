/**
 * The JWS algorithms Minter signs with (RFC 7518 §3, RFC 8037), how to make a key for each, and how Node's
 * crypto signs with it. `RS256` is the default for compatibility; `ES256` is the fast one.
 */
import { constants, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export const SIGNING_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;
export type SigningAlg = (typeof SIGNING_ALGORITHMS)[number];

export const isSigningAlg = (value: unknown): value is SigningAlg =>
  typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value);

/** A fresh private key for `alg` (RSA 2048 bits, P-256, Ed25519). */
export function generatePrivateKey(alg: SigningAlg): KeyObject {
  switch (alg) {
    case 'RS256':
    case 'PS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'EdDSA':
      return generateKeyPairSync('ed25519').privateKey;
  }
}

/** Synchronous JWS signature over `input` (the ASCII `header.payload`). */
export function signatureFunction(alg: SigningAlg, key: KeyObject): (input: Buffer) => Buffer {
  switch (alg) {
    case 'RS256':
      return (input) => sign('sha256', input, key);
    case 'PS256':
      // RFC 7518 §3.5: salt length equals the hash output (32 bytes).
      return (input) => sign('sha256', input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    case 'ES256':
      // RFC 7518 §3.4: R || S, not DER.
      return (input) => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });
    case 'EdDSA':
      return (input) => sign(null, input, key);
  }
}
