import { describe, expect, it } from 'vitest';
import { formatPrometheus } from './prometheus-text.js';

describe('formatPrometheus', () => {
  it('writes HELP, TYPE and samples with escaped labels', () => {
    const text = formatPrometheus([
      { name: 'a_total', type: 'counter', help: 'line one\nline two', samples: [{ labels: { path: 'x"y\\z' }, value: 3 }] },
      { name: 'b', type: 'gauge', help: 'plain', samples: [{ value: 0.5 }, { labels: { k: 'v' }, value: Number.NaN }] },
    ]);
    expect(text).toBe(
      [
        '# HELP a_total line one\\nline two',
        '# TYPE a_total counter',
        'a_total{path="x\\"y\\\\z"} 3',
        '# HELP b plain',
        '# TYPE b gauge',
        'b 0.5',
        'b{k="v"} NaN',
        '',
      ].join('\n'),
    );
  });

  it('writes nothing for no families', () => {
    expect(formatPrometheus([])).toBe('');
  });
});
