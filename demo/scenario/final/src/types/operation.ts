/** One edit of a document's text. */
export type Transform =
  | { kind: 'insert'; position: number; text: string }
  | { kind: 'delete'; position: number; length: number };

/** One edit as it travels between client, server and broadcaster: who made it, and what. */
export interface Operation {
  userId: string;
  operation: Transform;
}

/** Apply a transform to a text; positions past the end are clamped to it. */
export function applyTransform(content: string, t: Transform): string {
  const at = Math.max(0, Math.min(t.position, content.length));
  if (t.kind === 'insert') return content.slice(0, at) + t.text + content.slice(at);
  return content.slice(0, at) + content.slice(at + t.length);
}
