/**
 * One error type for the whole gateway. `code` says what happened and maps to
 * an HTTP status at the API edge; `fields` carries validation problems in the
 * httpSMS shape `{field: [messages]}`.
 */
export const GATEWAY_ERROR_CODES = Object.freeze({
  validation: 422,
  bad_request: 400,
  unauthorized: 401,
  /** The host's quota hook refused a send (httpSMS answers a send over its plan's limit so). */
  quota_exceeded: 402,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  idempotency_conflict: 409,
  payload_too_large: 413,
  config: 500,
  store: 500,
  transport: 502,
  /** The store cannot be reached (its connection dropped or was refused): try again later. */
  unavailable: 503,
  internal: 500,
} as const);

export type GatewayErrorCode = keyof typeof GATEWAY_ERROR_CODES;

export type FieldErrors = Record<string, string[]>;

export interface GatewayErrorOptions {
  cause?: unknown;
  fields?: FieldErrors;
  /** For transport errors: whether trying again later may succeed. */
  retryable?: boolean;
  /** Extra human-readable detail (the httpSMS envelope's `data` text). */
  detail?: string;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: GatewayErrorCode;
  readonly fields: FieldErrors | undefined;
  readonly retryable: boolean;
  readonly detail: string | undefined;

  constructor(code: GatewayErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fields = options.fields;
    this.retryable = options.retryable ?? false;
    this.detail = options.detail;
  }

  get httpStatus(): number {
    return GATEWAY_ERROR_CODES[this.code];
  }

  static validation(fields: FieldErrors, message = 'validation errors while handling request') {
    return new GatewayError('validation', message, { fields });
  }

  static notFound(message: string) {
    return new GatewayError('not_found', message);
  }
}

/** The server's own failures (not the caller's): worth retrying later, never the caller's to fix. */
export function isServerFault(error: GatewayError): boolean {
  return (
    error.code === 'internal' ||
    error.code === 'store' ||
    error.code === 'unavailable' ||
    error.code === 'config'
  );
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/** Normalises anything thrown into a GatewayError, keeping the original as `cause`. */
export function toGatewayError(value: unknown): GatewayError {
  if (value instanceof GatewayError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new GatewayError('internal', message, { cause: value });
}

/** Adds `message` under `field`, creating the list when needed. */
export function addFieldError(fields: FieldErrors, field: string, message: string): void {
  const list = fields[field];
  if (list) list.push(message);
  else fields[field] = [message];
}
