/**
 * `createGateway(config)`: the facade every adapter talks to. Operations are
 * grouped by who calls them: `messages` (the send API), `phoneApi` (what a phone
 * calls), `phones`, `threads`, `webhooks`, `schedules`, `bulk` (rows of an upload)
 * and `accounts`.
 */

import { Alerter } from '../alerts/alerter.js';
import type { GatewayConfig } from '../config/config.js';
import { resolveConfig } from '../config/config.js';
import { Dispatcher } from '../dispatch/dispatcher.js';
import { HeartbeatMonitor } from '../dispatch/heartbeats.js';
import type { AccountRecord, ApiKeyRecord, PhoneRecord } from '../domain/records.js';
import { GatewayError } from '../errors.js';
import type { GatewayEventListener, GatewayEventType } from '../events/events.js';
import { GatewayEmitter } from '../events/events.js';
import { OperationsEmitter } from '../events/operations.js';
import type { PhoneApi } from '../phone-api.js';
import { RetentionWorker } from '../retention/worker.js';
import type { Store } from '../store.js';
import type { Transport } from '../transport.js';
import type { GatewayContext } from '../uow/context.js';
import { WebhookWorker } from '../webhooks/worker.js';
import { deleteAccount } from './account-deletion.js';
import * as accounts from './accounts.js';
import { accountActivity } from './activity.js';
import { startAttachmentSweep, sweepAttachments } from './attachment-sweep.js';
import * as bulk from './bulk-send.js';
import * as deliveries from './deliveries.js';
import * as inbound from './inbound.js';
import { createIntegrations } from './integrations.js';
import * as messages from './messages.js';
import * as phoneEvents from './phone-events.js';
import { phoneReach } from './phone-reach.js';
import * as phones from './phones.js';
import * as pools from './pools.js';
import { readiness } from './readiness.js';
import * as schedules from './schedules.js';
import type { BulkSendInput, SendInput, SendOptions } from './send.js';
import { sendMessages } from './send.js';
import * as suppressions from './suppressions.js';
import * as threads from './threads.js';
import { createTransportHost } from './transport-host.js';
import type { Gateway, PageInput } from './types.js';

export type { Gateway, PageInput } from './types.js';

import { storableMethods } from './validate.js';
import * as webhooks from './webhooks.js';

