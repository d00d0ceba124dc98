// Hand-offs per second from the dispatcher to a no-op transport on the memory store, with
// the messages sent from PHONES numbers; and in the same run, the cost of pools: the
// messages sent from one phone's number against the same messages sent through a pool of
// that one phone (what a pool adds at hand-off: its failover checks).
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

/** One round: send MESSAGES from `phones` numbers (or through a pool of them), then dispatch them all. */
async function run(phones, pooled) {
  noopTransport.handed = 0;
  const gateway = createGateway({
    store: createMemoryStore(),
    logger: silentLogger,
    transports: [noopTransport],
    dispatch: { batchSize: BATCH },
  });
  const { record: account } = await gateway.accounts.create();
  const senders = [];
  for (let p = 0; p < phones; p++) {
    const phoneNumber = `+1202555${String(1000 + p).padStart(4, '0')}`;
    await gateway.phones.upsert(account.id, { phoneNumber, messagesPerMinute: 0 });
    senders.push(phoneNumber);
  }
  const perPhone = Math.ceil(MESSAGES / phones);
  let sendFrom = (from) => ({ from });
  if (pooled) {
    const members = await gateway.phones.list(account.id, { limit: phones });
    const pool = await gateway.pools.create(account.id, {
      name: 'bench',
      phoneIds: members.map((p) => p.id),
    });
    sendFrom = () => ({ poolId: pool.id });
  }
  for (const [p, from] of senders.entries()) {
    for (let done = 0; done < perPhone; done += 1000) {
      const n = Math.min(1000, perPhone - done);
      // Distinct contacts per sender, so a pool spreads them as it would real traffic.
      const to = Array.from(
        { length: n },
        (_, i) => `+1312${String(p * perPhone + done + i).padStart(7, '0')}`,
      );
      await gateway.messages.sendBulk(account.id, { ...sendFrom(from), to, content: 'benchmark' });
    }
  }
  const started = process.hrtime.bigint();
  while ((await gateway.dispatcher.runOnce()) > 0) {
    // drain
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (noopTransport.handed !== perPhone * phones) {
    throw new Error(`handed off ${noopTransport.handed}, expected ${perPhone * phones}`);
  }
  return noopTransport.handed / seconds;
}

const many = [];
const single = [];
const pooled = [];
for (let i = 0; i < RUNS; i++) {
  many.push(await run(PHONES, false));
  single.push(await run(1, false));
  pooled.push(await run(1, true));
}
const result = figure('dispatch hand-offs, memory store', 'hand-offs/s', many);
const singleResult = figure('dispatch hand-offs, one phone, memory store', 'hand-offs/s', single);
const poolResult = figure(
  'dispatch hand-offs, a pool of that phone, memory store',
  'hand-offs/s',
  pooled,
);
const ratios = pooled.map((rate, i) => rate / single[i]);
const ratio = figure('dispatch through a pool / from its phone (same run)', 'ratio', ratios, {
  op: '>=',
  value: 0.9,
});
report('dispatch', 'npm run bench:dispatch', { MESSAGES, PHONES, BATCH, RUNS }, [
  result,
  singleResult,
  poolResult,
  ratio,
]);
const rounded = (list) => list.map((r) => Math.round(r)).join(', ');
console.log(
  `dispatch (memory store, no-op transport, ${MESSAGES} messages, ${PHONES} phones, batch ${BATCH}): ` +
    `median ${Math.round(result.value)} hand-offs/s over ${RUNS} runs [${rounded(many)}]; ` +
    `one phone ${Math.round(singleResult.value)} [${rounded(single)}], through a pool of it ` +
    `${Math.round(poolResult.value)} [${rounded(pooled)}]: ratio ${ratio.value.toFixed(2)} ` +
    `[${ratios.map((r) => r.toFixed(2)).join(', ')}] (target >= 0.9)`,
);
