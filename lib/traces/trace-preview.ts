// A trace too big to embed in its page but small enough to read on the server: read there (from the answer
// the browser is fetching too, cached, so Jaeger is asked once) for the page to stream its first screen of
// rows while the tab still fetches and reads the whole trace.
import 'server-only';
import type { Trace } from '@/lib/jaeger/model';
import { readTraceAnswer } from '@/lib/jaeger/trace-answer';
import { parseTraceId } from '@/lib/jaeger/trace-id';
import { buildSpanTree, type TraceTree } from './span-tree';
import { readTraceAnswerCached } from './trace-cache';

/**
 * Answers above this many bytes get no preview (env `MESHLENS_TRACE_PREVIEW_MAX_BYTES`; ~17,000 spans):
 * the server's read costs ~40 ms a MiB, which past this size would hold the first rows no sooner than the tab
 * draws them, and takes a core from a tab on the same machine.
 */
export const PREVIEW_MAX_BYTES = 8 * 2 ** 20;

export function previewMaxBytes(): number {
  const text = process.env.MESHLENS_TRACE_PREVIEW_MAX_BYTES;
  const n = Number(text);
  return text !== undefined && text !== '' && Number.isFinite(n) && n >= 0 ? n : PREVIEW_MAX_BYTES;
}

/** The trace and its tree, or undefined when there is none to preview (too big, not found, unreadable). */
export async function loadTracePreview(
  traceId: string,
): Promise<{ trace: Trace; tree: TraceTree } | undefined> {
  const id = parseTraceId(traceId);
  if (!id.ok) return undefined;
  const read = readTraceAnswerCached(id.id);
  if (await read.exceeds(previewMaxBytes())) return undefined;
  const answer = await read.result;
  if (!answer.ok) return undefined;
  const trace = readTraceAnswer(answer.value);
  if (!trace.ok) return undefined;
  return { trace: trace.value, tree: buildSpanTree(trace.value) };
}
