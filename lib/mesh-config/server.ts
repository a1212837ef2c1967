// The dashboard's connection to the control plane: URL and bearer token from the environment (or
// the demo's token file), held on the server only. Never a user-supplied URL.
import 'server-only';
import { join } from 'node:path';
import { readClientToken } from '../auth/token-file';
import { MeshConfigClient } from './client';

export const DEFAULT_CONTROL_URL = 'http://127.0.0.1:15010';
/** Where `npm run demo` writes the token, relative to the dashboard's working directory. */
export const TOKEN_FILE = join('.meshlens', 'control-plane.token');

export function controlPlaneUrl(): string {
  return process.env.MESH_CONTROL_URL?.trim() || DEFAULT_CONTROL_URL;
}

/** The control plane's bearer token: `MESH_CONTROL_TOKEN`, else the demo's token file, else none. */
export function controlPlaneToken(): string | undefined {
  const fromEnv = process.env.MESH_CONTROL_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  try {
    return readClientToken(join(process.cwd(), TOKEN_FILE));
  } catch {
    return undefined;
  }
}

/** A client acting for `user` (recorded in the control plane's audit log). */
export function controlPlaneClient(user?: string, timeoutMs = 5_000): MeshConfigClient {
  return new MeshConfigClient({
    baseUrl: controlPlaneUrl(),
    token: controlPlaneToken(),
    ...(user ? { user } : {}),
    timeoutMs,
  });
}
