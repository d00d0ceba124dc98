/**
 * The streams this node holds, by device, and which textport phones they make
 * reachable. A device may hold several streams (the app opens another on each
 * registration without closing the old one); every event goes to all of them.
 */
import type { ServerResponse } from 'node:http';
import type { DeviceRecord } from '../store/types.js';
import type { SmsGateEventName } from '../wire.js';
import { EventStream } from './stream.js';

export interface LinkedDevice {
  device: DeviceRecord;
  /** The textport phone ids of the device's numbers, resolved when its first stream opened. */
  phoneIds: string[];
  streams: EventStream[];
}

export interface RegistryOptions {
  keepAliveMs: number;
  maxBufferedBytes: number;
  maxStreamsPerDevice: number;
  maxStreams: number;
  /** A device's first stream opened. */
  linked(link: LinkedDevice): void;
  /** A device's last stream closed. */
  unlinked(link: LinkedDevice): void;
}

const ownerKey = (accountId: string, phoneNumber: string) => `${accountId} ${phoneNumber}`;

function addTo(index: Map<string, Set<string>>, key: string, deviceId: string): void {
  const set = index.get(key) ?? new Set<string>();
  set.add(deviceId);
  index.set(key, set);
}

function removeFrom(index: Map<string, Set<string>>, key: string, deviceId: string): void {
  const set = index.get(key);
  set?.delete(deviceId);
  if (set?.size === 0) index.delete(key);
}

export class StreamRegistry {
  private readonly links = new Map<string, LinkedDevice>();
  private readonly byPhone = new Map<string, Set<string>>();
  private readonly byOwner = new Map<string, Set<string>>();
  private count = 0;
  /** Streams about to open (`reserve`), counted against `maxStreams`. */
  private reserved = 0;

  constructor(private readonly options: RegistryOptions) {}

  get streams(): number {
    return this.count;
  }

  get devices(): number {
    return this.links.size;
  }

  /** Whether another stream may open on this node. */
  hasRoom(): boolean {
    return this.count + this.reserved < this.options.maxStreams;
  }

  /**
   * Holds room for a stream that opens after an await; false when the node is full.
   * Every reservation is given back with `release`, once the stream is open or not.
   */
  reserve(): boolean {
    if (!this.hasRoom()) return false;
    this.reserved++;
    return true;
  }

  release(): void {
    if (this.reserved > 0) this.reserved--;
  }

  /**
   * Opens a stream on `res` (writes the headers). A device over its cap loses its
   * oldest stream.
   */
  open(device: DeviceRecord, phoneIds: readonly string[], res: ServerResponse): EventStream {
    let link = this.links.get(device.id);
    const first = link === undefined;
    if (!link) {
      link = { device, phoneIds: [...phoneIds], streams: [] };
      this.links.set(device.id, link);
      for (const id of link.phoneIds) addTo(this.byPhone, id, device.id);
      for (const n of device.phoneNumbers)
        addTo(this.byOwner, ownerKey(device.accountId, n), device.id);
    }
    const stream = new EventStream(device.id, res, {
      keepAliveMs: this.options.keepAliveMs,
      maxBufferedBytes: this.options.maxBufferedBytes,
      onClose: (s) => this.closed(s),
    });
    link.streams.push(stream);
    this.count++;
    while (link.streams.length > this.options.maxStreamsPerDevice) link.streams[0]?.close();
    if (first) this.options.linked(link);
    return stream;
  }

  private closed(stream: EventStream): void {
    const link = this.links.get(stream.deviceId);
    if (!link) return;
    const i = link.streams.indexOf(stream);
    if (i < 0) return;
    link.streams.splice(i, 1);
    this.count--;
    if (link.streams.length > 0) return;
    this.links.delete(stream.deviceId);
    for (const id of link.phoneIds) removeFrom(this.byPhone, id, stream.deviceId);
    for (const n of link.device.phoneNumbers) {
      removeFrom(this.byOwner, ownerKey(link.device.accountId, n), stream.deviceId);
    }
    this.options.unlinked(link);
  }

  link(deviceId: string): LinkedDevice | undefined {
    return this.links.get(deviceId);
  }

  allLinks(): IterableIterator<LinkedDevice> {
    return this.links.values();
  }

  /** Phone ids with at least one open stream. */
  phoneIds(): string[] {
    return [...this.byPhone.keys()];
  }

  /** Devices holding a stream for the textport phone. */
  devicesOfPhone(phoneId: string): string[] {
    return [...(this.byPhone.get(phoneId) ?? [])];
  }

  /** Devices holding a stream for an account's number. */
  devicesOfOwner(accountId: string, phoneNumber: string): string[] {
    return [...(this.byOwner.get(ownerKey(accountId, phoneNumber)) ?? [])];
  }

  /** Sends an event to every stream of the device; returns how many took it. */
  send(deviceId: string, name: SmsGateEventName, data?: Record<string, string> | null): number {
    let written = 0;
    for (const stream of [...(this.links.get(deviceId)?.streams ?? [])]) {
      if (stream.send(name, data)) written++;
    }
    return written;
  }

  /** Ends every stream of the device. */
  closeDevice(deviceId: string): void {
    for (const stream of [...(this.links.get(deviceId)?.streams ?? [])]) stream.close();
  }

  closeAll(): void {
    for (const link of [...this.links.values()]) this.closeDevice(link.device.id);
  }
}
