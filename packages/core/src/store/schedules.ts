/**
 * ScheduleStore: an account's send schedules (time-zone windows in which messages may go out).
 * Implemented by `memory/schedules.ts` and store-knex's `ops/schedules.ts`;
 * checked by the conformance group `schedules`.
 */
import type { SendScheduleRecord } from '../domain/records.js';
import type { RecordPatch } from './page.js';

export interface ScheduleStore {
  insertSendSchedule(schedule: SendScheduleRecord): Promise<void>;
  getSendSchedule(accountId: string, id: string): Promise<SendScheduleRecord | null>;
  /** Oldest first. */
  listSendSchedules(accountId: string): Promise<SendScheduleRecord[]>;
  updateSendSchedule(
    id: string,
    patch: RecordPatch<SendScheduleRecord>,
  ): Promise<SendScheduleRecord | null>;
  deleteSendSchedule(accountId: string, id: string): Promise<boolean>;
}
