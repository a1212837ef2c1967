// The YAML editor's token colours, readable in light and dark (WCAG AA contrast): CodeMirror's default
// style is made for a light page. Colours come from CSS variables the editor's host sets per theme.
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';

/** Classes for the editor's host: each token colour for the light and the dark theme. */
export const YAML_TOKEN_COLORS =
  '[--yaml-key:#1d4ed8] [--yaml-string:#047857] [--yaml-atom:#b45309] [--yaml-comment:#475569] [--yaml-meta:#7e22ce] ' +
  'dark:[--yaml-key:#93c5fd] dark:[--yaml-string:#6ee7b7] dark:[--yaml-atom:#fcd34d] dark:[--yaml-comment:#94a3b8] dark:[--yaml-meta:#d8b4fe]';

export const yamlHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: tags.propertyName, color: 'var(--yaml-key)' },
    { tag: [tags.string, tags.special(tags.string)], color: 'var(--yaml-string)' },
    { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--yaml-atom)' },
    { tag: [tags.comment, tags.lineComment], color: 'var(--yaml-comment)', fontStyle: 'italic' },
    { tag: [tags.meta, tags.keyword, tags.labelName, tags.typeName], color: 'var(--yaml-meta)' },
  ]),
);
