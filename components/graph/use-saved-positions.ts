'use client';
// Dragged node positions on the canvas: saved on each drop (see `saved-positions.ts`), put back after
// every layout (pinned nodes stay, new ones go where the layout put them), cleared by a reset.
import type { Core } from 'cytoscape';
import { type RefObject, useCallback, useEffect, useRef } from 'react';
import { loadPositions, type Positions, storePositions, withPosition } from './saved-positions';

function storage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.localStorage;
  } catch {
    return undefined;
  }
}

export function useSavedPositions(cyRef: RefObject<Core | undefined>, key: string) {
  const saved = useRef<Positions>({});
  const keyRef = useRef(key);
  keyRef.current = key;

  useEffect(() => {
    saved.current = loadPositions(storage(), key);
  }, [key]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const onDrop = (evt: { target: { id(): string; position(): { x: number; y: number } } }) => {
      saved.current = withPosition(saved.current, evt.target.id(), evt.target.position());
      storePositions(storage(), keyRef.current, saved.current);
    };
    cy.on('dragfree', 'node', onDrop);
    return () => {
      cy.off('dragfree', 'node', onDrop);
    };
  }, [cyRef]);

  /** Puts the pinned nodes back where they were dropped; answers how many were. */
  const applySaved = useCallback((): number => {
    const cy = cyRef.current;
    if (!cy) return 0;
    let n = 0;
    cy.batch(() => {
      for (const [id, p] of Object.entries(saved.current)) {
        const node = cy.getElementById(id);
        // A box follows its children; only leaf nodes are pinned.
        if (node.nonempty() && node.isNode() && node.isChildless()) {
          node.position(p);
          n++;
        }
      }
    });
    return n;
  }, [cyRef]);

  const clearSaved = useCallback(() => {
    saved.current = {};
    storePositions(storage(), keyRef.current, {});
  }, []);

  return { applySaved, clearSaved };
}
