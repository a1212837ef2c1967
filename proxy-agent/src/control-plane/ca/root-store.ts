// Where the self-signed mesh CA keeps its roots: `<data dir>/ca/roots.json` (keys inside: mode 0600,
// written whole and renamed into place) and `<data dir>/ca/root-cert.pem`, the trust bundle any local
// client may read (mode 0644). Several roots live side by side during a rotation.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredRoot {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
  /** From when new certificates are signed with this root (ISO time); before, it is only trusted. */
  activeFrom: string;
}

interface RootsFile {
  version: 1;
  roots: StoredRoot[];
}

export const TRUST_BUNDLE_FILE = 'root-cert.pem';

export function caDir(dataDir: string): string {
  return join(dataDir, 'ca');
}

/** The stored roots, or undefined on first start. */
export async function loadRoots(dataDir: string): Promise<StoredRoot[] | undefined> {
  let text: string;
  try {
    text = await readFile(join(caDir(dataDir), 'roots.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const file = JSON.parse(text) as Partial<RootsFile>;
  const roots = file.roots;
  if (
    file.version !== 1 ||
    !Array.isArray(roots) ||
    roots.length === 0 ||
    !roots.every(
      (r) => typeof r?.cert === 'string' && typeof r.key === 'string' && typeof r.activeFrom === 'string',
    )
  )
    throw new Error(`${join(caDir(dataDir), 'roots.json')} is not a roots file this control plane wrote`);
  return roots;
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode); // the umask may have narrowed or the file pre-existed
  await rename(tmp, path);
}

/** Writes the roots (keys 0600) and the trust bundle (0644, every root's certificate). */
export async function saveRoots(dataDir: string, roots: readonly StoredRoot[]): Promise<void> {
  const dir = caDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const file: RootsFile = { version: 1, roots: [...roots] };
  await writeAtomically(join(dir, 'roots.json'), `${JSON.stringify(file, null, 2)}\n`, 0o600);
  await writeTrustBundle(dataDir, pemBundle(roots.map((r) => r.cert)));
}

/** PEM certificates one after another, each ending its line (a bundle of PEMs joined bare is unreadable). */
export function pemBundle(pems: readonly string[]): string {
  return pems.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
}

export async function writeTrustBundle(dataDir: string, bundle: string): Promise<void> {
  const dir = caDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await writeAtomically(join(dir, TRUST_BUNDLE_FILE), bundle, 0o644);
}
