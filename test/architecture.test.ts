/**
 * The house's shape, pinned: imports run one way. No file imports itself back through others, no room
 * (a folder under src/, or a file directly in it) imports a room that imports it back, and the pure core
 * imports nothing but itself (docs/contributing.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Each source file (relative to src/) with the source files and packages it imports. */
function importGraph(): Map<string, { files: string[]; packages: string[] }> {
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  for (const file of sourceFiles(SRC)) {
    const files: string[] = [];
    const packages: string[] = [];
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = (match[1] ?? match[2]) as string;
      if (!specifier.startsWith('.')) packages.push(specifier);
      else files.push(relative(SRC, resolve(dirname(file), specifier)).replace(/\.js$/, '.ts'));
    }
    graph.set(relative(SRC, file), { files, packages });
  }
  for (const node of graph.values()) node.files = node.files.map((f) => (graph.has(f) ? f : f.replace(/\.ts$/, '.tsx')));
  return graph;
}

/** The strongly connected components of more than one node, or with a self-edge (Tarjan). */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    for (const to of edges.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (stack.includes(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || edges.get(node)?.has(node)) found.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

const room = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);
const graph = importGraph();

describe('the import graph', () => {
  it('reads every source file and resolves every relative import', () => {
    expect(graph.size).toBeGreaterThan(100);
    const unresolved = [...graph].flatMap(([file, { files }]) => files.filter((to) => !graph.has(to)).map((to) => `${file} -> ${to}`));
    expect(unresolved).toEqual([]);
  });

  it('has no circle of files', () => {
    const edges = new Map([...graph].map(([file, { files }]) => [file, new Set(files)]));
    expect(cycles(edges)).toEqual([]);
  });

  it('has no circle of rooms: every import between rooms runs one way', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, { files }] of graph) {
      const from = room(file);
      if (!edges.has(from)) edges.set(from, new Set());
      for (const to of files) if (room(to) !== from) edges.get(from)!.add(room(to));
    }
    expect(cycles(edges)).toEqual([]);
  });

  it('keeps the core pure: it imports only itself and no Node module', () => {
    const impure = [...graph]
      .filter(([file]) => room(file) === 'core')
      .flatMap(([file, { files, packages }]) => [...files.filter((to) => room(to) !== 'core'), ...packages.filter((name) => name.startsWith('node:'))].map((to) => `${file} -> ${to}`));
    expect(impure).toEqual([]);
  });
});
