// The CA's REST endpoints, modelled on Istio's `IstioCertificateService/CreateCertificate`:
//   POST   /v1/certificates          {csr, validity_duration (s)} → {cert_chain: [leaf, …, root]}  (token)
//   GET    /v1/ca/roots              the trust bundle, PEM (anyone: it is what peers verify against)
//   GET    /v1/ca                    trust domain and each root's fingerprint, validity, signing state (anyone)
//   POST   /v1/ca/rotate             a new root, trusted at once, signing after a grace   (CA admins)
//   DELETE /v1/ca/roots/<sha256>     retire a root that no longer signs                    (CA admins)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDuration } from '../../../../lib/mesh-config/duration';
import { parseBody, readBody } from '../body';
import { sendJson } from '../resource-api';
import { ApiError, badRequest, forbidden } from '../status';
import { AuthorityError, type CertificateAuthority } from './authority';
import { checkCsr } from './csr';
import { type IdentityPolicy, mayHold } from './identity-rule';

export const CERTIFICATES_PATH = '/v1/certificates';
export const ROOTS_PATH = '/v1/ca/roots';
const ROOT_PATH = /^\/v1\/ca\/roots\/([0-9a-fA-F]{64})$/;

export interface CertificateApiContext {
  ca: CertificateAuthority;
  policy: IdentityPolicy;
  /** Default and longest lifetime of a workload certificate. */
  workloadTtlMs: number;
  maxWorkloadTtlMs: number;
  /** How long a new root is trusted before it signs. */
  rotationGraceMs: number;
  maxCsrBytes: number;
  maxBodyDepth: number;
  /** May rotate and retire roots. */
  isAdmin(user: string): boolean;
  /** After a rotation or a retirement (the serving certificate may need a new issuer). */
  onRootsChanged?: () => void;
  log(line: string): void;
}

/** Paths served without a token: the roots are public by nature. */
export function isPublicCaPath(pathname: string, method: string | undefined): boolean {
  return method === 'GET' && (pathname === ROOTS_PATH || pathname === '/v1/ca');
}

function authorityError(err: unknown): never {
  if (err instanceof AuthorityError)
    throw new ApiError(
      err.code,
      err.code === 404 ? 'NotFound' : err.code === 409 ? 'Conflict' : 'BadRequest',
      err.message,
    );
  throw err;
}

async function readJson(
  req: IncomingMessage,
  maxBytes: number,
  maxDepth: number,
): Promise<Record<string, unknown>> {
  const text = await readBody(req, maxBytes);
  if (text.trim() === '') return {};
  const body = parseBody(text, 'json', maxDepth);
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the body must be a JSON object');
  return body as Record<string, unknown>;
}

/** The requested lifetime: `validity_duration` in seconds (Istio's field), 0 or absent for the default. */
export function requestedTtlMs(value: unknown, defaultMs: number, maxMs: number): number {
  if (value === undefined || value === null || value === 0 || value === '0') return defaultMs;
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 0)
    throw badRequest('validity_duration must be a whole number of seconds');
  const ms = seconds * 1000;
  if (ms > maxMs)
    throw badRequest(
      `requested TTL ${seconds}s is greater than the max allowed TTL ${maxMs / 1000}s (--max-workload-cert-ttl)`,
    );
  return ms;
}

/** Answers a CA path; false when the path is none of them. */
export async function handleCertificateApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  user: string,
  ctx: CertificateApiContext,
): Promise<boolean> {
  const { pathname } = url;
  if (pathname === CERTIFICATES_PATH) {
    if (req.method !== 'POST')
      throw new ApiError(405, 'MethodNotAllowed', 'certificates are requested with POST');
    const body = await readJson(req, ctx.maxCsrBytes, ctx.maxBodyDepth);
    if (typeof body.csr !== 'string' || body.csr === '')
      throw badRequest('csr (a PEM certificate signing request) is required');
    const ttlMs = requestedTtlMs(body.validity_duration, ctx.workloadTtlMs, ctx.maxWorkloadTtlMs);
    const checked = await checkCsr(body.csr);
    if (!checked.ok) throw badRequest(checked.message);
    const { identity, spiffeId, publicKey } = checked.csr;
    const decision = mayHold(user, identity, ctx.policy);
    if (!decision.ok) {
      ctx.log(`CA: refused ${spiffeId} to ${user}: ${decision.reason}`);
      throw forbidden(
        `certificates "${spiffeId}" is forbidden: user "${user}" may not have identity ${spiffeId}: ${decision.reason}`,
        {
          name: spiffeId,
          kind: 'certificates',
        },
      );
    }
    const certChain = await ctx.ca.issue(publicKey, { uris: [spiffeId] }, ttlMs);
    sendJson(res, 200, { cert_chain: certChain });
    return true;
  }
  if (pathname === ROOTS_PATH && req.method === 'GET') {
    const pem = ctx.ca.trustBundle();
    res.writeHead(200, {
      'content-type': 'application/x-pem-file',
      'content-length': Buffer.byteLength(pem),
    });
    res.end(pem);
    return true;
  }
  if (pathname === '/v1/ca' && req.method === 'GET') {
    sendJson(res, 200, { trustDomain: ctx.ca.trustDomain, roots: ctx.ca.rootInfos() });
    return true;
  }
  const retire = ROOT_PATH.exec(pathname);
  if (pathname === '/v1/ca/rotate' || retire) {
    if (!ctx.isAdmin(user))
      throw forbidden(`user "${user}" may not change the CA's roots (--ca-admin-users)`);
    if (retire && req.method === 'DELETE') {
      req.resume();
      await ctx.ca.retire(retire[1] as string).catch(authorityError);
      ctx.onRootsChanged?.();
      sendJson(res, 200, { trustDomain: ctx.ca.trustDomain, roots: ctx.ca.rootInfos() });
      return true;
    }
    if (!retire && req.method === 'POST') {
      const body = await readJson(req, ctx.maxCsrBytes, ctx.maxBodyDepth);
      let graceMs = ctx.rotationGraceMs;
      if (body.grace !== undefined) {
        const parsed = typeof body.grace === 'string' ? parseDuration(body.grace) : undefined;
        if (parsed === undefined || parsed < 0)
          throw badRequest('grace must be a duration such as 0s, 30s or 2m');
        graceMs = parsed;
      }
      const root = await ctx.ca.rotate(graceMs).catch(authorityError);
      ctx.onRootsChanged?.();
      sendJson(res, 201, root);
      return true;
    }
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow ${req.method} on ${pathname}`);
  }
  return false;
}
