export { type Completion, completionSchema, type NewCompletion } from './completions.js';
export { CONFLICT_KINDS, type Conflict, conflictSchema, type NewConflict } from './conflicts.js';
export { type ContractVersion, contractVersionSchema } from './contracts.js';
export {
  DECISION_SOURCES,
  type DecisionRecord,
  decisionRecordSchema,
  type NewDecision,
} from './decisions.js';
export type { EventFilter, EventInput, StoredEvent } from './events.js';
export { FIX_STATUSES, type FixStatus, type FixTask, fixTaskSchema, type NewFixTask } from './fixes.js';
export { type HandoffRecord, handoffRecordSchema } from './handoffs.js';
export { HUB_DIR, HUB_FILE, type Hub, type HubSettings, hubPath, openHub } from './hub.js';
export {
  LEASE_MIRROR_FILE,
  LEASE_MIRROR_VERSION,
  type LeaseMirror,
  leaseMirrorPath,
  type MirroredLease,
} from './lease-mirror.js';
export { isPidAlive, type Lease, type LeaseRequest, type LeaseResult, leaseSchema } from './leases.js';
export { HUB_SCHEMA_VERSION, MIGRATIONS, type Migration, migrate } from './migrations.js';
export {
  buildPacket,
  type ContextPacket,
  DEFAULT_PACKET_BUDGET,
  type OmittedSection,
  type PacketHub,
  type PacketSectionInfo,
  type PacketSettings,
} from './packet.js';
export { fitSections } from './packet-fit.js';
export { importsOf, loadProjectMemory, type MemoryFile, renderProjectMemory } from './packet-memory.js';
export {
  type FetchHint,
  type PacketContract,
  type PacketSection,
  packetSections,
} from './packet-sections.js';
export { type PacketWorkspace, workspaceSection } from './packet-workspace.js';
export { type NewRun, RUN_STATUSES, type Run, type RunStatus, runSchema } from './runs.js';
export {
  LIVE_TASK_STATUSES,
  TASK_STATUSES,
  type TaskPatch,
  type TaskRecord,
  type TaskStatus,
  taskRecordSchema,
} from './tasks.js';
export { loadTokenizer, type Tokenizer } from './tokens.js';
export {
  estimateCostUsd,
  type NewUsage,
  USAGE_LAYERS,
  type UsageKey,
  type UsageLayer,
  type UsageRecord,
  type UsageTotals,
  usageRecordSchema,
} from './usage.js';
