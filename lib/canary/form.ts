// The weight form's own checks, before anything is sent: a field being typed into holds text, and
// Apply stays off while any field is empty or not a whole number 0–100, or the split is unchanged.
import { isValidSplit, type Split, sameSplit } from './weights';

/** The weight a field's text means, or undefined while it is not a whole number 0–100. */
export function parseWeightText(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{1,3}$/.test(t)) return undefined;
  const n = Number(t);
  return n <= 100 ? n : undefined;
}

export interface FormCheck {
  /** Errors to show on fields, by version. */
  fieldErrors: Record<string, string>;
  /** Why Apply is off, in words; undefined when it may be pressed. */
  blocked?: string;
}

export function checkForm(
  split: Split,
  drafts: Readonly<Record<string, string>>,
  current: Split | null,
): FormCheck {
  const fieldErrors: Record<string, string> = {};
  for (const [version, text] of Object.entries(drafts)) {
    if (parseWeightText(text) === undefined) fieldErrors[version] = 'Enter a whole number from 0 to 100.';
  }
  if (Object.keys(fieldErrors).length > 0) return { fieldErrors, blocked: 'Some weights are not filled in.' };
  if (!isValidSplit(split)) return { fieldErrors, blocked: 'The weights must sum to 100.' };
  if (current && sameSplit(split, current)) return { fieldErrors, blocked: 'No change to apply.' };
  return { fieldErrors };
}
