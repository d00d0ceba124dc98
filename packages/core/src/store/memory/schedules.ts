/** The memory store's ScheduleStore part: an account's send schedules. */
import type { SendScheduleRecord } from '../../domain/records.js';
import { ascending } from './query.js';
import { ownedTable, type Tables } from './tables.js';

const oldestFirst = ascending<{ id: string; createdAt: number }>((row) => row.createdAt);

const schedules = ownedTable<SendScheduleRecord>((t) => t.schedules, 'send schedule');

export const insertSendSchedule = schedules.insert;
export const getSendSchedule = schedules.get;
export const updateSendSchedule = schedules.update;
export const deleteSendSchedule = schedules.remove;

export function listSendSchedules(t: Tables, accountId: string): SendScheduleRecord[] {
  return [...t.schedules.values()]
    .filter((schedule) => schedule.accountId === accountId)
    .sort(oldestFirst)
    .map((schedule) => structuredClone(schedule));
}
