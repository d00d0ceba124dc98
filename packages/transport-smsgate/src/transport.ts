/**
 * The SMSGate transport: the unchanged "SMS Gateway for Android" app, in private
 * server mode with `SSE_ONLY`, as a textport phone. The app holds an event stream
 * to this node; a due message becomes a content-free `MessageEnqueued`, on which
 * the app pulls (`GET /message`, each message taken → `sending`) and reports its
 * states (`PATCH /message` → SENT / DELIVERED / FAILED). Received SMS come back as
 * the app's signed webhooks to textport's receiver.
 *
 *   const smsgate = smsgateTransport({ publicUrl: 'https://sms.example.com' });
 *   const gateway = createGateway({ store, transports: [smsgate] });
 *   http.createServer((req, res) => smsgate.handle(req, res) || api(req, res));
 *   await gateway.start();
 *
 * A device registers with a textport phone API key (or the server's private token)
 * typed as the app's "private token"; its phones are reachable from the node that
 * holds its stream. Events for devices (`tell`, `disconnect`, cancellations) reach
 * the streams of every node through the store's event log (see `sse/fanout.ts`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayEvent, MessageRecord, PhoneRecord } from '@textport/core';
import type { NotifyOutcome, Reach, Transport, TransportHost } from '@textport/core/transport';
import { handedOffAll, TransportError } from '@textport/core/transport';
import { AccountQueue } from './device/account-queue.js';
import { DeviceAuth } from './device/auth.js';
import { getSettings, listWebhooks } from './device/config.js';
import type { MobileContext } from './device/context.js';
import { callerOf, toHttpError } from './device/context.js';
import { receiveWebhook } from './device/inbound.js';
import { pullMessages, reportStates } from './device/messages.js';
import { Presence } from './device/presence.js';
import {
  changePassword,
  describeDevice,
  registerDevice,
  updateDevice,
  userCode,
} from './device/register.js';
import type { Handler, RequestContext } from './http/io.js';
import { RouteTable, runRoute, SmsGateHttpError, sendError } from './http/io.js';
import type { ResolvedOptions, SmsGateTransportOptions } from './options.js';
import { resolveOptions } from './options.js';
import { deliverLocally, tellCanceled } from './sse/deliver.js';
import { DEVICE_DELETED, EventFanout } from './sse/fanout.js';
import type { LinkedDevice } from './sse/registry.js';
import { StreamRegistry } from './sse/registry.js';
import { openEvents } from './sse/route.js';
import type { SmsGateStore } from './store/types.js';
import type { SmsGateEventName } from './wire.js';

/**
 * How long inbound delivery ids are remembered: the app's retries of one delivery
 * (15 attempts, 5 s doubling) end within two days.
 */
export const INBOUND_MEMORY_MS = 7 * 24 * 3_600_000;
const INBOUND_SWEEP_MS = 3_600_000;

export class SmsGateTransport implements Transport {
  readonly name = 'smsgate';
  readonly options: ResolvedOptions;
  private current: TransportHost | undefined;
  private running = false;
  private readonly routes: RouteTable;
  private readonly streams: StreamRegistry;
  private readonly auth: DeviceAuth;
  private readonly presence: Presence;
  private readonly mobile: MobileContext;
  private readonly fanout: EventFanout;
  private readonly presenceTimers = new Map<string, NodeJS.Timeout>();
  private keyTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private unsubscribes: (() => void)[] = [];
  private reachable: Reach | null = null;

  constructor(options: SmsGateTransportOptions = {}) {
    this.options = resolveOptions(options);
    const host = () => this.host();
    this.auth = new DeviceAuth(this.options.store, host);
    this.presence = new Presence(this.options.store, host);
    this.streams = new StreamRegistry({
      keepAliveMs: this.options.keepAliveMs,
      maxBufferedBytes: this.options.maxBufferedBytes,
      maxStreamsPerDevice: this.options.maxStreamsPerDevice,
      maxStreams: this.options.maxStreams,
      linked: (link) => this.linked(link),
      unlinked: (link) => this.unlinked(link),
    });
    this.fanout = new EventFanout({
      store: this.options.store,
      pollMs: this.options.eventPollMs,
      deliver: (event) => void deliverLocally(this.streams, event),
    });
    this.mobile = {
      options: this.options,
      store: this.options.store,
      host,
      auth: this.auth,
      presence: this.presence,
      streams: this.streams,
      backlog: new Set(),
      registrations: new AccountQueue(),
    };
    const mc = this.mobile;
    const on =
      (fn: (mc: MobileContext, ctx: RequestContext) => Promise<void> | void): Handler =>
      (ctx) =>
        fn(mc, ctx);
    this.routes = new RouteTable(this.options.mobilePath)
      .on('POST', '/device', on(registerDevice))
      .on('PATCH', '/device', on(updateDevice))
      .on('GET', '/device', on(describeDevice))
      .on('GET', '/message', on(pullMessages))
      .on('GET', '/messages', on(pullMessages))
      .on('PATCH', '/message', on(reportStates))
      .on('PATCH', '/messages', on(reportStates))
      .on('GET', '/webhooks', on(listWebhooks))
      .on('GET', '/settings', on(getSettings))
      .on('GET', '/events', on(openEvents))
      .on('GET', '/user/code', userCode)
      .on('PATCH', '/user/password', on(changePassword))
      .on('POST', '/inbound', on(receiveWebhook));
  }

