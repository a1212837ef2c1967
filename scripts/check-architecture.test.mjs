import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkArchitecture } from './check-architecture.mjs';

const root = mkdtempSync(join(tmpdir(), 'meshlens-arch-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(files) {
  rmSync(root, { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe('the architecture check', () => {
  it('accepts the allowed arrows', () => {
    tree({
      'lib/graph/a.ts': "import { x } from '../prometheus/b';\nexport const a = x;\n",
      'lib/prometheus/b.ts': 'export const x = 1;\n',
      'components/c.tsx': "import { a } from '@/lib/graph/a';\nexport const c = a;\n",
      'app/page.tsx': "import { c } from '../components/c';\nexport default c;\n",
      'proxy-agent/src/sidecar/s.ts':
        "import type { x } from '../../../lib/prometheus/b';\nimport { n } from '../net/n';\n",
      'proxy-agent/src/net/n.ts': 'export const n = 1;\n',
    });
    expect(checkArchitecture(root)).toEqual([]);
  });

  it('names each import against the arrows, with file and line', () => {
    tree({
      'lib/a.ts': "export const a = 1;\nimport {\n  c,\n} from '../components/c';\n",
      'components/c.tsx': 'export const c = 1;\n',
      'proxy-agent/src/sidecar/s.ts': "const m = await import('../control-plane/server');\n",
      'proxy-agent/src/control-plane/server.ts': "import type { T } from '../sidecar/s';\n",
    });
    expect(checkArchitecture(root)).toEqual(
      expect.arrayContaining([
        'lib/a.ts:2: lib may not import components (../components/c)',
        'proxy-agent/src/sidecar/s.ts:1: sidecar may not import control-plane (../control-plane/server)',
        'proxy-agent/src/control-plane/server.ts:1: control-plane may not import sidecar (../sidecar/s)',
      ]),
    );
  });

  it('finds import cycles', () => {
    tree({
      'lib/x/a.ts': "import { b } from './b';\nexport const a = b;\n",
      'lib/x/b.ts': "import { c } from './c';\nexport const b = c;\n",
      'lib/x/c.ts': "import { a } from './a';\nexport const c = a;\n",
    });
    expect(checkArchitecture(root)).toEqual([
      'import cycle: lib/x/a.ts -> lib/x/b.ts -> lib/x/c.ts -> lib/x/a.ts',
    ]);
  });
});
