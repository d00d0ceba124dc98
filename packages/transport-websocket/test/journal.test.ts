import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileJournal, MemoryJournal } from '../src/client/index.js';

const dirs: string[] = [];
function journalPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'textport-journal-'));
  dirs.push(dir);
  return join(dir, 'state', 'journal.jsonl');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('MemoryJournal', () => {
  it('keeps the newest entries up to its capacity', () => {
    const journal = new MemoryJournal(2);
    journal.record('a', { state: 'sending', at: 1 });
    journal.record('b', { state: 'sent', at: 2 });
    journal.record('a', { state: 'sent', at: 3 });
    journal.record('c', { state: 'failed', reason: 'NO_SERVICE', at: 4 });
    expect(journal.get('b')).toBeUndefined();
    expect(journal.get('a')).toEqual({ state: 'sent', at: 3 });
    expect(journal.get('c')).toEqual({ state: 'failed', reason: 'NO_SERVICE', at: 4 });
    expect(journal.size).toBe(2);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new MemoryJournal(0)).toThrow(RangeError);
    expect(() => new MemoryJournal(1.5)).toThrow(RangeError);
  });
});

describe('FileJournal', () => {
  it('survives a restart: the last state of each message is read back', () => {
    const path = journalPath();
    const first = new FileJournal(path);
    first.record('m1', { state: 'sending', at: 10 });
    first.record('m1', { state: 'sent', at: 11 });
    first.record('m2', { state: 'sending', at: 12 });
    first.record('m3', { state: 'failed', reason: 'RADIO_OFF', at: 13 });
    first.close();
    const second = new FileJournal(path);
    expect(second.get('m1')).toEqual({ state: 'sent', at: 11 });
    expect(second.get('m2')).toEqual({ state: 'sending', at: 12 });
    expect(second.get('m3')).toEqual({ state: 'failed', reason: 'RADIO_OFF', at: 13 });
    expect(second.get('m4')).toBeUndefined();
    second.close();
  });

  it('skips a torn last line and lines that are not entries', () => {
    const path = journalPath();
    const first = new FileJournal(path);
    first.record('m1', { state: 'sent', at: 1 });
    first.close();
    appendFileSync(path, '{"id":"x","s":"bogus","t":1}\nnot json\n{"id":"m2","s":"se');
    const second = new FileJournal(path);
    expect(second.get('m1')).toEqual({ state: 'sent', at: 1 });
    expect(second.get('m2')).toBeUndefined();
    expect(second.get('x')).toBeUndefined();
    second.record('m2', { state: 'sending', at: 2 });
    second.close();
    const third = new FileJournal(path);
    expect(third.get('m2')).toEqual({ state: 'sending', at: 2 });
    third.close();
  });

  it('rewrites the file to the newest entries once it holds twice its capacity', () => {
    const path = journalPath();
    const journal = new FileJournal(path, 3);
    for (let i = 0; i < 10; i++) journal.record(`m${i}`, { state: 'sent', at: i });
    journal.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(6);
    const reopened = new FileJournal(path, 3);
    expect(['m7', 'm8', 'm9'].map((id) => reopened.get(id)?.at)).toEqual([7, 8, 9]);
    expect(reopened.get('m6')).toBeUndefined();
    reopened.close();
  });

  it('cuts a long failure text', () => {
    const path = journalPath();
    const journal = new FileJournal(path);
    journal.record('m1', { state: 'failed', reason: 'x'.repeat(10_000), at: 1 });
    journal.close();
    const reopened = new FileJournal(path);
    expect(reopened.get('m1')?.reason).toHaveLength(500);
    reopened.close();
  });
});
