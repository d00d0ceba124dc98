/** Message statuses. `canceled` is textport's own: httpSMS has no cancel. */
export const MESSAGE_STATUSES = Object.freeze([
  'pending',
  'scheduled',
  'sending',
  'sent',
  'delivered',
  'failed',
  'expired',
  'received',
  'canceled',
] as const);
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const MESSAGE_TYPES = Object.freeze([
  'mobile-terminated',
  'mobile-originated',
  'call/missed',
] as const);
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const SIMS = Object.freeze(['SIM1', 'SIM2'] as const);
export type Sim = (typeof SIMS)[number];
