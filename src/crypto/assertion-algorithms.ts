/**
 * The signing algorithms Minter accepts for `private_key_jwt` client assertions, Auth0's (RSA keys): one list for the
 * token endpoint that verifies them, discovery that announces them and the management API that registers keys.
 */
export const ASSERTION_ALGS = ['RS256', 'RS384', 'PS256'] as const;

export type AssertionAlg = (typeof ASSERTION_ALGS)[number];
