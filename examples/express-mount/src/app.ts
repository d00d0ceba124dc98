/**
 * Mounting textport inside an existing Express app. The app keeps its own routes
 * and its own authentication (here a bearer token per team); textport serves the
 * httpSMS API under `/sms` and learns who is calling through the `authenticate`
 * hook, so the team's users never handle textport API keys. Phones still use
 * their phone API keys (`x-api-key: pk_…`) on the phone routes.
 *
 *   const { app } = await createApp();
 *   app.listen(3000);
 *   // curl -H 'authorization: Bearer team-a-token' localhost:3000/sms/v1/messages/send …
 *
 * The textport dashboard is mounted at `/sms/admin`, behind the same auth: only a caller the
 * app knows loads it.
 */
import { createGateway, createMemoryStore, type Gateway, type Store } from '@textport/core';
import { dashboard } from '@textport/dashboard';
import { createRouter } from '@textport/express';
import express from 'express';

export interface Team {
  name: string;
  /** The host's own credential for this team. */
  token: string;
  /** The textport account that holds the team's phones and messages. */
  accountId: string;
}

export async function createApp(options: { store?: Store } = {}) {
  const gateway: Gateway = createGateway({ store: options.store ?? createMemoryStore() });
  const teams: Team[] = [];
  for (const [name, token] of [
    ['team-a', 'team-a-token'],
    ['team-b', 'team-b-token'],
  ] as const) {
    const { record } = await gateway.accounts.create({ email: `${name}@example.com` });
    teams.push({ name, token, accountId: record.id });
  }
  const teamOf = (authorization: string | undefined) =>
    teams.find((t) => authorization === `Bearer ${t.token}`);

  const app = express();
  app.use(express.json());

  // The application's own routes, untouched by textport.
  app.get('/api/whoami', (req, res) => {
    const team = teamOf(req.headers.authorization);
    if (!team) return void res.status(401).json({ error: 'unknown token' });
    res.json({ team: team.name });
  });

  // The textport dashboard at /sms/admin, for the app's own users only. It calls the API at /sms.
  const requireTeam: express.RequestHandler = (req, res, next) => {
    if (teamOf(req.headers.authorization)) return next();
    res.status(401).json({ error: 'sign in to the app first' });
  };
  app.use('/sms/admin', requireTeam, dashboard({ apiBase: '/sms' }));

  // textport at /sms, behind the application's auth.
  app.use(
    '/sms',
    createRouter(gateway, {
      authenticate: (request) => {
        const header = request.headers.authorization;
        const team = teamOf(Array.isArray(header) ? header[0] : header);
        return team ? { accountId: team.accountId } : null;
      },
    }),
  );

  return { app, gateway, teams };
}
