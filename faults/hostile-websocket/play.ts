/**
 * The client side: playing one session on a real socket and collecting what the
 * server answered and how it closed; and a client that never reads (the flood).
 */
import WebSocket from 'ws';
import { sleep, waitFor } from '../support.js';
import { frame, MIB, type Session } from './sessions.js';

export interface Outcome {
  frames: Record<string, unknown>[];
  /** The code of a close the server started; null when the client closed first. */
  close: number | null;
}

/** Runs one session; resolves when every request is answered or the socket closed. */
export async function play(url: string, s: Session): Promise<Outcome> {
  const ws = new WebSocket(url, {
    headers: s.key === null ? {} : { 'x-api-key': s.key },
    maxPayload: 64 * MIB,
  });
  const frames: Record<string, unknown>[] = [];
  let close: number | null = null;
  let closedByUs = false;
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
  ws.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    ws.on('close', (code) => {
      if (!closedByUs) close = code;
      resolve();
    }),
  );
  await Promise.race([new Promise((resolve) => ws.once('open', resolve)), closed]);
  const answered = (id: string) => () =>
    close !== null || frames.some((f) => f.id === id) ? true : undefined;
  if (s.hello && close === null) {
    const numbers = s.helloNumbers ? { phone_numbers: s.helloNumbers } : {};
    ws.send(frame({ type: 'hello', id: 'hello', ...numbers }));
    await waitFor('the welcome', answered('hello'), 10_000, 2);
  }
  for (const step of s.steps) {
    if (close !== null) break;
    ws.send(step.data, { binary: step.binary === true });
  }
  for (const step of s.steps) {
    if (step.id !== undefined)
      await waitFor(`an answer to ${step.id}`, answered(step.id), 30_000, 2);
  }
  if (s.steps.some((step) => step.id === undefined)) {
    await waitFor('the close', () => (close !== null ? true : undefined), 30_000, 2);
  }
  closedByUs = true;
  ws.close();
  await closed;
  return { frames, close };
}

/** A client that says hello, then keeps asking for welcomes and never reads them. */
export async function neverReads(
  url: string,
  key: string,
  numbers: string[],
  done: () => boolean,
): Promise<void> {
  const ws = new WebSocket(url, { headers: { 'x-api-key': key } });
  ws.on('error', () => {});
  const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
  await Promise.race([new Promise((resolve) => ws.once('open', resolve)), closed]);
  ws.send(frame({ type: 'hello', id: 'hello', phone_numbers: numbers }));
  await Promise.race([new Promise((resolve) => ws.once('message', resolve)), closed]);
  ws.pause();
  let open = true;
  void closed.then(() => {
    open = false;
  });
  for (let i = 0; open && !done(); ) {
    // Every hello costs a welcome the server must buffer; the client's own buffer stays small.
    for (let burst = 0; open && burst < 50 && ws.bufferedAmount < 64 * 1024; burst++) {
      ws.send(frame({ type: 'hello', id: `r${i++}` }));
    }
    await sleep(1);
  }
  ws.terminate();
  await closed;
}
