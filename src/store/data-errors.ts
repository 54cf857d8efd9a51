/**
 * Telling a statement PostgreSQL refused for the data it carried from one that failed because the database was away.
 * The first fails again however often it is retried; the second passes once the database is back.
 */

/**
 * SQLSTATE classes that mean "this data": 22 data exception (a bad escape in jsonb, a value out of range), 23 integrity
 * constraint violation, 54 program limit exceeded (a value too large or too deeply nested). Everything else — no
 * SQLSTATE at all (a refused or broken connection), 08 connection exception, 53 insufficient resources (disk full),
 * 57 operator intervention (shutdown, a cancelled statement), 40 transaction rollback, 42 a missing table — is the
 * database's state, not the data's.
 */
const DATA_CLASSES = new Set(['22', '23', '54']);

/** Whether `error` is PostgreSQL (or PGlite) refusing the statement's data (see {@link DATA_CLASSES}). */
export function isDataError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && DATA_CLASSES.has(code.slice(0, 2));
}
