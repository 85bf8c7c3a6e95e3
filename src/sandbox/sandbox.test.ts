import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agentEnv,
  bwrapCommand,
  commandEnv,
  detectSandbox,
  installShellPrefix,
  nodeModulesLayers,
  ownedDirs,
  prepareCommand,
  type SandboxCommand,
  type SandboxRuntime,
  sandboxExecCommand,
  sandboxExecProfile,
  secretPaths,
  toolPaths,
} from './index.js';

// These tests start the real bubblewrap. Where it cannot start they fail (CI installs it): a
// sandbox test that skips would hide exactly the machine where Orchestra would refuse to run.
const detection = detectSandbox();
const runtime = (): SandboxRuntime => {
  if (!detection.available) throw new Error(`bubblewrap is required for this test: ${detection.reason}`);
  return detection.runtime;
};

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
const temp = () => {
  const d = realpathSync(mkdtempSync(path.join(tmpdir(), 'orchestra-sbx-test-')));
  dirs.push(d);
  return d;
};
const run = (c: SandboxCommand) => {
  const r = spawnSync(c.command, c.args, { cwd: c.cwd, env: c.env, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};
const sh = (script: string) => ['/bin/sh', '-c', script];

describe('bwrapCommand with the real bubblewrap', () => {
  it('writes only where allowed; the rest of the filesystem, the checkout and /tmp of the host are out of reach', () => {
    const root = temp();
    const checkout = path.join(root, 'checkout');
    const wt = path.join(root, 'wt');
    mkdirSync(path.join(checkout, 'src'), { recursive: true });
    mkdirSync(wt);
    writeFileSync(path.join(checkout, 'src/page.ts'), 'original\n');
    const spec = {
      argv: sh(
        [
          'echo ok > wt.txt',
          `echo PWNED > ${checkout}/src/page.ts; echo "checkout:$?"`,
          `echo x > ${root}/beside.txt; echo "beside:$?"`,
          'echo x > /etc/orchestra-attack; echo "etc:$?"',
          `cat ${checkout}/src/page.ts`,
          'echo t > /tmp/t && echo tmp-ok',
        ].join('\n'),
      ),
      cwd: wt,
      writable: [wt],
      readOnly: [checkout],
      network: true,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    };
    const r = run(bwrapCommand(spec, runtime().path));
    expect(r.out).toContain('checkout:2');
    // Beside the worktree is the private /tmp here: the write lands there and vanishes (checked below).
    expect(r.out).toContain('etc:2');
    expect(r.out).toContain('Read-only file system');
    expect(r.out).toContain('original');
    expect(r.out).toContain('tmp-ok');
    expect(readFileSync(path.join(wt, 'wt.txt'), 'utf8')).toBe('ok\n');
    expect(readFileSync(path.join(checkout, 'src/page.ts'), 'utf8')).toBe('original\n');
    expect(existsSync(path.join(root, 'beside.txt'))).toBe(false);
    expect(existsSync('/etc/orchestra-attack')).toBe(false);
    expect(existsSync('/tmp/t') && readFileSync('/tmp/t', 'utf8') === 't\n').toBe(false);
  });

  it('hides what lives under the host /tmp unless listed, and gives private layers that leave no trace', () => {
    const root = temp();
    const wt = path.join(root, 'wt');
    const shared = path.join(root, 'shared', 'node_modules', '.vite-temp');
    mkdirSync(wt);
    mkdirSync(shared, { recursive: true });
    const r = run(
      bwrapCommand(
        {
          argv: sh(
            `ls ${root}/shared 2>&1; echo v > ${shared}/cfg.mjs && echo layer-ok; ls ${root}/other 2>&1`,
          ),
          cwd: wt,
          writable: [wt],
          readOnly: [path.join(root, 'shared')],
          privateDirs: [shared],
          network: true,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        },
        runtime().path,
      ),
    );
    expect(r.out).toContain('layer-ok');
    expect(r.out).toContain('node_modules');
    expect(existsSync(path.join(shared, 'cfg.mjs'))).toBe(false);
  });

  it("hides the home's credentials (keys, cloud logins, Claude's own) but not what the process needs", () => {
    const home = temp();
    const wt = path.join(home, 'work', 'wt');
    mkdirSync(wt, { recursive: true });
    for (const d of ['.ssh', '.aws', '.config/gcloud', '.claude', '.npm'])
      mkdirSync(path.join(home, d), { recursive: true });
    writeFileSync(path.join(home, '.ssh/id_ed25519'), 'PRIVATE-KEY');
    writeFileSync(path.join(home, '.aws/credentials'), 'AWS-SECRET');
    writeFileSync(path.join(home, '.netrc'), 'machine x password NETRC-SECRET');
    writeFileSync(path.join(home, '.claude/.credentials.json'), '{"token":"OAUTH-SECRET"}');
    writeFileSync(path.join(home, '.claude/settings.json'), '{"visible":true}');
    writeFileSync(path.join(home, '.npmrc'), 'registry=x');
    // A plugin under the Claude dir keeps the dir itself visible; only its credentials file is hidden.
    const hidden = secretPaths([wt, path.join(home, '.claude/plugins/orchestra')], home, {});
    expect(hidden.map((h) => path.relative(home, h.path)).sort()).toEqual([
      '.aws',
      '.claude/.credentials.json',
      '.config/gcloud',
      '.netrc',
      '.ssh',
    ]);
    // A credentials directory holding the worktree stays as it is.
    expect(secretPaths([path.join(home, '.ssh', 'wt')], home, {}).map((h) => h.path)).not.toContain(
      path.join(home, '.ssh'),
    );
    const r = run(
      bwrapCommand(
        {
          argv: sh(
            `cat ${home}/.ssh/id_ed25519 ${home}/.aws/credentials ${home}/.netrc ${home}/.claude/.credentials.json 2>&1; ls -A ${home}/.ssh; cat ${home}/.claude/settings.json ${home}/.npmrc; echo x > ${home}/.ssh/k; echo "write:$?"`,
          ),
          cwd: wt,
          writable: [wt],
          readOnly: [home],
          hidden,
          network: true,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        },
        runtime().path,
      ),
    );
    for (const secret of ['PRIVATE-KEY', 'AWS-SECRET', 'NETRC-SECRET', 'OAUTH-SECRET'])
      expect(r.out).not.toContain(secret);
    expect(r.out).toContain('{"visible":true}');
    expect(r.out).toContain('registry=x');
    expect(r.out).not.toContain('write:0');
    expect(readFileSync(path.join(home, '.ssh/id_ed25519'), 'utf8')).toBe('PRIVATE-KEY');
    expect(existsSync(path.join(home, '.ssh/k'))).toBe(false);
  });

  it('cuts the network when asked, and hides other processes (their environments) either way', () => {
    const wt = temp();
    const base = { cwd: wt, writable: [wt], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };
    const probe = sh(
      `cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ,; echo; cat /proc/${process.pid}/environ >/dev/null 2>&1 && echo parent-visible || echo parent-hidden`,
    );
    const off = run(bwrapCommand({ ...base, argv: probe, network: false }, runtime().path));
    expect(off.out.split('\n')[0]).toBe('lo,');
    expect(off.out).toContain('parent-hidden');
    const on = run(bwrapCommand({ ...base, argv: probe, network: true }, runtime().path));
    expect(on.out.split('\n')[0]).not.toBe('lo,');
    expect(on.out).toContain('parent-hidden');
  });

  it('mounts parents before children, so a writable worktree inside a read-only checkout stays writable', () => {
    const c = bwrapCommand({
      argv: ['true'],
      cwd: '/r/.orchestra/wt/t1',
      writable: ['/r/.orchestra/wt/t1'],
      readOnly: ['/r', '/r/.git'],
      privateDirs: ['/r/node_modules/.vite-temp'],
      network: false,
      env: { TMPDIR: '/host/tmp' },
    });
    // Orchestra's own package and Node are bound too when they live under /tmp (a clone there).
    const own = new Set(toolPaths());
    const binds = c.args.filter(
      (a, i) => ['--bind', '--ro-bind-try', '--tmpfs'].includes(c.args[i - 1] ?? '') && !own.has(a),
    );
    expect(binds).toEqual(['/tmp', '/r', '/r/.git', '/r/node_modules/.vite-temp', '/r/.orchestra/wt/t1']);
    expect(c.args).toContain('--unshare-net');
    expect(c.args.slice(-3)).toEqual(['--chdir', '/r/.orchestra/wt/t1', '--', 'true'].slice(-3));
    expect(c.env.TMPDIR).toBe('/tmp');
  });
});

describe('the environment allowlist', () => {
  const user = {
    PATH: '/usr/bin',
    LANG: 'C.UTF-8',
    LC_ALL: 'C',
    GITHUB_TOKEN: 'ghp_planted',
    AWS_SECRET_ACCESS_KEY: 'aws-planted',
    ANTHROPIC_API_KEY: 'sk-ant-model',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
    npm_config_registry: 'https://registry.example',
    NPM_TOKEN: 'npm-planted',
    MY_TOOL_FLAG: 'yes',
    HOME: '/home/user',
  };
  it('passes PATH, locale, the model connection and package settings; nothing else; a private HOME', () => {
    const env = agentEnv(user, { home: '/priv/home' });
    expect(env).toEqual({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      ANTHROPIC_API_KEY: 'sk-ant-model',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
      npm_config_registry: 'https://registry.example',
      HOME: '/priv/home',
    });
  });
  it('adds what env.passThrough names; cloud credentials only when Bedrock is selected', () => {
    expect(agentEnv(user, { home: '/h', passThrough: ['MY_TOOL_FLAG'] }).MY_TOOL_FLAG).toBe('yes');
    expect(agentEnv(user, { home: '/h' }).AWS_SECRET_ACCESS_KEY).toBeUndefined();
    const bedrock = agentEnv({ ...user, CLAUDE_CODE_USE_BEDROCK: '1' }, { home: '/h' });
    expect(bedrock.AWS_SECRET_ACCESS_KEY).toBe('aws-planted');
  });
  it('keeps the model credentials out of commands (criteria, Bash)', () => {
    const env = commandEnv({ ...user, CLAUDE_CODE_USE_BEDROCK: '1' }, { home: '/h' });
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
    expect(env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:1');
  });
});

describe('ownedDirs', () => {
  it('narrows to the literal directories of the globs; a root-level glob opens the worktree', () => {
    expect(ownedDirs('/w', ['src/api/**', 'src/api/sub/x.ts', 'test/{a,b}/*.ts', 'docs/api.md'])).toEqual([
      '/w/docs',
      '/w/src/api',
      '/w/test/a',
      '/w/test/b',
    ]);
    expect(ownedDirs('/w', ['src/api/**', 'package.json'])).toEqual(['/w']);
    expect(ownedDirs('/w', ['**/*.ts'])).toEqual(['/w']);
    expect(ownedDirs('/w', ['src/*/x.ts'])).toEqual(['/w/src']);
  });
});

describe('nodeModulesLayers', () => {
  it('follows a linked node_modules to the shared one and layers its cache directories', () => {
    const root = temp();
    mkdirSync(path.join(root, 'main/node_modules'), { recursive: true });
    mkdirSync(path.join(root, 'wt'));
    spawnSync('ln', ['-s', path.join(root, 'main/node_modules'), path.join(root, 'wt/node_modules')]);
    const layers = nodeModulesLayers(path.join(root, 'wt'));
    expect(layers.writable).toEqual([]);
    expect(layers.privateDirs).toContain(path.join(root, 'main/node_modules/.vite-temp'));
    expect(nodeModulesLayers(path.join(root, 'main', 'nothing'))).toEqual({ writable: [], privateDirs: [] });
  });

  it("opens a worktree's own node_modules (a copy, a directory of links, an install): links to the checkout stay read-only there", () => {
    const root = realpathSync(temp());
    const own = path.join(root, 'own/node_modules');
    mkdirSync(path.join(own, '.pnpm/lib@1/node_modules/lib'), { recursive: true });
    spawnSync('ln', ['-s', '.pnpm/lib@1/node_modules/lib', path.join(own, 'lib')]);
    expect(nodeModulesLayers(path.join(root, 'own'))).toEqual({ writable: [own], privateDirs: [] });
    const farm = path.join(root, 'farm/node_modules');
    mkdirSync(farm, { recursive: true });
    spawnSync('ln', ['-s', path.join(own, 'lib'), path.join(farm, 'lib')]);
    expect(nodeModulesLayers(path.join(root, 'farm'))).toEqual({ writable: [farm], privateDirs: [] });
  });
});

describe('the Bash prefix script', () => {
  it('runs the command in bash, without the model credentials, apart from the agent process, offline when asked', () => {
    const dir = temp();
    const cfg = path.join(dir, 'cfg');
    mkdirSync(path.join(cfg, 'shell-snapshots'), { recursive: true });
    writeFileSync(path.join(cfg, '.credentials.json'), '{"secret":"oauth"}');
    const script = installShellPrefix(path.join(dir, 'bin'));
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ANTHROPIC_API_KEY: 'sk-ant-model',
      CLAUDE_CONFIG_DIR: cfg,
      ORCHESTRA_BWRAP: runtime().path,
      ORCHESTRA_SANDBOX_NETWORK: 'off',
    };
    const cmd = `echo "shell:$BASH_VERSION" | cut -c1-8; env | grep -c ANTHROPIC_API_KEY; ls -A ${cfg}; cat /proc/net/dev | wc -l; echo "it's" "quoted"`;
    const r = spawnSync(script, [cmd], { env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual(['shell:5.', '0', 'shell-snapshots', '3', "it's quoted", '']);
  });
});

describe('macOS sandbox-exec', () => {
  it('names parameters instead of embedding paths; denies writes except the listed ones; network only when allowed', () => {
    const profile = sandboxExecProfile(2, false);
    expect(profile).toBe(
      [
        '(version 1)',
        '(allow default)',
        '(deny file-write*)',
        '(allow file-write*',
        '  (subpath (param "TMPDIR"))',
        '  (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty") (literal "/dev/dtracehelper")',
        '  (regex #"^/dev/fd/[0-9]+$")',
        '  (subpath (param "WRITABLE_0"))',
        '  (subpath (param "WRITABLE_1"))',
        ')',
        '(deny network*)',
        '(allow network* (remote ip "localhost:*") (remote unix-socket))',
        '',
      ].join('\n'),
    );
    expect(sandboxExecProfile(0, true)).not.toContain('network');
    expect(sandboxExecProfile(0, true, { dirs: 1, files: 1 })).toContain(
      '(deny file-read* file-write* (subpath (param "HIDDEN_DIR_0")))\n(deny file-read* file-write* (literal (param "HIDDEN_FILE_0")))',
    );
    const c = sandboxExecCommand(
      { argv: ['npm', 'test'], cwd: '/w', writable: ['/w/"); (allow file-write*'], network: true, env: {} },
      '/priv/tmp',
    );
    expect(c.args).toEqual([
      '-p',
      sandboxExecProfile(1, true),
      '-D',
      'TMPDIR=/priv/tmp',
      '-D',
      'WRITABLE_0=/w/"); (allow file-write*',
      'npm',
      'test',
    ]);
  });
  // Skipped off macOS on purpose: sandbox-exec exists only there (the profile text is checked above).
  it.runIf(process.platform === 'darwin')('confines a write on this Mac', () => {
    const wt = temp();
    const other = temp();
    const c = sandboxExecCommand(
      {
        argv: sh(`echo a > ok.txt; echo b > ${other}/no.txt`),
        cwd: wt,
        writable: [wt],
        network: true,
        env: {},
      },
      wt,
    );
    run(c);
    expect(existsSync(path.join(wt, 'ok.txt'))).toBe(true);
    expect(existsSync(path.join(other, 'no.txt'))).toBe(false);
  });
});

describe('detectSandbox', () => {
  it('finds the bubblewrap of this machine by starting it', () => {
    expect(detection).toMatchObject({ available: true, runtime: { kind: 'bubblewrap' } });
  });
  it('reports a missing or broken bubblewrap with the install hint', () => {
    const missing = detectSandbox({
      platform: 'linux',
      run: () => ({ status: null, stdout: '', stderr: 'ENOENT' }),
    });
    expect(missing).toMatchObject({ available: false, reason: expect.stringContaining('not installed') });
    if (!missing.available) expect(missing.hint).toContain('apt-get install -y bubblewrap');
    const broken = detectSandbox({
      platform: 'linux',
      run: () => ({ status: 1, stdout: '', stderr: 'bwrap: No permissions to create new namespace' }),
    });
    expect(broken).toMatchObject({ available: false, reason: expect.stringContaining('No permissions') });
    expect(detectSandbox({ platform: 'win32' })).toMatchObject({ available: false });
  });
});

describe('prepareCommand', () => {
  it('runs a criterion confined to its worktree, with a minimal environment, and removes its private dir', () => {
    const root = temp();
    const wt = path.join(root, 'wt');
    mkdirSync(wt);
    const p = prepareCommand(
      {
        runtime: runtime(),
        network: true,
        baseEnv: { PATH: process.env.PATH, PLANTED_SECRET: 'planted-123', ANTHROPIC_API_KEY: 'k' },
        home: root,
      },
      { argv: sh(`env > env.txt; echo x > ${root}/escape.txt; touch "$HOME/h" && echo home-ok`), cwd: wt },
    );
    const r = run(p.command);
    p.dispose();
    expect(r.out).toContain('home-ok');
    const env = readFileSync(path.join(wt, 'env.txt'), 'utf8');
    expect(env).not.toContain('planted-123');
    expect(env).not.toContain('ANTHROPIC_API_KEY');
    expect(existsSync(path.join(root, 'escape.txt'))).toBe(false);
    expect(existsSync(p.command.env.HOME ?? '/nonexistent')).toBe(false);
  });
});
