/**
 * A local stand-in for Google: the OAuth2 token endpoint (it verifies the JWT-bearer
 * assertion with the service account's public key) and FCM HTTP v1 `messages:send`
 * (it checks the access token and records each push per registration token).
 */
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '@textport/core';
import { systemClock } from '@textport/core';
import type { JWTHeaderParameters, JWTPayload } from 'jose';
import { importSPKI, jwtVerify } from 'jose';
import type { ServiceAccountCredentials } from '../src/index.js';
import { FCM_SCOPE, JWT_BEARER_GRANT } from '../src/index.js';

export const PROJECT_ID = 'textport-test';
const CLIENT_EMAIL = `gateway@${PROJECT_ID}.iam.gserviceaccount.com`;

/** One push as FCM received it: the exact JSON body. */
export interface RecordedPush {
  token: string;
  body: { message: { token: string; data: Record<string, string>; android: unknown } };
  data: Record<string, string>;
}

/** A verified token request: the assertion's header and claims. */
export interface TokenRequest {
  header: JWTHeaderParameters;
  claims: JWTPayload;
}

export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Google's error body, as FCM sends it. */
export function fcmError(
  status: number,
  googleStatus: string,
  message: string,
  extra: object[] = [],
) {
  return {
    error: { code: status, message, status: googleStatus, details: extra },
  };
}

export function fcmErrorCode(errorCode: string) {
  return { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function answer(res: ServerResponse, reply: ScriptedAnswer): void {
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    ...reply.headers,
  });
  res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
}

let keyPair: { publicKey: string; privateKey: string } | undefined;

/** The service account's RSA key pair: generated once per test file (it takes a moment). */
function serviceAccountKeys() {
  keyPair ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return keyPair;
}

export async function startGoogleStandIn(options: { clock?: Clock } = {}) {
  const clock = options.clock ?? systemClock;
  const keys = serviceAccountKeys();
  const publicKey = await importSPKI(keys.publicKey, 'RS256');
  const pushes: RecordedPush[] = [];
  const tokenRequests: TokenRequest[] = [];
  const issued = new Set<string>();
  const unregistered = new Set<string>();
  const pushScript: ScriptedAnswer[] = [];
  const tokenScript: ScriptedAnswer[] = [];
  const listeners: ((push: RecordedPush) => void)[] = [];
  const held: (() => void)[] = [];
  let holding = false;
  let connections = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let base = '';

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const scripted = tokenScript.shift();
    if (scripted) return answer(res, scripted);
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return answer(res, { status: 400, body: { error: 'invalid_request' } });
    }
    if (form.get('grant_type') !== JWT_BEARER_GRANT) {
      return answer(res, { status: 400, body: { error: 'unsupported_grant_type' } });
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
        algorithms: ['RS256'],
        issuer: CLIENT_EMAIL,
        audience: `${base}/token`,
        currentDate: new Date(clock.now()),
        requiredClaims: ['iat', 'exp', 'scope'],
      });
      const lifetime = (payload.exp ?? 0) - (payload.iat ?? 0);
      if (payload.scope !== FCM_SCOPE || lifetime <= 0 || lifetime > 3600) {
        throw new Error(`bad scope or lifetime: ${String(payload.scope)}, ${lifetime}s`);
      }
      tokenRequests.push({ header: protectedHeader, claims: payload });
    } catch (error) {
      const description = error instanceof Error ? error.message : String(error);
      return answer(res, {
        status: 400,
        body: { error: 'invalid_grant', error_description: description },
      });
    }
    const accessToken = `ya29.stand-in-${tokenRequests.length}`;
    issued.add(accessToken);
    answer(res, {
      status: 200,
      body: { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' },
    });
  }

  async function send(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!issued.has(bearer)) {
      return answer(res, {
        status: 401,
        body: fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
      });
    }
    const body = JSON.parse(text) as RecordedPush['body'];
    if (holding) await new Promise<void>((resolve) => held.push(resolve));
    const scripted = pushScript.shift();
    if (scripted) return answer(res, scripted);
    const target = body.message.token;
    if (unregistered.has(target)) {
      return answer(res, {
        status: 404,
        body: fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', [
          fcmErrorCode('UNREGISTERED'),
        ]),
      });
    }
    const push: RecordedPush = { token: target, body, data: body.message.data };
    pushes.push(push);
    answer(res, {
      status: 200,
      body: { name: `projects/${PROJECT_ID}/messages/${pushes.length}` },
    });
    for (const listener of listeners) setImmediate(() => listener(push));
  }

  const server = createServer((req, res) => {
    const path = req.url ?? '';
    const route =
      req.method === 'POST' && path === '/token'
        ? token
        : req.method === 'POST' && path === `/v1/projects/${PROJECT_ID}/messages:send`
          ? send
          : null;
    if (!route)
      return answer(res, { status: 404, body: fcmError(404, 'NOT_FOUND', 'no such route') });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    route(req, res)
      .catch((error: unknown) => answer(res, { status: 500, body: { error: String(error) } }))
      .finally(() => void inFlight--);
  });
  server.on('connection', () => void connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const credentials: ServiceAccountCredentials = {
    type: 'service_account',
    project_id: PROJECT_ID,
    private_key_id: 'stand-in-key-1',
    private_key: keys.privateKey,
    client_email: CLIENT_EMAIL,
    client_id: '100000000000000000001',
    token_uri: `${base}/token`,
  };

  return {
    base,
    credentials,
    pushes,
    tokenRequests,
    /** Pushes FCM accepted for `token`, in arrival order. */
    pushesTo: (token: string) => pushes.filter((p) => p.token === token),
    /** From now on FCM answers `UNREGISTERED` for this token. */
    unregister: (token: string) => void unregistered.add(token),
    /** The next pushes get these answers, in order (after the access token was checked). */
    answerNextPushes: (...answers: ScriptedAnswer[]) => void pushScript.push(...answers),
    answerNextTokenRequests: (...answers: ScriptedAnswer[]) => void tokenScript.push(...answers),
    /** Called for each accepted push, after FCM answered: the phone side. */
    onPush: (listener: (push: RecordedPush) => void) => void listeners.push(listener),
    /** Holds pushes until `release()`, to see how many are in flight. */
    hold: () => {
      holding = true;
    },
    release: () => {
      holding = false;
      for (const resume of held.splice(0)) resume();
    },
    stats: () => ({ connections, inFlight, maxInFlight, held: held.length }),
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

export type GoogleStandIn = Awaited<ReturnType<typeof startGoogleStandIn>>;
