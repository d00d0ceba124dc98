/** Opt-outs end to end: inbound keywords, the suppression list, and sends that never reach a phone. */
import { describe, expect, it } from 'vitest';
import { FakeTransport, OPTED_OUT } from '../../src/index.js';
import { CONTACT, OWNER, ofType, type Setup, setup } from './helpers.js';

const OTHER_OWNER = '+18005550198';

function inbound(t: Setup, content: string, to = OWNER, from = CONTACT) {
  return t.gateway.phoneApi.receive(t.user, { from, to, content });
}

function send(t: Setup, content = 'offer', from = OWNER, to = CONTACT) {
  return t.gateway.messages.send(t.account.id, { from, to, content });
}

describe('opt-out keywords', () => {
  it('an inbound " sToP " suppresses the contact; the next send fails OPTED_OUT unseen; START lifts it', async () => {
    const transport = new FakeTransport();
    const t = await setup({ transports: [transport] });
    await inbound(t, '  sToP \n');
    const [optedOut] = ofType(t.events, 'contact.opted_out');
    expect(optedOut?.data).toMatchObject({
      user_id: t.account.id,
      owner: OWNER,
      contact: CONTACT,
      scope: 'account',
      keyword: 'STOP',
      source: 'keyword',
    });
    expect(await t.raw.suppressions(t.account.id)).toEqual([
      { id: optedOut?.data.suppression_id, owner: '', contact: CONTACT },
    ]);

    const blocked = await send(t);
    expect(blocked).toMatchObject({ status: 'failed', failureReason: OPTED_OUT, dueAt: null });
    expect(await t.raw.message(blocked.id)).toMatchObject({ status: 'failed', dueAt: null });
    const failed = ofType(t.events, 'message.send.failed');
    expect(failed.map((e) => [e.data.id, e.data.error_message])).toEqual([[blocked.id, OPTED_OUT]]);
    await t.gateway.dispatcher.runOnce();
    expect(transport.handedOff()).toEqual([]);

    await inbound(t, 'START');
    const [optedIn] = ofType(t.events, 'contact.opted_in');
    expect(optedIn?.data).toMatchObject({ contact: CONTACT, keyword: 'START', scope: 'account' });
    expect(await t.raw.suppressions(t.account.id)).toEqual([]);
    const allowed = await send(t);
    expect(allowed.status).toBe('pending');
    await t.gateway.dispatcher.runOnce();
    expect(transport.handedOff()).toEqual([allowed.id]);
  });

  it('matches the whole message only, and every default keyword in any case', async () => {
    const t = await setup();
    await inbound(t, 'stop by at 5');
    await inbound(t, 'STOP!');
    expect(await t.raw.suppressions(t.account.id)).toEqual([]);
    const keywords = [
      'STOP',
      'stopall',
      'Unsubscribe',
      'end',
      'QUIT',
      'cancel',
      'revoke',
      'OptOut',
    ];
    for (const [i, keyword] of keywords.entries()) {
      await inbound(t, keyword, OWNER, `+1800555010${i}`);
    }
    expect(await t.raw.suppressions(t.account.id)).toHaveLength(keywords.length);
    await inbound(t, 'unstop', OWNER, '+18005550100');
    await inbound(t, ' yes ', OWNER, '+18005550101');
    expect(await t.raw.suppressions(t.account.id)).toHaveLength(keywords.length - 2);
  });

  it('a repeated STOP keeps one row and tells opted_out once', async () => {
    const t = await setup();
    await inbound(t, 'STOP');
    await inbound(t, 'stop');
    expect(await t.raw.suppressions(t.account.id)).toHaveLength(1);
    expect(ofType(t.events, 'contact.opted_out')).toHaveLength(1);
  });

  it('with the phone scope, an opt-out stops only the number it was sent to', async () => {
    const t = await setup({ config: { optOut: { scope: 'phone' } } });
    await t.gateway.phones.upsert(t.account.id, { phoneNumber: OTHER_OWNER });
    await inbound(t, 'STOP');
    expect((await send(t)).status).toBe('failed');
    expect((await send(t, 'hi', OTHER_OWNER)).status).toBe('pending');
    expect(ofType(t.events, 'contact.opted_out')[0]?.data.scope).toBe('phone');
    await inbound(t, 'START', OTHER_OWNER);
    expect((await send(t)).status).toBe('failed');
    await inbound(t, 'START');
    expect((await send(t)).status).toBe('pending');
  });

  it('sends the configured confirmations, the opt-out one to the contact that just opted out', async () => {
    const transport = new FakeTransport();
    const replies = {
      optOut: 'You are unsubscribed.',
      optIn: 'Welcome back.',
      help: 'Reply STOP.',
    };
    const t = await setup({ transports: [transport], config: { optOut: { replies } } });
    const stop = await inbound(t, 'STOP');
    const [confirmation] = await t.gateway.messages.list(t.account.id, {
      owner: OWNER,
      contact: CONTACT,
      query: 'unsubscribed',
    });
    expect(confirmation).toMatchObject({
      status: 'pending',
      content: replies.optOut,
      requestId: `keyword-reply-${stop.id}`,
    });
    await t.gateway.dispatcher.runOnce();
    expect(transport.handedOff()).toEqual([confirmation?.id]);
    await inbound(t, 'help');
    await inbound(t, 'start');
    const contents = (
      await t.gateway.messages.list(t.account.id, { owner: OWNER, contact: CONTACT })
    )
      .filter((m) => m.type === 'mobile-terminated')
      .map((m) => m.content)
      .sort();
    expect(contents).toEqual([replies.help, replies.optIn, replies.optOut].sort());
  });

  it('leaves keywords alone when turned off, and ignores encrypted messages', async () => {
    const off = await setup({ config: { optOut: { enabled: false } } });
    await inbound(off, 'STOP');
    expect(await off.raw.suppressions(off.account.id)).toEqual([]);
    const t = await setup();
    await t.gateway.phoneApi.receive(t.user, {
      from: CONTACT,
      to: OWNER,
      content: 'STOP',
      encrypted: true,
    });
    expect(await t.raw.suppressions(t.account.id)).toEqual([]);
  });

  it('takes custom keywords and refuses one listed twice', async () => {
    const t = await setup({ config: { optOut: { optOutKeywords: ['arrêt'] } } });
    await inbound(t, 'ARRÊT');
    expect(await t.raw.suppressions(t.account.id)).toHaveLength(1);
    await inbound(t, 'STOP', OWNER, '+18005550101');
    expect(await t.raw.suppressions(t.account.id)).toHaveLength(1);
    await expect(
      setup({ config: { optOut: { optOutKeywords: ['STOP'], optInKeywords: ['stop'] } } }),
    ).rejects.toMatchObject({ code: 'config', message: expect.stringContaining('STOP') });
  });
});

