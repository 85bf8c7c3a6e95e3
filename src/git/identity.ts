import { git, ORCHESTRA_IDENTITY } from './git.js';

/** `-c user.name=… -c user.email=…` for whichever of the two the repository does not configure. */
export async function identityArgs(cwd: string, env?: NodeJS.ProcessEnv): Promise<string[]> {
  const opts = { cwd, allowFailure: true, ...(env ? { env } : {}) };
  const [name, email] = await Promise.all([
    git(['config', 'user.name'], opts),
    git(['config', 'user.email'], opts),
  ]);
  const args: string[] = [];
  if (!name.stdout.trim()) args.push('-c', `user.name=${ORCHESTRA_IDENTITY.name}`);
  if (!email.stdout.trim()) args.push('-c', `user.email=${ORCHESTRA_IDENTITY.email}`);
  return args;
}
