// What a connection speaks, from its first bytes, as Envoy's http_inspector tells it: the HTTP/2
// connection preface, an HTTP/1.x request line, or anything else (opaque TCP). Pure.

/** The HTTP/2 client connection preface (RFC 9113 §3.4). */
export const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** Methods whose request line makes a connection HTTP/1.x (Envoy's inspector knows this list). */
const HTTP1_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'REPORT',
  'MKACTIVITY',
  'CHECKOUT',
  'MERGE',
  'M-SEARCH',
  'NOTIFY',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'PURGE',
  'SEARCH',
]);
/** Longest method above plus its space: a longer first token is not HTTP/1.x. */
const MAX_METHOD = 12;

export type Sniffed = 'h2' | 'http1' | 'tcp' | 'more';

function isPrefixOf(data: Buffer, of: Buffer): boolean {
  const n = Math.min(data.length, of.length);
  return data.subarray(0, n).equals(of.subarray(0, n));
}

/** The protocol of a connection whose first bytes are `data`; 'more' when they do not tell yet. */
export function sniffProtocol(data: Buffer): Sniffed {
  if (data.length === 0) return 'more';
  if (isPrefixOf(data, H2_PREFACE)) return data.length >= H2_PREFACE.length ? 'h2' : 'more';
  const limit = Math.min(data.length, MAX_METHOD + 1);
  for (let i = 0; i < limit; i++) {
    const c = data[i] as number;
    if (c === 0x20) {
      const method = data.toString('latin1', 0, i);
      if (!HTTP1_METHODS.has(method)) return 'tcp';
      // A request line needs its target and version: `GET x\n` is a line protocol, not HTTP.
      return requestLineComplete(data, i + 1);
    }
    // Method characters: upper-case letters and '-' (M-SEARCH).
    if (!((c >= 0x41 && c <= 0x5a) || c === 0x2d)) return 'tcp';
  }
  return data.length > MAX_METHOD ? 'tcp' : 'more';
}

/** After `METHOD `: ` HTTP/1.` must end the first line (the line ends within the bytes seen, or more). */
function requestLineComplete(data: Buffer, from: number): Sniffed {
  const eol = data.indexOf(0x0a, from);
  if (eol < 0) return data.length - from > 8 * 1024 ? 'tcp' : 'more';
  const line = data.toString('latin1', from, eol).replace(/\r$/, '');
  return / HTTP\/1\.[01]$/.test(line) ? 'http1' : 'tcp';
}
