/** Writing device events to this node's streams, and cancellations to every node. */
import type { GatewayEvent, Logger } from '@textport/core';
import { appIdOf } from '../app-ids.js';
import type { DeviceEvent, SmsGateStore } from '../store/types.js';
import type { SmsGateEventName } from '../wire.js';
import { DEVICE_DELETED, type EventFanout } from './fanout.js';
import type { StreamRegistry } from './registry.js';

/**
 * Writes an event to this node's matching streams (account-wide when `deviceId` is
 * null); a `DEVICE_DELETED` closes the device's streams instead (matched by device
 * id alone: device ids are unique). Returns how many streams took it.
 */
export function deliverLocally(streams: StreamRegistry, event: DeviceEvent): number {
  if (event.name === DEVICE_DELETED) {
    if (event.deviceId !== null) streams.closeDevice(event.deviceId);
    return 0;
  }
  if (event.name.startsWith('textport:')) return 0;
  let written = 0;
  for (const link of [...streams.allLinks()]) {
    const d = link.device;
    if (d.accountId !== event.accountId) continue;
    if (event.deviceId !== null && d.id !== event.deviceId) continue;
    written += streams.send(d.id, event.name as SmsGateEventName, event.data);
  }
  return written;
}

/**
 * `message.api.canceled`, seen only on the node where the cancel happened: the
 * devices of the sender's number held here are told, and the event is logged for
 * each of the number's devices so the other nodes tell theirs. The app is told the
 * id it knows the message by (`appIdOf`).
 */
export function tellCanceled(
  parts: { streams: StreamRegistry; store: SmsGateStore; fanout: EventFanout; logger?: Logger },
  event: GatewayEvent<'message.api.canceled'>,
): void {
  const { streams, store, fanout } = parts;
  const tell = async () => {
    const group = await store.findGroupByMessageId(event.accountId, event.data.id);
    const data = { messageId: appIdOf(event.data, group) };
    const here = new Set(streams.devicesOfOwner(event.accountId, event.owner));
    for (const deviceId of here) streams.send(deviceId, 'MessageCancelled', data);
    for (const d of await store.listDevices(event.accountId)) {
      if (!d.phoneNumbers.includes(event.owner)) continue;
      // A device that linked here since was not told above.
      if (!here.has(d.id)) streams.send(d.id, 'MessageCancelled', data);
      fanout.publish({ accountId: d.accountId, deviceId: d.id, name: 'MessageCancelled', data });
    }
  };
  tell().catch((error: unknown) => {
    parts.logger?.warn(
      { err: error, messageId: event.data.id },
      'could not tell the devices of a canceled SMSGate message',
    );
  });
}
