// Finds the real Prometheus binary (Debian package `prometheus`), never a stand-in.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export const INSTALL_HINT = 'sudo apt-get install --no-install-recommends prometheus';

/** The binary at `PROMETHEUS_BIN`, or `prometheus` on PATH; throws with the install command when missing. */
export function findPrometheusBinary(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const candidates = env.PROMETHEUS_BIN
    ? [env.PROMETHEUS_BIN]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, 'prometheus'));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here; try the next
    }
  }
  throw new Error(
    env.PROMETHEUS_BIN
      ? `PROMETHEUS_BIN=${env.PROMETHEUS_BIN} is not an executable file`
      : `the prometheus binary is not installed (not on PATH). Install it with:\n\n    ${INSTALL_HINT}\n`,
  );
}
