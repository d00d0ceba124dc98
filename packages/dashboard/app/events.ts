/**
 * Live updates: `GET /v1/events` read with fetch streaming (so the key stays in a header, which
 * EventSource cannot send), parsed as server-sent events and handed to every subscriber.
 * Reconnects with a growing delay; stops for good on 401 (the key was revoked).
 */
import { apiBase, storedKey } from './api.js';

export interface LiveEvent {
  id: string;
  type: string;
  time: number;
  owner: string;
  data: Record<string, unknown>;
}

type Listener = (event: LiveEvent) => void;
const listeners = new Set<Listener>();
const statusListeners = new Set<(connected: boolean) => void>();

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function onConnection(listener: (connected: boolean) => void): () => void {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

/** The message an event concerns, when it concerns one. */
export function messageIdOf(event: LiveEvent): string | null {
  const id = event.data.message_id ?? (event.type.startsWith('message.') ? event.data.id : null);
  return typeof id === 'string' ? id : null;
}

function dispatch(frame: string): void {
  let data = '';
  for (const line of frame.split('\n')) {
    if (line.startsWith('data:')) data += line.slice(5).trimStart();
  }
  if (!data) return;
  try {
    const event = JSON.parse(data) as LiveEvent;
    for (const listener of listeners) listener(event);
  } catch {
    // A frame that is not JSON is not ours to show.
  }
}

async function readStream(signal: AbortSignal, onOpen: () => void): Promise<number> {
  const key = storedKey() ?? '';
  // Without a key, the host's session (cookie or header) signs the stream in.
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (key) headers['x-api-key'] = key;
  const response = await fetch(`${apiBase()}/v1/events`, { headers, signal });
  // A 401 for a key since rotated away (the tab holds a newer one): reconnect, do not sign out.
  if (response.status === 401 && storedKey() !== key) return 0;
  if (!response.ok || !response.body) return response.status;
  onOpen();
  for (const listener of statusListeners) listener(true);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return 200;
    buffer += value.replace(/\r\n?/g, '\n');
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      dispatch(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
    }
  }
}

/** Opens the stream until `stop()`; `onRevoked` when the server says the key no longer works. */
export function connect(onRevoked: () => void): () => void {
  const controller = new AbortController();
  let delay = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const loop = async () => {
    let status = 0;
    try {
      status = await readStream(controller.signal, () => {
        delay = 1000;
      });
    } catch {
      status = 0;
    }
    for (const listener of statusListeners) listener(false);
    if (controller.signal.aborted) return;
    if (status === 401) return onRevoked();
    timer = setTimeout(loop, delay);
    delay = Math.min(delay * 2, 30_000);
  };
  void loop();
  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}
