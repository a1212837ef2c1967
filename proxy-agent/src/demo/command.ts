// CLI entry of the demo (scaffold: filled in by its issue).
export async function main(_argv: string[]): Promise<void> {
  throw new Error('demo is not built yet');
}
