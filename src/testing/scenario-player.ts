import {
  conversationKey,
  type ModelRequestBody,
  type SideRequestKind,
  sideRequestKind,
} from './model-request.js';
import { describeMatcher, matches, type Scenario, type Turn } from './scenario.js';

/** What to answer to one request. */
export type PlayDecision =
  | { kind: 'turn'; block: number; index: number; turn: Turn; model?: string; replay: boolean }
  | { kind: 'side'; side: SideRequestKind }
  | { kind: 'unmatched'; reason: string };

interface Conversation {
  block: number;
  lastMessageCount: number;
  lastIndex: number;
  lastWasAnswer: boolean;
}

/**
 * Plays a scenario: binds each new conversation to the first matching block nobody else holds and
 * serves that block's turns in order, one per request. A request repeating the previous one (same
 * conversation, same number of messages, after an answer) gets the same answer again: Claude Code
 * re-sends a request after a dropped connection and must not skip a scripted turn.
 */
export class ScenarioPlayer {
  private readonly cursors: number[];
  private readonly owner = new Map<number, string>();
  private readonly conversations = new Map<string, Conversation>();

  constructor(private readonly scenario: Scenario) {
    this.cursors = scenario.blocks.map(() => 0);
  }

  /**
   * Decide the answer to `body`, consuming a turn unless it is a side request or a replay. The
   * session id (Claude Code's `x-claude-code-session-id` header) tells apart two processes that
   * open with the same prompt, e.g. two fix attempts of one task.
   */
  next(body: ModelRequestBody, sessionId?: string): PlayDecision {
    const side = sideRequestKind(body);
    if (side) return { kind: 'side', side };
    const key = sessionId ? `${sessionId}:${conversationKey(body)}` : conversationKey(body);
    const count = body.messages.length;
    let conv = this.conversations.get(key);
    if (conv?.lastWasAnswer && conv.lastMessageCount === count) {
      const turn = this.scenario.blocks[conv.block]?.turns[conv.lastIndex];
      if (turn) return this.decision(conv.block, conv.lastIndex, turn, true);
    }
    if (!conv) {
      const block = this.pickBlock(body);
      if (block === undefined) return { kind: 'unmatched', reason: this.whyUnmatched(body) };
      conv = { block, lastMessageCount: count, lastIndex: -1, lastWasAnswer: false };
      this.conversations.set(key, conv);
      this.owner.set(block, key);
    }
    const blk = this.scenario.blocks[conv.block];
    const index = this.cursors[conv.block] ?? 0;
    const turn = blk?.turns[index];
    if (!blk || !turn) {
      return {
        kind: 'unmatched',
        reason: `block ${conv.block} ${describeMatcher(blk?.matcher ?? {})} has no turns left (${blk?.turns.length ?? 0} played)`,
      };
    }
    this.cursors[conv.block] = index + 1;
    conv.lastMessageCount = count;
    conv.lastIndex = index;
    conv.lastWasAnswer = turn.kind === 'text' || turn.kind === 'tools';
    return this.decision(conv.block, index, turn, false);
  }

  /** Turns never served, one line each. */
  unused(): string[] {
    const out: string[] = [];
    this.scenario.blocks.forEach((b, i) => {
      const at = this.cursors[i] ?? 0;
      for (let t = at; t < b.turns.length; t++) {
        out.push(`block ${i} ${describeMatcher(b.matcher)}: turn ${t} (${b.turns[t]?.kind}) never requested`);
      }
    });
    return out;
  }

  private decision(block: number, index: number, turn: Turn, replay: boolean): PlayDecision {
    const model = this.scenario.blocks[block]?.model;
    return { kind: 'turn', block, index, turn, replay, ...(model === undefined ? {} : { model }) };
  }

  private pickBlock(body: ModelRequestBody): number | undefined {
    const blocks = this.scenario.blocks;
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      if (!b || this.owner.has(i) || (this.cursors[i] ?? 0) >= b.turns.length) continue;
      if (matches(b.matcher, body)) return i;
    }
    return undefined;
  }

  private whyUnmatched(body: ModelRequestBody): string {
    const matching = this.scenario.blocks.flatMap((b, i) => (matches(b.matcher, body) ? [i] : []));
    if (matching.length === 0) return 'no block matches this request';
    return `matching blocks ${matching.join(', ')} are used up or bound to other conversations`;
  }
}