export function createGateway(config: GatewayConfig): Gateway {
  const resolved = resolveConfig(config);
  const emitter = new GatewayEmitter((error, type) =>
    resolved.logger.error({ err: error, event: type }, 'a gateway event listener failed'),
  );
  const operations = new OperationsEmitter((error, type) =>
    resolved.logger.error({ err: error, event: type }, 'an operations listener failed'),
  );
  const ctx: GatewayContext = { ...resolved, emitter, operations };
  const dispatcher = new Dispatcher(ctx);
  const monitor = new HeartbeatMonitor(ctx);
  const webhookWorker = new WebhookWorker(ctx);
  const alerter = ctx.alerts ? new Alerter(ctx, ctx.alerts) : undefined;
  const integrations = createIntegrations(ctx);
  const retention = new RetentionWorker(ctx, {
    afterMessagesRemoved: () => sweepAttachments(ctx),
  });
  const phoneApi: PhoneApi = storableMethods({
    takeOutstanding: (principal: accounts.Principal, messageId: string) =>
      phoneEvents.takeOutstanding(ctx, principal, messageId),
    reportEvent: (
      principal: accounts.Principal,
      messageId: string,
      input: phoneEvents.PhoneEventInput,
    ) => phoneEvents.reportPhoneEvent(ctx, principal, messageId, input),
    receive: (principal: accounts.Principal, input: inbound.ReceiveInput) =>
      inbound.receiveMessage(ctx, principal, input),
    missedCall: (principal: accounts.Principal, input: inbound.MissedCallInput) =>
      inbound.recordMissedCall(ctx, principal, input),
    heartbeat: (principal: accounts.Principal, input: phones.HeartbeatInput) =>
      phones.recordHeartbeats(ctx, principal, input),
    updateFcmToken: (
      principal: accounts.Principal,
      input: Parameters<typeof phones.updateFcmToken>[2],
    ) => phones.updateFcmToken(ctx, principal, input),
  });
  const transportHost = createTransportHost(ctx, {
    wake: () => dispatcher.wake(),
    phoneApi,
    authenticate: (apiKey) => accounts.authenticate(ctx, apiKey),
  });
  let state: 'idle' | 'running' | 'stopping' = 'idle';
  const started = new Set<Transport>();
  let stopSweep = () => {};

  const gateway: Gateway = {
    /** The store the gateway writes to. */
    store: ctx.store as Store,
    /** Where incoming MMS attachments are kept. */
    attachments: ctx.attachments,
    /** Whether the gateway can do its work (`GET /health/ready`): pass, warn or fail. */
    readiness: () => readiness(ctx, { running: state === 'running', started }),
    /** Removes attachment files no message points at; runs on its own after `start()`. */
    sweepAttachments: () => sweepAttachments(ctx),
    /** The validated configuration. */
    config: resolved,

    /** What the gateway hands its transports on `start()` (see transport.ts). */
    transportHost,

    /** Hands due messages to phones (claims, pacing, expiry); `runOnce()` drives it by hand. */
    dispatcher,
    /** Watches heartbeats; `runOnce()` checks the due phones by hand. */
    heartbeats: monitor,
    /** Delivers webhook outbox rows; `runOnce()` sends the due ones by hand. */
    webhookWorker,
    /** Sends the accounts' alerts when `config.alerts` is given. */
    alerts: alerter,
    /** Removes old rows as `config.retention` says; `runOnce()` runs it by hand. */
    retention,

    /** Starts the transports, the dispatcher, the heartbeat monitor and retention. */
    async start() {
      if (state !== 'idle') return;
      state = 'running';
      try {
        for (const transport of ctx.transports) {
          await transport.start(transportHost);
          started.add(transport);
        }
      } catch (error) {
        // Back to idle, so readiness says so and a later start() tries again.
        for (const transport of [...started].reverse()) {
          started.delete(transport);
          await transport.stop().catch((err: unknown) => {
            ctx.logger.error({ err, transport: transport.name }, 'a transport failed to stop');
          });
        }
        state = 'idle';
        throw error;
      }
      dispatcher.start();
      monitor.start();
      webhookWorker.start();
      retention.start();
      stopSweep = startAttachmentSweep(ctx);
    },

    /** Graceful stop: no new claims, in-flight hand-offs finish, transports close. */
    async stop() {
      if (state !== 'running') return;
      state = 'stopping';
      stopSweep();
      await retention.stop();
      await monitor.stop();
      await dispatcher.stop();
      await webhookWorker.stop();
      await alerter?.settled();
      await integrations.close();
      for (const transport of [...ctx.transports].reverse()) {
        started.delete(transport);
        await transport.stop();
      }
      state = 'idle';
    },

    operations: {
      on(type, listener) {
        operations.on(type, listener as never);
        return this;
      },
      off(type, listener) {
        operations.off(type, listener as never);
        return this;
      },
    },

    on<T extends GatewayEventType>(type: T, listener: GatewayEventListener<T>) {
      emitter.on(type, listener as never);
      return gateway;
    },
    once<T extends GatewayEventType>(type: T, listener: GatewayEventListener<T>) {
      emitter.once(type, listener as never);
      return gateway;
    },
    off<T extends GatewayEventType>(type: T, listener: GatewayEventListener<T>) {
      emitter.off(type, listener as never);
      return gateway;
    },

    messages: storableMethods({
      /** Accepts one message: durable (status `pending`) when the promise resolves. */
      async send(accountId: string, input: SendInput, options?: SendOptions) {
        const [message] = await sendMessages(ctx, accountId, input, false, options);
        if (!message) throw new GatewayError('internal', 'send produced no message');
        return message;
      },
      /** One message per recipient (1–1000), all written in one transaction. */
      sendBulk: (accountId: string, input: BulkSendInput, options?: SendOptions) =>
        sendMessages(ctx, accountId, input, true, options),
      get: (accountId: string, id: string) => messages.getMessage(ctx, accountId, id),
      list: (accountId: string, input: messages.ListMessagesInput) =>
        messages.listMessages(ctx, accountId, input),
      search: (accountId: string, input: messages.SearchMessagesInput) =>
        messages.searchMessages(ctx, accountId, input),
      delete: (accountId: string, id: string) => messages.deleteMessage(ctx, accountId, id),
      cancel: (accountId: string, id: string) => messages.cancelMessage(ctx, accountId, id),
      /** The webhook deliveries of the message's events, newest first (20 unless `limit` says). */
      deliveries: (accountId: string, id: string, input?: PageInput) =>
        deliveries.listMessageDeliveries(ctx, accountId, id, input),
      /** Counts by status and per hour of the last `hours` (default 24), and failed webhook deliveries. */
      activity: (accountId: string, hours?: number) => accountActivity(ctx, accountId, hours),
    }),

    phoneApi,

    phones: storableMethods({
      upsert: (accountId: string, input: phones.PhoneSettingsInput) =>
        phones.upsertPhone(ctx, accountId, input),
      async get(accountId: string, id: string): Promise<PhoneRecord> {
        const phone = await ctx.store.getPhone(id);
        if (!phone || phone.accountId !== accountId) {
          throw GatewayError.notFound(`cannot find phone with ID [${id}]`);
        }
        return phone;
      },
      findByNumber: (accountId: string, phoneNumber: string) =>
        ctx.store.findPhoneByNumber(accountId, phoneNumber),
      list: (accountId: string, input: PageInput = {}) =>
        ctx.store.listPhones({
          accountId,
          query: input.query ?? null,
          skip: Math.max(0, input.skip ?? 0),
          limit: input.limit ?? 10,
        }),
      delete: (accountId: string, id: string) => phones.deletePhone(ctx, accountId, id),
      heartbeats: (accountId: string, input: PageInput & { owner: string }) =>
        ctx.store.listHeartbeats({
          accountId,
          owner: input.owner,
          query: input.query ?? null,
          skip: Math.max(0, input.skip ?? 0),
          limit: input.limit ?? 1,
        }),
      /** The transports that reach each of the account's phones through this node. */
      reach: (accountId: string) => phoneReach(ctx, accountId),
    }),

    threads: storableMethods({
      list: (accountId: string, input: threads.ListThreadsInput) =>
        threads.listThreads(ctx, accountId, input),
      update: (accountId: string, id: string, input: { isArchived?: boolean; isRead?: boolean }) =>
        threads.updateThread(ctx, accountId, id, input),
      delete: (accountId: string, id: string) => threads.deleteThread(ctx, accountId, id),
    }),

    webhooks: storableMethods({
      create: (accountId: string, input: webhooks.WebhookInput) =>
        webhooks.createWebhook(ctx, accountId, input),
      get: (accountId: string, id: string) => webhooks.getWebhook(ctx, accountId, id),
      list: (accountId: string, input?: PageInput) => webhooks.listWebhooks(ctx, accountId, input),
      update: (accountId: string, id: string, input: webhooks.WebhookInput) =>
        webhooks.updateWebhook(ctx, accountId, id, input),
      delete: (accountId: string, id: string) => webhooks.deleteWebhook(ctx, accountId, id),
      deliveries: (accountId: string, id: string, input?: PageInput) =>
        deliveries.listDeliveries(ctx, accountId, id, input),
      redeliver: (accountId: string, id: string, deliveryId: string) =>
        deliveries.redeliver(ctx, accountId, id, deliveryId),
    }),

    schedules: storableMethods({
      create: (accountId: string, input: schedules.SendScheduleInput) =>
        schedules.createSchedule(ctx, accountId, input),
      get: (accountId: string, id: string) => schedules.getSchedule(ctx, accountId, id),
      list: (accountId: string) => schedules.listSchedules(ctx, accountId),
      update: (accountId: string, id: string, input: schedules.SendScheduleInput) =>
        schedules.updateSchedule(ctx, accountId, id, input),
      /** Deletes the schedule and clears it from the account's phones. */
      delete: (accountId: string, id: string) => schedules.deleteSchedule(ctx, accountId, id),
    }),

    bulk: storableMethods({
      /** Queues one message a row (the rows of a CSV/XLSX document), or none when a row is bad. */
      send: (accountId: string, rows: readonly bulk.BulkRow[], options?: bulk.BulkSendOptions) =>
        bulk.sendBulkRows(ctx, accountId, rows, options),
      /** Checks the rows as `send` would and reports each row's problems; writes nothing. */
      preview: (accountId: string, rows: readonly bulk.BulkRow[]) =>
        bulk.previewBulkRows(ctx, accountId, rows),
      /** The latest bulk batches with a count per status. */
      list: (accountId: string) => bulk.listBulkBatches(ctx, accountId),
    }),

    suppressions: storableMethods({
      list: (accountId: string, input?: suppressions.SuppressionListInput) =>
        suppressions.listSuppressions(ctx, accountId, input),
      add: (accountId: string, input: suppressions.SuppressionInput) =>
        suppressions.addSuppression(ctx, accountId, input),
      remove: (accountId: string, id: string) => suppressions.removeSuppression(ctx, accountId, id),
    }),

    pools: storableMethods({
      list: (accountId: string) => pools.listPools(ctx, accountId),
      get: (accountId: string, id: string) => pools.getPool(ctx, accountId, id),
      create: (accountId: string, input: pools.PoolInput) =>
        pools.createPool(ctx, accountId, input),
      update: (accountId: string, id: string, input: pools.PoolInput) =>
        pools.updatePool(ctx, accountId, id, input),
      remove: (accountId: string, id: string) => pools.deletePool(ctx, accountId, id),
    }),

    discord: integrations.discord,
    pbx3cx: integrations.pbx3cx,

    // Keys are only hashed: any text is a key nobody has (401), never a 422.
    accounts: storableMethods(
      {
        /** Creates an account with its user API key (returned once, stored hashed). */
        create: (input?: accounts.CreateAccountInput): Promise<accounts.IssuedKey<AccountRecord>> =>
          accounts.createAccount(ctx, input),
        get: (accountId: string) => accounts.getAccount(ctx, accountId),
        /** Changes the time zone or the active phone. */
        update: (accountId: string, input: accounts.AccountSettingsInput) =>
          accounts.updateAccount(ctx, accountId, input),
        list: (input: PageInput = {}) =>
          ctx.store.listAccounts({
            skip: Math.max(0, input.skip ?? 0),
            limit: Math.max(0, input.limit ?? 100),
          }),
        rotateApiKey: (accountId: string) => accounts.rotateUserKey(ctx, accountId),
        /** Resolves an `x-api-key` value to who is calling; null when unknown. */
        authenticate: (apiKey: string) => accounts.authenticate(ctx, apiKey),
        createPhoneKey: (
          accountId: string,
          input: Parameters<typeof accounts.createPhoneKey>[2],
        ): Promise<accounts.IssuedKey<ApiKeyRecord>> =>
          accounts.createPhoneKey(ctx, accountId, input),
        listPhoneKeys: (accountId: string, input: PageInput = {}) =>
          ctx.store.listApiKeys({
            accountId,
            kind: 'phone',
            query: input.query ?? null,
            skip: Math.max(0, input.skip ?? 0),
            limit: input.limit ?? 1,
          }),
        deletePhoneKey: (accountId: string, id: string) =>
          accounts.deletePhoneKey(ctx, accountId, id),
        /** Adopts a key chosen elsewhere (configuration), replacing same-named keys of its kind. */
        importKey: (accountId: string, input: Parameters<typeof accounts.importKey>[2]) =>
          accounts.importKey(ctx, accountId, input),
        removePhoneFromKey: (accountId: string, keyId: string, phoneId: string) =>
          accounts.removePhoneFromKey(ctx, accountId, keyId, phoneId),
        updateNotifications: (accountId: string, input: accounts.NotificationSettingsInput) =>
          accounts.updateNotifications(ctx, accountId, input),
        delete: (accountId: string) => deleteAccount(ctx, accountId),
      },
      ['authenticate'],
    ),
  };
  return gateway;
}
