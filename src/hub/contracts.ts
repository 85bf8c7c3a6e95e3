import { z } from 'zod';
import { CONTRACT_KINDS, type Contract } from '../domain/index.js';
import { isoTime, readRow, readRows, type StoreContext } from './sql.js';

/** One version of an interface contract. Version 1 comes from the plan; each change adds one. */
export const contractVersionSchema = z.object({
  runId: z.string(),
  id: z.string(),
  version: z.number().int().positive(),
  kind: z.enum(CONTRACT_KINDS),
  owner: z.string(),
  description: z.string().nullable(),
  definition: z.string(),
  /** The task whose work produced this version; null for the plan's. */
  authorTask: z.string().nullable(),
  createdAt: isoTime,
});
export type ContractVersion = z.output<typeof contractVersionSchema>;

const SELECT = `SELECT run_id AS runId, id, version, kind, owner, description, definition,
  author_task AS authorTask, created_at AS createdAt FROM contracts`;

/** Versioned interface contracts of a run. */
export function createContractStore(ctx: StoreContext) {
  const { db } = ctx;
  const get = (runId: string, id: string, version?: number): ContractVersion | undefined => {
    const row =
      version === undefined
        ? db.prepare(`${SELECT} WHERE run_id = ? AND id = ? ORDER BY version DESC LIMIT 1`).get(runId, id)
        : db.prepare(`${SELECT} WHERE run_id = ? AND id = ? AND version = ?`).get(runId, id, version);
    return row === undefined ? undefined : readRow(contractVersionSchema, row, 'contract');
  };
  return {
    /**
     * Store a contract as its next version. Putting what the latest version already says is not a
     * change: the latest version is returned and no version is added.
     */
    put(runId: string, contract: Contract, options: { authorTask?: string | null } = {}): ContractVersion {
      return ctx.tx(() => {
        const latest = get(runId, contract.id);
        if (
          latest &&
          latest.definition === contract.definition &&
          latest.kind === contract.kind &&
          latest.owner === contract.owner &&
          latest.description === (contract.description ?? null)
        )
          return latest;
        const v = contractVersionSchema.parse({
          runId,
          id: contract.id,
          version: (latest?.version ?? 0) + 1,
          kind: contract.kind,
          owner: contract.owner,
          description: contract.description ?? null,
          definition: contract.definition,
          authorTask: options.authorTask ?? null,
          createdAt: ctx.now().toISOString(),
        });
        db.prepare(
          `INSERT INTO contracts (run_id, id, version, kind, owner, description, definition, author_task, created_at)
           VALUES (@runId, @id, @version, @kind, @owner, @description, @definition, @authorTask, @createdAt)`,
        ).run(v);
        return v;
      });
    },
    /** The latest version of a contract, or a given version. */
    get,
    /** Every version of a contract, oldest first. */
    history(runId: string, id: string): ContractVersion[] {
      const rows = db.prepare(`${SELECT} WHERE run_id = ? AND id = ? ORDER BY version`).all(runId, id);
      return readRows(contractVersionSchema, rows, 'contract');
    },
    /** The latest version of every contract of a run. */
    list(runId: string): ContractVersion[] {
      const rows = db
        .prepare(
          `${SELECT} c WHERE run_id = ? AND version = (SELECT MAX(version) FROM contracts
             WHERE run_id = c.run_id AND id = c.id) ORDER BY id`,
        )
        .all(runId);
      return readRows(contractVersionSchema, rows, 'contract');
    },
  };
}

/** The contracts API of the hub. */
export type ContractStore = ReturnType<typeof createContractStore>;
