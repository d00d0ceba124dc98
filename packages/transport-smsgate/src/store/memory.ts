/** The SMSGate state in memory: one process, no durability (tests, demos). */
import type {
  DeviceRecord,
  GroupRecord,
  SmsGateStore,
  StoredEvent,
  WebhookRegistration,
} from './types.js';
import { GroupExistsError } from './types.js';

const copy = <T>(value: T): T => structuredClone(value);

export function memoryStore(): SmsGateStore {
  const devices = new Map<string, DeviceRecord>();
  const groups = new Map<string, GroupRecord>();
  const byMessage = new Map<string, string>();
  const webhooks = new Map<string, WebhookRegistration>();
  const settings = new Map<string, Record<string, Record<string, unknown>>>();
  const inbound = new Map<string, number>();
  let events: StoredEvent[] = [];
  let lastSeq = 0;
  const key = (accountId: string, id: string) => `${accountId} ${id}`;
  const tokenTaken = (tokenHash: string) =>
    [...devices.values()].some((d) => d.tokenHash === tokenHash);

  return {
    async insertDevice(device) {
      if (devices.has(device.id)) throw new Error(`device [${device.id}] exists`);
      if (tokenTaken(device.tokenHash)) throw new Error('a device has this token hash');
      devices.set(device.id, copy(device));
    },
    async getDevice(id) {
      const d = devices.get(id);
      return d ? copy(d) : null;
    },
    async findDeviceByTokenHash(tokenHash) {
      for (const d of devices.values()) if (d.tokenHash === tokenHash) return copy(d);
      return null;
    },
    async listDevices(accountId) {
      return [...devices.values()]
        .filter((d) => d.accountId === accountId)
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
        .map(copy);
    },
    async updateDevice(id, patch) {
      const d = devices.get(id);
      if (!d) return null;
      // A field given as undefined stays as it is, like a field left out.
      const given = Object.entries(copy(patch)).filter(([, value]) => value !== undefined);
      const next: DeviceRecord = { ...d, ...Object.fromEntries(given) };
      if (next.tokenHash !== d.tokenHash && tokenTaken(next.tokenHash)) {
        throw new Error('a device has this token hash');
      }
      devices.set(id, next);
      return copy(next);
    },
    async deleteDevice(accountId, id) {
      const d = devices.get(id);
      if (!d || d.accountId !== accountId) return false;
      devices.delete(id);
      return true;
    },

    async acceptGroup(group, send) {
      const k = key(group.accountId, group.id);
      if (groups.has(k)) throw new GroupExistsError(group.id);
      // Reserve the id first, so a concurrent accept with the same id cannot send too.
      groups.set(k, { ...copy(group), messageIds: [] });
      try {
        const messages = await send(undefined);
        const stored = { ...copy(group), messageIds: messages.map((m) => m.id) };
        groups.set(k, stored);
        for (const id of stored.messageIds) byMessage.set(key(group.accountId, id), group.id);
        return { group: copy(stored), messages };
      } catch (error) {
        groups.delete(k);
        throw error;
      }
    },
    async getGroup(accountId, id) {
      const g = groups.get(key(accountId, id));
      return g && g.messageIds.length > 0 ? copy(g) : null;
    },
    async findGroupByMessageId(accountId, messageId) {
      const id = byMessage.get(key(accountId, messageId));
      return id === undefined ? null : this.getGroup(accountId, id);
    },
    async listGroups(query) {
      const all = [...groups.values()]
        .filter(
          (g) =>
            g.accountId === query.accountId &&
            g.messageIds.length > 0 &&
            (query.deviceId == null || g.deviceId === query.deviceId) &&
            (query.from == null || g.createdAt >= query.from) &&
            (query.to == null || g.createdAt < query.to),
        )
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      if (query.order !== 'asc') all.reverse();
      return {
        groups: all.slice(query.skip, query.skip + query.limit).map(copy),
        total: all.length,
      };
    },

    async listWebhooks(accountId, deviceId) {
      return [...webhooks.values()]
        .filter(
          (w) =>
            w.accountId === accountId &&
            (deviceId === undefined || w.deviceId === null || w.deviceId === deviceId),
        )
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
        .map(copy);
    },
    async upsertWebhook(webhook) {
      webhooks.set(key(webhook.accountId, webhook.id), copy(webhook));
    },
    async deleteWebhook(accountId, id) {
      return webhooks.delete(key(accountId, id));
    },

    async getSettings(accountId) {
      return copy(settings.get(accountId) ?? {});
    },
    async putSettings(accountId, document) {
      settings.set(accountId, copy(document));
    },

    async hasInbound(deviceId, eventId) {
      return inbound.has(key(deviceId, eventId));
    },
    async rememberInbound(deviceId, eventId, now) {
      const k = key(deviceId, eventId);
      if (inbound.has(k)) return false;
      inbound.set(k, now);
      return true;
    },
    async forgetInbound(before) {
      let n = 0;
      for (const [k, at] of inbound) {
        if (at < before) {
          inbound.delete(k);
          n += 1;
        }
      }
      return n;
    },

    async appendEvent(event) {
      lastSeq += 1;
      events.push({ ...copy(event), seq: lastSeq });
      return lastSeq;
    },
    async eventsAfter(seq, limit) {
      return events
        .filter((e) => e.seq > seq)
        .slice(0, limit)
        .map(copy);
    },
    async lastEventSeq() {
      return lastSeq;
    },
    async purgeEvents(before) {
      const kept = events.filter((e) => e.createdAt >= before);
      const n = events.length - kept.length;
      events = kept;
      return n;
    },
  };
}
