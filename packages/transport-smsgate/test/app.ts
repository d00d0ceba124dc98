/**
 * A stand-in for the SMS Gateway for Android app (v1.68.0, private server,
 * `SSE_ONLY`), playing its calls over real HTTP: register with the private token,
 * hold the event stream (reconnecting after the server drops it), pull on
 * `MessageEnqueued` and on every connect, report full state snapshots with dates
 * in the phone's local offset, honour `MessageCancelled`, and post received SMS as
 * signed webhooks to the receiver it finds in `GET /webhooks`.
 */
import { createHmac } from 'node:crypto';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request } from 'node:http';

export interface PulledItem {
  id: string;
  message?: string;
  textMessage?: { text: string };
  phoneNumbers: string[];
  simNumber?: number;
  withDeliveryReport?: boolean;
  priority?: number;
  validUntil?: string;
  state?: string;
  createdAt?: string;
}

export interface StreamEvent {
  name: string;
  data: Record<string, string> | null;
}

type LocalState = 'Pending' | 'Processed' | 'Sent' | 'Delivered' | 'Failed' | 'Cancelled';

interface LocalMessage {
  item: PulledItem;
  state: LocalState;
  error?: string;
  states: Partial<Record<LocalState, string>>;
}

export interface FakeAppOptions {
  /** The "API URL" typed in the app: `http://host:port/smsgate/mobile/v1`. */
  baseUrl: string;
  /** Delay before reconnecting a dropped stream (the app: 5 s). */
  reconnectDelayMs?: number;
  /** The phone's UTC offset in minutes, used in reported dates (default +07:00). */
  offsetMinutes?: number;
  /** The app's `processing_order` (default lifo). */
  order?: 'lifo' | 'fifo';
  version?: string;
  /** Where state reports go, when not to `baseUrl` (another node of the cluster). */
  reportBaseUrl?: string;
}

