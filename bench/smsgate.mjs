// SMSGate transport: API → SSE event latency on an idle gateway, and memory per idle
// event stream. `npm run bench:smsgate` builds first; or `node --expose-gc bench/smsgate.mjs`
// after `npx tsc --build`. Results and their reading: docs/benchmarks.md, section SMSGate.
// Options (env): IDLE_MESSAGES (2000), STREAMS (10000), CLIENT_PROCESSES (2), ROUNDS (3),
// ONLY (latency | streams). The server holds one descriptor per stream: STREAMS + ~100 must fit
// under the process's open-file limit.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import { createGateway, createMemoryStore, silentLogger } from '../packages/core/dist/index.js';
import { memoryStore, smsgateTransport } from '../packages/transport-smsgate/dist/index.js';
import { ask, clockOffset, idleLinks, mb, now, percentile, summary } from './links.mjs';
import { figure, report } from './report.mjs';

const env = process.env;
const IDLE_MESSAGES = Number(env.IDLE_MESSAGES ?? 2000);
const STREAMS = Number(env.STREAMS ?? 10_000);
const CLIENT_PROCESSES = Number(env.CLIENT_PROCESSES ?? 2);
const ROUNDS = Number(env.ROUNDS ?? 3);
const TOKEN = 'bench-private-token-0123456789';
const CONTACT = '+18005550100';

const numberOf = (i) => `+1202${String(2_000_000 + i).padStart(7, '0')}`;

