// Hostile clients against the real control-plane process: each gets a Kubernetes Status and a closed
// door, and the process keeps serving everyone else. Malformed requests, trickled bodies, watchers that
// never read, too many watches, deep bodies, anonymous exposure, forged audit users, a dead lock holder.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  API,
  type CpProcess,
  call,
  collectWatch,
  destinationRule,
  type Json,
  NS_PATH,
  removeDir,
  serviceEntry,
  startCp,
  tempDir,
  weightedRoute,
} from './control-plane-helpers';
import { AGENT_BIN, type AgentProcess, freePort, ROOT, spawnAgent, waitFor } from './support/processes';

const running: CpProcess[] = [];
const procs: AgentProcess[] = [];
const dirs: string[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const p of procs.splice(0)) await p.stop();
  for (const cp of running.splice(0)) {
    await cp.stop();
    await removeDir(cp.dataDir);
  }
  for (const d of dirs.splice(0)) await removeDir(d);
});

async function cp(options: Parameters<typeof startCp>[0] = {}): Promise<CpProcess> {
  const c = await startCp(options);
  running.push(c);
  return c;
}

async function healthy(c: { url: string }): Promise<boolean> {
  return (await fetch(`${c.url}/healthz`)).ok;
}

/** A raw connection: writes `text`, collects what comes back until the server closes (bounded). */
function rawExchange(port: number, text: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    sockets.push(socket);
    let out = '';
    socket.on('data', (d) => {
      out += d;
    });
    socket.on('error', () => undefined);
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** POSTs a 1000-byte body one byte every 100 ms until the server closes (or 100 bytes are sent). */
async function trickle(port: number, headers: string): Promise<{ reply: string; sent: number }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let reply = '';
  socket.on('data', (d) => {
    reply += d;
  });
  socket.on('error', () => undefined);
  let open = true;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      open = false;
      resolve();
    }),
  );
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `POST ${NS_PATH}/virtualservices HTTP/1.1\r\nHost: x\r\n${headers}Content-Length: 1000\r\n\r\n`,
  );
  let sent = 0;
  while (open && sent < 100) {
    socket.write('x');
    sent++;
    await new Promise((r) => setTimeout(r, 100));
  }
  socket.destroy();
  await closed;
  return { reply, sent };
}

function statusOf(raw: string): { code: number; body: Json } {
  const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  return { code, body: JSON.parse(body) };
}

/** Writes a token file (mode 600) of `token,user` lines. */
async function tokenFile(lines: string[], mode = 0o600): Promise<string> {
  const dir = await tempDir('meshlens-tokens-');
  dirs.push(dir);
  const file = join(dir, 'tokens');
  await writeFile(file, `${lines.join('\n')}\n`, { mode });
  return file;
}

async function withReviews(c: CpProcess): Promise<string> {
  expect((await call(c, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('reviews'))).status).toBe(201);
  expect(
    (await call(c, 'POST', `${NS_PATH}/destinationrules`, destinationRule('reviews', ['v1', 'v2']))).status,
  ).toBe(201);
  const vs = await call(
    c,
    'POST',
    `${NS_PATH}/virtualservices`,
    weightedRoute('reviews', { v1: 100, v2: 0 }),
  );
  expect(vs.status).toBe(201);
  return vs.body.metadata.resourceVersion;
}

