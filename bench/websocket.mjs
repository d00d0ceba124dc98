// WebSocket transport: API→phone latency, and memory per idle phone.
// `npm run bench:websocket` builds the package first; or `node --expose-gc bench/websocket.mjs`
// after `npx tsc --build`. Results and their reading: docs/benchmarks.md, section WebSocket.
// Options (env): IDLE_MESSAGES (2000), SENDERS (64), PER_SENDER (100), PHONES (19900),
// CLIENT_PROCESSES (2), ROUNDS (3), ONLY (latency | phones). Each process holds one fd per socket:
// check `ulimit -n` (PHONES + ~100 must fit; raise the soft limit, or lower PHONES).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createGateway, createMemoryStore, silentLogger } from '../packages/core/dist/index.js';
import { createVirtualPhone } from '../packages/transport-websocket/dist/client/index.js';
import { websocketTransport } from '../packages/transport-websocket/dist/index.js';
import { ask, clockOffset, idleLinks, mb, now, percentile, summary } from './links.mjs';
import { figure, report } from './report.mjs';

const env = process.env;
const IDLE_MESSAGES = Number(env.IDLE_MESSAGES ?? 2000);
const SENDERS = Number(env.SENDERS ?? 64);
const PER_SENDER = Number(env.PER_SENDER ?? 100);
const PHONES = Number(env.PHONES ?? 19_900);
const CLIENT_PROCESSES = Number(env.CLIENT_PROCESSES ?? 2);
const ROUNDS = Number(env.ROUNDS ?? 3);
const CONTACT = '+18005550100';

const numberOf = (i) => `+1202${String(2_000_000 + i).padStart(7, '0')}`;

/** One node: HTTP server hosting the socket, the transport, a started gateway on the memory store. */
async function startNode(phoneCount) {
  const server = createServer();
  const transport = websocketTransport({ server });
  const store = createMemoryStore();
  const gateway = createGateway({ store, logger: silentLogger, transports: [transport] });
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  await once(server, 'listening');
  await gateway.start();
  const { record: account, apiKey } = await gateway.accounts.create();
  for (let i = 0; i < phoneCount; i++) {
    await gateway.phones.upsert(account.id, { phoneNumber: numberOf(i), messagesPerMinute: 0 });
  }
  const url = `ws://127.0.0.1:${server.address().port}${transport.options.path}`;
  const stop = async () => {
    await gateway.stop();
    server.closeAllConnections();
    server.close();
  };
  return { server, transport, store, gateway, account, apiKey, url, stop };
}

/**
 * `senders` loops, each sending to its own phone and waiting until the phone acked
 * before the next. The phones run in a child process (as real phones are elsewhere)
 * and stamp each push on arrival; the offset between the two clocks is measured.
 */
async function latency(senders, perSender, warmup) {
  const node = await startNode(senders);
  const child = fork(new URL(import.meta.url), ['--phones'], { stdio: 'inherit', execArgv: [] });
  await ask(child, {
    url: node.url,
    apiKey: node.apiKey,
    numbers: Array.from({ length: senders }, (_, i) => numberOf(i)),
  });
  const offset = await clockOffset(child);
  const acked = new Map();
  node.gateway.on('message.phone.sending', (e) => acked.get(e.data.content)?.(now()));
  const sentAt = new Map();
  const taken = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async (_, s) => {
      for (let i = 0; i < warmup + perSender; i++) {
        const content = `bench ${s} ${i}`;
        const done = new Promise((resolve) => acked.set(content, resolve));
        const t0 = now();
        await node.gateway.messages.send(node.account.id, {
          from: numberOf(s),
          to: CONTACT,
          content,
        });
        if (i >= warmup) sentAt.set(content, t0);
        const t2 = await done;
        if (i >= warmup) taken.push(t2 - t0);
        acked.delete(content);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const { arrivals } = await ask(child, { report: true });
  child.disconnect();
  await node.stop();
  const samples = [...sentAt].map(([content, t0]) => arrivals[content] - offset - t0);
  return { samples, taken, rate: (senders * (warmup + perSender)) / seconds, offset };
}

// The phones of the latency runs (a child process): virtual phones that ack, "send"
// and report SENT, stamping each push on arrival.
async function phonesProcess() {
  const [{ url, apiKey, numbers }] = await once(process, 'message');
  const arrivals = {};
  const phones = [];
  for (const number of numbers) {
    const phone = createVirtualPhone({
      url,
      apiKey,
      phoneNumbers: [number],
      heartbeatIntervalMs: 3_600_000,
    });
    phone.on('push', (message) => {
      arrivals[message.content] ??= now();
    });
    await phone.connect();
    phones.push(phone);
  }
  process.on('message', (m) => {
    if (m.clock) process.send({ at: now() });
    if (m.report) process.send({ arrivals });
  });
  process.send({ ready: true });
  await once(process, 'disconnect');
  for (const phone of phones) await phone.close();
}

// The clients' side of the idle-phones run (a child process).
async function clientProcess() {
  const { url, apiKey, from, to } = JSON.parse(process.argv[3]);
  const sockets = [];
  for (let i = from; i < to; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, to - i) }, async (_, k) => {
        const ws = new WebSocket(url, {
          headers: { 'x-api-key': apiKey },
          perMessageDeflate: false,
        });
        ws.on('error', (error) => process.send?.({ error: error.message }));
        sockets.push(ws);
        await once(ws, 'open');
        const welcomed = once(ws, 'message');
        ws.send(JSON.stringify({ v: 1, type: 'hello', id: 'h', phone_numbers: [numberOf(i + k)] }));
        await welcomed;
      }),
    );
  }
  process.send?.({ connected: sockets.length });
  await once(process, 'disconnect');
  for (const ws of sockets) ws.terminate();
}

