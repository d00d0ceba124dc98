// The dashboard's reads with 100,000 messages in SQLite: server time (in-process, from the
// request to the answer, auth and JSON included) of the messages page's requests — the first
// page, a status filter, a text search, a deep page — and of the overview's activity, through @textport/http on
// @textport/store-knex. Run `npm run bench:dashboard` (builds, then `node bench/dashboard.mjs`).
// Options: MESSAGES (100000), REPEAT (25; the median and the slowest are printed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, silentLogger } from '@textport/core';
import { createHttpApi } from '@textport/http';
import { createKnexStore } from '@textport/store-knex';
import knexFactory from 'knex';
import { makeMessage } from '../packages/core/dist/testing/fixtures.js';
import { figure, median, report } from './report.mjs';

const MESSAGES = Number(process.env.MESSAGES ?? 100_000);
const REPEAT = Number(process.env.REPEAT ?? 25);
const OWNER = '+18005550199';
const STATUSES = ['delivered', 'delivered', 'delivered', 'sent', 'received', 'received', 'failed'];
const WORDS = ['invoice', 'reminder', 'delivery', 'appointment', 'verification', 'welcome'];

/** The messages page's requests (`limit` is one more than a page, to tell whether more follow). */
const READS = [
  ['first page', '/v1/messages/search?skip=0&limit=21'],
  ['status filter (failed)', '/v1/messages/search?skip=0&limit=21&statuses=failed'],
  ['text search (1 in 1,000)', '/v1/messages/search?skip=0&limit=21&query=order%20%23042'],
  ['page 50', '/v1/messages/search?skip=980&limit=21'],
];
/** The overview's counts: every message by status, 24 hours (about 86,000 of the rows). */
const OVERVIEW = ['overview activity (24 h)', '/v1/activity'];

function row(i, accountId, phoneId, start) {
  const at = start + i * 1000;
  const status = STATUSES[i % STATUSES.length];
  const inbound = status === 'received';
  return makeMessage({
    accountId,
    phoneId,
    owner: OWNER,
    contact: `+1202555${String(i % 5000).padStart(4, '0')}`,
    content: `Your ${WORDS[i % WORDS.length]} for order #${String(i % 1000).padStart(3, '0')}${i}`,
    type: inbound ? 'mobile-terminated' : 'mobile-originated',
    status,
    requestReceivedAt: at,
    createdAt: at,
    updatedAt: at,
    orderTimestamp: at,
    sentAt: inbound ? null : at,
    deliveredAt: status === 'delivered' ? at : null,
    failedAt: status === 'failed' ? at : null,
    failureReason: status === 'failed' ? 'RESULT_ERROR_RADIO_OFF' : null,
    receivedAt: inbound ? at : null,
    dueAt: null,
    bulkIndex: 0,
  });
}

const dir = mkdtempSync(join(tmpdir(), 'textport-bench-dashboard-'));
const knex = knexFactory({
  client: 'better-sqlite3',
  connection: { filename: join(dir, 'bench.sqlite') },
  useNullAsDefault: true,
});
const store = createKnexStore(knex, { synchronous: 'NORMAL' });
await store.migrate();
const gateway = createGateway({ store, logger: silentLogger });
try {
  const account = await gateway.accounts.create({ email: 'bench@example.com' });
  const phone = await gateway.phones.upsert(account.record.id, { phoneNumber: OWNER });
  const start = Date.now() - MESSAGES * 1000;
  const loading = process.hrtime.bigint();
  for (let i = 0; i < MESSAGES; i += 1000) {
    const batch = [];
    for (let j = i; j < Math.min(MESSAGES, i + 1000); j += 1) {
      batch.push(row(j, account.record.id, phone.id, start));
    }
    await store.insertMessages(batch);
  }
  const loadSeconds = Number(process.hrtime.bigint() - loading) / 1e9;
  console.log(`${MESSAGES} messages stored in ${loadSeconds.toFixed(1)} s`);
  await knex.raw('ANALYZE');

  const api = createHttpApi(gateway);
  const headers = { 'x-api-key': account.apiKey, accept: 'application/json' };
  const results = [];
  for (const [name, url] of [...READS, OVERVIEW]) {
    const [path, search = ''] = url.split('?');
    const times = [];
    let rows = 0;
    for (let r = 0; r < REPEAT; r += 1) {
      const begun = process.hrtime.bigint();
      const response = await api.handle({
        method: 'GET',
        path,
        query: search,
        headers,
      });
      times.push(Number(process.hrtime.bigint() - begun) / 1e6);
      if (response?.status !== 200) throw new Error(`${url}: ${response?.status}`);
      const data = JSON.parse(
        String(typeof response.body === 'string' ? response.body : Buffer.from(response.body)),
      ).data;
      rows = Array.isArray(data) ? data.length : data.hours.length;
    }
    const slowest = Math.max(...times);
    console.log(
      `${name.padEnd(26)} median ${median(times).toFixed(1)} ms, slowest ${slowest.toFixed(1)} ms (${rows} rows)`,
    );
    results.push(
      figure(
        `messages page: ${name}`,
        'ms',
        times,
        name === 'first page' ? { op: '<=', value: 300 } : undefined,
      ),
    );
  }
  report('dashboard', 'npm run bench:dashboard', { MESSAGES, REPEAT, store: 'sqlite' }, results);
} finally {
  await store.close();
  await knex.destroy();
  rmSync(dir, { recursive: true, force: true });
}
