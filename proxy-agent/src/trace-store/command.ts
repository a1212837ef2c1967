// CLI entry of the trace-store (scaffold: filled in by its issue).
export async function main(_argv: string[]): Promise<void> {
  throw new Error('trace-store is not built yet');
}