async function idlePhones() {
  const node = await startNode(PHONES);
  const r = await idleLinks({
    script: new URL(import.meta.url),
    count: PHONES,
    processes: CLIENT_PROCESSES,
    argsFor: (from, to) => ({ url: node.url, apiKey: node.apiKey, from, to }),
    opened: () => node.transport.stats().phones,
    what: 'phones',
  });
  await node.stop();
  return r;
}

async function main() {
  const only = env.ONLY;
  const idle50 = [];
  const idle99 = [];
  const phones = [];
  const perPhone = [];
  for (let round = 1; round <= ROUNDS; round++) {
    if (only !== 'phones') {
      const idle = await latency(1, IDLE_MESSAGES, 200);
      idle50.push(percentile(idle.samples, 50));
      idle99.push(percentile(idle.samples, 99));
      console.log(
        `round ${round}, idle (1 sender, 1 phone; clock offset ${idle.offset.toFixed(3)} ms):`,
      );
      console.log(`  send → phone receipt: ${summary(idle.samples)}`);
      console.log(`  send → phone ack applied: ${summary(idle.taken)}`);
      const load = await latency(SENDERS, PER_SENDER, 10);
      console.log(
        `round ${round}, ${SENDERS} concurrent senders (${SENDERS} phones), ${Math.round(load.rate)} msgs/s:`,
      );
      console.log(`  send → phone receipt: ${summary(load.samples)}`);
      console.log(`  send → phone ack applied: ${summary(load.taken)}`);
    }
    if (only !== 'latency') {
      const r = await idlePhones();
      phones.push(PHONES);
      perPhone.push(r.perLink);
      console.log(
        `round ${round}, idle phones: ${PHONES} connected in ${r.connectSeconds.toFixed(1)} s; server RSS ${mb(r.before.rss)} → ${mb(r.after.rss)}: ` +
          `${r.perLink.toFixed(2)} KB RSS per phone (heap ${r.heapPerLink.toFixed(2)} KB)`,
      );
    }
  }
  const figures = [];
  if (idle50.length > 0) {
    figures.push(figure('API → WebSocket phone, idle, p50', 'ms', idle50, { op: '<=', value: 2 }));
    figures.push(figure('API → WebSocket phone, idle, p99', 'ms', idle99, { op: '<=', value: 10 }));
  }
  if (phones.length > 0) {
    const limit = `PHONES=${PHONES}: one descriptor per socket, under the process's open-file limit`;
    figures.push(
      figure(
        'idle WebSocket phones in one process',
        'phones',
        phones,
        { op: '>=', value: 20_000 },
        limit,
      ),
    );
    figures.push(figure('memory per idle phone (RSS)', 'KB', perPhone, { op: '<=', value: 10 }));
  }
  report(
    'websocket',
    'npm run bench:websocket',
    { IDLE_MESSAGES, SENDERS, PER_SENDER, PHONES, ROUNDS },
    figures,
  );
}

if (process.argv[2] === '--clients') await clientProcess();
else if (process.argv[2] === '--phones') await phonesProcess();
else await main();
