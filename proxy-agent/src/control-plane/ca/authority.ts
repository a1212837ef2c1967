// The mesh's certificate authority (Citadel's job): a self-signed root made at first start and kept
// in the data dir, or an organisation's intermediate given as files; signs workload certificates
// and the control plane's own serving certificate; rotates its root with old and new trusted side
// by side until the old one is retired.
import { createHash, X509Certificate as NodeCertificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  generateKeyPair,
  importSigningKey,
  keyMatchesCertificate,
  privateKeyPem,
  type SigningAlgorithm,
  splitPemCertificates,
  x509,
} from '../../../../lib/identity/pki';
import { loadRoots, pemBundle, type StoredRoot, saveRoots, writeTrustBundle } from './root-store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Workload certificates live this long unless asked otherwise (Istio's default). */
export const DEFAULT_WORKLOAD_CERT_TTL_MS = 24 * HOUR;
/** The longest a workload may ask for (Istio's max-workload-cert-ttl). */
export const DEFAULT_MAX_WORKLOAD_CERT_TTL_MS = 90 * DAY;
/** A self-signed root lives this long (Istio's self-signed CA: 10 years). */
export const DEFAULT_ROOT_CERT_TTL_MS = 3650 * DAY;
/** Not-before is set this far in the past, so peers with slightly slow clocks accept a fresh certificate. */
export const CLOCK_SKEW_BACKDATE_MS = 5 * 60_000;
/** After a rotation, the new root is only trusted this long before it signs (so every sidecar's bundle has it). */
export const DEFAULT_ROOT_ROTATION_GRACE_MS = 2 * 60_000;

export interface AuthorityOptions {
  dataDir: string;
  trustDomain: string;
  /** An existing CA (an organisation's intermediate): its certificate, then its chain up to the root. */
  caCertFile?: string;
  caKeyFile?: string;
  /** The root(s) the given CA chains to, when --ca-cert does not end with it. */
  caRootFile?: string;
  rootTtlMs?: number;
  /**
   * Where the roots live when not in the data dir (etcd, shared by several control planes). The
   * trust bundle file is still written to the data dir for local clients.
   */
  rootStore?: RootPersistence;
  log?: (line: string) => void;
}

/** A shared home for the roots: `create` keeps the first writer's roots and returns what is kept. */
export interface RootPersistence {
  load(): Promise<StoredRoot[] | undefined>;
  create(roots: StoredRoot[]): Promise<StoredRoot[]>;
  save(roots: StoredRoot[]): Promise<void>;
}

export interface RootInfo {
  /** SHA-256 of the DER certificate, hex: what a root is retired by. */
  fingerprint: string;
  subject: string;
  notBefore: string;
  notAfter: string;
  activeFrom?: string;
  signing: boolean;
}

export interface SubjectNames {
  uris?: string[];
  dns?: string[];
  ips?: string[];
}

/** A refusal the API answers with the given HTTP status. */
export class AuthorityError extends Error {
  constructor(
    readonly code: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

interface Signer {
  cert: x509.X509Certificate;
  key: CryptoKey;
  algorithm: SigningAlgorithm;
  /** The certificates from the signer up to (not including) the root: empty for a self-signed root. */
  chain: string[];
}

interface LiveRoot extends StoredRoot {
  signer: Signer;
}

export function fingerprintOf(pem: string): string {
  return createHash('sha256').update(new NodeCertificate(pem).raw).digest('hex');
}

function infoOf(pem: string, extra: { activeFrom?: string; signing: boolean }): RootInfo {
  const c = new NodeCertificate(pem);
  return {
    fingerprint: fingerprintOf(pem),
    subject: c.subject.replace(/\n/g, ', '),
    notBefore: new Date(c.validFrom).toISOString(),
    notAfter: new Date(c.validTo).toISOString(),
    ...extra,
  };
}

async function makeRoot(trustDomain: string, ttlMs: number, activeFrom: Date): Promise<StoredRoot> {
  const keys = await generateKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    // Istio's self-signed root is O=<trust domain>; the CN tells rotated roots apart.
    name: `O=${trustDomain}, CN=Meshlens root CA ${new Date(now).toISOString()}`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    notBefore: new Date(now - CLOCK_SKEW_BACKDATE_MS),
    notAfter: new Date(now + ttlMs),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert: cert.toString('pem'),
    key: await privateKeyPem(keys.privateKey),
    activeFrom: activeFrom.toISOString(),
  };
}

async function liveRoot(root: StoredRoot): Promise<LiveRoot> {
  const { key, algorithm } = await importSigningKey(root.key);
  return { ...root, signer: { cert: new x509.X509Certificate(root.cert), key, algorithm, chain: [] } };
}

export class CertificateAuthority {
  /** Root changes one at a time: a local rotation and a shared store's echo of it never interleave. */
  private changes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly options: AuthorityOptions,
    /** Self-signed mode: every root, oldest first. Undefined when a CA was given as files. */
    private roots: LiveRoot[] | undefined,
    /** Given-CA mode: its signer and the roots it chains to. */
    private readonly given: { signer: Signer; roots: string[] } | undefined,
  ) {}

