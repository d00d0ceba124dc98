import { describe, expect, it } from 'vitest';
import {
  canTransition,
  decide,
  isTerminal,
  LIFECYCLE_EVENTS,
  type LifecycleEvent,
  sourcesOf,
  TRANSITIONS,
  targetOf,
} from '../../src/lifecycle/machine.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../../src/lifecycle/status.js';

/** A target status means `move`; otherwise the decision kind. */
type Expected = MessageStatus | 'ignore' | 'reject';

/** The lifecycle rules, written out by hand: one line per status, one column per event. */
const EXPECTED: Record<MessageStatus, Record<LifecycleEvent, Expected>> = {
  pending: {
    schedule: 'scheduled',
    take: 'sending',
    'phone.sent': 'reject',
    'phone.delivered': 'ignore',
    'phone.failed': 'failed',
    retry: 'ignore',
    expire: 'expired',
    cancel: 'canceled',
  },
  scheduled: {
    schedule: 'ignore',
    take: 'sending',
    'phone.sent': 'sent',
    'phone.delivered': 'delivered',
    'phone.failed': 'failed',
    retry: 'pending',
    expire: 'expired',
    cancel: 'canceled',
  },
  sending: {
    schedule: 'reject',
    take: 'reject',
    'phone.sent': 'sent',
    'phone.delivered': 'delivered',
    'phone.failed': 'failed',
    retry: 'pending',
    expire: 'expired',
    cancel: 'reject',
  },
  sent: {
    schedule: 'reject',
    take: 'reject',
    'phone.sent': 'ignore',
    'phone.delivered': 'delivered',
    'phone.failed': 'failed',
    retry: 'reject',
    expire: 'ignore',
    cancel: 'reject',
  },
  delivered: {
    schedule: 'reject',
    take: 'reject',
    'phone.sent': 'ignore',
    'phone.delivered': 'ignore',
    'phone.failed': 'ignore',
    retry: 'ignore',
    expire: 'ignore',
    cancel: 'reject',
  },
  failed: {
    schedule: 'reject',
    take: 'reject',
    'phone.sent': 'reject',
    'phone.delivered': 'ignore',
    'phone.failed': 'ignore',
    retry: 'ignore',
    expire: 'ignore',
    cancel: 'reject',
  },
  expired: {
    schedule: 'scheduled',
    take: 'sending',
    'phone.sent': 'sent',
    'phone.delivered': 'delivered',
    'phone.failed': 'failed',
    retry: 'pending',
    expire: 'ignore',
    cancel: 'canceled',
  },
  received: {
    schedule: 'reject',
    take: 'reject',
    'phone.sent': 'reject',
    'phone.delivered': 'ignore',
    'phone.failed': 'reject',
    retry: 'reject',
    expire: 'ignore',
    cancel: 'reject',
  },
  canceled: {
    schedule: 'reject',
    take: 'reject',
    'phone.sent': 'reject',
    'phone.delivered': 'ignore',
    'phone.failed': 'reject',
    retry: 'reject',
    expire: 'ignore',
    cancel: 'ignore',
  },
};

const PAIRS = MESSAGE_STATUSES.flatMap((status) =>
  LIFECYCLE_EVENTS.map((event) => ({ status, event, expected: EXPECTED[status][event] })),
);

