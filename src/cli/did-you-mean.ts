/**
 * "Did you mean": a typo in a command name, at any level, exits 2 naming the group and the closest command
 * (`unknown command 'advanse' for 'clock'. Did you mean 'advance'?`). Without this, a group with a default
 * command (`clock` runs `show`) would hand the typo to that command as an extra argument and say "too many
 * arguments for 'show'".
 */
import type { Command } from 'commander';
import { UsageError } from './arguments.js';

/**
 * The candidate closest to `typed` by edit distance (a swap of two neighbours counts as one edit), when
 * close enough to be a typo of it.
 *
 * @example
 * closestName('advanse', ['show', 'advance', 'set']) // 'advance'
 * closestName('zzz', ['show', 'advance', 'set'])     // undefined
 */
export function closestName(typed: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(typed.toLowerCase(), name);
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const above = d[i - 1] as number[];
      row[j] = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** The usage error for `typed`, an unknown command of `group`. */
function unknownCommand(group: Command, typed: string): UsageError {
  const names = group.commands.map((command) => command.name());
  const where = group.parent ? ` for '${group.name()}'` : '';
  const best = closestName(typed, names);
  return new UsageError(`unknown command '${typed}'${where}. ${best ? `Did you mean '${best}'?` : `Its commands: ${names.join(', ')}`}`);
}

/**
 * Makes every command group in the tree (the program included) answer an unknown command name with the
 * closest one. Call once the tree is built.
 *
 * @example
 * suggestCommands(program); // $ mjsim clock advanse 30s -> mjsim: unknown command 'advanse' for 'clock'. Did you mean 'advance'?
 */
export function suggestCommands(group: Command): void {
  if (group.commands.length === 0) return;
  // A group without a default command: commander asks this listener before its own message.
  group.on('command:*', (operands: string[]) => {
    throw unknownCommand(group, operands[0] as string);
  });
  // A group with a default command: a first word that names no command is a typo, not the default's argument.
  group.hook('preSubcommand', (self, sub) => {
    const first = self.args[0];
    if (first === undefined || first.startsWith('-') || first === sub.name() || sub.aliases().includes(first)) return;
    if (!self.commands.some((command) => command.name() === first || command.aliases().includes(first))) throw unknownCommand(self, first);
  });
  for (const command of group.commands) suggestCommands(command);
}
