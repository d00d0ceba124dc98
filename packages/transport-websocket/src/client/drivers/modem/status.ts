/**
 * What the modem knows about itself, for heartbeats: signal (`+CSQ`), registration (`+CREG`),
 * operator (`+COPS?`) and battery (`+CBC`, which modems without one answer with ERROR).
 */
import type { RadioStatus } from '../driver.js';
import { type AtChannel, AtCommandError } from './at.js';
import { parseBattery, parseOperator, parseSignal } from './responses.js';
import { readRegistration } from './setup.js';

/**
 * Fills `status` as the answers come (what was read stays when a later command times out).
 * A modem that answered `AT+CBC` with an error is not asked again (`battery.unknown`).
 */
export async function readStatus(
  at: AtChannel,
  timeoutMs: number,
  status: RadioStatus,
  battery: { unknown: boolean },
): Promise<void> {
  const ask = async (command: string, expect: string) => {
    try {
      return await at.command(command, { timeoutMs, expect });
    } catch (error) {
      if (error instanceof AtCommandError) return null;
      throw error;
    }
  };
  const signal = parseSignal((await ask('AT+CSQ', '+CSQ:')) ?? []);
  if (signal !== undefined) status.signalDbm = signal;
  const registration = await readRegistration(at, timeoutMs).catch((error: unknown) => {
    if (error instanceof AtCommandError) return undefined;
    throw error;
  });
  if (registration) status.registration = registration;
  const operator = parseOperator((await ask('AT+COPS?', '+COPS:')) ?? []);
  if (operator) status.operator = operator;
  if (battery.unknown) return;
  const answer = await ask('AT+CBC', '+CBC:');
  if (answer === null) battery.unknown = true;
  else Object.assign(status, parseBattery(answer));
}
