// The dashboard's connection to the control plane: URL and bearer token from the environment (or
// the demo's token file), held on the server only. Never a user-supplied URL.
import 'server-only';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MeshConfigClient } from '../mesh-config/client';

export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:15010';
/** Where `npm run demo` writes the token, relative to the dashboard's working directory. */
export const TOKEN_FILE = join('.meshlens', 'control-plane.token');

export function controlPlaneUrl(): string {
  return process.env.MESH_CONTROL_URL || DEFAULT_CONTROL_URL;
}

/** The control plane's bearer token: `MESH_CONTROL_TOKEN`, else the demo's token file, else none. */
export function controlPlaneToken(): string | undefined {
  const fromEnv = process.env.MESH_CONTROL_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  try {
    const text = readFileSync(join(process.cwd(), TOKEN_FILE), 'utf8');
    return text.split('\n')[0]?.split(',')[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A client acting for `user` (recorded in the control plane's audit log). */
export function controlPlaneClient(user?: string): MeshConfigClient {
  return new MeshConfigClient({
    baseUrl: controlPlaneUrl(),
    token: controlPlaneToken(),
    ...(user ? { user } : {}),
    timeoutMs: 5_000,
  });
}
