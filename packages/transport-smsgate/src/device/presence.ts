/**
 * Presence of SMSGate devices. The app has no heartbeat call: every authenticated
 * request counts (`lastSeen`, and at most one textport heartbeat a minute per
 * device), and so does an open event stream (a heartbeat every
 * `presenceIntervalMs`). The heartbeat monitor then fires
 * `phone.heartbeat.online` / `offline` for SMSGate devices as for any phone.
 */
import type { IncomingMessage } from 'node:http';
import type { TransportHost } from '@textport/core/transport';
import type { SmsGateStore } from '../store/types.js';
import type { AuthedDevice } from './auth.js';

/** Heartbeats posted from requests, per device, at most this often. */
export const REQUEST_HEARTBEAT_MS = 60_000;

/** The app's version from `User-Agent: me.capcom.smsgateway/<version>`. */
export function appVersion(req: IncomingMessage): string | null {
  const ua = req.headers['user-agent'];
  const m = typeof ua === 'string' ? /me\.capcom\.smsgateway\/([^\s;()]{1,32})/i.exec(ua) : null;
  return m?.[1] ?? null;
}

export class Presence {
  private readonly beats = new Map<string, number>();
  private readonly versions = new Map<string, string>();

  constructor(
    private readonly store: SmsGateStore,
    private readonly host: () => TransportHost,
  ) {}

  /** Keeps the app version of the request (the event stream's client sends none). */
  noteVersion(deviceId: string, req: IncomingMessage): void {
    const version = appVersion(req);
    if (version) this.versions.set(deviceId, version);
  }

  /**
   * A device called: `lastSeen` and a heartbeat, unless this node recorded them within
   * a minute (the app pulls and reports in bursts; one write a minute is enough).
   */
  touch(authed: AuthedDevice, req: IncomingMessage | null): void {
    const host = this.host();
    const now = host.clock.now();
    if (req) this.noteVersion(authed.device.id, req);
    const last = this.beats.get(authed.device.id);
    if (last !== undefined && now - last < REQUEST_HEARTBEAT_MS) return;
    void this.store.updateDevice(authed.device.id, { lastSeen: now }).catch((error: unknown) => {
      host.logger.warn({ err: error, deviceId: authed.device.id }, 'could not record lastSeen');
    });
    void this.beat(authed);
  }

  /** Posts a heartbeat for every number of the device (two numbers per call, as the phone API takes). */
  async beat(authed: AuthedDevice): Promise<void> {
    const { device, principal } = authed;
    const numbers = principal.phoneNumbers ?? device.phoneNumbers;
    const version = this.versions.get(device.id) ?? null;
    let host: TransportHost | undefined;
    try {
      host = this.host();
      this.beats.set(device.id, host.clock.now());
      for (let i = 0; i < numbers.length; i += 2) {
        await host.phoneApi.heartbeat(principal, {
          phoneNumbers: numbers.slice(i, i + 2),
          charging: false,
          version,
        });
      }
    } catch (error) {
      host?.logger.warn({ err: error, deviceId: device.id }, 'could not record a heartbeat');
    }
  }

  /** Forgets a device (deleted, or the transport stopped). */
  forget(deviceId?: string): void {
    if (deviceId === undefined) {
      this.beats.clear();
      this.versions.clear();
    } else {
      this.beats.delete(deviceId);
      this.versions.delete(deviceId);
    }
  }
}
