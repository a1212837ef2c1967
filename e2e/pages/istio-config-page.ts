// The Istio Config pages as a user drives them: the list and its filters, a resource's YAML editor with
// its inline errors, the review-and-save dialog, the conflict panel, delete, and create.
import type { Locator, Page } from '@playwright/test';

export class IstioConfigPage {
  readonly editor: Locator;
  readonly saved: Locator;
  readonly conflict: Locator;
  readonly dialog: Locator;

  constructor(private readonly page: Page) {
    this.editor = page.getByTestId('yaml-editor').locator('.cm-content');
    this.saved = page.getByRole('status').filter({ hasText: /^Saved at version/ });
    this.conflict = page.getByRole('region', { name: 'Conflict' });
    this.dialog = page.getByRole('dialog');
  }

  async openList(query = ''): Promise<void> {
    await this.page.goto(`/istio${query}`);
  }

  async openDetail(namespace: string, plural: string, name: string): Promise<void> {
    await this.page.goto(`/namespaces/${namespace}/istio/${plural}/${name}`);
    await this.editor.waitFor();
  }

  row(kind: string, name: string): Locator {
    return this.page
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) })
      .filter({ hasText: kind });
  }

  filter(label: 'Kind' | 'Namespace' | 'Validity'): Locator {
    return this.page.getByRole('combobox', { name: label });
  }

  /** Replaces the editor's whole text, as a paste would. */
  async setYaml(text: string): Promise<void> {
    await this.editor.click();
    await this.page.keyboard.press('ControlOrMeta+a');
    await this.page.keyboard.insertText(text);
  }

  async yaml(): Promise<string> {
    return this.editor.evaluate((el) => {
      const lines = [...el.querySelectorAll('.cm-line')].map((l) => l.textContent ?? '');
      return lines.join('\n');
    });
  }

  /** Underlined ranges of the lint: `error` or `warning`. */
  lintMarks(severity: 'error' | 'warning'): Locator {
    return this.page.locator(`.cm-lintRange-${severity}`);
  }

  button(name: string): Locator {
    return this.page.getByRole('button', { name, exact: true });
  }

  /** Opens the review dialog: the diff of my edit against the loaded version. */
  async review(): Promise<void> {
    await this.button('Review and save').click();
    await this.dialog.getByTestId('diff-view').waitFor();
  }

  async confirmSave(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Save', exact: true }).click();
  }

  async reviewAndSave(): Promise<void> {
    await this.review();
    await this.confirmSave();
  }
}
