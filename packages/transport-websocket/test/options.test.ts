import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_WEBSOCKET_OPTIONS, websocketTransport } from '../src/index.js';
import { listen } from './helpers.js';

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

  it('refuses upgrades before start (503) and reaches no phone', async () => {
    const server = createServer();
    const transport = websocketTransport();
    server.on('upgrade', (req, socket, head) => transport.handleUpgrade(req, socket, head));
    const port = await listen(server);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${transport.options.path}`);
      ws.on('error', () => {});
      const status = await new Promise<number | undefined>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
        ws.on('open', () => resolve(undefined));
        ws.on('close', () => resolve(undefined));
      });
      ws.terminate();
      expect(status).toBe(503);
      expect(transport.reach().phoneIds).toEqual([]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