/** A date the way the app writes it: local offset, milliseconds (`2026-08-22T17:00:05.331+07:00`). */
export function localDate(ms: number, offsetMinutes: number): string {
  const shifted = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${shifted}${sign}${hh}:${mm}`;
}

export class FakeSmsGateApp {
  readonly options: Required<FakeAppOptions>;
  deviceId: string | null = null;
  token: string | null = null;
  /** The body of the latest refused webhook delivery. */
  lastError = '';
  login: string | null = null;
  /** Messages pulled, by id (the app's local table). */
  readonly messages = new Map<string, LocalMessage>();
  /** Every event read from the streams, in order. */
  readonly events: StreamEvent[] = [];
  keepalives = 0;
  /** Streams opened successfully. */
  opens = 0;
  /** Pull answers (ids, in the order answered). */
  readonly pulls: string[][] = [];
  /** Reports that could not be sent (non-2xx). */
  readonly reportErrors: number[] = [];
  /** While true, events are recorded but not acted on (an app in doze). */
  paused = false;
  private stream: { req: ClientRequest; res: IncomingMessage | null } | null = null;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private pulling: Promise<void> = Promise.resolve();
  private canceling: Promise<void> = Promise.resolve();

  constructor(options: FakeAppOptions) {
    this.options = {
      reconnectDelayMs: 5000,
      offsetMinutes: 7 * 60,
      order: 'lifo',
      version: '1.68.0',
      reportBaseUrl: options.baseUrl,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
    };
  }

  get connected(): boolean {
    return this.stream?.res != null && !this.stream.res.destroyed;
  }

  private headers(auth?: string): Record<string, string> {
    return {
      'user-agent': `me.capcom.smsgateway/${this.options.version}`,
      'content-type': 'application/json',
      ...(auth ? { authorization: auth } : {}),
    };
  }

  /** A call with the device token; returns the response (the caller checks its status). */
  async call(method: string, path: string, body?: unknown, base = this.options.baseUrl) {
    return fetch(`${base.replace(/\/+$/, '')}${path}`, {
      method,
      headers: this.headers(this.token ? `Bearer ${this.token}` : undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** `POST /device` with the private token; returns the status (201 stores id and token). */
  async register(privateToken: string, body?: unknown): Promise<number> {
    const res = await fetch(`${this.options.baseUrl}/device`, {
      method: 'POST',
      headers: this.headers(`Bearer ${privateToken}`),
      body: JSON.stringify(
        body ?? {
          name: 'Xiaomi/sweet_global',
          simCards: [{ slotIndex: 0, simNumber: 1, phoneNumber: '*******1234' }],
        },
      ),
    });
    if (res.status === 201) {
      const json = (await res.json()) as { id: string; token: string; login: string };
      this.deviceId = json.id;
      this.token = json.token;
      this.login = json.login;
    } else await res.body?.cancel();
    return res.status;
  }

  /** Opens the event stream; resolves with its status (200 when open). Reconnects when dropped. */
  connect(): Promise<number> {
    this.closed = false;
    return new Promise((resolve, reject) => {
      const req = request(`${this.options.baseUrl}/events`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${this.token ?? ''}` },
      });
      const stream: { req: ClientRequest; res: IncomingMessage | null } = { req, res: null };
      this.stream = stream;
      req.on('error', (error) => {
        if (stream.res === null) reject(error);
        this.dropped(stream);
      });
      req.on('response', (res) => {
        stream.res = res;
        const type = String(res.headers['content-type'] ?? '');
        if (res.statusCode !== 200 || !type.startsWith('text/event-stream')) {
          res.resume();
          resolve(res.statusCode ?? 0);
          return;
        }
        this.opens++;
        this.read(res);
        res.on('close', () => this.dropped(stream));
        // The app pulls on every (re)connect.
        void this.pull();
        resolve(200);
      });
      req.end();
    });
  }

  private read(res: IncomingMessage): void {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.frame(block);
      }
    });
  }

  private frame(block: string): void {
    let name: string | null = null;
    let data: string | null = null;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        if (line === ':keepalive') this.keepalives++;
      } else if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data = line.slice(6);
    }
    if (name === null && data === null) return;
    const event: StreamEvent = {
      name: name ?? 'MessageEnqueued',
      data: data === null ? null : (JSON.parse(data) as Record<string, string> | null),
    };
    this.events.push(event);
    if (this.paused) return;
    if (event.name === 'MessageEnqueued') void this.pull();
    else if (event.name === 'MessageCancelled' && event.data?.messageId) {
      const cancel = this.cancelLocally(event.data.messageId).catch(() => {});
      this.canceling = this.canceling.then(() => cancel);
    }
  }

  private dropped(stream: { req: ClientRequest; res: IncomingMessage | null }): void {
    if (this.stream !== stream) return;
    this.stream = null;
    if (this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      if (!this.closed) this.connect().catch(() => this.dropped({ req: stream.req, res: null }));
    }, this.options.reconnectDelayMs);
  }

  /** `GET /message?order=…`; new items are stored Pending, known ones re-reported. Serialised. */
  pull(): Promise<void> {
    this.pulling = this.pulling.then(() => this.pullOnce()).catch(() => {});
    return this.pulling;
  }

  /** Resolves when the pulls and the cancel reports started so far are answered. */
  async idle(): Promise<void> {
    await this.pulling;
    await this.canceling;
  }

  private async pullOnce(): Promise<void> {
    const res = await this.call('GET', `/message?order=${this.options.order}`);
    if (res.status !== 200) {
      await res.body?.cancel();
      return;
    }
    const items = (await res.json()) as PulledItem[];
    this.pulls.push(items.map((i) => i.id));
    for (const item of items) {
      const known = this.messages.get(item.id);
      if (known) {
        await this.sendReport(item.id);
        continue;
      }
      this.messages.set(item.id, { item, state: 'Pending', states: { Pending: this.now() } });
    }
  }

  private now(): string {
    return localDate(Date.now(), this.options.offsetMinutes);
  }

  /** The full snapshot of a local message, as `PATCH /message` carries it. */
  snapshot(id: string): Record<string, unknown> {
    const m = this.messages.get(id);
    if (!m) throw new Error(`no local message ${id}`);
    const recipient: Record<string, string> = {
      phoneNumber: m.item.phoneNumbers[0] ?? '',
      state: m.state,
    };
    if (m.error) recipient.error = m.error;
    return { id, state: m.state, recipients: [recipient], states: { ...m.states } };
  }

  /** Moves a local message to `state` and reports the snapshot; returns the status. */
  async report(id: string, state: LocalState, error?: string): Promise<number> {
    const m = this.messages.get(id);
    if (!m) throw new Error(`no local message ${id}`);
    m.state = state;
    m.states[state] ??= this.now();
    if (error) m.error = error;
    return this.sendReport(id);
  }

  /** Sends the current snapshot again (the app re-reports on re-pull). */
  async sendReport(id: string): Promise<number> {
    const res = await this.call(
      'PATCH',
      '/message',
      [this.snapshot(id)],
      this.options.reportBaseUrl,
    );
    await res.body?.cancel();
    if (res.status !== 204) this.reportErrors.push(res.status);
    return res.status;
  }

  /** Processed → Sent → Delivered, one report each. */
  async deliver(id: string): Promise<void> {
    await this.report(id, 'Processed');
    await this.report(id, 'Sent');
    await this.report(id, 'Delivered');
  }

  async fail(id: string, error: string): Promise<void> {
    await this.report(id, 'Processed');
    await this.report(id, 'Failed', error);
  }

  private async cancelLocally(id: string): Promise<void> {
    const m = this.messages.get(id);
    if (m && m.state !== 'Pending') return;
    if (!m) {
      this.messages.set(id, {
        item: { id, phoneNumbers: [] },
        state: 'Cancelled',
        states: { Cancelled: this.now() },
      });
    } else {
      m.state = 'Cancelled';
      m.states.Cancelled = this.now();
    }
    await this.sendReport(id);
  }

  /** A received SMS, posted as the `sms:received` webhook to every such entry of `GET /webhooks`. */
  async receiveSms(input: {
    from: string;
    text: string;
    simNumber?: number;
    /** Reuse an envelope id (a retried delivery). */
    envelopeId?: string;
    /** Sign with another key (a forged delivery). */
    signingKey?: string;
    /** The app's receivedAt text (default: now in its local offset). */
    receivedAt?: string;
  }): Promise<number[]> {
    const hooks = (await (await this.call('GET', '/webhooks')).json()) as {
      id: string;
      url: string;
      event: string;
    }[];
    const settings = (await (await this.call('GET', '/settings')).json()) as {
      webhooks?: { signing_key?: string };
    };
    const key = input.signingKey ?? settings.webhooks?.signing_key ?? '';
    const statuses: number[] = [];
    for (const hook of hooks.filter((h) => h.event === 'sms:received')) {
      const body = JSON.stringify({
        id: input.envelopeId ?? `env${Math.random().toString(36).slice(2, 12)}`,
        webhookId: hook.id,
        event: 'sms:received',
        deviceId: this.deviceId,
        payload: {
          messageId: 'a1b2c3d4',
          message: input.text,
          sender: input.from,
          phoneNumber: input.from,
          simNumber: input.simNumber ?? 1,
          receivedAt: input.receivedAt ?? this.now(),
        },
      });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = createHmac('sha256', key)
        .update(body + timestamp)
        .digest('hex');
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          ...this.headers(),
          'x-timestamp': timestamp,
          'x-signature': signature,
        },
        body,
      });
      if (res.status >= 400) this.lastError = await res.text();
      else await res.body?.cancel();
      statuses.push(res.status);
    }
    return statuses;
  }

  /** Closes the stream for good (no reconnect). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.stream?.req.destroy();
    this.stream = null;
    await this.pulling;
  }
}
