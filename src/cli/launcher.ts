/**
 * `npx mjsim serve &` then `kill $!`: `$!` is npm's process, not mjsim's. npm exec starts the command through
 * `sh -c`, and where `/bin/sh` is dash (Debian, Ubuntu, their container images) that shell stays between
 * npm and mjsim. npm passes SIGTERM on to the shell, the shell dies of it without passing it on, and mjsim,
 * never signalled, would keep running and holding its port.
 *
 * So a server that npm exec started as its command (npm sets `npm_command=exec` and the command in
 * `npm_lifecycle_script`) watches its parent: when that process goes away, mjsim is re-parented,
 * `process.ppid` changes, and it stops as on SIGTERM. Only then: started any other way (`mjsim serve &`,
 * `nohup`, a container, or by a tool that npx ran), mjsim outlives its parent as a server should, and a CI
 * step that backgrounds `npx mjsim serve` and ends leaves npm, the shell and mjsim running together, so
 * nothing changes for it.
 */

/**
 * True when npx or `npm exec` ran mjsim itself (not some tool that then started mjsim, which inherits the
 * variables).
 *
 * @example
 * startedByNpmExec({ npm_command: 'exec', npm_lifecycle_script: "'mjsim'" })     // true
 * startedByNpmExec({ npm_command: 'exec', npm_lifecycle_script: "'vitest'" })    // false
 */
export function startedByNpmExec(env: NodeJS.ProcessEnv): boolean {
  return env.npm_command === 'exec' && /^'?mjsim'?(\s|$)/.test(env.npm_lifecycle_script ?? '');
}

/**
 * Calls `onGone` once when the npm exec that started this process has gone; returns a function that stops
 * watching. Does nothing when npm exec did not start it. The timer does not keep the process alive.
 *
 * @example
 * const unwatch = whenLauncherGone(() => shutdown('npx stopped'));
 */
export function whenLauncherGone(onGone: () => void, env: NodeJS.ProcessEnv = process.env, everyMs = 250): () => void {
  if (!startedByNpmExec(env)) return () => undefined;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
