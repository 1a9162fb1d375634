import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type BureauApp } from '../../app.ts';
import { signInHeaders } from '../../testing/sign-in.ts';
import { createTestEnvironment, type TestEnvironment } from '../../testing/test-database.ts';

const publicUrl = 'http://bureau.test';
const password = 'Correct-Horse-Battery-42';
const system = { system: true, label: 'test' };

type ErrorBody = { error: { code: string; details?: unknown } };

describe('Workplace settings: external services of the app switcher, the administration’s name', () => {
  let environment: TestEnvironment;
  let app: BureauApp;

  beforeEach(async () => {
    environment = await createTestEnvironment({ BUREAU_PUBLIC_URL: publicUrl, BUREAU_LOG_LEVEL: 'error' });
    app = await buildApp(environment.config);
    await app.migrate();
    const { directory } = app.identity;
    await directory.createOrganisation({ name: 'Ministère', domains: ['m.gouv.fr'] }, system);
    await directory.createUser({ email: 'admin@m.gouv.fr', password, isInstanceAdmin: true }, system);
    await directory.createUser({ email: 'agent@m.gouv.fr', password }, system);
    await directory.createUser({ email: 'partenaire@exemple.fr', password, kind: 'external' }, system);
  });
  afterEach(async () => {
    await app.close();
    await environment.destroy();
  });

  const signIn = (email: string) => signInHeaders(app, { email, password, publicUrl });

  const services = [
    {
      id: 'tchap',
      name: 'Tchap',
      url: 'https://tchap.gouv.fr/',
      description: 'La messagerie de l’État',
    },
    { id: 'grist', name: 'Grist', url: 'https://grist.numerique.gouv.fr/' },
  ];

  it('lets instance administrators set the external services, which every signed-in user reads', async () => {
    const admin = await signIn('admin@m.gouv.fr');
    const agent = await signIn('agent@m.gouv.fr');
    expect((await app.http.inject({ url: '/api/workplace/services' })).statusCode).toBe(401);
    const empty = await app.http.inject({ url: '/api/workplace/services', headers: agent });
    expect(empty.json()).toEqual({ items: [] });

    const put = (headers: Record<string, string>, items: unknown) =>
      app.http.inject({ method: 'PUT', url: '/api/admin/workplace/services', headers, payload: { items } });
    expect((await put(agent, services)).statusCode).toBe(403);
    for (const bad of [
      [{ id: 'x', name: 'X', url: 'javascript:alert(1)' }],
      [{ id: 'Pas Bon', name: 'X', url: 'https://x.fr' }],
      [services[1], services[1]],
    ]) {
      const refused = await put(admin, bad);
      expect(refused.statusCode).toBe(400);
      expect(refused.json<ErrorBody>().error.code).toBe('VALIDATION_FAILED');
    }
    const saved = await put(admin, services);
    expect(saved.statusCode).toBe(200);
    const expected = [services[0], { ...services[1], description: null }];
    expect(saved.json()).toEqual({ items: expected });

    const external = await app.http.inject({
      url: '/api/workplace/services',
      headers: await signIn('partenaire@exemple.fr'),
    });
    expect(external.json()).toEqual({ items: expected });
    const audit = await app.platform.audit.query({ action: 'instance.services.updated', limit: 5 });
    expect(audit.items).toHaveLength(1);
  });

  it('lets instance administrators rename the administration', async () => {
    const rename = (headers: Record<string, string>, name: string) =>
      app.http.inject({ method: 'PATCH', url: '/api/admin/instance', headers, payload: { name } });
    expect((await rename(await signIn('agent@m.gouv.fr'), 'Autre')).statusCode).toBe(403);
    expect((await rename(await signIn('admin@m.gouv.fr'), '  ')).statusCode).toBe(400);
    expect((await rename(await signIn('admin@m.gouv.fr'), 'Préfecture du Rhône')).statusCode).toBe(200);
    const instance = await app.http.inject({ url: '/api/instance' });
    expect(instance.json()).toMatchObject({ name: 'Préfecture du Rhône' });
  });
});
