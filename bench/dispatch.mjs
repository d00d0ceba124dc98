// Hand-offs per second from the dispatcher to a no-op transport on the memory store.
// Run after `npx tsc --build`: `npm run bench:dispatch` (options: MESSAGES, PHONES, BATCH, RUNS).
import {
  createGateway,
  createMemoryStore,
  handedOffAll,
  silentLogger,
} from '../packages/core/dist/index.js';
import { figure, report } from './report.mjs';

const MESSAGES = Number(process.env.MESSAGES ?? 50_000);
const PHONES = Number(process.env.PHONES ?? 50);
const BATCH = Number(process.env.BATCH ?? 500);
const RUNS = Number(process.env.RUNS ?? 3);

const EVERY_PHONE = { phoneIds: 'any', has: () => true };

/** Reaches every phone and does nothing: the figure is the gateway's own cost. */
const noopTransport = {
  name: 'noop',
  handed: 0,
  async start() {},
  async stop() {},
  reach: () => EVERY_PHONE,
  async notify(_phone, messages) {
    this.handed += messages.length;
    return handedOffAll(messages);
  },
  async requestHeartbeat() {},
};

async function run() {
  noopTransport.handed = 0;
  const gateway = createGateway({
    store: createMemoryStore(),
    logger: silentLogger,
    transports: [noopTransport],
    dispatch: { batchSize: BATCH },
  });
  const { record: account } = await gateway.accounts.create();
  const senders = [];
  for (let p = 0; p < PHONES; p++) {
    const phoneNumber = `+1202555${String(1000 + p).padStart(4, '0')}`;
    await gateway.phones.upsert(account.id, { phoneNumber, messagesPerMinute: 0 });
    senders.push(phoneNumber);
  }
  const perPhone = Math.ceil(MESSAGES / PHONES);
  for (const from of senders) {
    for (let done = 0; done < perPhone; done += 1000) {
      const n = Math.min(1000, perPhone - done);
      const to = Array.from({ length: n }, (_, i) => `+1312555${String(i).padStart(4, '0')}`);
      await gateway.messages.sendBulk(account.id, { from, to, content: 'benchmark' });
    }
  }
  const started = process.hrtime.bigint();
  while ((await gateway.dispatcher.runOnce()) > 0) {
    // drain
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (noopTransport.handed !== perPhone * PHONES) {
    throw new Error(`handed off ${noopTransport.handed}, expected ${perPhone * PHONES}`);
  }
  return noopTransport.handed / seconds;
}

const rates = [];
for (let i = 0; i < RUNS; i++) rates.push(await run());
const result = figure('dispatch hand-offs, memory store', 'hand-offs/s', rates);
const median = result.value;
report('dispatch', 'npm run bench:dispatch', { MESSAGES, PHONES, BATCH, RUNS }, [result]);
console.log(
  `dispatch (memory store, no-op transport, ${MESSAGES} messages, ${PHONES} phones, batch ${BATCH}): ` +
    `median ${Math.round(median)} hand-offs/s over ${RUNS} runs [${rates.map((r) => Math.round(r)).join(', ')}]`,
);
