import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { checkLlhttp, createParser, resolveFastPath } from './llhttp';

const realModule = () => createRequire(import.meta.url)('node:_http_common') as Record<string, unknown>;

describe('the fast path start-up check of node:_http_common', () => {
  it("keeps the fast path on this Node's llhttp binding, without a warning", () => {
    const lines: string[] = [];
    expect('unavailable' in checkLlhttp()).toBe(false);
    expect(resolveFastPath(true, (l) => lines.push(l), realModule)).toBe(true);
    expect(lines).toEqual([]);
  });

  it('falls back to node:http with a warning when the module is missing', () => {
    const lines: string[] = [];
    const missing = () => {
      throw Object.assign(new Error("Cannot find module 'node:_http_common'"), {
        code: 'ERR_UNKNOWN_BUILTIN_MODULE',
      });
    };
    expect(resolveFastPath(true, (l) => lines.push(l), missing)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /warning: HTTP\/1\.1 fast path off, serving through node:http.*cannot be loaded/,
    );
  });

  it('falls back when the module has another shape', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => ({}), /no HTTPParser/],
      [() => ({ ...realModule(), HTTPParser: class {} }), /HTTPParser lacks REQUEST.*initialize/],
      [() => ({ ...realModule(), methods: undefined }), /no method table/],
    ];
    for (const [load, reason] of cases) {
      const lines: string[] = [];
      expect(resolveFastPath(true, (l) => lines.push(l), load)).toBe(false);
      expect(lines[0]).toMatch(reason);
    }
  });

  it('falls back when the parser is there but parses differently', () => {
    const real = realModule();
    const Parser = real.HTTPParser as { new (): { execute(b: Buffer): unknown } };
    // A binding whose parser reports nothing back: the probe request never comes through.
    class Silent extends (Parser as new () => object) {
      execute(data: Buffer): number {
        return data.length;
      }
    }
    Object.assign(Silent, Parser);
    const lines: string[] = [];
    expect(
      resolveFastPath(
        true,
        (l) => lines.push(l),
        () => ({ ...real, HTTPParser: Silent }),
      ),
    ).toBe(false);
    expect(lines[0]).toMatch(/parsed a probe as ""/);
  });

  it('stays off without a check when the fast path was not asked for', () => {
    const lines: string[] = [];
    expect(
      resolveFastPath(
        false,
        (l) => lines.push(l),
        () => ({}),
      ),
    ).toBe(false);
    expect(lines).toEqual([]);
  });

  it('parses with the checked binding: method, URL, headers past the first flush, body', () => {
    const seen: string[] = [];
    const parser = createParser('request', 0, {
      headersComplete: (_maj, _min, headers, _method, url) => {
        seen.push(`${url} ${headers.length / 2}`);
        return 0;
      },
      body: (chunk) => seen.push(chunk.toString()),
      messageComplete: () => seen.push('end'),
    });
    const many = Array.from({ length: 40 }, (_, i) => `x-${i}: ${i}\r\n`).join('');
    parser.execute(Buffer.from(`POST /a HTTP/1.1\r\n${many}content-length: 2\r\n\r\nhi`));
    parser.close();
    expect(seen).toEqual(['/a 41', 'hi', 'end']);
  });
});
