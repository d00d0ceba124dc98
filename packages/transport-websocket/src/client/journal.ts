/**
 * The phone's memory of what it did with each message it took: `sending` (handed
 * to the radio, outcome unknown), `sent`, `delivered` or `failed`. The client
 * writes an entry before the radio sees the message and again when the radio
 * answers, so after a restart a message pushed again (a retry after expiry, or a
 * report lost with the old process) is not sent a second time: the client
 * reports what it knows instead. `FileJournal` keeps it across restarts.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { replaceFile } from './atomic-file.js';

export type JournalState = 'sending' | 'sent' | 'delivered' | 'failed';

export interface JournalEntry {
  state: JournalState;
  /** The failure text, for `failed`. */
  reason?: string;
  /** When the entry was written (epoch ms). */
  at: number;
}

export interface SendJournal {
  get(messageId: string): JournalEntry | undefined;
  /** Durable when it returns (a file journal has written and synced it). */
  record(messageId: string, entry: JournalEntry): void;
  close?(): void;
}

function checkCapacity(capacity: number): number {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }
  return capacity;
}

/** Remembers the last `capacity` messages in memory (lost with the process). */
export class MemoryJournal implements SendJournal {
  protected readonly entries = new Map<string, JournalEntry>();
  readonly capacity: number;

  constructor(capacity = 10_000) {
    this.capacity = checkCapacity(capacity);
  }

  get(messageId: string): JournalEntry | undefined {
    return this.entries.get(messageId);
  }

  record(messageId: string, entry: JournalEntry): void {
    this.entries.delete(messageId);
    this.entries.set(messageId, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

const STATES: ReadonlySet<string> = new Set(['sending', 'sent', 'delivered', 'failed']);
/** A failure text is cut to this length in the journal. */
const MAX_REASON = 500;

function parseLine(line: string): [string, JournalEntry] | undefined {
  try {
    const v = JSON.parse(line) as { id?: unknown; s?: unknown; r?: unknown; t?: unknown };
    if (typeof v.id !== 'string' || typeof v.s !== 'string' || !STATES.has(v.s)) return undefined;
    const entry: JournalEntry = {
      state: v.s as JournalState,
      at: typeof v.t === 'number' ? v.t : 0,
    };
    if (typeof v.r === 'string') entry.reason = v.r;
    return [v.id, entry];
  } catch {
    return undefined;
  }
}

function encode(id: string, entry: JournalEntry): string {
  const line: Record<string, unknown> = { id, s: entry.state, t: entry.at };
  if (entry.reason !== undefined) line.r = entry.reason.slice(0, MAX_REASON);
  return `${JSON.stringify(line)}\n`;
}

/**
 * A journal in a file of JSON lines, one per change, synced before `record`
 * returns. It is rewritten (to a temporary file, then renamed over) once it holds
 * twice `capacity` lines, keeping the newest `capacity` messages. A torn last line
 * (a crash mid-write) is skipped when the file is read.
 */
export class FileJournal extends MemoryJournal {
  private fd: number;
  private lines = 0;

  constructor(
    readonly path: string,
    capacity = 10_000,
  ) {
    super(capacity);
    mkdirSync(dirname(path), { recursive: true });
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      const parsed = line ? parseLine(line) : undefined;
      if (parsed) super.record(...parsed);
    }
    this.fd = openSync(path, 'a');
    this.compact();
  }

  override record(messageId: string, entry: JournalEntry): void {
    super.record(messageId, entry);
    writeSync(this.fd, encode(messageId, entry));
    fsyncSync(this.fd);
    if (++this.lines >= 2 * this.capacity) this.compact();
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Rewrites the file with one line per remembered message. */
  private compact(): void {
    let text = '';
    for (const [id, entry] of this.entries) text += encode(id, entry);
    replaceFile(this.path, text);
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
    this.lines = this.entries.size;
  }
}
