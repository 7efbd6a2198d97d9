/**
 * Every relative link in README.md and docs/*.md resolves: the file exists and, when the link names an
 * anchor, the target file has a heading with that GitHub-style slug. So does every `docs/….md#anchor` a
 * comment in src/, test/ or bench/ points at, and no comment cites a spec that is not in the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's heading anchor: lower-case, punctuation dropped except `-` and `_`, spaces become `-`. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
}

/** Markdown outside fenced code blocks. */
function prose(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```[^\n]*$/gm, '');
}

function anchors(file: string): Set<string> {
  const found = new Set<string>();
  for (const match of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) found.add(slug(match[1]!));
  return found;
}

function links(text: string): string[] {
  return [...prose(text).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/i.test(target));
}

describe('documentation links', () => {
  it('slugs headings as GitHub does', () => {
    expect(slug('Sending mail: the Send API, lifecycles, scenarios, fixtures and traffic')).toBe('sending-mail-the-send-api-lifecycles-scenarios-fixtures-and-traffic');
    expect(slug('Big MessageIDs, and `--safe-message-ids`')).toBe('big-messageids-and---safe-message-ids');
    expect(slug('The control API (`/sim`)')).toBe('the-control-api-sim');
  });

  it('finds links in the README and in docs/', () => {
    expect(pages.length).toBeGreaterThan(5);
    expect(links(readFileSync(join(root, 'README.md'), 'utf8'))).toContain('docs/mailjet-api.md#pointing-clients-at-mjsim');
  });

  for (const page of pages) {
    it(`${page}: every relative link and anchor resolves`, () => {
      const file = join(root, page);
      const broken: string[] = [];
      for (const target of links(readFileSync(file, 'utf8'))) {
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const destination = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        if (!existsSync(destination)) broken.push(`${target} (no file ${relative(root, destination)})`);
        else if (anchor !== undefined && destination.endsWith('.md') && !anchors(destination).has(anchor)) broken.push(`${target} (no heading #${anchor})`);
      }
      expect(broken).toEqual([]);
    });
  }

  it('every docs/ page a comment in src/, test/ or bench/ points at exists, with its heading', () => {
    const sources = ['src', 'test', 'bench'].flatMap((folder) =>
      (readdirSync(join(root, folder), { recursive: true }) as string[]).filter((name) => name.endsWith('.ts')).map((name) => join(root, folder, name)),
    );
    const broken: string[] = [];
    let pointers = 0;
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      // \u00a7 is the section sign: written escaped so this file does not match itself.
      if (/reference[^\n]{0,3}\u00a7/.test(text)) broken.push(`${relative(root, file)} cites a section of a spec not in the repository`);
      for (const [, page, anchor] of text.matchAll(/\bdocs\/([a-z-]+\.md)#([a-z0-9_-]+)/g)) {
        pointers += 1;
        const destination = join(root, 'docs', page!);
        if (!existsSync(destination) || !anchors(destination).has(anchor!)) broken.push(`${relative(root, file)}: docs/${page}#${anchor}`);
      }
    }
    expect(pointers).toBeGreaterThan(20);
    expect(broken).toEqual([]);
  });
});
