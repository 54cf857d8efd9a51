/** Configuration change notices between instances over Redis pub/sub (REDIS_URL). */
import { Redis } from 'ioredis';
import type { ChangeNotifier } from './registry.js';

const CHANNEL = 'minter:config-changed';

export function redisNotifier(url: string): ChangeNotifier {
  const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  const subscriber = new Redis(url, { lazyConnect: true });
  const instance = Math.random().toString(36).slice(2);
  return {
    async publish() {
      await publisher.publish(CHANNEL, instance);
    },
    async subscribe(onChange) {
      await Promise.all([publisher.connect(), subscriber.connect()]);
      await subscriber.subscribe(CHANNEL);
      subscriber.on('message', (_channel: string, from: string) => {
        if (from !== instance) onChange();
      });
    },
    async close() {
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}
