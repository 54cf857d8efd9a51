/**
 * What the signing-key lifecycle (key-rotation.ts) refuses, as its own errors: `keys/` knows nothing of HTTP. The
 * management API answers each `code` in one table (management/signing-keys.ts).
 */

/** Why a lifecycle change was refused. */
export type KeyErrorCode = 'key_not_found' | 'already_revoked' | 'rotation_too_early';

/** A lifecycle change refused; nothing was changed. */
export abstract class KeyError extends Error {
  override name = 'KeyError';
  abstract readonly code: KeyErrorCode;
}

/** No signing key has this kid. */
export class KeyNotFound extends KeyError {
  readonly code = 'key_not_found';
  constructor(readonly kid: string) {
    super(`signing key ${kid} does not exist`);
  }
}

/** The key is revoked already: a revocation cannot be repeated. */
export class KeyAlreadyRevoked extends KeyError {
  readonly code = 'already_revoked';
  constructor(readonly kid: string) {
    super(`signing key ${kid} is already revoked`);
  }
}

/**
 * A rotation asked for before verifiers can have seen the next key: it was published `ageSeconds` ago, less than the
 * `minAgeSeconds` a JWKS may be cached.
 */
export class RotationTooEarly extends KeyError {
  readonly code = 'rotation_too_early';
  constructor(
    readonly alg: string,
    readonly ageSeconds: number,
    readonly minAgeSeconds: number,
  ) {
    super(
      `The next ${alg} key was published ${Math.floor(ageSeconds)} s ago; verifiers may cache the JWKS for ` +
        `${minAgeSeconds} s. Rotate again after that, or pass ?force=true to rotate now.`,
    );
  }
}
