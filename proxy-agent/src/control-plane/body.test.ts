import { describe, expect, it } from 'vitest';
import { bodyFormat, parseBody } from './body';
import { jsonErrorOffset } from './json-error-position';
import { ApiError } from './status';

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
    return (err as ApiError).message;
  }
  throw new Error('expected a 400');
}

describe('request bodies', () => {
  it('reads JSON and YAML by content type', () => {
    expect(bodyFormat(undefined)).toBe('json');
    expect(bodyFormat('application/json; charset=utf-8')).toBe('json');
    expect(bodyFormat('application/yaml')).toBe('yaml');
    expect(bodyFormat('application/merge-patch+json')).toBe('merge-patch');
    expect(bodyFormat('text/plain')).toBeUndefined();
    expect(parseBody('kind: VirtualService\nmetadata:\n  name: r\n', 'yaml')).toEqual({
      kind: 'VirtualService',
      metadata: { name: 'r' },
    });
  });

  it('names the line and column of a YAML error', () => {
    expect(message(() => parseBody('metadata:\n  name: x\n spec: [\n', 'yaml'))).toMatch(
      /^invalid YAML at line 3, column \d+/,
    );
  });

  it('names the line and column of a JSON error', () => {
    expect(message(() => parseBody('{\n  "a": 1,\n  "b": }\n', 'json'))).toMatch(
      /^invalid JSON at line 3, column \d+/,
    );
  });

  it('refuses a body that is not an object', () => {
    expect(message(() => parseBody('[1, 2]', 'json'))).toMatch(/must be an object/);
  });
});

describe('jsonErrorOffset', () => {
  it('points at the first character that breaks JSON', () => {
    expect(jsonErrorOffset('{"a": [1, 2, {"b": null}], "c": "x\\n"}')).toBeUndefined();
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(jsonErrorOffset('[1 2]')).toBe(3);
    expect(jsonErrorOffset('{"a": tru}')).toBe(9);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('"abc')).toBe(4);
  });
});

describe('hostile bodies', () => {
  it('refuses JSON nested deeper than the bound, before parsing it', () => {
    const deep = `{"spec": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(message(() => parseBody(deep, 'json'))).toMatch(/deeper than 64 levels/);
    expect(message(() => parseBody(`{"a": ${'{"a": '.repeat(10)}1${'}'.repeat(10)}}`, 'json', 5))).toMatch(
      /deeper than 5 levels/,
    );
  });

  it('refuses YAML nested deeper than the bound, even deep enough to overflow the parser', () => {
    expect(message(() => parseBody(`a: ${'['.repeat(100)}${']'.repeat(100)}`, 'yaml'))).toMatch(
      /deeper than 64 levels/,
    );
    expect(message(() => parseBody(`a: ${'['.repeat(50_000)}${']'.repeat(50_000)}`, 'yaml'))).toMatch(
      /deeper than 64 levels/,
    );
  });
});
