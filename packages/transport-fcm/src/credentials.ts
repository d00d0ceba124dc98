/**
 * Google service-account credentials, given as the JSON object Firebase issues or as
 * the path of that file, checked once when the transport is built.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Google's OAuth2 token endpoint, used when the file has no `token_uri`. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/**
 * The service-account JSON file of a Firebase project (Firebase console → Project
 * settings → Service accounts → Generate new private key). Other fields of the file
 * (`type`, `client_id`, …) are accepted and ignored.
 */
export interface ServiceAccountCredentials {
  project_id: string;
  client_email: string;
  /** PEM-encoded RSA private key (`-----BEGIN PRIVATE KEY-----…`). */
  private_key: string;
  /** Where access tokens are requested; default `https://oauth2.googleapis.com/token`. */
  token_uri?: string;
  private_key_id?: string;
  [field: string]: unknown;
}

/** Credentials after the checks: ready to sign assertions. */
export interface ServiceAccount {
  projectId: string;
  clientEmail: string;
  privateKey: KeyObject;
  privateKeyId: string | null;
  tokenUri: string;
}

const HOW_TO_GET =
  'download the service-account JSON of the Firebase project the Android app was built with (Firebase console → Project settings → Service accounts → Generate new private key)';

function readJson(path: string, problems: string[]): unknown {
  // The file's content in place of its path (an environment variable holding the JSON)
  // must not be echoed: it carries the private key.
  if (path.trimStart().startsWith('{')) {
    problems.push(
      'credentials: looks like the JSON text of the file, not its path; pass the path of the file, or the parsed object (JSON.parse)',
    );
    return null;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    problems.push(
      `credentials: cannot read the service-account file [${path}] (${reason}); ${HOW_TO_GET}`,
    );
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    problems.push(`credentials: the file [${path}] is not JSON; ${HOW_TO_GET}`);
    return null;
  }
}

function text(record: Record<string, unknown>, field: string, problems: string[]): string {
  const value = record[field];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  problems.push(`credentials.${field}: missing or not a string; ${HOW_TO_GET}`);
  return '';
}

function rsaKey(pem: string, problems: string[]): KeyObject | null {
  if (pem === '') return null;
  try {
    const key = createPrivateKey(pem.replace(/\\n/g, '\n'));
    if (key.asymmetricKeyType === 'rsa') return key;
    problems.push(`credentials.private_key: must be an RSA key, got ${key.asymmetricKeyType}`);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    problems.push(`credentials.private_key: not a PEM private key (${reason}); ${HOW_TO_GET}`);
  }
  return null;
}

function tokenUri(record: Record<string, unknown>, problems: string[]): string {
  const value = record.token_uri;
  if (value === undefined || value === null || value === '') return GOOGLE_TOKEN_URI;
  if (typeof value === 'string' && /^https?:\/\//.test(value) && URL.canParse(value)) return value;
  problems.push(
    'credentials.token_uri: must be an http(s) URL, e.g. https://oauth2.googleapis.com/token',
  );
  return GOOGLE_TOKEN_URI;
}

/** Loads and checks the credentials; every problem is pushed to `problems`. */
export function loadServiceAccount(
  input: ServiceAccountCredentials | string,
  problems: string[],
): ServiceAccount | null {
  const raw = typeof input === 'string' ? readJson(input, problems) : input;
  if (raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(
      `credentials: must be a service-account object or the path of its JSON file; ${HOW_TO_GET}`,
    );
    return null;
  }
  const record = raw as Record<string, unknown>;
  const before = problems.length;
  const projectId = text(record, 'project_id', problems);
  const clientEmail = text(record, 'client_email', problems);
  const privateKey = rsaKey(text(record, 'private_key', problems), problems);
  const uri = tokenUri(record, problems);
  if (problems.length > before || !privateKey) return null;
  const keyId = record.private_key_id;
  return {
    projectId,
    clientEmail,
    privateKey,
    privateKeyId: typeof keyId === 'string' && keyId !== '' ? keyId : null,
    tokenUri: uri,
  };
}
