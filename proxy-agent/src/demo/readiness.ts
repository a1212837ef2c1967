// Waiting for the demo's parts to come up: bounded polls, never sleeps for a fixed time.

/** How long any one part may take to become ready. */
export const STARTUP_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 200;
const PROBE_TIMEOUT_MS = 2_000;

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = STARTUP_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
  throw new Error(`${what} was not ready after ${timeoutMs / 1000} s`);
}

/** A probe: the URL answers 2xx. */
export const httpOk =
  (url: string, headers: Record<string, string> = {}) =>
  async () =>
    (await fetch(url, { headers, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })).ok;
