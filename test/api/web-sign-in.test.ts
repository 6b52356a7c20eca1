import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_DIALECTS } from '../support/databases.js';
import { call, startTestPlatform, subjectWithKey, type TestPlatform } from '../support/platform.js';

/** Passwords and sign-in for the web pages: a password gives a short-lived key, and nothing else changes. */
for (const dialect of TEST_DIALECTS) {
  describe(`web sign-in (${dialect})`, () => {
    let t: TestPlatform;
    before(async () => {
      t = await startTestPlatform(dialect);
    });
    after(async () => t?.close());

    const signIn = (username: string, password: string, address = '10.0.0.1') =>
      t.app.inject({ method: 'POST', url: '/api/v1/sessions', remoteAddress: address, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username, password }) });

    test('a password set by the subject admin signs the user in with a key that expires and acts as that user', async () => {
      const { subject, key: adminKey } = await subjectWithKey(t.app, { role: 'subject_admin' });
      const operator = (await call(t.app, 'POST', '/api/v1/users', { key: adminKey, body: { username: `op${Date.now()}`, role: 'subject_operator', subjectId: subject.id } })).json;
      assert.equal((await call(t.app, 'PUT', `/api/v1/users/${operator.id}/password`, { key: adminKey, body: { password: '冷链追溯 2026 口令' } })).status, 204);

      const response = await signIn(operator.username, '冷链追溯 2026 口令');
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.headers['cache-control'], 'no-store');
      const session = response.json();
      assert.equal(session.user.id, operator.id);
      const hours = (Date.parse(session.expiresAt) - Date.now()) / 3600_000;
      assert.ok(hours > 9 && hours <= 10, `expires in ${hours} h`);
      const me = await call(t.app, 'GET', '/api/v1/me', { key: session.token });
      assert.equal(me.json.userId, operator.id);
      assert.equal(me.json.subjectId, subject.id);

      // The audit trail says a key was made and a password set, never the password.
      const audit = await call(t.app, 'GET', `/api/v1/audit?targetId=${operator.id}`);
      assert.doesNotMatch(audit.body, /冷链追溯/);

      // Signing out revokes exactly that key.
      assert.equal((await call(t.app, 'DELETE', '/api/v1/sessions/current', { key: session.token })).status, 204);
      assert.equal((await call(t.app, 'GET', '/api/v1/me', { key: session.token })).status, 401);
    });

    test('wrong password, unknown user, no password and disabled user get the same 401', async () => {
      const { user: noPassword } = await subjectWithKey(t.app);
      const { user: disabled, key: disabledKey } = await subjectWithKey(t.app);
      assert.equal((await call(t.app, 'PUT', `/api/v1/users/${disabled.id}/password`, { key: disabledKey, body: { password: 'correct horse battery' } })).status, 204);
      assert.equal((await call(t.app, 'PATCH', `/api/v1/users/${disabled.id}`, { body: { status: 'disabled' } })).status, 200);
      const answers = await Promise.all([
        signIn(disabled.username, 'wrong password!!', '10.0.1.1'),
        signIn('nobody-here', 'correct horse battery', '10.0.1.2'),
        signIn(noPassword.username, 'correct horse battery', '10.0.1.3'),
        signIn(disabled.username, 'correct horse battery', '10.0.1.4'),
      ]);
      for (const answer of answers) {
        assert.equal(answer.statusCode, 401);
        assert.equal(answer.headers['content-type'], 'application/problem+json');
        assert.equal(answer.json().code, 'sign-in-failed');
      }
    });

    test('after five failures the username waits, with Retry-After, even with the right password', async () => {
      const { user, key } = await subjectWithKey(t.app);
      assert.equal((await call(t.app, 'PUT', `/api/v1/users/${user.id}/password`, { key, body: { password: 'right password 1' } })).status, 204);
      for (let i = 0; i < 5; i++) assert.equal((await signIn(user.username, `guess number ${i}`, `10.0.2.${i}`)).statusCode, 401);
      const throttled = await signIn(user.username, 'right password 1', '10.0.3.1');
      assert.equal(throttled.statusCode, 429);
      assert.equal(throttled.json().code, 'sign-in-throttled');
      const wait = Number(throttled.headers['retry-after']);
      assert.ok(wait > 0 && wait <= 30, `Retry-After ${wait}`);
    });

    test('own password changes need the current one; short passwords and other subjects are refused, changing nothing', async () => {
      const { user, key } = await subjectWithKey(t.app);
      assert.equal((await call(t.app, 'PUT', `/api/v1/users/${user.id}/password`, { key, body: { password: 'first password' } })).status, 204);
      const missing = await call(t.app, 'PUT', `/api/v1/users/${user.id}/password`, { key, body: { password: 'second password' } });
      assert.equal(missing.status, 400);
      assert.equal(missing.json.code, 'wrong-current-password');
      const short = await call(t.app, 'PUT', `/api/v1/users/${user.id}/password`, { key, body: { password: 'short', currentPassword: 'first password' } });
      assert.equal(short.status, 400);
      assert.equal(short.json.code, 'weak-password');
      const { key: strangerKey } = await subjectWithKey(t.app, { role: 'subject_admin' });
      assert.equal((await call(t.app, 'PUT', `/api/v1/users/${user.id}/password`, { key: strangerKey, body: { password: 'taken over now' } })).status, 403);
      assert.equal((await signIn(user.username, 'first password', '10.0.4.1')).statusCode, 201, 'the first password still works');
      assert.equal((await call(t.app, 'PUT', `/api/v1/users/${user.id}/password`, { key, body: { password: 'second password', currentPassword: 'first password' } })).status, 204);
      assert.equal((await signIn(user.username, 'first password', '10.0.4.2')).statusCode, 401);
      assert.equal((await signIn(user.username, 'second password', '10.0.4.3')).statusCode, 201);
    });

    test('the screens are shells with no data, their text in the chosen language, scripts confined to this origin', async () => {
      for (const [path, language, text] of [
        ['/sign-in', 'zh-CN', '登录'],
        ['/console/products?lang=en', 'en', 'Enterprise console'],
        ['/regulator', 'zh-CN', '监管驾驶舱'],
      ] as const) {
        const page = await call(t.app, 'GET', path, { key: null });
        assert.equal(page.status, 200, path);
        assert.match(page.headers['content-type'] as string, /^text\/html/);
        assert.match(page.headers['content-security-policy'] as string, /script-src 'self'/);
        assert.match(page.body, new RegExp(`<html lang="${language}">`));
        const boot = JSON.parse(/<script id="boot" type="application\/json">(.*?)<\/script>/s.exec(page.body)![1]!);
        assert.ok(Object.values(boot.messages).includes(text), `${path} has "${text}"`);
        const script = /<script type="module" src="(\/assets\/[^"]+)"/.exec(page.body)![1]!;
        const asset = await call(t.app, 'GET', script, { key: null });
        assert.equal(asset.status, 200);
        assert.match(asset.headers['content-type'] as string, /^text\/javascript/);
        assert.match(asset.headers['cache-control'] as string, /immutable/);
      }
      assert.equal((await call(t.app, 'GET', '/assets/../package.json', { key: null })).status, 404);
    });
  });
}
