// The dashboard's hardening (issue 14), in a real browser against real dashboards: a rebound name is
// refused (DNS rebinding), every response carries the security headers and the pages still run
// under the CSP, reads need a session when configured, sign-in never sends the browser to another
// site, the session cookie is Secure behind a TLS proxy, and failed sign-ins back off.
import { request as httpRequest } from 'node:http';
import { type APIRequestContext, chromium, type Page, request as playwrightRequest } from '@playwright/test';
import { expect, test } from './support/test';

test.describe.configure({ mode: 'serial' });

const REBOUND_NAME = 'rebind.test';

/** An HTTP request with a chosen Host header, as a browser on a rebound name sends it. */
function sendWithHost(
  url: string,
  host: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method, headers: { ...init.headers, host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test('a page served under a rebound name can neither read nor change the mesh', async ({ demo }) => {
  const port = new URL(demo.dashboard).port;
  const rebound = `${REBOUND_NAME}:${port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    // The attacker's name now resolves to the dashboard's loopback address.
    args: ['--no-sandbox', '--disable-gpu', `--host-resolver-rules=MAP ${REBOUND_NAME} 127.0.0.1`],
  });
  try {
    const page = await browser.newPage();
    const response = await page.goto(`http://${rebound}/graph`);
    expect(response?.status()).toBe(421);
    await expect(page.locator('body')).toContainText('MESHLENS_ALLOWED_HOSTS');
    // The attack itself: a same-origin write from the rebound page (Origin and Host agree).
    const write = await page.evaluate(async () => {
      const res = await fetch('/api/canary/bookinfo/reviews', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ split: { v1: 0, v2: 0, v3: 100 }, resourceVersion: '1' }),
      });
      return { status: res.status, body: (await res.json()) as { kind?: string } };
    });
    expect(write).toEqual({ status: 421, body: expect.objectContaining({ kind: 'misdirected' }) });
  } finally {
    await browser.close();
  }
  // Without a browser too, for reads and the other dashboard, signed in or not.
  const read = await sendWithHost(`${demo.dashboard}/api/services`, rebound, { method: 'GET' });
  expect(read.status).toBe(421);
  const tokenPort = new URL(demo.tokenDashboard.url).port;
  const signInPage = await sendWithHost(
    `${demo.tokenDashboard.url}/sign-in`,
    `${REBOUND_NAME}:${tokenPort}`,
    {
      method: 'GET',
    },
  );
  expect(signInPage.status).toBe(421);
  // Loopback names on any port are this dashboard.
  expect(
    (await sendWithHost(`${demo.dashboard}/api/services`, `localhost:${port}`, { method: 'GET' })).status,
  ).toBe(200);
});

test('pages, APIs and assets carry the security headers, and the pages run under the CSP', async ({
  page,
  request,
}) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(m.text());
  });
  await page.emulateMedia({ colorScheme: 'dark' });
  const response = await page.goto('/graph');
  const headers = response?.headers() ?? {};
  const csp = headers['content-security-policy'] ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
  // The theme script ran before paint (allowed by its hash) and React hydrated (nonce'd scripts).
  await expect(page.locator('html')).toHaveClass(/\bdark\b/);
  await expect(page.getByRole('button', { name: 'Switch to the light theme' })).toBeVisible();
  const script = await page.locator('script[src^="/_next/static/"]').first().getAttribute('src');
  expect(script).toBeTruthy();
  for (const path of ['/api/services', script as string]) {
    const r = await request.get(path);
    expect(r.headers()['x-content-type-options'], path).toBe('nosniff');
    expect(r.headers()['content-security-policy'], path).toContain("frame-ancestors 'none'");
  }
  // A second load gets another nonce.
  const again = (await request.get('/graph')).headers()['content-security-policy'];
  expect(again).not.toBe(csp);
  expect(violations).toEqual([]);
});

test.describe('token mode with reads guarded', () => {
  let api: APIRequestContext;
  test.beforeAll(async ({ demo }) => {
    api = await playwrightRequest.newContext({ baseURL: demo.tokenDashboard.url, maxRedirects: 0 });
  });
  test.afterAll(async () => {
    await api.dispose();
  });

  test('reads need a session: pages go to sign-in and back, APIs answer 401', async ({ page, demo }) => {
    const td = demo.tokenDashboard;
    const pageRead = await api.get('/traces?service=productpage');
    expect(pageRead.status()).toBe(307);
    expect(pageRead.headers().location).toBe('/sign-in?next=%2Ftraces%3Fservice%3Dproductpage');
    const apiRead = await api.get('/api/services');
    expect(apiRead.status()).toBe(401);
    expect(await apiRead.json()).toEqual({ ok: false, kind: 'unauthorized', message: expect.any(String) });

    await page.goto(`${td.url}/traces`);
    await expect(page).toHaveURL(`${td.url}/sign-in?next=%2Ftraces`);
    await signIn(page, td.token);
    await expect(page).toHaveURL(`${td.url}/traces`);
    const afterSignIn = await page.request.get(`${td.url}/api/services`);
    expect(afterSignIn.status()).toBe(200);
  });

  test('sign-in never sends the browser to another site', async ({ page, demo }) => {
    const td = demo.tokenDashboard;
    // Should the browser leave, it lands here, and the assertion below names where it went.
    await page.route(/^https?:\/\/evil\.com\//, (route) => route.fulfill({ body: 'evil.com' }));
    // Raw query strings, as a link in a phishing mail would carry them.
    for (const next of [
      '/%5Cevil.com',
      '/%09/evil.com',
      '%2F%5Cevil.com',
      '//evil.com',
      'https://evil.com',
      'javascript:alert(document.domain)',
    ]) {
      await page.goto(`${td.url}/sign-in?next=${next}`);
      await signIn(page, td.token);
      await page.waitForURL((url) => url.pathname !== '/sign-in');
      expect(new URL(page.url()).origin, next).toBe(td.url);
    }
  });

  test('the session cookie is Secure when a trusted TLS proxy says the request was HTTPS', async ({
    demo,
  }) => {
    const signInOver = async (headers: Record<string, string>) => {
      const r = await api.post('/api/auth/session', { data: { token: demo.tokenDashboard.token }, headers });
      expect(r.status()).toBe(200);
      return r.headers()['set-cookie'] ?? '';
    };
    expect(await signInOver({ 'x-forwarded-proto': 'https' })).toMatch(/;\s*secure/i);
    expect(await signInOver({})).not.toMatch(/;\s*secure/i);
  });

  // Last: it leaves this client (127.0.0.1) backing off.
  test('failed sign-ins back off per client, whatever X-Forwarded-For claims', async ({ demo }) => {
    const attempt = (token: string, headers: Record<string, string> = {}) =>
      api.post('/api/auth/session', { data: { token }, headers });
    for (let i = 0; i < 3; i++) expect((await attempt(`wrong-${i}`)).status()).toBe(401);
    // The fourth failure is still answered; the attempt after it must wait (300 s in this setup).
    expect((await attempt('wrong-3')).status()).toBe(401);
    const waiting = await attempt('wrong-4');
    expect(waiting.status()).toBe(429);
    expect(Number(waiting.headers()['retry-after'])).toBeGreaterThan(60);
    expect((await waiting.json()).message).toMatch(/try again in \d+ s/);
    // Neither the right token nor a forged client address gets past the wait.
    expect((await attempt(demo.tokenDashboard.token)).status()).toBe(429);
    expect((await attempt('wrong-5', { 'x-forwarded-for': '203.0.113.9' })).status()).toBe(429);
  });
});