  static async open(options: AuthorityOptions): Promise<CertificateAuthority> {
    const log = options.log ?? (() => {});
    if ((options.caCertFile === undefined) !== (options.caKeyFile === undefined))
      throw new Error('--ca-cert and --ca-key go together');
    if (options.caCertFile !== undefined && options.caKeyFile !== undefined) {
      const given = await loadGivenCa(options.caCertFile, options.caKeyFile, options.caRootFile);
      // Local clients (the demo) read the trust bundle from the data dir whichever CA signs.
      await writeTrustBundle(options.dataDir, pemBundle(given.roots));
      log(`CA: signing with ${given.signer.cert.subject} from ${options.caCertFile}`);
      return new CertificateAuthority(options, undefined, given);
    }
    const shared = options.rootStore;
    let stored = shared ? await shared.load() : await loadRoots(options.dataDir);
    if (!stored) {
      const made = [
        await makeRoot(options.trustDomain, options.rootTtlMs ?? DEFAULT_ROOT_CERT_TTL_MS, new Date(0)),
      ];
      // Control planes starting together over one etcd: the first root written is everyone's.
      stored = shared ? await shared.create(made) : made;
      if (!shared) await saveRoots(options.dataDir, stored);
      if (stored === made) log(`CA: created a self-signed root for trust domain ${options.trustDomain}`);
    } else if (!shared) {
      await saveRoots(options.dataDir, stored); // rewrites the bundle file, should it be gone
    }
    if (shared) await writeTrustBundle(options.dataDir, pemBundle(stored.map((r) => r.cert)));
    return new CertificateAuthority(options, await Promise.all(stored.map(liveRoot)), undefined);
  }

  get trustDomain(): string {
    return this.options.trustDomain;
  }

  /** Every trusted root's certificate, PEM, oldest first: what peers verify against. */
  trustBundle(): string {
    return pemBundle(this.rootPems());
  }

  private rootPems(): string[] {
    return this.roots ? this.roots.map((r) => r.cert) : (this.given?.roots ?? []);
  }

  rootInfos(): RootInfo[] {
    if (!this.roots) return (this.given?.roots ?? []).map((pem) => infoOf(pem, { signing: false }));
    const signing = this.signingRoot();
    return this.roots.map((r) => infoOf(r.cert, { activeFrom: r.activeFrom, signing: r === signing }));
  }

  /** The newest root already active (self-signed mode). */
  private signingRoot(now = Date.now()): LiveRoot | undefined {
    const roots = this.roots ?? [];
    for (let i = roots.length - 1; i >= 0; i--) {
      const r = roots[i] as LiveRoot;
      if (Date.parse(r.activeFrom) <= now) return r;
    }
    return roots[0];
  }

  private signer(): { signer: Signer; root: string } {
    if (this.given) return { signer: this.given.signer, root: this.given.roots.at(-1) as string };
    const r = this.signingRoot() as LiveRoot;
    return { signer: r.signer, root: r.cert };
  }

