'use client';
// Work that must not hold up the first frame of a big trace (its minimap, its critical path): run once the
// browser has drawn the frame in which the first rows appear.

/** Runs `work` after the next frame is drawn; answers a function that cancels it. */
export function afterPaint(work: () => void): () => void {
  let timer: number | undefined;
  const frame = requestAnimationFrame(() => {
    // A rAF callback runs before the frame is drawn; a task queued from it runs after.
    timer = window.setTimeout(work, 0);
  });
  return () => {
    cancelAnimationFrame(frame);
    if (timer !== undefined) window.clearTimeout(timer);
  };
}
