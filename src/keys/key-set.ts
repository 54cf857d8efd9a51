/**
 * The in-memory view of the signing keys: one signer per algorithm, the published JWKS document (with its ETag),
 * and the public keys by kid for verifying Minter's own tokens. Built from rows; private keys are imported once
 * per kid and reused across rebuilds.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { SecretBox } from '../crypto/secret-box.js';
import type { SigningKeyRow } from '../store/signing-keys.js';
import { isSigningAlg, type SigningAlg } from './algorithms.js';
import { JwsSigner } from './jws-signer.js';
import { openPrivateKey } from './key-rotation.js';

export class KeySet {
  constructor(
    readonly signers: ReadonlyMap<SigningAlg, JwsSigner>,
    readonly publicKeys: ReadonlyMap<string, { alg: SigningAlg; key: KeyObject }>,
    /** The JWKS document body, serialised once. */
    readonly jwksBody: string,
    readonly jwksEtag: string,
    readonly lastModified: Date,
  ) {}

  static build(rows: SigningKeyRow[], box: SecretBox, previous?: KeySet, now = new Date()): KeySet {
    const signers = new Map<SigningAlg, JwsSigner>();
    const publicKeys = new Map<string, { alg: SigningAlg; key: KeyObject }>();
    const published: Record<string, unknown>[] = [];
    let lastModified = new Date(0);
    for (const row of rows) {
      if (!isSigningAlg(row.alg)) continue;
      const live =
        row.status === 'current' ||
        row.status === 'next' ||
        (row.status === 'previous' && (!row.publish_until || row.publish_until > now));
      if (!live) continue;
      published.push(row.public_jwk);
      publicKeys.set(row.kid, { alg: row.alg, key: createPublicKey({ key: row.public_jwk as never, format: 'jwk' }) });
      for (const stamp of [row.created_at, row.current_since, row.current_until]) {
        if (stamp && stamp > lastModified) lastModified = stamp;
      }
      if (row.status === 'current') {
        const reused = previous?.signers.get(row.alg);
        signers.set(
          row.alg,
          reused?.kid === row.kid ? reused : new JwsSigner(row.kid, row.alg, openPrivateKey(box, row)),
        );
      }
    }
    const jwksBody = JSON.stringify({ keys: published });
    const jwksEtag = '"' + createHash('sha256').update(jwksBody).digest('base64url').slice(0, 27) + '"';
    return new KeySet(signers, publicKeys, jwksBody, jwksEtag, lastModified);
  }
}