describe('sends to suppressed contacts', () => {
  it('a bulk send reports OPTED_OUT per recipient and queues the others', async () => {
    const transport = new FakeTransport();
    const t = await setup({ transports: [transport] });
    await inbound(t, 'STOP', OWNER, '+18005550101');
    const messages = await t.gateway.messages.sendBulk(t.account.id, {
      from: OWNER,
      to: ['+18005550100', '+18005550101', '+18005550102'],
      content: 'sale',
    });
    expect(messages.map((m) => [m.contact, m.status, m.failureReason])).toEqual([
      ['+18005550100', 'pending', null],
      ['+18005550101', 'failed', OPTED_OUT],
      ['+18005550102', 'pending', null],
    ]);
    const rows = await t.gateway.bulk.send(t.account.id, [
      { from: OWNER, to: '+18005550101', content: 'a' },
      { from: OWNER, to: '+18005550103', content: 'b' },
    ]);
    expect(rows.messages.map((m) => m.status)).toEqual(['failed', 'pending']);
    // Paced hand-offs (10 a minute): a minute of rounds hands off every queued one.
    for (let round = 0; round < 12; round++) {
      await t.gateway.dispatcher.runOnce();
      t.clock.advance(6_000);
    }
    const handed = transport.handedOff();
    expect(handed).toHaveLength(3);
    expect(handed).not.toContain(messages[1]?.id);
    expect(handed).not.toContain(rows.messages[0]?.id);
  });

  it('withholds a missed-call auto-reply to a suppressed contact', async () => {
    const t = await setup();
    await t.gateway.phones.upsert(t.account.id, {
      phoneNumber: OWNER,
      missedCallAutoReply: 'Call you later',
    });
    await inbound(t, 'STOP');
    await t.gateway.phoneApi.missedCall(t.user, { from: CONTACT, to: OWNER, sim: 'SIM1' });
    const [reply] = await t.gateway.messages.list(t.account.id, {
      owner: OWNER,
      contact: CONTACT,
      query: 'Call you later',
    });
    expect(reply).toMatchObject({ status: 'failed', failureReason: OPTED_OUT });
  });
});
