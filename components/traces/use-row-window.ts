'use client';
// Windowed rendering for the waterfall: tracks the scroll container's position and height and answers
// which rows to render; `reveal(index)` scrolls a row into view.
import { type RefObject, useCallback, useEffect, useState } from 'react';
import { type RowWindow, rowWindow, scrollToReveal } from '@/lib/traces/virtual-window';

export function useRowWindow(
  ref: RefObject<HTMLElement | null>,
  rowCount: number,
  rowHeight: number,
): { window: RowWindow; reveal: (index: number) => void } {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(800);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const onScroll = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => setScrollTop(el.scrollTop));
    };
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    el.addEventListener('scroll', onScroll, { passive: true });
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => {
      cancelAnimationFrame(frame);
      el.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, [ref]);

  const reveal = useCallback(
    (index: number) => {
      const el = ref.current;
      if (!el) return;
      const top = scrollToReveal(index, el.scrollTop, el.clientHeight, rowHeight);
      if (top !== undefined) el.scrollTop = top;
    },
    [ref, rowHeight],
  );

  return { window: rowWindow(scrollTop, height, rowHeight, rowCount), reveal };
}
