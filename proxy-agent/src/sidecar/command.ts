// CLI entry of the sidecar (scaffold: filled in by its issue).
export async function main(_argv: string[]): Promise<void> {
  throw new Error('sidecar is not built yet');
}
