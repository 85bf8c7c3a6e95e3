import { describe, expect, it } from 'vitest';
import { extractExportedDeclarations } from './exported-declarations.js';

const source = `
import { z } from 'zod';

/** A user. */
export interface User {
  id: string; // primary key
  name?: string;
}
export type UserId = User['id'];
export enum Role { Admin = 'admin', Member = 'member' }

/** Load a user. */
export async function getUser(id: UserId): Promise<User | undefined> {
  const rows = await db.query(id);
  return rows[0];
}

export function parse(x: string): number;
export function parse(x: number): number;
export function parse(x: string | number): number {
  return Number(x);
}

export class UserStore<T extends User = User> extends Base implements Store {
  readonly size: number = 0;
  #secret = 1;
  private cache = new Map();
  protected hook(): void {}
  constructor(private readonly db: Db, public name: string) { super(); }
  get count(): number { return this.size; }
  async find(id: string): Promise<T | undefined> { return undefined; }
  static create(): UserStore { return new UserStore(db, 'x'); }
}

export const DEFAULT_LIMIT = 50;
export const schema = z.object({ id: z.string(), name: z.string().optional(), email: z.string().email(), roles: z.array(z.string()) });
export const toId = <T,>(u: T & { id: string }): string => u.id;
export let counter: number = 0;
export { helper } from './helper.js';
export * from './types.js';
export default UserStore;

function internal(): void {}
const hidden = 1;
`;

describe('extractExportedDeclarations', () => {
  it('keeps exported signatures without bodies, comments or private members (printer quoting)', async () => {
    const decls = await extractExportedDeclarations('src/user.ts', source);
    expect(decls).toEqual([
      'export interface User { id: string; name?: string; }',
      'export type UserId = User["id"];',
      'export enum Role { Admin = "admin", Member = "member" }',
      'export async function getUser(id: UserId): Promise<User | undefined>;',
      'export function parse(x: string): number;',
      'export function parse(x: number): number;',
      'export class UserStore<T extends User = User> extends Base implements Store { readonly size: number; constructor(private readonly db: Db, public name: string); get count(): number; async find(id: string): Promise<T | undefined>; static create(): UserStore; }',
      'export const DEFAULT_LIMIT = 50;',
      expect.stringMatching(/^export const schema = z\.object\(\{ id: z\.string\(\), .{20,}…;$/),
      'export const toId = <T>(u: T & { id: string; }): string => …;',
      'export let counter: number;',
      'export { helper } from "./helper.js";',
      'export * from "./types.js";',
      'export default UserStore;',
    ]);
    expect(decls.join('\n')).not.toMatch(/internal|hidden|secret|cache|hook|rows|primary key/);
  });

  it('writes default values as optional parameters, as a declaration does', async () => {
    const src = [
      'export function decode(text: string | number = ""): string { return String(text); }',
      'export function parseURL(input = "", defaultProto?: string): URL { return new URL(input); }',
      'export function pad(n = 2, s: string, on = true): string { return s; }',
      'export const build = (p: string, params: Record<string, string> = {}): string => p;',
      'export class Q { get(key: string, fallback = 0): number { return fallback; } }',
    ].join('\n');
    expect(await extractExportedDeclarations('src/x.ts', src)).toEqual([
      'export function decode(text?: string | number): string;',
      'export function parseURL(input?: string, defaultProto?: string): URL;',
      'export function pad(n: number, s: string, on?: boolean): string;',
      'export const build = (p: string, params?: Record<string, string>): string => …;',
      'export class Q { get(key: string, fallback?: number): number; }',
    ]);
  });

  it('reads TSX and tolerates syntax errors', async () => {
    const tsx = 'export function App(props: { title: string }) { return <h1>{props.title}</h1>; }';
    expect(await extractExportedDeclarations('src/app.tsx', tsx)).toEqual([
      'export function App(props: { title: string; });',
    ]);
    expect(await extractExportedDeclarations('src/broken.ts', 'export function f(a: string { ')).toHaveLength(
      1,
    );
  });
});
