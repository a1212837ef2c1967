// The dashboard's connection to the control plane: URL and bearer token from the environment (or
// the demo's token file), held on the server only. Never a user-supplied URL.
import 'server-only';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readClientToken } from '../auth/token-file';
import { type HttpTransport, MeshConfigClient } from './client';
import { caTransport } from './https-transport';

export const DEFAULT_CONTROL_URL = 'https://127.0.0.1:15010';
/** Where `npm run demo` writes the token, relative to the dashboard's working directory. */
export const TOKEN_FILE = join('.meshlens', 'control-plane.token');
/** Where `npm run demo` writes the control plane's CA roots (its HTTPS chains to them). */
export const CA_FILE = join('.meshlens', 'control-plane-ca.pem');

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

/**
 * The transport verifying the control plane's HTTPS against `MESH_CONTROL_CA_FILE`, else the demo's CA
 * file; without either, fetch with the system's roots (a control plane with a public certificate).
 */
export function controlPlaneTransport(): HttpTransport | undefined {
  const file = process.env.MESH_CONTROL_CA_FILE?.trim() || join(process.cwd(), CA_FILE);
  let ca: string;
  try {
    ca = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return caTransport(ca);
}

/** A client acting for `user` (recorded in the control plane's audit log). */
export function controlPlaneClient(user?: string, timeoutMs = 5_000): MeshConfigClient {
  const transport = controlPlaneTransport();
  return new MeshConfigClient({
    baseUrl: controlPlaneUrl(),
    token: controlPlaneToken(),
    ...(user ? { user } : {}),
    timeoutMs,
    ...(transport ? { transport } : {}),
  });
}
