/**
 * Joins the parts of multipart inbound SMS (TS 23.040 §9.2.3.24.1). Groups are bounded in count
 * and age: call `expire()` after each `add()` (and now and then) to take the groups that will
 * not complete, as they are, so no received text is lost.
 */
import type { Concat } from './pdu.js';

export interface ReassemblerOptions {
  /** Open groups kept at most; `expire()` hands out the oldest beyond this. Default 256. */
  maxGroups?: number;
  /** A group older than this (since its first part arrived) is handed out by `expire()`. Default 24 h. */
  maxAgeMs?: number;
  now?: () => number;
}

export interface Fragment<T> {
  from: string;
  concat: Concat;
  text: string;
  timestamp: Date;
  /** The caller's handle on this fragment (a storage index on the modem). */
  tag: T;
}

export interface Complete<T> {
  from: string;
  text: string;
  /** Of part 1 (of the lowest part present, when part 1 is missing). */
  timestamp: Date;
  /** Every fragment's tag, in part order; a repeated part's tags in arrival order. */
  tags: T[];
}

interface Part<T> {
  text: string;
  timestamp: Date;
  /** Tags of this part number, earlier copies first: all of them are reported. */
  tags: T[];
}

interface Group<T> {
  from: string;
  total: number;
  createdAt: number;
  parts: Map<number, Part<T>>;
}

const DEFAULT_MAX_GROUPS = 256;
const DEFAULT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
const MAX_PARTS = 255;

export class Reassembler<T> {
  private readonly groups = new Map<string, Group<T>>();
  private readonly maxGroups: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(options: ReassemblerOptions = {}) {
    this.maxGroups = options.maxGroups ?? DEFAULT_MAX_GROUPS;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.maxGroups) || this.maxGroups < 1) {
      throw new RangeError(`maxGroups must be a positive integer, got ${this.maxGroups}`);
    }
    if (!(this.maxAgeMs > 0)) {
      throw new RangeError(`maxAgeMs must be a positive number, got ${this.maxAgeMs}`);
    }
  }

  /**
   * Returns the whole message when this fragment completes its group (key: from + reference + total), else null.
   * A repeated part replaces the earlier one (its tag is returned too so the caller can delete both).
   */
  add(fragment: Fragment<T>): Complete<T> | null {
    const { from, concat, text, timestamp, tag } = fragment;
    const { reference, total, part } = concat;
    if (!Number.isInteger(total) || total < 1 || total > MAX_PARTS) {
      throw new RangeError(`concat.total must be an integer from 1 to ${MAX_PARTS}, got ${total}`);
    }
    if (!Number.isInteger(part) || part < 1 || part > total) {
      throw new RangeError(`concat.part must be an integer from 1 to ${total}, got ${part}`);
    }
    const key = JSON.stringify([from, reference, total]);
    let group = this.groups.get(key);
    if (!group) {
      group = { from, total, createdAt: this.now(), parts: new Map() };
      this.groups.set(key, group);
    }
    const earlier = group.parts.get(part);
    group.parts.set(part, { text, timestamp, tags: [...(earlier?.tags ?? []), tag] });
    if (group.parts.size < total) return null;
    this.groups.delete(key);
    return joined(group);
  }

  /**
   * Groups older than maxAgeMs (or pushed out by maxGroups, oldest first) delivered as they are:
   * the parts present, joined in order, with a note-free text; `missing` lists absent part numbers.
   */
  expire(): (Complete<T> & { missing: number[] })[] {
    const expired: (Complete<T> & { missing: number[] })[] = [];
    const cutoff = this.now() - this.maxAgeMs;
    // Map order is insertion order: the oldest group comes first.
    for (const [key, group] of this.groups) {
      if (group.createdAt >= cutoff && this.groups.size <= this.maxGroups) break;
      this.groups.delete(key);
      expired.push({ ...joined(group), missing: missingParts(group) });
    }
    return expired;
  }

  /** Open groups. */
  get size(): number {
    return this.groups.size;
  }
}

function joined<T>(group: Group<T>): Complete<T> {
  const present = [...group.parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
  return {
    from: group.from,
    text: present.map((part) => part.text).join(''),
    timestamp: present[0]!.timestamp,
    tags: present.flatMap((part) => part.tags),
  };
}

function missingParts(group: Group<unknown>): number[] {
  const missing: number[] = [];
  for (let part = 1; part <= group.total; part++) {
    if (!group.parts.has(part)) missing.push(part);
  }
  return missing;
}
