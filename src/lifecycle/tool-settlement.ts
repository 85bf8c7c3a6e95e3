/**
 * Infers successful tool calls from the event stream, which reports failures (`tool.failed`) but not
 * successes. A call is settled as a success once the model has moved on past it: after it, a new
 * turn started (a `usage` event of another message) and then the model acted again (another
 * `tool.used` or turn). This holds whether the executor emits a message's usage before or after its
 * tool uses, provided usage events carry `messageId` (several lines of one API call share it).
 * `task.finished` settles everything still pending: the agent only finishes after all results.
 */
export interface ToolSettlement {
  /** A tool call started. Returns how many earlier calls this settles as successes. */
  used(tool: string, toolUseId: string | undefined): number;
  /** A tool call failed; false when it was already accounted for (duplicate event). */
  failed(tool: string, toolUseId: string | undefined): boolean;
  /** A usage event; returns how many calls this settles as successes. */
  turn(messageId: string | undefined): number;
  /** Everything pending succeeded (the agent finished). */
  settleAll(): number;
  /** True when this id was seen before (duplicate stream lines). */
  seen(toolUseId: string | undefined): boolean;
  pending(): number;
}

interface Pending {
  tool: string;
  id: string | undefined;
  turnsSince: number;
}

/** Settlement tracker for one attempt. */
export function createToolSettlement(): ToolSettlement {
  let pending: Pending[] = [];
  const seenIds = new Set<string>();
  const failedIds = new Set<string>();
  let lastMessageId: string | undefined;

  const settleMovedOn = (): number => {
    const before = pending.length;
    pending = pending.filter((p) => p.turnsSince < 1);
    return before - pending.length;
  };

  return {
    used(tool, id) {
      const settled = settleMovedOn();
      if (id !== undefined) seenIds.add(id);
      pending.push({ tool, id, turnsSince: 0 });
      return settled;
    },
    failed(tool, id) {
      if (id !== undefined) {
        if (failedIds.has(id)) return false;
        failedIds.add(id);
        const i = pending.findIndex((p) => p.id === id);
        if (i >= 0) pending.splice(i, 1);
        return true;
      }
      // Without an id, the most recent pending call of that tool is the best match.
      for (let i = pending.length - 1; i >= 0; i--) {
        if (pending[i]?.tool === tool) {
          pending.splice(i, 1);
          break;
        }
      }
      return true;
    },
    turn(messageId) {
      if (messageId !== undefined && messageId === lastMessageId) return 0;
      lastMessageId = messageId;
      const settled = settleMovedOn();
      for (const p of pending) p.turnsSince++;
      return settled;
    },
    settleAll() {
      const n = pending.length;
      pending = [];
      return n;
    },
    seen: (id) => id !== undefined && seenIds.has(id),
    pending: () => pending.length,
  };
}