describe('control plane under attack', () => {
  it('answers a request target that is not a URL, and a request that is not HTTP, with a 400 Status', async () => {
    const c = await cp({ token: 'guard-token' });
    const bad = statusOf(
      await rawExchange(c.port, 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    );
    expect(bad.code).toBe(400);
    expect(bad.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    const garbage = statusOf(await rawExchange(c.port, 'NOT HTTP AT ALL\r\n\r\n'));
    expect(garbage.code).toBe(400);
    expect(garbage.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(await healthy(c)).toBe(true);
    expect((await call(c, 'GET', `${NS_PATH}/virtualservices`)).status).toBe(200);
  });

  it('cuts a trickled body or header with a 408 Status, while a watch streams on past the deadline', async () => {
    const c = await cp({
      token: 'slow-token',
      args: ['--request-timeout', '1s', '--headers-timeout', '500ms'],
    });
    const rv = await withReviews(c);
    const events: Json[] = [];
    const watching = collectWatch(
      c,
      `${NS_PATH}/virtualservices?watch=true&resourceVersion=${rv}`,
      (es) => {
        events.splice(0, events.length, ...es);
        return es.length >= 1;
      },
      30_000,
    );

    // An unauthenticated client sending one byte of a 1000-byte body every 100 ms: answered 401 at once,
    // then cut (bounded: 100 bytes). Authenticated, the body is awaited, so the deadline answers 408.
    const anonymous = await trickle(c.port, '');
    expect(anonymous.sent).toBeLessThan(100);
    expect(statusOf(anonymous.reply).code).toBe(401);
    const signedIn = await trickle(c.port, `Authorization: Bearer ${c.token}\r\n`);
    expect(signedIn.sent).toBeLessThan(100);
    expect(statusOf(signedIn.reply)).toMatchObject({
      code: 408,
      body: { kind: 'Status', status: 'Failure', reason: 'Timeout', code: 408 },
    });

    // Headers that never end are cut the same way.
    const slowHead = await rawExchange(
      c.port,
      `GET ${NS_PATH}/virtualservices HTTP/1.1\r\nHost: x\r\n`,
      15_000,
    );
    expect(statusOf(slowHead).code).toBe(408);

    // The watch opened before all this outlived both deadlines and still delivers.
    const put = await call(
      c,
      'PUT',
      `${NS_PATH}/virtualservices/reviews`,
      weightedRoute('reviews', { v1: 50, v2: 50 }, rv),
    );
    expect(put.status).toBe(200);
    await watching;
    expect(events[0]).toMatchObject({
      type: 'MODIFIED',
      object: { metadata: { resourceVersion: put.body.metadata.resourceVersion } },
    });
  });

  it('closes watchers that never read once their unsent output passes the limit; a reading one keeps up', async () => {
    const c = await cp({ token: 'watch-token', args: ['--watch-buffer-bytes', '1MiB'] });
    const rv = await withReviews(c);
    const watchPath = `${NS_PATH}/virtualservices?watch=true&resourceVersion=${rv}`;
    const stalled: Array<{ socket: Socket; closed: Promise<void> }> = [];
    for (let i = 0; i < 3; i++) {
      const socket = connect(c.port, '127.0.0.1');
      sockets.push(socket);
      socket.on('error', () => undefined);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(`GET ${watchPath} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${c.token}\r\n\r\n`);
      socket.pause(); // never reads: the kernel buffers fill, then the server's
      stalled.push({ socket, closed: new Promise((resolve) => socket.once('close', () => resolve())) });
    }
    const reader = collectWatch(c, watchPath, (es) =>
      es.some((e) => e.object.metadata.annotations?.final === 'yes'),
    );
    const patched: string[] = [];
    const closedLines = () =>
      (c.proc.output().match(/closing a VirtualService watch of ci-admin/g) ?? []).length;
    // 200 KB annotations, patched until the server has closed all three (bounded: 80 patches, 16 MB each).
    for (let i = 0; i < 80 && closedLines() < 3; i++) {
      const r = await call(
        c,
        'PATCH',
        `${NS_PATH}/virtualservices/reviews`,
        { metadata: { annotations: { payload: String(i % 10).repeat(200_000) } } },
        { 'content-type': 'application/merge-patch+json' },
      );
      expect(r.status).toBe(200);
      patched.push(r.body.metadata.resourceVersion);
    }
    expect(closedLines()).toBe(3);
    const last = await call(
      c,
      'PATCH',
      `${NS_PATH}/virtualservices/reviews`,
      { metadata: { annotations: { payload: null, final: 'yes' } } },
      { 'content-type': 'application/merge-patch+json' },
    );
    patched.push(last.body.metadata.resourceVersion);
    // A stalled client that reads again drains what was sent, then finds the stream closed.
    for (const s of stalled) s.socket.resume();
    await Promise.all(stalled.map((s) => s.closed));
    // The reader saw every change, in order, and was never closed.
    expect((await reader).map((e) => e.object.metadata.resourceVersion)).toEqual(patched);
    expect(await healthy(c)).toBe(true);
  });

  it('refuses a watch beyond the per-user limit with a 429 Status, and not another user', async () => {
    const file = await tokenFile(['alice-token,alice', 'bob-token,bob']);
    const c = await cp({ args: ['--token-file', file, '--max-watches-per-user', '2'] });
    const watch = (token: string) =>
      fetch(`${c.url}${NS_PATH}/virtualservices?watch=true`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const open = [await watch('alice-token'), await watch('alice-token')];
    expect(open.map((r) => r.status)).toEqual([200, 200]);
    const third = await watch('alice-token');
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'TooManyRequests',
      code: 429,
    });
    const bobs = await watch('bob-token');
    expect(bobs.status).toBe(200);
    await bobs.body?.cancel();
    await open[0]?.body?.cancel();
    // The cancelled watch frees its place (its close reaches the server asynchronously).
    const again = await waitFor(
      async () => {
        const r = await watch('alice-token');
        if (r.status === 200) return r;
        await r.body?.cancel();
        return undefined;
      },
      { what: 'a freed watch slot' },
    );
    await again.body?.cancel();
    await open[1]?.body?.cancel();
  });

  it('answers deeply nested bodies with a 400 Status and too large ones with 413, and keeps serving', async () => {
    const c = await cp({ token: 'deep-token' });
    await withReviews(c);
    const deep = `{"metadata": {"annotations": ${'{"a": '.repeat(50_000)}1${'}'.repeat(50_000)}}}`;
    const patch = await call(c, 'PATCH', `${NS_PATH}/virtualservices/reviews`, deep, {
      'content-type': 'application/merge-patch+json',
    });
    expect(patch.status).toBe(400);
    expect(patch.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    expect(patch.body.message).toMatch(/deeper than 64 levels/);
    const arrays = `{"spec": {"hosts": ${'['.repeat(200_000)}${']'.repeat(200_000)}}}`;
    const post = await call(c, 'POST', `${NS_PATH}/virtualservices`, arrays);
    expect(post.status).toBe(400);
    const yaml = await call(c, 'POST', `${NS_PATH}/virtualservices`, `spec: ${'['.repeat(20_000)}`, {
      'content-type': 'application/yaml',
    });
    expect(yaml.status).toBe(400);
    expect(yaml.body.kind).toBe('Status');
    const huge = await call(c, 'POST', `${NS_PATH}/virtualservices`, `"${'x'.repeat(2 * 1024 * 1024)}"`);
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge' });
    expect((await call(c, 'GET', `${NS_PATH}/virtualservices/reviews`)).status).toBe(200);
  });

  it('bounds what a client can make it hold: label values, annotations, object count, list pages', async () => {
    const c = await cp({ token: 'hold-token', args: ['--max-objects', '4'] });
    await withReviews(c);
    const labelled = serviceEntry('ratings');
    const huge = await call(c, 'POST', `${NS_PATH}/serviceentries`, {
      ...labelled,
      metadata: { ...labelled.metadata, labels: { app: 'x'.repeat(10_000) } },
    });
    expect(huge.status).toBe(422);
    expect(huge.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(huge.body.details.causes[0].field).toBe('metadata.labels["app"]');
    const annotated = await call(c, 'POST', `${NS_PATH}/serviceentries`, {
      ...labelled,
      metadata: { ...labelled.metadata, annotations: { note: 'x'.repeat(300_000) } },
    });
    expect(annotated.status).toBe(422);
    expect(annotated.body.details.causes[0].field).toBe('metadata.annotations');
    const badName = await call(c, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('Not_A_DNS_Label'));
    expect(badName.status).toBe(422);

    expect((await call(c, 'POST', `${NS_PATH}/serviceentries`, labelled)).status).toBe(201);
    const full = await call(c, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('details'));
    expect(full.status).toBe(403);
    expect(full.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403 });
    expect(full.body.message).toMatch(/maximum of 4 objects/);

    const first = await call(c, 'GET', `${API}/serviceentries?limit=1`);
    expect(first.body.items.map((o: Json) => o.metadata.name)).toEqual(['ratings']);
    expect(first.body.metadata.remainingItemCount).toBe(1);
    const rest = await call(
      c,
      'GET',
      `${API}/serviceentries?limit=1&continue=${first.body.metadata.continue}`,
    );
    expect(rest.body.items.map((o: Json) => o.metadata.name)).toEqual(['reviews']);
    expect(rest.body.metadata.continue).toBeUndefined();
    expect((await call(c, 'GET', `${API}/serviceentries?limit=lots`)).status).toBe(400);
  });

  it('refuses to start anonymous on a non-loopback address unless told to', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const port = await freePort();
    const refused = spawnAgent([
      'control-plane',
      '--host',
      '0.0.0.0',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
    ]);
    procs.push(refused);
    const code = await waitFor(() => refused.child.exitCode ?? undefined, { what: 'the refusal' });
    expect(code).not.toBe(0);
    expect(refused.output()).toMatch(/refusing to serve 0\.0\.0\.0 without --token-file/);
    expect(refused.output()).toMatch(/--insecure-allow-anonymous/);

    const allowed = spawnAgent([
      ...['control-plane', '--host', '0.0.0.0', '--port', String(port), '--data-dir', dataDir],
      '--insecure-allow-anonymous',
      '--insecure-http',
    ]);
    procs.push(allowed);
    await waitFor(() => healthy({ url: `http://127.0.0.1:${port}` }), {
      what: 'the anonymous control plane',
    });
  });

  it('refuses to start with a token file readable by group or others, saying how to fix it', async () => {
    const file = await tokenFile(['open-token,admin'], 0o644);
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const proc = spawnAgent(['control-plane', '--port', '0', '--data-dir', dataDir, '--token-file', file]);
    procs.push(proc);
    const code = await waitFor(() => proc.child.exitCode ?? undefined, { what: 'the refusal' });
    expect(code).toBe(1);
    expect(proc.output()).toContain(`token file ${file} is accessible by group or others (mode 644)`);
    expect(proc.output()).toContain(`chmod 600 ${file}`);
  });

  it("records the token's user in the audit log; on-behalf-of only for users granted it", async () => {
    const file = await tokenFile(['dash-token,dashboard', 'mallory-token,mallory']);
    const c = await cp({ args: ['--token-file', file, '--on-behalf-of-users', 'dashboard'] });
    const dash = { url: c.url, token: 'dash-token' };
    const mallory = { url: c.url, token: 'mallory-token' };
    const alice = { 'x-meshlens-user': 'alice' };
    expect(
      (await call(dash, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('reviews'), alice)).status,
    ).toBe(201);
    expect(
      (await call(mallory, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('ratings'), alice)).status,
    ).toBe(201);
    const audit = await call(dash, 'GET', '/v1/audit?kind=ServiceEntry');
    const [byMallory, byDashboard] = audit.body.items;
    expect(byMallory).toMatchObject({ name: 'ratings', identity: 'mallory', who: 'mallory' });
    expect(byMallory.onBehalfOf).toBeUndefined();
    expect(byDashboard).toMatchObject({
      name: 'reviews',
      identity: 'dashboard',
      onBehalfOf: 'alice',
      who: 'alice',
    });

    // Anonymous (loopback, no token file): the header names no one either.
    const anon = await cp();
    expect(
      (await call(anon, 'POST', `${NS_PATH}/serviceentries`, serviceEntry('reviews'), alice)).status,
    ).toBe(201);
    const [entry] = (await call(anon, 'GET', '/v1/audit')).body.items;
    expect(entry).toMatchObject({ identity: 'anonymous', who: 'anonymous' });
    expect(entry.onBehalfOf).toBeUndefined();
  });

  it('starts at once after kill -9 of the previous holder, even while it is an unreaped zombie', async () => {
    const dataDir = await tempDir();
    dirs.push(dataDir);
    const port = await freePort();
    // The shell starts the control plane in the background and becomes `sleep`, which never reaps it:
    // killed, it stays a zombie (its pid still taken) for as long as this test runs.
    const shell = spawn(
      'sh',
      [
        '-c',
        `"${process.execPath}" "${AGENT_BIN}" control-plane --insecure-http --port ${port} --data-dir "${dataDir}" >/dev/null 2>&1 & echo $!; exec sleep 120`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const shellExited = new Promise((resolve) => shell.once('exit', resolve));
    try {
      const pid = Number(
        await new Promise<string>((resolve) => shell.stdout.once('data', (d) => resolve(String(d)))),
      );
      const first = { url: `http://127.0.0.1:${port}` };
      await waitFor(() => healthy(first), { what: 'the first control plane' });
      process.kill(pid, 'SIGKILL');
      await waitFor(async () => /^\d+ \(.*\) Z/.test(await readFile(`/proc/${pid}/stat`, 'utf8')), {
        what: 'the killed control plane to be a zombie',
      });
      const second = await cp({ dataDir });
      expect(await healthy(second)).toBe(true);
      expect((await call(second, 'GET', `${API}/virtualservices`)).status).toBe(200);
    } finally {
      shell.kill('SIGKILL');
      await shellExited;
    }
  });
});
