// Node's own llhttp binding (the parser behind node:http), typed for the sidecar's HTTP/1.1 fast path.
// `node:_http_common` is a built-in module of every Node release; its HTTPParser is what http.Server and
// http.ClientRequest parse with, so the fast path accepts and rejects exactly what node:http does.
import { createRequire } from 'node:module';

export interface LlhttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  /** Bytes parsed, or an Error with `code` (HPE_*) and `bytesParsed`. */
  execute(data: Buffer): number | (Error & { code?: string; bytesParsed?: number });
  /** End of input (the peer closed): completes a read-until-close message; an Error mid-message. */
  finish(): number | (Error & { code?: string }) | undefined;
  close(): void;
  free(): void;
  remove(): void;
  [key: number]: unknown;
}

interface HTTPParserClass {
  new (): LlhttpParser;
  REQUEST: number;
  RESPONSE: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
}

const require = createRequire(import.meta.url);
const common = require('node:_http_common') as { HTTPParser: HTTPParserClass; methods: string[] };

export const HTTPParser = common.HTTPParser;
/** llhttp's method table: the index given to onHeadersComplete → the method name. */
export const METHODS: readonly string[] = common.methods;

/**
 * onHeadersComplete(versionMajor, versionMinor, headers, method, url, statusCode, statusMessage, upgrade,
 * shouldKeepAlive): return 0, or 1 to skip the body (a response to HEAD).
 */
export type OnHeadersComplete = (
  versionMajor: number,
  versionMinor: number,
  headers: string[],
  method: number | undefined,
  url: string | undefined,
  statusCode: number | undefined,
  statusMessage: string | undefined,
  upgrade: boolean,
  shouldKeepAlive: boolean,
) => number;

export interface ParserCallbacks {
  headersComplete: OnHeadersComplete;
  body: (chunk: Buffer) => void;
  messageComplete: () => void;
}

/** A parser with its callbacks set; headers past llhttp's first 32 pairs arrive in kOnHeaders first. */
export function createParser(type: number, maxHeaderSize: number, cb: ParserCallbacks): LlhttpParser {
  const parser = new HTTPParser();
  parser.initialize(type, {}, maxHeaderSize, 0);
  let extra: string[] | undefined;
  let extraUrl = '';
  parser[HTTPParser.kOnHeaders] = (headers: string[], url: string) => {
    extra = extra === undefined ? headers.slice() : extra.concat(headers);
    extraUrl += url;
  };
  parser[HTTPParser.kOnHeadersComplete] = (
    major: number,
    minor: number,
    headers: string[] | undefined,
    method: number | undefined,
    url: string | undefined,
    status: number | undefined,
    statusMessage: string | undefined,
    upgrade: boolean,
    keepAlive: boolean,
  ) => {
    let h = headers;
    let u = url;
    if (extra !== undefined) {
      // A long head: llhttp flushed it early through kOnHeaders (node:http does the same merge).
      h = headers === undefined ? extra : extra.concat(headers);
      u = url || extraUrl;
      extra = undefined;
      extraUrl = '';
    }
    return cb.headersComplete(major, minor, h ?? [], method, u, status, statusMessage, upgrade, keepAlive);
  };
  parser[HTTPParser.kOnBody] = cb.body;
  parser[HTTPParser.kOnMessageComplete] = cb.messageComplete;
  return parser;
}
