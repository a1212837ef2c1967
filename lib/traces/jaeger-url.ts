// Where the Jaeger query API is: `JAEGER_URL` (operator configuration), else the embedded store's default.
export const DEFAULT_JAEGER_URL = 'http://127.0.0.1:16686';

export function jaegerUrlFromEnv(env: Record<string, string | undefined> = process.env): string {
  const raw = env.JAEGER_URL?.trim();
  if (!raw) return DEFAULT_JAEGER_URL;
  const u = new URL(raw);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`JAEGER_URL must be http(s): ${raw}`);
  return u.toString().replace(/\/$/, '');
}