  /** Devices, groups, webhook registrations and settings. */
  get store(): SmsGateStore {
    return this.options.store;
  }

  private host(): TransportHost {
    if (!this.running || !this.current) {
      throw new SmsGateHttpError(503, 'the SMSGate transport is not running', {
        'retry-after': '5',
      });
    }
    return this.current;
  }

  /**
   * Serves a request under `mobilePath` and returns true; returns false for any
   * other path, so the host can pass the request on.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const match = this.routes.match(req);
    if (!match) {
      if (!underPath(req, this.options.mobilePath)) return false;
      sendError(res, new SmsGateHttpError(404, 'Not Found'));
      return true;
    }
    const ctx: RequestContext = {
      req,
      res,
      method: req.method ?? 'GET',
      path: match.path,
      params: match.params,
      query: match.query,
    };
    const handler: Handler = async (c) => {
      try {
        await match.handler(c);
        // A device's call that succeeded counts as presence (a refused one writes nothing).
        const caller = callerOf(c.req);
        if (caller && c.res.statusCode < 400) this.presence.touch(caller, c.req);
      } catch (error) {
        throw toHttpError(error);
      }
    };
    void runRoute(ctx, handler, (error) => {
      this.current?.logger.error({ err: error, path: match.path }, 'SMSGate device request failed');
    }).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, new SmsGateHttpError(500, 'Internal Server Error'));
      else res.destroy(error instanceof Error ? error : undefined);
    });
    return true;
  }

  /** Reads the event log now (other nodes' events to this node's streams); the poll and signals do it too. */
  syncEvents(): Promise<void> {
    return this.fanout.read();
  }

  /** Open streams and the devices holding them on this node. */
  stats(): { streams: number; devices: number } {
    return { streams: this.streams.streams, devices: this.streams.devices };
  }

  /**
   * Sends an event to one device's streams, or to every device of the account
   * (`deviceId` null), on every node: this node's streams at once, the others'
   * through the event log. Returns how many streams of this node took it.
   */
  tell(
    accountId: string,
    deviceId: string | null,
    event: SmsGateEventName,
    data?: Record<string, string>,
  ): number {
    const told = { accountId, deviceId, name: event, data: data ?? null };
    const written = deliverLocally(this.streams, { ...told, createdAt: 0 });
    this.fanout.publish(told);
    return written;
  }

