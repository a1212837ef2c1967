import { describe, expect, it } from 'vitest';
import { checkForm, parseWeightText } from './form';

const split = [
  { version: 'v1', weight: 60 },
  { version: 'v2', weight: 40 },
];

describe('weight form', () => {
  it('reads whole numbers 0–100 only', () => {
    expect(parseWeightText(' 42 ')).toBe(42);
    expect(parseWeightText('100')).toBe(100);
    for (const bad of ['', '-1', '101', '4.5', '1e2', 'abc']) expect(parseWeightText(bad)).toBeUndefined();
  });

  it('keeps Apply off while a field is half-filled, and says which', () => {
    expect(checkForm(split, { v2: '' }, null)).toEqual({
      fieldErrors: { v2: 'Enter a whole number from 0 to 100.' },
      blocked: 'Some weights are not filled in.',
    });
  });

  it('keeps Apply off for an unbalanced or unchanged split, and on otherwise', () => {
    expect(
      checkForm(
        [
          { version: 'v1', weight: 60 },
          { version: 'v2', weight: 30 },
        ],
        {},
        null,
      ).blocked,
    ).toBe('The weights must sum to 100.');
    expect(checkForm(split, {}, split).blocked).toBe('No change to apply.');
    expect(checkForm(split, { v1: '60' }, null)).toEqual({ fieldErrors: {} });
  });
});
