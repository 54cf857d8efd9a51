/**
 * Preloaded (`node --import`) into every child of the benchmark: when the orchestrator's IPC channel closes —
 * it exited or was killed — this process stops too. SIGTERM lets a server shut down the way it normally does.
 *
 * node:cluster workers inherit the preload (`cluster.fork` passes the primary's `execArgv`), but their channel is
 * the one to their primary, not to the orchestrator: unref'ing it would let a worker exit while its `listen` waits
 * for the primary's answer, and node:cluster already ends a worker whose primary is gone. So they are left alone.
 */
import cluster from 'node:cluster';

if (process.channel && !cluster.isWorker) {
  // The channel must not keep a load generator alive once its work is done.
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
