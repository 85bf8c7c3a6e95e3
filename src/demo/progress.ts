import type { StoredEvent } from '../hub/index.js';

/** One plain progress line for the events a demo watcher cares about; undefined for the rest. */
export function progressLine(e: StoredEvent): string | undefined {
  const task = e.taskId ?? '';
  switch (e.type) {
    case 'wave.started':
      return `wave ${e.wave}: ${e.tasks.join(', ')}`;
    case 'task.started':
      return `  ▸ ${task} (${e.agent})${e.attempt > 1 ? `, attempt ${e.attempt}` : ''}`;
    case 'tool.used': {
      const input = (e.input ?? {}) as Record<string, unknown>;
      const path = typeof input.file_path === 'string' ? ` ${input.file_path}` : '';
      return e.tool === 'StructuredOutput' ? undefined : `      ${task}: ${e.tool}${path}`;
    }
    case 'tool.denied':
      return `      ${task}: denied ${e.tool}${e.path ? ` ${e.path}` : ''}`;
    case 'task.finished':
      return `  ✓ ${task}${e.summary ? `: ${oneLine(e.summary)}` : ''}`;
    case 'task.failed':
      return `  ✗ ${task}: ${oneLine(e.reason)}`;
    case 'merge':
      return e.ok ? undefined : `  merge of ${task} conflicted`;
    case 'validation.finding':
      return `  validator ${e.severity === 'error' ? '✗' : '!'} ${e.kind}${task ? ` (${task})` : ''}: ${oneLine(e.message)}`;
    case 'fix.created':
      return `  fix task → ${e.owner}: ${oneLine(e.description)}`;
    case 'note':
      return e.text.startsWith('fix round') ? `${e.text}` : undefined;
    case 'wave.finished':
      return `  wave ${e.wave} merged: ${e.merged.join(', ') || '(none)'}${e.failed.length ? `; not merged: ${e.failed.join(', ')}` : ''}`;
    case 'run.finished':
      return `run ${e.status}${e.reason ? `: ${oneLine(e.reason)}` : ''}`;
    default:
      return undefined;
  }
}

function oneLine(text: string, max = 110): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