describe('decide', () => {
  it('covers the full status × event cross product', () => {
    expect(PAIRS).toHaveLength(MESSAGE_STATUSES.length * LIFECYCLE_EVENTS.length);
    expect(PAIRS).toHaveLength(72);
  });

  it.each(PAIRS)('$status + $event → $expected', ({ status, event, expected }) => {
    const decision = decide(status, event);
    if (expected === 'ignore' || expected === 'reject') {
      expect(decision.kind).toBe(expected);
      expect(decision).not.toHaveProperty('to');
      if (decision.kind !== 'move') expect(decision.reason.trim()).not.toBe('');
    } else {
      expect(decision).toEqual({ kind: 'move', to: expected });
    }
    expect(canTransition(status, event)).toBe(decision.kind === 'move');
  });

  it('is a lookup in TRANSITIONS', () => {
    for (const { status, event } of PAIRS) {
      expect(decide(status, event)).toBe(TRANSITIONS[event][status]);
    }
  });

  it('explains why a taken message cannot be canceled', () => {
    for (const status of ['sending', 'sent', 'delivered', 'failed'] as const) {
      expect(decide(status, 'cancel')).toEqual({
        kind: 'reject',
        reason: `cannot cancel a message in status [${status}]: the phone has already taken it`,
      });
    }
    expect(decide('received', 'cancel')).toEqual({
      kind: 'reject',
      reason: 'incoming messages cannot be canceled',
    });
  });

  it('names the status in the reason of a refused take', () => {
    const decision = decide('sent', 'take');
    expect(decision.kind).toBe('reject');
    if (decision.kind === 'reject') {
      expect(decision.reason).toMatch(/outstanding message/);
      expect(decision.reason).toContain('[sent]');
    }
  });
});

describe('frozen data', () => {
  it('freezes the events, the table, its rows and its decisions', () => {
    expect(Object.isFrozen(LIFECYCLE_EVENTS)).toBe(true);
    expect(Object.isFrozen(TRANSITIONS)).toBe(true);
    for (const event of LIFECYCLE_EVENTS) {
      expect(Object.isFrozen(TRANSITIONS[event])).toBe(true);
      for (const status of MESSAGE_STATUSES) {
        expect(Object.isFrozen(TRANSITIONS[event][status])).toBe(true);
      }
    }
  });

  it('lists the events in order', () => {
    expect([...LIFECYCLE_EVENTS]).toEqual([
      'schedule',
      'take',
      'phone.sent',
      'phone.delivered',
      'phone.failed',
      'retry',
      'expire',
      'cancel',
    ]);
  });
});

describe('sourcesOf', () => {
  it.each([
    ['schedule', ['pending', 'expired']],
    ['take', ['pending', 'scheduled', 'expired']],
    ['phone.sent', ['scheduled', 'sending', 'expired']],
    ['phone.delivered', ['scheduled', 'sending', 'sent', 'expired']],
    ['phone.failed', ['pending', 'scheduled', 'sending', 'sent', 'expired']],
    ['retry', ['scheduled', 'sending', 'expired']],
    ['expire', ['pending', 'scheduled', 'sending']],
    ['cancel', ['pending', 'scheduled', 'expired']],
  ] as const)('%s moves from %j', (event, sources) => {
    expect(sourcesOf(event)).toEqual([...sources]);
  });

  it('returns a fresh array each call', () => {
    const first = sourcesOf('take');
    first.push('received');
    expect(sourcesOf('take')).not.toContain('received');
  });
});

describe('targetOf', () => {
  it.each([
    ['schedule', 'scheduled'],
    ['take', 'sending'],
    ['phone.sent', 'sent'],
    ['phone.delivered', 'delivered'],
    ['phone.failed', 'failed'],
    ['expire', 'expired'],
    ['cancel', 'canceled'],
  ] as const)('%s moves to %s', (event, target) => {
    expect(targetOf(event)).toBe(target);
  });
});

describe('isTerminal', () => {
  it.each([
    ['pending', false],
    ['scheduled', false],
    ['sending', false],
    ['sent', false],
    ['delivered', true],
    ['failed', true],
    ['expired', false],
    ['received', true],
    ['canceled', true],
  ] as const)('%s → %s', (status, terminal) => {
    expect(isTerminal(status)).toBe(terminal);
    expect(isTerminal(status, {})).toBe(terminal);
    expect(isTerminal(status, { finalExpiry: false })).toBe(terminal);
  });

  it('treats expired as terminal only with finalExpiry', () => {
    expect(isTerminal('expired', { finalExpiry: true })).toBe(true);
    expect(isTerminal('sent', { finalExpiry: true })).toBe(false);
    expect(isTerminal('delivered', { finalExpiry: true })).toBe(true);
  });
});
