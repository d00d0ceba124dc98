import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

describe('express-mount example', () => {
  it('keeps the app routes, serves textport at /sms behind the app auth, and isolates teams', async () => {
    const { app, gateway, teams } = await createApp();
    const [a, b] = teams;
    if (!a || !b) throw new Error('teams missing');
    await gateway.phones.upsert(a.accountId, { phoneNumber: '+18005550199' });

    const me = await request(app).get('/api/whoami').set('authorization', `Bearer ${a.token}`);
    expect(me.body).toEqual({ team: 'team-a' });

    const sent = await request(app)
      .post('/sms/v1/messages/send')
      .set('authorization', `Bearer ${a.token}`)
      .send({ from: '+18005550199', to: '+18005550100', content: 'from the host app' });
    expect(sent.status).toBe(200);
    expect(sent.body.data).toMatchObject({ status: 'pending', user_id: a.accountId });

    const theirs = await request(app)
      .get(`/sms/v1/messages/${sent.body.data.id}`)
      .set('authorization', `Bearer ${b.token}`);
    expect(theirs.status).toBe(404);

    const anonymous = await request(app)
      .post('/sms/v1/messages/send')
      .send({ from: '+18005550199', to: '+18005550100', content: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.status).toBe('error');
  });

  it('serves the dashboard at /sms/admin only to a user the app has authenticated', async () => {
    const { app, teams } = await createApp();
    const token = teams[0]?.token ?? '';
    const html = 'text/html,*/*;q=0.8';

    const anonymous = await request(app).get('/sms/admin/').set('accept', html);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('<html');
    const forged = await request(app)
      .get('/sms/admin/')
      .set('accept', html)
      .set('authorization', 'Bearer not-a-team');
    expect(forged.status).toBe(401);

    const page = await request(app)
      .get('/sms/admin/')
      .set('accept', html)
      .set('authorization', `Bearer ${token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<base href="/sms/admin/">');
    expect(page.text).toContain('<meta name="textport-api-base" content="/sms">');

    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.text)?.[1] ?? '';
    expect((await request(app).get(`/sms/admin/${asset}`)).status).toBe(401);
    const js = await request(app)
      .get(`/sms/admin/${asset}`)
      .set('authorization', `Bearer ${token}`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });
});
