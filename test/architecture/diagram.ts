import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYERS, type Layer } from './layers.js';

/** Where the generated diagram sits in `docs/architecture.md`. */
export const DIAGRAM_START =
  '<!-- layers:start (generated from test/architecture/layers.ts: npm run diagram) -->';
export const DIAGRAM_END = '<!-- layers:end -->';

/** The layer graph as a mermaid block: one node per layer, one line of arrows per layer. */
export function layerDiagram(layers: Readonly<Record<string, Layer>>): string {
  const lines = ['```mermaid', 'graph TD'];
  for (const [name, layer] of Object.entries(layers)) {
    const node = `${name}["${name}: ${layer.about}"]`;
    lines.push(layer.imports.length ? `  ${node} --> ${layer.imports.join(' & ')}` : `  ${node}`);
  }
  lines.push('```');
  return lines.join('\n');
}

/** `text` with the block between the markers replaced by `diagram`. */
export function withDiagram(text: string, diagram: string): string {
  const start = text.indexOf(DIAGRAM_START);
  const end = text.indexOf(DIAGRAM_END);
  if (start < 0 || end < start) throw new Error(`the markers ${DIAGRAM_START} … ${DIAGRAM_END} are missing`);
  return `${text.slice(0, start + DIAGRAM_START.length)}\n${diagram}\n${text.slice(end)}`;
}

/** The architecture document this diagram belongs to. */
export const ARCHITECTURE_MD = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../docs/architecture.md',
);

// `npm run diagram`: rewrite the diagram in docs/architecture.md from the declaration.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = readFileSync(ARCHITECTURE_MD, 'utf8');
  writeFileSync(ARCHITECTURE_MD, withDiagram(text, layerDiagram(LAYERS)));
  console.log(`wrote the layer diagram into ${ARCHITECTURE_MD}`);
}
