// Webhook deliveries per second to a local receiver (another process), signed both ways.
// Run after `npx tsc --build`: `npm run bench:webhooks` (options: DELIVERIES, CONCURRENCY, RUNS).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createGateway, createMemoryStore, silentLogger } from '../packages/core/dist/index.js';
import { makeOutbox, makeWebhook } from '../packages/core/dist/testing/fixtures.js';
import { figure, report } from './report.mjs';

const DELIVERIES = Number(process.env.DELIVERIES ?? 20_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const RUNS = Number(process.env.RUNS ?? 3);

if (process.argv[2] === 'receiver') {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.(server.address().port));
} else {
  const receiver = fork(fileURLToPath(import.meta.url), ['receiver']);
  const [port] = await once(receiver, 'message');
  const rates = [];
  for (let run = 0; run < RUNS; run++) rates.push(await measure(`http://127.0.0.1:${port}/hook`));
  receiver.kill();
  const result = figure('webhook deliveries', 'deliveries/s', rates, { op: '>=', value: 2000 });
  const median = result.value;
  report('webhooks', 'npm run bench:webhooks', { DELIVERIES, CONCURRENCY, RUNS }, [result]);
  console.log(
    `webhooks (memory store, ${DELIVERIES} deliveries, concurrency ${CONCURRENCY}, JWT + Standard Webhooks): ` +
      `median ${Math.round(median)} deliveries/s over ${RUNS} runs [${rates.map(Math.round).join(', ')}]; ` +
      `target >= 2000/s: ${median >= 2000 ? 'pass' : 'short'}`,
  );
}

async function measure(url) {
  const store = createMemoryStore();
  const gateway = createGateway({
    store,
    logger: silentLogger,
    webhooks: { concurrency: CONCURRENCY, batchSize: 1000 },
  });
  const { record: account } = await gateway.accounts.create();
  const now = Date.now();
  const hook = makeWebhook({
    accountId: account.id,
    url,
    signingKey: 'benchmark-signing-key',
    events: ['message.phone.sent'],
    phoneNumbers: ['+18005550199'],
    createdAt: now,
    updatedAt: now,
  });
  await store.insertWebhook(hook);
  const payload = JSON.stringify({
    specversion: '1.0',
    type: 'message.phone.sent',
    data: { id: 'x' },
  });
  const rows = Array.from({ length: DELIVERIES }, () =>
    makeOutbox({
      accountId: account.id,
      webhookId: hook.id,
      eventType: 'message.phone.sent',
      payload,
      nextAttemptAt: now,
      createdAt: now,
      updatedAt: now,
    }),
  );
  await store.insertOutbox(rows);
  // The worker runs as in production (start(): continuous claims); the store says when
  // the last row is delivered.
  let sent = 0;
  let resolve;
  const allSent = new Promise((done) => {
    resolve = done;
  });
  const updateOutbox = store.updateOutbox.bind(store);
  store.updateOutbox = async (...args) => {
    const row = await updateOutbox(...args);
    if (row?.status === 'delivered' && ++sent === DELIVERIES) resolve();
    return row;
  };
  const started = process.hrtime.bigint();
  await gateway.start();
  await allSent;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await gateway.stop();
  const failed = (
    await store.listOutbox({ accountId: account.id, skip: 0, limit: DELIVERIES })
  ).filter((r) => r.status !== 'delivered').length;
  if (failed > 0 || sent !== DELIVERIES) throw new Error(`${failed} deliveries not delivered`);
  return DELIVERIES / seconds;
}
