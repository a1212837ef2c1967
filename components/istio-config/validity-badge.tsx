// A resource's validity in words and colour (the word carries the meaning; the colour only helps).
import type { Validity } from '@/lib/mesh-config/validations';

const STYLES: Record<Validity, string> = {
  valid: 'border-emerald-700 text-emerald-800 dark:border-emerald-400 dark:text-emerald-300',
  warning: 'border-amber-700 text-amber-900 dark:border-amber-400 dark:text-amber-200',
  error: 'border-red-700 text-red-800 dark:border-red-400 dark:text-red-300',
};

const WORDS: Record<Validity, string> = { valid: 'Valid', warning: 'Warning', error: 'Error' };

export function ValidityBadge({ validity, count }: { validity: Validity; count?: number }) {
  return (
    <span className={`inline-block rounded border px-1.5 text-xs font-medium ${STYLES[validity]}`}>
      {WORDS[validity]}
      {count ? ` (${count})` : ''}
    </span>
  );
}
