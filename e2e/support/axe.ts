// axe-core (WCAG 2.1 A and AA) on a page as it stands, in both themes: the theme is the `dark` class on
// <html> (as the toggle sets it), switched in place, so one page load serves both themes. The themes
// differ in colours only, so the dark pass runs the colour rules; and a long table is checked on its
// first rows (the rest repeat their markup and classes, and cost seconds of contrast checks).
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** The rules whose outcome depends on colours: the only ones the second theme can change. */
export const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];
/** Table rows checked per table body; later rows are left out (same markup as the ones checked). */
export const TABLE_ROWS_CHECKED = 25;
const SKIP = 'data-axe-skip';

/** Loading lines the pages show while their data comes: a page with one of them is not settled. */
const BUSY = /^(Loading|Searching|Reading the sidecar)/;

/** Waits until the page has its content: main filled and no loading line (no wait for a quiet network). */
export async function settle(page: Page): Promise<void> {
  await expect(page.getByRole('main')).not.toBeEmpty({ timeout: 30_000 });
  await expect(page.getByText(BUSY)).toHaveCount(0, { timeout: 30_000 });
}

export async function setTheme(page: Page, theme: Theme): Promise<void> {
  await page.evaluate((dark) => document.documentElement.classList.toggle('dark', dark), theme === 'dark');
  await expect(page.locator('html')).toHaveClass(theme === 'dark' ? /\bdark\b/ : /^(?!.*\bdark\b)/);
}

/**
 * Runs axe in each theme on what the page shows now (`include`: only that part, e.g. a dialog) and
 * returns one line per serious or critical violation, naming `where`; the details go to the report.
 */
export async function seriousViolations(
  page: Page,
  where: string,
  testInfo: TestInfo,
  include?: string,
): Promise<string[]> {
  const found: string[] = [];
  await page.evaluate(
    ({ rows, attr }) => {
      for (const r of document.querySelectorAll(`tbody tr:nth-child(n+${rows + 1})`))
        r.setAttribute(attr, '');
    },
    { rows: TABLE_ROWS_CHECKED, attr: SKIP },
  );
  for (const theme of THEMES) {
    await setTheme(page, theme);
    const axe = new AxeBuilder({ page }).exclude(`[${SKIP}]`);
    let builder = theme === 'dark' ? axe.withRules(COLOUR_RULES) : axe.withTags(WCAG_TAGS);
    if (include) builder = builder.include(include);
    const { violations } = await builder.analyze();
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    for (const v of serious)
      found.push(
        `${where} ${theme} ${v.id} (${v.nodes.length}): ${v.nodes
          .slice(0, 4)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
      );
    if (serious.length > 0)
      await testInfo.attach(`axe ${where} ${theme}.json`, {
        body: JSON.stringify(serious, null, 2),
        contentType: 'application/json',
      });
  }
  await setTheme(page, 'light');
  return found;
}

/** The same, as an assertion: no serious or critical violation in either theme. */
export async function expectAccessible(
  page: Page,
  where: string,
  testInfo: TestInfo,
  include?: string,
): Promise<void> {
  expect(await seriousViolations(page, where, testInfo, include), `axe on ${where}`).toEqual([]);
}
