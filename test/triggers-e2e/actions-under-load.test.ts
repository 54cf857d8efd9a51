/**
 * The load tests of issue 11's fairness and host caps, in one file so that they never run at the same time as each
 * other (`npm test` runs two files at once, and each of these keeps a core busy for a while): see client-fairness.ts
 * and host-caps.ts.
 */
import { clientFairness } from './client-fairness.js';
import { hostCaps } from './host-caps.js';

clientFairness();
hostCaps();
