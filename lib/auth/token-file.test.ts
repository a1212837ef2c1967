import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseTokenText, readClientToken, readTokenFile, TokenFileError, userForToken } from './token-file';

const dir = mkdtempSync(join(tmpdir(), 'meshlens-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

describe('token files', () => {
  const text = '# the mesh\r\n\ns3cret\n  other-token , alice ,1001,"ops,dev"\n#disabled,bob\n';

  it('reads one token a line, an optional user (a bare token is admin), skipping comments and blanks', () => {
    const entries = parseTokenText(text);
    expect(entries.map((e) => e.user)).toEqual(['admin', 'alice']);
    expect(userForToken('s3cret', entries)).toBe('admin');
    expect(userForToken('other-token', entries)).toBe('alice');
    expect(userForToken('disabled', entries)).toBeUndefined();
  });

  it('never matches an empty, partial or longer token', () => {
    const entries = parseTokenText(text);
    for (const wrong of ['', ' ', 's3cre', 's3cret2', 'S3CRET', '#disabled']) {
      expect(userForToken(wrong, entries)).toBeUndefined();
    }
  });

  it('names the line of a malformed entry', () => {
    expect(() => parseTokenText('ok\n,alice\n', 'f')).toThrow('f line 2: the token is empty');
    expect(() => parseTokenText('two words\n', 'f')).toThrow(/line 1: a token holds no whitespace/);
  });

  it('gives a client the first token of a server-side file', () => {
    expect(readClientToken(file('client', text))).toBe('s3cret');
  });

  it('refuses a file readable by group or others, like ssh does with keys', () => {
    for (const mode of [0o640, 0o604, 0o660, 0o644]) {
      const path = file(`open-${mode.toString(8)}`, 's3cret\n', mode);
      expect(() => readTokenFile(path)).toThrow(TokenFileError);
      expect(() => readClientToken(path)).toThrow(/chmod 600/);
    }
    expect(readTokenFile(file('private', 's3cret\n', 0o400))).toHaveLength(1);
  });

  it('refuses a missing or empty file with the reason', () => {
    expect(() => readTokenFile(join(dir, 'absent'))).toThrow(/cannot read token file .*absent/);
    expect(() => readTokenFile(file('empty', '# nothing\n\n'))).toThrow(/holds no token/);
    expect(() => readClientToken(file('empty2', ''))).toThrow(/holds no token/);
  });
});
