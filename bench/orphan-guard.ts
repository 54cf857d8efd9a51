/**
 * Preloaded (`node --import`) into every child of the benchmark: when the orchestrator's IPC channel closes —
 * it exited or was killed — this process stops too. SIGTERM lets a server shut down the way it normally does.
 */
if (process.channel) {
  // The channel must not keep a load generator alive once its work is done.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
