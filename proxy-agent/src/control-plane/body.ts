// Request bodies: read with a size limit, parsed as JSON or YAML. A parse error names the parser's
// line and column, so `kubectl apply`-style users see where their document is broken.
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { jsonErrorOffset } from './json-error-position';
import { ApiError, badRequest } from './status';

/** Kubernetes' own request limit is 3 MiB; config objects here are far smaller. */
export const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new ApiError(413, 'RequestEntityTooLarge', `request body is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export type BodyFormat = 'json' | 'yaml' | 'merge-patch';

/** The body format a Content-Type names; JSON when absent, as Kubernetes clients send. */
export function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  const type = (contentType ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type === '') return 'json';
  if (type === 'application/merge-patch+json') return 'merge-patch';
  if (type === 'application/yaml' || type === 'application/x-yaml' || type === 'text/yaml') return 'yaml';
  return undefined;
}

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Parses YAML (one document); throws 400 naming the line and column of the first error. */
export function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    throw badRequest(
      `invalid YAML${where}: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  return doc.toJS();
}

/** Parses JSON; an error names its line and column. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (text.trim() === '') throw badRequest('invalid JSON: the body is empty');
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    const offset = jsonErrorOffset(text);
    const at = lineColumn(text, offset ?? text.length);
    throw badRequest(`invalid JSON at line ${at.line}, column ${at.column}: ${reason}`);
  }
}

/** The parsed body, which must be an object (a resource or a patch). */
export function parseBody(text: string, format: BodyFormat): Record<string, unknown> {
  const value = format === 'yaml' ? parseYaml(text) : parseJson(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(
      `the request body must be an object, not ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}
