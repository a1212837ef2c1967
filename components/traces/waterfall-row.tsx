'use client';
// The waterfall's row in the tab: the shared row markup, re-rendered only when its props change (scrolling
// adds and removes rows; the rows already in view stay as they are).
import { memo } from 'react';
import { SpanRow } from './span-row';

export { ROW_HEIGHT } from './span-row';

export const WaterfallRow = memo(SpanRow);
