/**
 * Revocation of open sockets. A socket resolves its key at `hello`; afterwards
 * the key is checked again when the notifier's `keys` topic says some key was
 * deleted, rotated or lost a number (through any node), and every
 * `keyCheckIntervalMs` as the safety net for a lost notification. A socket whose
 * key is gone is closed with 4401; one whose phone key lost some of its numbers
 * stops serving them, and is closed with 4401 when none is left.
 */
import type { PhoneRecord, Principal } from '@textport/core';
import type { TransportHost } from '@textport/core/transport';
import type { PhoneSession } from './session.js';

/** Keys resolved at once during a check. */
const CONCURRENCY = 8;

export interface KeyCheckHost {
  /** The transport's host (none before its first start): authentication and the logger. */
  host(): TransportHost | undefined;
  sessions(): Iterable<PhoneSession>;
  /** `session` no longer serves `phones`: stop routing them to it. */
  dropped(session: PhoneSession, phones: readonly PhoneRecord[]): void;
}

export class KeyCheck {
  /** Counts the checks started; a hello that resolved its key before the latest one resolves it again. */
  epoch = 0;
  private running = false;
  private again = false;

  constructor(private readonly host: KeyCheckHost) {}

  /** Checks every authenticated socket's key; a call during a check runs one more after it. */
  checkAll(): void {
    this.epoch++;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.checkAll();
      }
    });
  }

  private async run(): Promise<void> {
    const byKey = new Map<string, PhoneSession[]>();
    for (const session of this.host.sessions()) {
      const key = session.apiKey;
      if (key === undefined) continue;
      const group = byKey.get(key);
      if (group) group.push(session);
      else byKey.set(key, [session]);
    }
    const groups = [...byKey];
    for (let i = 0; i < groups.length; i += CONCURRENCY) {
      await Promise.all(
        groups.slice(i, i + CONCURRENCY).map(([key, sessions]) => this.check(key, sessions)),
      );
    }
  }

  private async check(key: string, sessions: readonly PhoneSession[]): Promise<void> {
    const host = this.host.host();
    if (!host) return;
    let principal: Principal | null;
    try {
      principal = await host.authenticate(key);
    } catch (error) {
      host.logger.warn(
        { err: error },
        'could not check the key of open phone sockets; checked again on the next poll',
      );
      return;
    }
    for (const session of sessions) this.apply(session, principal);
  }

  private apply(session: PhoneSession, principal: Principal | null): void {
    const before = session.principal;
    if (!before) return;
    if (!principal || principal.accountId !== before.accountId) {
      this.host.dropped(session, session.phones);
      session.revoke('the API key of this socket was revoked');
      return;
    }
    const dropped = session.rescope(principal);
    if (dropped.length > 0) this.host.dropped(session, dropped);
    if (session.phones.length === 0) {
      session.revoke('the API key no longer serves the phone numbers of this socket');
    }
  }
}
