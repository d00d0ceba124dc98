/** Small helpers for the server's sockets: upgrade refusals and `ws` sockets. */
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';

/**
 * Answers an upgrade request with an HTTP error instead of the handshake, then
 * drops the connection once the answer is written (a client that keeps its side
 * open holds nothing).
 */
export function refuseUpgrade(
  socket: Duplex,
  status: '404 Not Found' | '503 Service Unavailable',
  headers: Record<string, string> = {},
): void {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status}\r\n${lines.join('')}Connection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}

/** A close reason fits in 123 bytes of UTF-8. */
export function reasonText(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = out.slice(0, -1);
  return out;
}

export function byteLength(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
}

/**
 * Sets the largest frame the socket's reader accepts. `ws` checks it against the
 * frame's length header, so a larger frame is neither buffered nor parsed; it has
 * no public setter, and `receive` checks the size again should the field move.
 */
export function setFrameLimit(socket: WebSocket, bytes: number): void {
  const receiver = (socket as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = bytes;
}