  async start(host: TransportHost): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.current = host;
    this.unsubscribes = [
      host.subscribe('message.api.canceled', this.onCanceled),
      host.onKeysChanged(() => {
        this.auth.forget();
        void this.checkDevices();
      }),
    ];
    this.keyTimer = setInterval(() => void this.checkDevices(), this.options.keyCheckIntervalMs);
    this.keyTimer.unref?.();
    this.sweepTimer = setInterval(() => void this.forgetOldInbound(), INBOUND_SWEEP_MS);
    this.sweepTimer.unref?.();
    await this.fanout.start(host);
  }

  /** Forgets inbound delivery ids older than `INBOUND_MEMORY_MS`. */
  async forgetOldInbound(): Promise<number> {
    const host = this.current;
    if (!host) return 0;
    try {
      return await this.store.forgetInbound(host.clock.now() - INBOUND_MEMORY_MS);
    } catch (error) {
      host.logger.warn({ err: error }, 'could not forget old SMSGate inbound delivery ids');
      return 0;
    }
  }

  /** Ends every stream (the apps reconnect after their delay) and clears the timers. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.fanout.stop();
    clearInterval(this.keyTimer);
    clearInterval(this.sweepTimer);
    this.streams.closeAll();
    for (const timer of this.presenceTimers.values()) clearInterval(timer);
    this.presenceTimers.clear();
    this.presence.forget();
    this.auth.forget();
    this.mobile.backlog.clear();
    this.reachable = null;
  }

  /** A device's first stream opened: its phones are reachable; heartbeats while it stays. */
  private linked(link: LinkedDevice): void {
    this.reachable = null;
    const timer = setInterval(() => {
      void this.auth
        .principal(link.device)
        .then((principal) => {
          if (principal) return this.presence.beat({ device: link.device, principal });
        })
        .catch((error: unknown) => {
          this.current?.logger.warn(
            { err: error, deviceId: link.device.id },
            'could not record the presence of an SMSGate device',
          );
        });
    }, this.options.presenceIntervalMs);
    timer.unref?.();
    this.presenceTimers.set(link.device.id, timer);
  }

  private unlinked(link: LinkedDevice): void {
    this.reachable = null;
    clearInterval(this.presenceTimers.get(link.device.id));
    this.presenceTimers.delete(link.device.id);
    this.mobile.backlog.delete(link.device.id);
  }

  /**
   * Closes the streams of devices deleted or whose key was revoked (revocation
   * stops every channel): on every key change and every `keyCheckIntervalMs`.
   */
  private async checkDevices(): Promise<void> {
    for (const link of [...this.streams.allLinks()]) {
      try {
        const device = await this.store.getDevice(link.device.id);
        if (!device || !(await this.auth.principal(device, true))) {
          this.streams.closeDevice(link.device.id);
        }
      } catch (error) {
        this.current?.logger.warn(
          { err: error, deviceId: link.device.id },
          'could not check an SMSGate device; checked again on the next poll',
        );
      }
    }
  }

  /**
   * Ends the device's streams on every node (call it when the device was deleted):
   * on this node at once, on the others when they read the event log.
   */
  disconnect(deviceId: string, accountId?: string): void {
    const account = accountId ?? this.streams.link(deviceId)?.device.accountId ?? '';
    this.streams.closeDevice(deviceId);
    this.fanout.publish({ accountId: account, deviceId, name: DEVICE_DELETED, data: null });
  }

  private readonly onCanceled = (event: GatewayEvent<'message.api.canceled'>): void => {
    const { streams, store, fanout } = this;
    tellCanceled({ streams, store, fanout, logger: this.current?.logger }, event);
  };

  /** The phones of devices holding a stream to this node. */
  reach(): Reach {
    this.reachable ??= {
      phoneIds: this.streams.phoneIds(),
      has: (phone) => this.streams.devicesOfPhone(phone.id).length > 0,
    };
    return this.reachable;
  }

  /**
   * One `MessageEnqueued` to every stream of the devices holding the phone: the app
   * pulls, which is the hand-off. Fails (retryable) when no stream takes it.
   */
  async notify(
    phone: PhoneRecord,
    messages: readonly MessageRecord[],
  ): Promise<readonly NotifyOutcome[]> {
    if (messages.length === 0) return [];
    if (this.nudge(phone) === 0) {
      const error = unreachable(phone);
      return messages.map(() => ({ ok: false, error }));
    }
    return handedOffAll(messages);
  }

  /** The app has no heartbeat call: `MessageEnqueued` makes it pull, which counts as presence. */
  async requestHeartbeat(phone: PhoneRecord): Promise<void> {
    if (this.nudge(phone) === 0) throw unreachable(phone);
  }

  private nudge(phone: PhoneRecord): number {
    let written = 0;
    for (const deviceId of this.streams.devicesOfPhone(phone.id)) {
      written += this.streams.send(deviceId, 'MessageEnqueued');
    }
    return written;
  }
}

/** Whether the request's path is `path` or below it (doubled slashes folded, as the app may send). */
function underPath(req: IncomingMessage, path: string): boolean {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const p = (q < 0 ? url : url.slice(0, q)).replace(/\/{2,}/g, '/');
  const prefix = path.replace(/\/+$/, '');
  return p === prefix || p.startsWith(`${prefix}/`);
}

function unreachable(phone: PhoneRecord): TransportError {
  return new TransportError(
    `phone [${phone.phoneNumber}] has no open SMSGate event stream on this node`,
    { retryable: true },
  );
}

/** Creates the transport; the gateway starts it with its `TransportHost`. */
export function smsgateTransport(options: SmsGateTransportOptions = {}): SmsGateTransport {
  return new SmsGateTransport(options);
}
