import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBSOCKET_OPTIONS, websocketTransport } from '../src/index.js';

describe('transport options', () => {
  it('has documented defaults', () => {
    expect(websocketTransport().options).toEqual({
      ...DEFAULT_WEBSOCKET_OPTIONS,
      server: undefined,
    });
    expect(DEFAULT_WEBSOCKET_OPTIONS.path).toBe('/v1/phones/ws');
  });

  it('reports every invalid option at once, with how to fix it', () => {
    const error = (() => {
      try {
        websocketTransport({ path: 'ws', pingIntervalMs: 0, maxPayload: 1.5 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ name: 'GatewayError', code: 'config' });
    const message = (error as Error).message;
    expect(message).toContain('path: must be a path starting with "/"');
    expect(message).toContain('pingIntervalMs: must be an integer from 10');
    expect(message).toContain('maxPayload: must be an integer from 1024');
  });

  it('refuses to start before bind(gateway), saying what to do', async () => {
    const transport = websocketTransport();
    await expect(transport.start({ wake: () => {} })).rejects.toThrow(/transport\.bind\(gateway\)/);
    expect(transport.reachablePhones()).toEqual([]);
  });
});
