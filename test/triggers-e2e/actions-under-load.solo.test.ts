/**
 * The load tests of issue 11's fairness and host caps, in one file so that they never run at the same time as each
 * other; `.solo` makes `npm test` run this file after every other one, alone, so that the latency targets are judged
 * on a machine no other test file shares (scripts/run-tests.mjs). See client-fairness.ts and host-caps.ts.
 */
import { clientFairness } from './client-fairness.js';
import { hostCaps } from './host-caps.js';

clientFairness();
hostCaps();