  /**
   * Issues a certificate for a public key: the chain leaf…root, PEM each (Istio's `cert_chain`).
   * Never outlives its signer. `names.uris` set means a workload certificate (empty subject, SAN
   * critical, as Istio's); otherwise a server certificate named by DNS names and IPs.
   */
  async issue(publicKey: x509.PublicKey | CryptoKey, names: SubjectNames, ttlMs: number): Promise<string[]> {
    const { signer, root } = this.signer();
    const now = Date.now();
    const notAfter = new Date(Math.min(now + ttlMs, signer.cert.notAfter.getTime()));
    const san: x509.JsonGeneralName[] = [
      ...(names.uris ?? []).map((value) => ({ type: 'url' as const, value })),
      ...(names.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(names.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
    ];
    const workload = (names.uris ?? []).length > 0;
    const leaf = await x509.X509CertificateGenerator.create({
      ...(workload
        ? {}
        : {
            subject: `O=${this.options.trustDomain}, CN=${names.dns?.[0] ?? names.ips?.[0] ?? 'control-plane'}`,
          }),
      issuer: signer.cert.subjectName.toString(),
      publicKey,
      signingKey: signer.key,
      signingAlgorithm: signer.algorithm,
      notBefore: new Date(now - CLOCK_SKEW_BACKDATE_MS),
      notAfter,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension(san, workload),
        await x509.AuthorityKeyIdentifierExtension.create(signer.cert),
      ],
    });
    const chain = [leaf.toString('pem'), ...signer.chain];
    if (!chain.includes(root)) chain.push(root);
    return chain.map((p) => (p.endsWith('\n') ? p : `${p}\n`));
  }

  /**
   * Adds a new root, trusted at once and signing after `graceMs` (time for every sidecar's trust
   * bundle to hold it). The old roots stay trusted until retired.
   */
  async rotate(graceMs: number): Promise<RootInfo> {
    if (!this.roots)
      throw new AuthorityError(
        409,
        'the CA is given with --ca-cert/--ca-key: rotate it by restarting with new files',
      );
    const activeFrom = new Date(Date.now() + graceMs);
    const stored = await makeRoot(
      this.options.trustDomain,
      this.options.rootTtlMs ?? DEFAULT_ROOT_CERT_TTL_MS,
      activeFrom,
    );
    const root = await liveRoot(stored);
    await this.serially(async () => {
      const next = [...(this.roots ?? []), root];
      await this.persist(next);
      this.roots = next;
    });
    this.options.log?.(
      `CA: new root ${fingerprintOf(root.cert)} trusted now, signing from ${stored.activeFrom}`,
    );
    return infoOf(root.cert, { activeFrom: stored.activeFrom, signing: false });
  }

  /** Removes a root from the trust bundle; the one signing now cannot be retired. */
  async retire(fingerprint: string): Promise<void> {
    if (!this.roots)
      throw new AuthorityError(409, 'the CA is given with --ca-cert/--ca-key: its roots are its files');
    const victim = this.roots.find((r) => fingerprintOf(r.cert) === fingerprint.toLowerCase());
    if (!victim) throw new AuthorityError(404, `no root with fingerprint ${fingerprint.slice(0, 80)}`);
    if (victim === this.signingRoot())
      throw new AuthorityError(409, `root ${fingerprint} signs certificates now: rotate to a new one first`);
    await this.serially(async () => {
      const next = (this.roots ?? []).filter((r) => r !== victim);
      await this.persist(next);
      this.roots = next;
    });
    this.options.log?.(`CA: root ${fingerprint} retired`);
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.changes.then(work);
    this.changes = run.catch(() => undefined);
    return run;
  }

  private async persist(roots: LiveRoot[]): Promise<void> {
    const plain = roots.map(({ cert, key, activeFrom }) => ({ cert, key, activeFrom }));
    if (this.options.rootStore) {
      await this.options.rootStore.save(plain);
      await writeTrustBundle(this.options.dataDir, pemBundle(plain.map((r) => r.cert)));
    } else await saveRoots(this.options.dataDir, plain);
  }

  /**
   * Takes the roots another control plane wrote to the shared store (a rotation or retirement there).
   * Serialized with this authority's own changes, whose echo from the store is then no change.
   */
  adopt(stored: StoredRoot[]): Promise<boolean> {
    const run = this.changes.then(async () => {
      if (!this.roots || stored.length === 0) return false;
      const now = this.roots.map((r) => `${r.cert}${r.activeFrom}`).join();
      if (stored.map((r) => `${r.cert}${r.activeFrom}`).join() === now) return false;
      this.roots = await Promise.all(stored.map(liveRoot));
      await writeTrustBundle(this.options.dataDir, this.trustBundle());
      this.options.log?.('CA: roots changed by another control plane');
      return true;
    });
    this.changes = run.catch(() => undefined);
    return run;
  }

  /** The root that signs now: a serving certificate from an older one is re-issued once it is retired. */
  signingFingerprint(): string {
    return fingerprintOf(this.signer().root);
  }
}

async function loadGivenCa(
  certFile: string,
  keyFile: string,
  rootFile: string | undefined,
): Promise<{ signer: Signer; roots: string[] }> {
  const chain = splitPemCertificates(await readFile(certFile, 'utf8'));
  const signerPem = chain[0];
  if (!signerPem) throw new Error(`--ca-cert ${certFile} holds no PEM certificate`);
  const keyPem = await readFile(keyFile, 'utf8');
  if (!keyMatchesCertificate(keyPem, signerPem))
    throw new Error(`--ca-key ${keyFile} is not the key of --ca-cert ${certFile}`);
  const node = new NodeCertificate(signerPem);
  if (!node.ca)
    throw new Error(`--ca-cert ${certFile}: its first certificate is not a CA (basicConstraints CA:TRUE)`);
  // The chain handed out is the signer and its parents, without the root (appended once at the end).
  let roots: string[];
  let intermediates: string[];
  if (rootFile !== undefined) {
    roots = splitPemCertificates(await readFile(rootFile, 'utf8'));
    if (roots.length === 0) throw new Error(`--ca-root-cert ${rootFile} holds no PEM certificate`);
    const rootPrints = new Set(roots.map(fingerprintOf));
    intermediates = chain.filter((c) => !rootPrints.has(fingerprintOf(c)));
  } else {
    const last = chain.at(-1) as string;
    const lastCert = new NodeCertificate(last);
    if (!lastCert.checkIssued(lastCert))
      throw new Error(
        `--ca-cert ${certFile} does not end with a self-signed root: give the root with --ca-root-cert`,
      );
    roots = [last];
    intermediates = chain.slice(0, -1);
  }
  const { key, algorithm } = await importSigningKey(keyPem);
  return {
    signer: { cert: new x509.X509Certificate(signerPem), key, algorithm, chain: intermediates },
    roots,
  };
}
