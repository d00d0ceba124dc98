/**
 * The reasons the lifecycle gives when it ignores or refuses an event. A refusal's
 * reason reaches API callers (the phone's outstanding fetch, cancel, status reports),
 * and an ignore's reason reaches the logs, so both are part of the contract.
 */
import { describe, expect, it } from 'vitest';
import {
  decide,
  LIFECYCLE_EVENTS,
  type LifecycleEvent,
  TRANSITIONS,
  type TransitionTable,
  targetOf,
} from '../../src/lifecycle/machine.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../../src/lifecycle/status.js';

const REASONS: Partial<Record<LifecycleEvent, Partial<Record<MessageStatus, string>>>> = {
  schedule: {
    scheduled: 'the hand-off is already scheduled',
    sending: 'cannot schedule a message in status [sending]',
    sent: 'cannot schedule a message in status [sent]',
    delivered: 'cannot schedule a message in status [delivered]',
    failed: 'cannot schedule a message in status [failed]',
    received: 'cannot schedule a message in status [received]',
    canceled: 'cannot schedule a message in status [canceled]',
  },
  take: Object.fromEntries(
    (['sending', 'sent', 'delivered', 'failed', 'received', 'canceled'] as const).map((s) => [
      s,
      `cannot find outstanding message: status [${s}] cannot be taken by the phone`,
    ]),
  ),
  'phone.sent': {
    pending: 'cannot mark a message in status [pending] as sent',
    sent: 'the message is already sent',
    delivered: 'a sent event after delivered changes nothing',
    failed: 'cannot mark a message in status [failed] as sent',
    received: 'cannot mark a message in status [received] as sent',
    canceled: 'cannot mark a message in status [canceled] as sent',
  },
  'phone.delivered': {
    pending: 'a delivered event on a message in status [pending] is ignored',
    delivered: 'the message is already delivered',
    failed: 'a delivered event on a message in status [failed] is ignored',
    received: 'a delivered event on a message in status [received] is ignored',
    canceled: 'a delivered event on a message in status [canceled] is ignored',
  },
  'phone.failed': {
    delivered: 'a failed event after delivered changes nothing',
    failed: 'the message has already failed',
    received: 'cannot mark a message in status [received] as failed',
    canceled: 'cannot mark a message in status [canceled] as failed',
  },
  retry: {
    pending: 'the message is already queued for another attempt',
    sent: 'a message in status [sent] is not sent again',
    delivered: 'the message is already delivered',
    failed: 'the message has already failed',
    received: 'a message in status [received] is not sent again',
    canceled: 'a message in status [canceled] is not sent again',
  },
  expire: {
    sent: 'a message in status [sent] does not expire',
    delivered: 'a message in status [delivered] does not expire',
    failed: 'a message in status [failed] does not expire',
    expired: 'the message has already expired',
    received: 'a message in status [received] does not expire',
    canceled: 'a message in status [canceled] does not expire',
  },
  cancel: {
    sending: 'cannot cancel a message in status [sending]: the phone has already taken it',
    sent: 'cannot cancel a message in status [sent]: the phone has already taken it',
    delivered: 'cannot cancel a message in status [delivered]: the phone has already taken it',
    failed: 'cannot cancel a message in status [failed]: the phone has already taken it',
    received: 'incoming messages cannot be canceled',
    canceled: 'the message is already canceled',
  },
};

describe('lifecycle reasons', () => {
  const cells = LIFECYCLE_EVENTS.flatMap((event) =>
    MESSAGE_STATUSES.map((status) => [event, status] as const),
  );

  it.each(cells)('%s on %s gives its reason, and only a non-move has one', (event, status) => {
    const decision = decide(status, event);
    const expected = REASONS[event]?.[status];
    if (decision.kind === 'move') {
      expect(expected, 'a move has no reason').toBeUndefined();
      expect(decision).not.toHaveProperty('reason');
    } else {
      expect(decision.reason).toBe(expected);
    }
  });

  it('every decision is frozen, so no caller can rewrite a rule', () => {
    expect(Object.isFrozen(TRANSITIONS)).toBe(true);
    for (const event of LIFECYCLE_EVENTS) {
      expect(Object.isFrozen(TRANSITIONS[event])).toBe(true);
      for (const status of MESSAGE_STATUSES) {
        expect(Object.isFrozen(TRANSITIONS[event][status])).toBe(true);
      }
    }
  });
});

describe('targetOf on a broken table', () => {
  function withRow(
    event: LifecycleEvent,
    change: (row: Record<MessageStatus, TransitionTable[LifecycleEvent][MessageStatus]>) => void,
  ): TransitionTable {
    const row = { ...TRANSITIONS[event] };
    change(row);
    return { ...TRANSITIONS, [event]: row };
  }

  it('throws when an event moves messages to two statuses', () => {
    const table = withRow('cancel', (row) => {
      row.expired = { kind: 'move', to: 'failed' };
    });
    expect(() => targetOf('cancel', table)).toThrow(
      'the lifecycle event cancel has no single target status',
    );
  });

  it('throws when an event moves no message at all', () => {
    const table = withRow('expire', (row) => {
      for (const status of MESSAGE_STATUSES) row[status] = { kind: 'ignore', reason: 'off' };
    });
    expect(() => targetOf('expire', table)).toThrow(
      'the lifecycle event expire has no single target status',
    );
  });

  it('reads the built-in table by default', () => {
    expect(targetOf('cancel')).toBe('canceled');
    expect(targetOf('cancel', TRANSITIONS)).toBe('canceled');
  });
});
