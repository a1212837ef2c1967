// CLI entry of the control-plane (scaffold: filled in by its issue).
export async function main(_argv: string[]): Promise<void> {
  throw new Error('control-plane is not built yet');
}
