/** Event stream frames, keep-alives and bounds, without a network. */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DeviceRecord } from '../src/index.js';
import { encodeEvent, KEEPALIVE_FRAME } from '../src/index.js';
import { StreamRegistry } from '../src/sse/registry.js';
import { EventStream } from '../src/sse/stream.js';

/** A response that records what was written. */
class FakeResponse extends EventEmitter {
  status = 0;
  headers: Record<string, string> = {};
  chunks: string[] = [];
  writableLength = 0;
  writable = true;
  destroyed = false;
  ended = false;
  writeHead(status: number, headers: Record<string, string>) {
    this.status = status;
    this.headers = headers;
    return this;
  }
  flushHeaders() {}
  write(chunk: string) {
    this.chunks.push(chunk);
    return true;
  }
  end() {
    this.ended = true;
    this.writable = false;
    this.emit('close');
  }
}

const res = () => new FakeResponse();
const asRes = (r: FakeResponse) => r as unknown as ServerResponse;

function device(id: string): DeviceRecord {
  return {
    id,
    accountId: 'acc',
    tokenHash: 'h',
    keyId: null,
    name: null,
    phoneNumbers: ['+18005550199'],
    simCards: null,
    signingKey: 'k',
    createdAt: 0,
    updatedAt: 0,
    lastSeen: 0,
  };
}

describe('frames', () => {
  it('are exactly the upstream bytes', () => {
    expect(encodeEvent('MessageEnqueued')).toBe('event: MessageEnqueued\ndata: null\n\n');
    expect(encodeEvent('MessageCancelled', { messageId: 'PyDmBQZZXYmyxMwED8Fzy' })).toBe(
      'event: MessageCancelled\ndata: {"messageId":"PyDmBQZZXYmyxMwED8Fzy"}\n\n',
    );
    expect(KEEPALIVE_FRAME).toBe(':keepalive\n\n');
  });
});

describe('an event stream', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('answers 200 with the SSE headers and sends a keep-alive every keepAliveMs', () => {
    const r = res();
    const onClose = vi.fn();
    const stream = new EventStream('d', asRes(r), {
      keepAliveMs: 15_000,
      maxBufferedBytes: 1024,
      onClose,
    });
    expect(r.status).toBe(200);
    expect(r.headers).toEqual({
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    vi.advanceTimersByTime(14_999);
    expect(r.chunks).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(r.chunks).toEqual([':keepalive\n\n']);
    stream.send('MessageEnqueued');
    vi.advanceTimersByTime(15_000);
    expect(r.chunks).toEqual([
      ':keepalive\n\n',
      'event: MessageEnqueued\ndata: null\n\n',
      ':keepalive\n\n',
    ]);
    stream.close();
    vi.advanceTimersByTime(60_000);
    expect(r.chunks).toHaveLength(3);
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(stream.send('MessageEnqueued')).toBe(false);
  });

  it('drops events while too much waits in the socket buffer', () => {
    const r = res();
    const stream = new EventStream('d', asRes(r), {
      keepAliveMs: 15_000,
      maxBufferedBytes: 100,
      onClose: () => {},
    });
    r.writableLength = 101;
    expect(stream.send('MessageEnqueued')).toBe(false);
    vi.advanceTimersByTime(15_000);
    expect(r.chunks).toEqual([]);
    expect(stream.dropped).toBe(2);
    r.writableLength = 0;
    expect(stream.send('MessageEnqueued')).toBe(true);
  });

  it('ends when the app hangs up', () => {
    const r = res();
    const onClose = vi.fn();
    new EventStream('d', asRes(r), { keepAliveMs: 10, maxBufferedBytes: 10, onClose });
    r.writable = false;
    r.emit('close');
    vi.advanceTimersByTime(100);
    expect(r.chunks).toEqual([]);
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});

describe('the stream registry', () => {
  it('closes the oldest stream of a device over its cap and writes to all the others', () => {
    const linked = vi.fn();
    const unlinked = vi.fn();
    const registry = new StreamRegistry({
      keepAliveMs: 60_000,
      maxBufferedBytes: 1024,
      maxStreamsPerDevice: 2,
      maxStreams: 3,
      linked,
      unlinked,
    });
    const [a, b, c] = [res(), res(), res()];
    registry.open(device('d1'), ['p1'], asRes(a));
    registry.open(device('d1'), ['p1'], asRes(b));
    registry.open(device('d1'), ['p1'], asRes(c));
    expect(a.ended).toBe(true);
    expect(registry.streams).toBe(2);
    expect(registry.send('d1', 'SettingsUpdated')).toBe(2);
    expect(b.chunks).toEqual(['event: SettingsUpdated\ndata: null\n\n']);
    expect(c.chunks).toEqual(['event: SettingsUpdated\ndata: null\n\n']);
    expect(registry.phoneIds()).toEqual(['p1']);
    expect(registry.devicesOfOwner('acc', '+18005550199')).toEqual(['d1']);
    expect(linked).toHaveBeenCalledTimes(1);

    registry.open(device('d2'), ['p2'], asRes(res()));
    expect(registry.hasRoom()).toBe(false);
    registry.closeDevice('d1');
    expect(unlinked).toHaveBeenCalledTimes(1);
    expect(registry.phoneIds()).toEqual(['p2']);
    expect(registry.devicesOfPhone('p1')).toEqual([]);
    expect(registry.streams).toBe(1);
    registry.closeAll();
    expect(registry.devices).toBe(0);
  });
});
