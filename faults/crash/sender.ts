/**
 * The HTTP side of a crash run: JSON calls with the user key, registering a phone,
 * and a sender that posts sends to the nodes and keeps the ids of the 2xx answers.
 */
import { sleep } from '../support.js';
import { type StandaloneNode, USER_KEY } from './node.js';

/** A JSON call with the user key; throws on a non-2xx answer. */
export async function api<T = unknown>(
  baseUrl: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': USER_KEY, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * A phone for the run: up to 5 attempts (a crash may cost a hand-off its attempt),
 * and the shortest expiry the API takes (60 s), so a message whose ack answer was
 * lost in a crash is retried within the run rather than after 10 minutes.
 */
export async function registerPhone(
  baseUrl: string,
  phoneNumber: string,
  messagesPerMinute?: number,
): Promise<string> {
  const body = await api<{ data: { id: string } }>(baseUrl, '/v1/phones', {
    method: 'PUT',
    body: {
      phone_number: phoneNumber,
      max_send_attempts: 5,
      message_expiration_seconds: 60,
      ...(messagesPerMinute === undefined ? {} : { messages_per_minute: messagesPerMinute }),
    },
  });
  return body.data.id;
}

export interface SenderOptions {
  total: number;
  concurrency: number;
  /** The nodes to post to, round-robin (dead ones are skipped). */
  nodes: readonly StandaloneNode[];
  /** The `from` numbers, round-robin. */
  from: readonly string[];
}

/**
 * Posts `total` sends, `concurrency` at a time. A 2xx answer's id is accepted; a
 * connection error (the server died under the request) is not, and the worker
 * waits for a server to answer again before its next send.
 */
export class Sender {
  readonly accepted = new Set<string>();
  readonly rejected = new Map<number, number>();
  connectionErrors = 0;
  posted = 0;
  done = false;
  private next = 0;
  private turn = 0;

  constructor(private readonly options: SenderOptions) {}

  async run(): Promise<void> {
    const workers = Array.from({ length: this.options.concurrency }, () => this.worker());
    await Promise.all(workers);
    this.done = true;
  }

  private pickNode(): StandaloneNode | undefined {
    const live = this.options.nodes.filter((n) => !n.dead);
    const up = live.filter((n) => n.up);
    const pool = up.length > 0 ? up : live;
    return pool[this.turn++ % pool.length];
  }

  private async worker(): Promise<void> {
    for (let i = this.next++; i < this.options.total; i = this.next++) {
      const node = this.pickNode();
      if (!node) throw new Error('no live node to send to');
      // A server that is down is waited for, so a restart costs no more than the
      // sends in flight when it died.
      while (!node.up && !node.dead) await Promise.race([node.whenHealthy(), sleep(250)]);
      const from = this.options.from[i % this.options.from.length] ?? '';
      const to = `+180055501${String(i % 50).padStart(2, '0')}`;
      try {
        const response = await fetch(`${node.url}/v1/messages/send`, {
          method: 'POST',
          headers: { 'x-api-key': USER_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ from, to, content: `fault message ${i}` }),
          signal: AbortSignal.timeout(60_000),
        });
        const text = await response.text();
        if (response.ok) {
          this.accepted.add((JSON.parse(text) as { data: { id: string } }).data.id);
        } else {
          this.rejected.set(response.status, (this.rejected.get(response.status) ?? 0) + 1);
        }
      } catch {
        // The request or its answer was cut: not accepted (the row may exist anyway).
        this.connectionErrors += 1;
      }
      this.posted += 1;
    }
  }
}
