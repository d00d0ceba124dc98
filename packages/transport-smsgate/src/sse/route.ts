/** `GET /events`: the app's event stream (§3), opened with the device token. */

import type { MobileContext } from '../device/context.js';
import { requireDevice } from '../device/context.js';
import type { RequestContext } from '../http/io.js';
import { SmsGateHttpError } from '../http/io.js';

/**
 * Opens a stream for the device: 401 (JSON) without a valid token, 503 when the
 * node holds `maxStreams` already. The device's phones become reachable through
 * this node while it holds a stream (see `StreamRegistry`); the request itself
 * counted as presence (`requireDevice`).
 */
export async function openEvents(mc: MobileContext, ctx: RequestContext): Promise<void> {
  const authed = await requireDevice(mc, ctx.req);
  const host = mc.host();
  // The room is held across the phone lookup, so streams opening at once stay within the bound.
  if (!mc.streams.reserve()) {
    throw new SmsGateHttpError(503, 'too many open event streams on this server; retry later', {
      'retry-after': '30',
    });
  }
  const { device, principal } = authed;
  const phoneIds: string[] = [];
  try {
    const linked = mc.streams.link(device.id);
    if (linked) phoneIds.push(...linked.phoneIds);
    else {
      for (const number of principal.phoneNumbers ?? []) {
        const phone = await host.lookups.phoneByNumber(device.accountId, number);
        if (phone) phoneIds.push(phone.id);
      }
    }
    if (ctx.req.socket.destroyed || ctx.res.destroyed) return;
    ctx.req.socket.setKeepAlive(true);
    ctx.req.socket.setTimeout(0);
    mc.streams.open(device, phoneIds, ctx.res);
  } finally {
    mc.streams.release();
  }
  try {
    if (await host.lookups.hasDueWork(phoneIds)) host.wake();
  } catch {
    host.wake();
  }
}
