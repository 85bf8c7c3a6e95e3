import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MCP_TOOL_NAMES } from '../mcp/server.js';
import { PACKAGE_ROOT, PLUGIN_DIR } from './install.js';

const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
const json = (...p: string[]) => JSON.parse(read(...p)) as Record<string, unknown>;

describe('the plugin files', () => {
  it('ship the built-in agents unchanged', () => {
    const templates = join(PACKAGE_ROOT, 'templates', 'agents');
    const names = readdirSync(templates).sort();
    expect(readdirSync(join(PLUGIN_DIR, 'agents')).sort()).toEqual(names);
    for (const n of names) expect(read(PLUGIN_DIR, 'agents', n), n).toBe(read(templates, n));
  });

  it('name only tools the MCP server has, with the prefix Claude Code gives plugin servers', () => {
    for (const f of readdirSync(join(PLUGIN_DIR, 'commands'))) {
      const text = read(PLUGIN_DIR, 'commands', f);
      expect(text, f).toMatch(/^---\n\n?description: .{20,}\n/);
      for (const m of text.matchAll(/mcp__plugin_orchestra_orchestra__(\w+)/g))
        expect(MCP_TOOL_NAMES, `${f}: ${m[1]}`).toContain(m[1]);
      for (const m of text.matchAll(/`(\w+_\w+|validate|leases)`/g))
        if (!['task_id'].includes(m[1] as string)) expect(MCP_TOOL_NAMES, `${f}: ${m[1]}`).toContain(m[1]);
    }
  });

  it('keep versions in step and ship in the package', () => {
    const pkg = json(PACKAGE_ROOT, 'package.json');
    expect(json(PLUGIN_DIR, '.claude-plugin', 'plugin.json').version).toBe(pkg.version);
    const market = json(PACKAGE_ROOT, '.claude-plugin', 'marketplace.json') as {
      plugins: Array<{ source: string; version: string }>;
    };
    expect(market.plugins[0]).toMatchObject({ source: './plugin', version: pkg.version });
    expect(pkg.files).toEqual(expect.arrayContaining(['plugin', '.claude-plugin']));
  });
});
