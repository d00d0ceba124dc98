/**
 * The heartbeat monitor (docs/android-app.md, Heartbeats; README, What it does): a phone whose last heartbeat is older than
 * `missedAfterMs` is asked for one through its transport; older than
 * `offlineAfterMs` it is marked offline (`phone.heartbeat.offline`). The next
 * heartbeat brings it back online (`phone.heartbeat.online`, in the phone API).
 * Check times live in the store (`heartbeatCheckAt`), claimed like messages.
 */

import type { HeartbeatOptions } from '../config/config.js';
import type { PhoneRecord } from '../domain/records.js';
import { formatNullable, formatTimestamp } from '../domain/time.js';
import type { Transport } from '../transport.js';
import type { GatewayContext } from '../uow/context.js';
import { runUnitOfWork } from '../uow/context.js';

export class HeartbeatMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  private readonly transports: readonly Transport[];
  private readonly options: HeartbeatOptions;
  private readonly claimer: string;

  constructor(private readonly ctx: GatewayContext) {
    this.transports = ctx.transports;
    this.options = ctx.heartbeat;
    this.claimer = ctx.nodeId;
  }

  start(): void {
    if (this.timer) return;
    const interval = Math.min(this.options.checkIntervalMs, 60_000);
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((error: unknown) => {
          this.ctx.operations.report('store.error', { operation: 'heartbeat.check', error });
          this.ctx.logger.error({ err: error }, 'heartbeat check failed');
        })
        .finally(() => {
          this.running = undefined;
        });
    }, interval);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Checks every phone whose check is due; returns how many were checked. */
  async runOnce(): Promise<number> {
    const now = this.ctx.clock.now();
    const phones = await this.ctx.store.claimHeartbeatChecks({
      now,
      limit: this.options.batchSize,
      leaseMs: this.options.checkIntervalMs,
      claimer: this.claimer,
    });
    for (const phone of phones) await this.check(phone, now);
    return phones.length;
  }

  private async check(phone: PhoneRecord, now: number): Promise<void> {
    const age = now - (phone.lastHeartbeatAt ?? phone.createdAt);
    if (age > this.options.missedAfterMs) {
      const transport = this.transports.find((t) => t.reach().has(phone));
      try {
        await transport?.requestHeartbeat(phone);
      } catch (error) {
        this.ctx.logger.warn({ err: error, phoneId: phone.id }, 'could not request a heartbeat');
      }
    }
    const goesOffline = age > this.options.offlineAfterMs && phone.online;
    await runUnitOfWork(this.ctx, async (uow) => {
      await uow.tx.updatePhone(phone.id, {
        heartbeatCheckAt: now + this.options.checkIntervalMs,
        ...(goesOffline ? { online: false, updatedAt: now } : {}),
      });
      if (!goesOffline) return;
      uow.event('phone.heartbeat.offline', phone.accountId, phone.phoneNumber, '/v1/heartbeats', {
        phone_id: phone.id,
        user_id: phone.accountId,
        last_heartbeat_timestamp: formatNullable(phone.lastHeartbeatAt),
        timestamp: formatTimestamp(now),
        monitor_id: phone.id,
        owner: phone.phoneNumber,
      });
    });
  }
}
