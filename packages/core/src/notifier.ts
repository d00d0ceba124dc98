/**
 * The Notifier contract: wake-ups between the parts of a gateway, and between
 * gateway nodes sharing one store ("work is due", "the webhook outbox has rows",
 * "an API key was revoked or lost a number": whoever holds sessions checks their
 * keys again; "a transport's shared state changed": transports re-read it). A lost notification only delays work: every consumer also polls
 * slowly. Topics carry no payload; an implementation must carry every topic.
 *
 * The default is in-process. A store that spans processes ships its own (Postgres
 * LISTEN/NOTIFY in `@textport/store-knex`).
 */
export type NotifierTopic = 'due' | 'outbox' | 'keys' | 'transport';

/** Every topic, for implementations that set up a channel per topic. */
export const NOTIFIER_TOPICS: readonly NotifierTopic[] = Object.freeze([
  'due',
  'outbox',
  'keys',
  'transport',
]);

export interface Notifier {
  publish(topic: NotifierTopic): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(topic: NotifierTopic, listener: () => void): () => void;
  close?(): Promise<void>;
}

export function createLocalNotifier(): Notifier {
  const listeners = new Map<NotifierTopic, Set<() => void>>();
  return {
    async publish(topic) {
      for (const listener of listeners.get(topic) ?? []) {
        try {
          listener();
        } catch {
          // A wake-up listener has nothing to report back; the safety poll covers it.
        }
      }
    },
    subscribe(topic, listener) {
      const set = listeners.get(topic) ?? new Set();
      set.add(listener);
      listeners.set(topic, set);
      return () => set.delete(listener);
    },
  };
}
