/**
 * An error as a log line's fields: its message and code (SQLSTATE, errno name), never its stack. For failures of a
 * dependency (the database, Redis) that repeat while it is away: the stack says nothing the message does not, and a
 * stack per attempt floods the log.
 */
export function errorSummary(error: unknown): { message: string; code?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  // A refused connection to a name with several addresses is an AggregateError with an empty message.
  const message =
    error.message || (error instanceof AggregateError ? String(error.errors[0]?.message ?? '') : '') || error.name;
  return typeof code === 'string' ? { message, code } : { message };
}
