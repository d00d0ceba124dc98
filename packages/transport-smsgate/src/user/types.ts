/**
 * What SMSGate's user ("3rd-party") API needs beside the gateway: the SMSGate
 * state store and a way to tell devices that something changed. The SMSGate
 * transport (`smsgateTransport`) satisfies `DeviceLink` as it is.
 */
import type { Gateway } from '@textport/core';
import type { SmsGateStore } from '../store/types.js';
import type { SmsGateEventName } from '../wire.js';

export interface DeviceLink {
  readonly store: SmsGateStore;
  /**
   * Sends a server-sent event to one device of the account, or to all of them
   * (`deviceId` null). Fire and forget: a device without an open stream misses it.
   */
  tell(
    accountId: string,
    deviceId: string | null,
    event: SmsGateEventName,
    data?: Record<string, string>,
  ): unknown;
  /** Closes a deleted device's event streams (on every node). */
  disconnect?(deviceId: string, accountId?: string): void;
}

/** A login of the user API (HTTP Basic) and the textport account it acts for. */
export interface SmsGateUser {
  username: string;
  password: string;
  accountId: string;
}

export interface SmsGateUserApiOptions {
  /** Where the API is served (default `/smsgate/3rdparty/v1`). */
  path?: string;
  /** Basic-auth logins; none (and no `authenticate`): every authenticated route answers 401. */
  users?: readonly SmsGateUser[];
  /**
   * Resolves a Basic login the `users` list does not hold to the account it acts for
   * (null: refused). E.g. a server that takes an account's API key as the password.
   */
  authenticate?: (username: string, password: string) => Promise<string | null>;
  /** Largest request body accepted (default 256 KiB); larger → 413. */
  maxBodyBytes?: number;
  /** Reported by the health routes (default `textport`, 0). */
  version?: string;
  releaseId?: number;
}

/** The resolved options and collaborators every route group is built from. */
export interface UserApiContext {
  gateway: Gateway;
  link: DeviceLink;
  path: string;
  maxBodyBytes: number;
  version: string;
  releaseId: number;
  now(): number;
  /** A float in [0, 1) (device choice). */
  random(): number;
}
