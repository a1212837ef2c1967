import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { Badges } from '@/lib/graph/types';
import { CHECKS } from '@/lib/mesh-config/validations/codes';
import { BadgeList } from './badge-list';

const render = (badges: Badges) => renderToStaticMarkup(createElement(BadgeList, { badges }));

describe('BadgeList validation line', () => {
  it('says the Istio config findings in words, with their codes and titles', () => {
    const html = render({
      validation: {
        errors: 2,
        warnings: 1,
        codes: [CHECKS.drHostNotFound.code, CHECKS.drSubsetNoWorkload.code],
      },
    });
    expect(html).toContain('✗2 △1 Istio config: 2 errors, 1 warning');
    expect(html).toContain(CHECKS.drHostNotFound.code);
    expect(html).toContain(CHECKS.drHostNotFound.title.replace(/'/g, '&#x27;'));
  });

  it('shows nothing for a node without findings', () => {
    expect(render({ validation: { errors: 0, warnings: 0, codes: [] } })).toBe('');
  });
});
