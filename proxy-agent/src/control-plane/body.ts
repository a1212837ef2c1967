// Request bodies: read with a size limit, parsed as JSON or YAML. A parse error names the parser's
// line and column, so `kubectl apply`-style users see where their document is broken.
import type { IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { jsonErrorOffset } from './json-error-position';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_BODY_DEPTH } from './limits';
import { jsonTextDepth, valueDepth } from './nesting-depth';
import { ApiError, badRequest } from './status';

export const MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume(); // drained, not read: the answer goes out at once
    throw new ApiError(413, 'RequestEntityTooLarge', `request body is larger than ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        throw new ApiError(413, 'RequestEntityTooLarge', `request body is larger than ${limit} bytes`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // The client went away or missed the request deadline: an answer of ours, not an internal error.
    throw badRequest(`the request body was cut short: ${err instanceof Error ? err.message : String(err)}`);
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

function tooDeep(maxDepth: number): ApiError {
  return badRequest(`the request body nests objects and arrays deeper than ${maxDepth} levels`);
}

/** Parses YAML (one document); throws 400 naming the line and column of the first error. */
export function parseYaml(text: string, maxDepth = DEFAULT_MAX_BODY_DEPTH): unknown {
  let doc: ReturnType<typeof parseDocument>;
  let value: unknown;
  try {
    doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    value = doc.errors.length === 0 ? doc.toJS() : undefined;
  } catch (err) {
    // The YAML parser recurses per nesting level: a flow collection nested deep enough overflows it.
    if (err instanceof RangeError) throw tooDeep(maxDepth);
    // e.g. an alias bomb: the yaml library refuses excessive alias expansion.
    throw badRequest(`invalid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const error = doc.errors[0];
  // The parser reports its own stack overflow as a document error.
  if (error && /call stack/i.test(error.message)) throw tooDeep(maxDepth);
  if (error) {
    const at = error.linePos?.[0];
    const where = at ? ` at line ${at.line}, column ${at.col}` : '';
    throw badRequest(
      `invalid YAML${where}: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  if (valueDepth(value, maxDepth) > maxDepth) throw tooDeep(maxDepth);
  return value;
}

/** Parses JSON; an error names its line and column. */
export function parseJson(text: string, maxDepth = DEFAULT_MAX_BODY_DEPTH): unknown {
  if (jsonTextDepth(text, maxDepth) > maxDepth) throw tooDeep(maxDepth);
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
export function parseBody(
  text: string,
  format: BodyFormat,
  maxDepth = DEFAULT_MAX_BODY_DEPTH,
): Record<string, unknown> {
  const value = format === 'yaml' ? parseYaml(text, maxDepth) : parseJson(text, maxDepth);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(
      `the request body must be an object, not ${Array.isArray(value) ? 'an array' : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}
