/**
 * What the Termux driver remembers across restarts: per inbound feed (SMS, missed
 * calls) the keys of the last entries it reported and a high-water mark (the
 * newest date it has read past). The file is small JSON, replaced atomically
 * (written to a temporary file, synced, renamed over), so a crash leaves either
 * the old state or the new one.
 */
import { readFileSync } from 'node:fs';
import { replaceFile } from '../../atomic-file.js';

export interface FeedState {
  /** The newest entry date read past (epoch ms); absent before the first entry. */
  mark?: number;
  /** Keys of reported entries, oldest first. */
  seen: string[];
}

export interface TermuxState {
  version: 1;
  /** Absent until the feed has been read once (its first read decides what is old). */
  sms?: FeedState;
  calls?: FeedState;
}

function feedState(value: unknown, where: string): FeedState | undefined {
  if (value === undefined) return undefined;
  const feed = value as { mark?: unknown; seen?: unknown };
  if (!feed || typeof feed !== 'object' || !Array.isArray(feed.seen)) {
    throw new Error(`${where} is not { mark?, seen: [] }`);
  }
  const seen = feed.seen.filter((key): key is string => typeof key === 'string');
  const state: FeedState = { seen };
  if (typeof feed.mark === 'number' && Number.isFinite(feed.mark)) state.mark = feed.mark;
  return state;
}

/** The saved state; undefined when there is no file yet (the first run). */
export function loadState(path: string): TermuxState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the Termux state file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    const value = JSON.parse(text) as { version?: unknown; sms?: unknown; calls?: unknown };
    if (!value || typeof value !== 'object' || value.version !== 1) {
      throw new Error('version is not 1');
    }
    const state: TermuxState = { version: 1 };
    const sms = feedState(value.sms, 'sms');
    const calls = feedState(value.calls, 'calls');
    if (sms) state.sms = sms;
    if (calls) state.calls = calls;
    return state;
  } catch (error) {
    throw new Error(
      `the Termux state file ${path} is damaged (${(error as Error).message}); move it away to start afresh (SMS already in the inbox are then taken as seen)`,
      { cause: error },
    );
  }
}

export function saveState(path: string, state: TermuxState): void {
  replaceFile(path, `${JSON.stringify(state)}\n`);
}
