import { describe, expect, it } from 'vitest';
import { startedByNpmExec } from './launcher.js';

describe('startedByNpmExec', () => {
  it('is true when npx or npm exec ran mjsim itself', () => {
    expect(startedByNpmExec({ npm_command: 'exec', npm_lifecycle_script: "'mjsim'" })).toBe(true);
    expect(startedByNpmExec({ npm_command: 'exec', npm_lifecycle_script: 'mjsim serve --port 0' })).toBe(true);
  });

  it('is false for npm scripts, for other commands npx ran (their children inherit the variables), and without npm', () => {
    expect(startedByNpmExec({ npm_command: 'run-script', npm_lifecycle_script: 'mjsim serve' })).toBe(false);
    expect(startedByNpmExec({ npm_command: 'exec', npm_lifecycle_script: "'vitest'" })).toBe(false);
    expect(startedByNpmExec({ npm_command: 'exec', npm_lifecycle_script: "'mjsimulator'" })).toBe(false);
    expect(startedByNpmExec({})).toBe(false);
  });
});
