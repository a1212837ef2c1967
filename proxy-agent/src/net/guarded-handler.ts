// The one guard every HTTP listener of the mesh runtime sits behind: whatever a handler throws, sync or
// async, becomes an answer (400 for a request target that does not parse, 500 otherwise) and a log line;
// the process keeps serving. Each server may shape the error body its own way (Kubernetes Status,
// Jaeger's `errors`).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

export type ErrorResponder = (res: ServerResponse, code: number, message: string) => void;

export interface GuardOptions {
  /** Names the server in log lines (`trace-store query`, `sidecar admin`...). */
  name: string;
  log: (line: string) => void;
  /** Writes the error answer; plain text by default. Called only while no header has been sent. */
  respond?: ErrorResponder;
}

/** An error caused by the request itself (a target that is not a URL, a malformed escape). */
export function isBadRequestError(err: unknown): boolean {
  if (err instanceof URIError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_INVALID_URL' || code === 'ERR_INVALID_URI';
}

export const plainTextError: ErrorResponder = (res, code, message) => {
  const body = `${message}\n`;
  res.writeHead(code, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
};

function answer(err: unknown, req: IncomingMessage, res: ServerResponse, options: GuardOptions): void {
  const bad = isBadRequestError(err);
  const reason = err instanceof Error ? err.message : String(err);
  options.log(
    `${options.name}: ${bad ? 'bad request' : 'internal error'} on ${req.method} ${req.url}: ${reason}`,
  );
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  try {
    if (bad) (options.respond ?? plainTextError)(res, 400, `bad request: ${reason}`);
    else (options.respond ?? plainTextError)(res, 500, 'internal error; see the server log');
  } catch {
    res.destroy();
  }
}

/** `handler` behind the guard. */
export function guardedHandler(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  options: GuardOptions,
): RequestListener {
  return (req, res) => {
    try {
      const result = handler(req, res);
      if (result instanceof Promise) result.catch((err: unknown) => answer(err, req, res, options));
    } catch (err) {
      answer(err, req, res, options);
    }
  };
}
