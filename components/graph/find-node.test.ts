import { describe, expect, it } from 'vitest';
import { matchNode, suggestions } from './find-node';

const options = [
  { id: 'app:shop:cart:v1', label: 'app cart v1 (shop)' },
  { id: 'svc:shop:cart', label: 'service cart (shop)' },
  { id: 'app:shop:checkout-cart:v1', label: 'app checkout-cart v1 (shop)' },
  { id: 'app:web:ui:v1', label: 'app ui v1 (web)' },
];

describe('find a node by name', () => {
  it('suggests names starting with the text before names containing it, bounded', () => {
    expect(suggestions(options, 'cart').map((o) => o.id)).toEqual([
      'app:shop:cart:v1',
      'svc:shop:cart',
      'app:shop:checkout-cart:v1',
    ]);
    expect(suggestions(options, 'CART', 1)).toHaveLength(1);
    expect(suggestions(options, '', 2)).toHaveLength(2);
    expect(suggestions(options, 'nothing')).toEqual([]);
  });

  it('jumps to an exact name or id, else the first name holding the text', () => {
    expect(matchNode(options, 'service cart (shop)')).toBe('svc:shop:cart');
    expect(matchNode(options, 'app:web:ui:v1')).toBe('app:web:ui:v1');
    expect(matchNode(options, 'checkout')).toBe('app:shop:checkout-cart:v1');
    expect(matchNode(options, '  ')).toBeUndefined();
  });
});
