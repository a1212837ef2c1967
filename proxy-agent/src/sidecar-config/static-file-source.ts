// A ConfigSource read from one multi-document YAML file of Istio resources. Invalid content is refused
// as a whole, with the file, the document, the resource (kind/name) and the field named.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { MeshResource } from '../../../lib/mesh-config/schema';
import { type Cause, crossValidate, parseResource } from '../../../lib/mesh-config/validate';
import type { ConfigSource, MeshSnapshot } from './config-source';

export interface ConfigProblem {
  /** 1-based index of the YAML document in the file. */
  document: number;
  /** `ServiceEntry/reviews`, or `document` when the kind or name could not be read. */
  resource: string;
  field: string;
  message: string;
}

/** A config file that cannot be used; the message names the file, each resource and field. */
export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    const lines = problems.map(
      (p) => `  document ${p.document} (${p.resource}): ${p.field ? `${p.field}: ` : ''}${p.message}`,
    );
    super(`invalid config file ${file}:\n${lines.join('\n')}`);
    this.name = 'ConfigFileError';
  }
}

function resourceLabel(doc: unknown): string {
  const d = doc as { kind?: unknown; metadata?: { name?: unknown } } | null;
  const kind = typeof d?.kind === 'string' ? d.kind : '?';
  const name = typeof d?.metadata?.name === 'string' ? d.metadata.name : '?';
  return kind === '?' && name === '?' ? 'document' : `${kind}/${name}`;
}

/** Parses and validates the YAML text of a config file (`file` only names it in errors). */
export function parseConfigText(text: string, file: string): MeshSnapshot {
  const problems: ConfigProblem[] = [];
  const resources: MeshResource[] = [];
  const origins: number[] = [];
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const document = i + 1;
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        problems.push({ document, resource: 'document', field: '', message: e.message.split('\n')[0] ?? '' });
      }
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return; // an empty document (e.g. a trailing ---)
    const parsed = parseResource(value);
    if (!parsed.ok) {
      for (const c of parsed.causes)
        problems.push({ document, resource: resourceLabel(value), field: c.field, message: c.message });
      return;
    }
    resources.push(parsed.value);
    origins.push(document);
  });
  if (problems.length === 0) {
    resources.forEach((r, i) => {
      const others = resources.filter((_, j) => j !== i);
      const causes: Cause[] = crossValidate(r, others);
      for (const c of causes)
        problems.push({
          document: origins[i] ?? 0,
          resource: `${r.kind}/${r.metadata.name}`,
          field: c.field,
          message: c.message,
        });
    });
  }
  if (problems.length > 0) throw new ConfigFileError(file, problems);
  return { resources };
}

/** Reads and validates a config file; throws ConfigFileError (or the read error, naming the file). */
export function loadConfigFile(file: string): MeshSnapshot {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config file ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseConfigText(text, file);
}

/** A ConfigSource holding one file's snapshot; the file is read once, at creation. */
export function staticFileSource(file: string): ConfigSource {
  const snapshot = loadConfigFile(file);
  return staticSource(snapshot);
}

/** A ConfigSource that always answers the same snapshot. */
export function staticSource(snapshot: MeshSnapshot): ConfigSource {
  return {
    current: () => snapshot,
    subscribe: () => () => {},
    close: async () => {},
  };
}
