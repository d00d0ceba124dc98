/** Small helpers for a `ws` socket of the server. */
import type { RawData, WebSocket } from 'ws';

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
