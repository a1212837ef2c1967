// Where sign-in goes afterwards: only a page of this dashboard. The value is resolved the way the
// browser will resolve it (WHATWG URL parsing: `\` is `/`, tabs and newlines vanish), and anything
// that lands on another origin — `//evil.com`, `/\evil.com`, `/<TAB>/evil.com`, `javascript:` — is
// replaced by the home page.

export const HOME_PATH = '/';

// Any origin works as the base: only whether the result stays on it matters.
const BASE = 'http://meshlens.invalid';

/** `next` as a path on this site (path, query and fragment), or `/`. */
export function safeNextPath(next: string | string[] | undefined | null): string {
  if (typeof next !== 'string' || next === '') return HOME_PATH;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return HOME_PATH;
  }
  if (url.origin !== BASE) return HOME_PATH;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The serialized path must itself stay here when parsed again (a path starting `//` would not).
  return path.startsWith('/') && !path.startsWith('//') ? path : HOME_PATH;
}
