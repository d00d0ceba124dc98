/**
 * `@textport/transport-websocket`: real-time phones over WebSocket. The server side
 * is `websocketTransport()`; the phone side (`PhoneClient`, `createVirtualPhone`)
 * is in `@textport/transport-websocket/client`. The protocol is in
 * `docs/phone-protocol.md`.
 */

export * from './protocol.js';
export type {
  ResolvedOptions as ResolvedWebSocketOptions,
  WebSocketTransportOptions,
} from './server/options.js';
export { DEFAULT_WEBSOCKET_OPTIONS } from './server/options.js';
export { WebSocketTransport, websocketTransport } from './server/transport.js';
