#!/usr/bin/env node
// The test runner, with nothing to install beyond Node 20 and the `typescript` package: transpile
// src/ and test/ into a temporary directory (no type check here: `tsc --noEmit -p .` does that),
// then run `node --test` on the compiled *.test.js files. Exits with the tests' status.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = mkdtempSync(join(tmpdir(), 'collab-test-'));

function* walk(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* walk(path);
    else yield path;
  }
}

try {
  const tests = [];
  for (const dir of ['src', 'test']) {
    for (const file of walk(join(root, dir))) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
      const rel = relative(root, file);
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      const target = join(out, rel.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
      if (rel.endsWith('.test.ts')) tests.push(target);
    }
  }
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  if (tests.length === 0) {
    console.log('no tests yet');
  } else {
    const r = spawnSync(process.execPath, ['--test', ...tests.sort()], { stdio: 'inherit' });
    process.exitCode = r.status ?? 1;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
