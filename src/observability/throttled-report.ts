/** Reports an error at most once per `intervalMs`: for a dependency that fails on every request until it recovers. */
export function throttledReport(report: (error: unknown) => void, intervalMs = 60_000): (error: unknown) => void {
  let last = -Infinity;
  return (error) => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    report(error);
  };
}