/** One node: a started gateway on the memory store with the SMSGate transport on node:http. */
async function startNode(phoneCount) {
  const accountId = randomUUID();
  const phoneNumbers = Array.from({ length: phoneCount }, (_, i) => numberOf(i));
  const transport = smsgateTransport({
    store: memoryStore(),
    privateToken: { token: TOKEN, accountId, phoneNumbers: phoneNumbers.slice(0, 1) },
    maxStreams: phoneCount + 100,
  });
  const node = createGateway({
    store: createMemoryStore(),
    logger: silentLogger,
    transports: [transport],
  });
  const { record: account } = await node.accounts.create({ id: accountId });
  const server = createServer((req, res) => {
    if (!transport.handle(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  await once(server, 'listening');
  await node.start();
  for (const phoneNumber of phoneNumbers) {
    await node.phones.upsert(account.id, { phoneNumber, messagesPerMinute: 0 });
  }
  const base = `http://127.0.0.1:${server.address().port}/smsgate/mobile/v1`;
  const stop = async () => {
    await node.stop();
    server.closeAllConnections();
    server.close();
  };
  return { gateway: node, transport, account, base, stop };
}

/** Registers one device (the private token, or a phone key); resolves to its bearer token. */
async function register(base, secret = TOKEN) {
  const res = await fetch(`${base}/device`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench/device' }),
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  return (await res.json()).token;
}

/** Opens an event stream; `onEvent(name, at)` is called per event as its frame arrives. */
function openStream(base, token, agent, onEvent) {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/events`, {
      agent,
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`events: ${res.statusCode}`));
        return;
      }
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        const at = now();
        buffered += chunk;
        let end = buffered.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const name = /^event: (.+)$/m.exec(frame)?.[1];
          if (name) onEvent(name, at);
          end = buffered.indexOf('\n\n');
        }
      });
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * One sender, one device whose stream is held by a child process (as a real phone is
 * elsewhere): each accepted send waits for its `MessageEnqueued` before the next. The
 * child stamps each event on arrival; the offset between the two clocks is measured.
 */
async function latency(messages, warmup) {
  const node = await startNode(1);
  const token = await register(node.base);
  const child = fork(new URL(import.meta.url), ['--phone'], { stdio: 'inherit', execArgv: [] });
  await ask(child, { base: node.base, token });
  while (node.transport.stats().streams < 1) await sleep(5);
  const offset = await clockOffset(child);
  const samples = [];
  for (let i = 0; i < warmup + messages; i++) {
    const arrived = once(child, 'message');
    const t0 = now();
    await node.gateway.messages.send(node.account.id, {
      from: numberOf(0),
      to: CONTACT,
      content: `bench ${i}`,
    });
    const [{ at }] = await arrived;
    if (i >= warmup) samples.push(at - offset - t0);
  }
  child.disconnect();
  await node.stop();
  return { samples, offset };
}

// The phone of the latency runs (a child process): one stream, each event stamped on arrival.
async function phoneProcess() {
  const [{ base, token }] = await once(process, 'message');
  const stream = await openStream(base, token, new Agent({ keepAlive: true }), (name, at) => {
    if (name === 'MessageEnqueued') process.send({ at });
  });
  process.on('message', (m) => {
    if (m.clock) process.send({ at: now() });
  });
  process.send({ ready: true });
  await once(process, 'disconnect');
  stream.destroy();
}

// The clients of the idle-streams run (a child process): one stream per token.
async function clientProcess() {
  const { base, tokens } = JSON.parse(process.argv[3]);
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const streams = [];
  for (let i = 0; i < tokens.length; i += 500) {
    const batch = tokens.slice(i, i + 500);
    streams.push(...(await Promise.all(batch.map((t) => openStream(base, t, agent, () => {})))));
  }
  process.send?.({ connected: streams.length });
  await once(process, 'disconnect');
  for (const s of streams) s.destroy();
}

async function idleStreams() {
  const node = await startNode(STREAMS);
  const tokens = [];
  for (let i = 0; i < STREAMS; i++) {
    const key = await node.gateway.accounts.createPhoneKey(node.account.id, {
      name: `device ${i}`,
      phoneNumbers: [numberOf(i)],
    });
    tokens.push(await register(node.base, key.apiKey));
  }
  const r = await idleLinks({
    script: new URL(import.meta.url),
    count: STREAMS,
    processes: CLIENT_PROCESSES,
    argsFor: (from, to) => ({ base: node.base, tokens: tokens.slice(from, to) }),
    opened: () => node.transport.stats().streams,
    what: 'streams',
  });
  await node.stop();
  return r;
}

async function main() {
  const only = env.ONLY;
  const idle50 = [];
  const idle99 = [];
  const perStream = [];
  for (let round = 1; round <= ROUNDS; round++) {
    if (only !== 'streams') {
      const idle = await latency(IDLE_MESSAGES, 200);
      idle50.push(percentile(idle.samples, 50));
      idle99.push(percentile(idle.samples, 99));
      console.log(
        `round ${round}, idle (1 sender, 1 device; clock offset ${idle.offset.toFixed(3)} ms):`,
      );
      console.log(`  send → MessageEnqueued on the stream: ${summary(idle.samples)}`);
    }
    if (only !== 'latency') {
      const r = await idleStreams();
      perStream.push(r.perLink);
      console.log(
        `round ${round}, idle streams: ${STREAMS} opened in ${r.connectSeconds.toFixed(1)} s; server RSS ${mb(r.before.rss)} → ${mb(r.after.rss)}: ` +
          `${r.perLink.toFixed(2)} KB RSS per stream (heap ${r.heapPerLink.toFixed(2)} KB)`,
      );
    }
  }
  const figures = [];
  if (idle50.length > 0) {
    figures.push(figure('API → SMSGate event, idle, p50', 'ms', idle50));
    figures.push(figure('API → SMSGate event, idle, p99', 'ms', idle99, { op: '<=', value: 10 }));
  }
  if (perStream.length > 0) {
    figures.push(
      figure('memory per idle SMSGate stream (RSS)', 'KB', perStream, { op: '<=', value: 10 }),
    );
  }
  report('smsgate', 'npm run bench:smsgate', { IDLE_MESSAGES, STREAMS, ROUNDS }, figures);
}

if (process.argv[2] === '--clients') await clientProcess();
else if (process.argv[2] === '--phone') await phoneProcess();
else await main();
