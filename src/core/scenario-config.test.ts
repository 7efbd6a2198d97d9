import { describe, expect, it } from 'vitest';
import { DEFAULT_SCENARIO, parseScenarioFile, scenarioFor, type ScenarioFile } from './scenario-config.js';

describe('scenario files', () => {
  it('reads probabilities, delays (single or ranges) and a seed over the defaults', () => {
    const file = parseScenarioFile({ seed: 42, open: { probability: 0.4, delay: ['1m', '60m'] }, click: { probability: 0.1 }, sent: { delay: '2s' } }) as ScenarioFile;
    expect(file.seed).toBe('42');
    expect(file.base.open).toEqual({ probability: 0.4, delay: [60_000, 3_600_000] });
    expect(file.base.click).toEqual({ probability: 0.1, delay: DEFAULT_SCENARIO.click.delay });
    expect(file.base.sent.delay).toEqual([2_000, 2_000]);
    expect(file.base.bounce).toEqual(DEFAULT_SCENARIO.bounce);
  });

  it('merges per-account overrides over the file defaults', () => {
    const file = parseScenarioFile({ open: { probability: 0.4 }, accounts: { KEY2: { open: { delay: '5s' } } } }) as ScenarioFile;
    expect(scenarioFor(file, 'KEY2').open).toEqual({ probability: 0.4, delay: [5_000, 5_000] });
    expect(scenarioFor(file, 'OTHER')).toBe(file.base);
    expect(scenarioFor(undefined, 'KEY2')).toBe(DEFAULT_SCENARIO);
  });

  it('names what is wrong', () => {
    expect(parseScenarioFile({ open: { probabilty: 0.4 } })).toMatch(/^open: Unrecognized key/);
    expect(parseScenarioFile({ open: { probability: 1.5 } })).toMatch(/open\.probability: a probability is from 0 to 1/);
    expect(parseScenarioFile({ open: { delay: ['1h', '1m'] } })).toMatch(/min <= max/);
    expect(parseScenarioFile({ sent: { delay: 'soon' } })).toMatch(/invalid delay "soon": "soon" is not a duration/);
    expect(parseScenarioFile({ sent: { delay: 5000 } })).toMatch(/invalid delay 5000: 5000: add a unit, e\.g\. 5000s/);
    expect(parseScenarioFile({ bounce: { probability: 0.7 }, blocked: { probability: 0.5 } })).toMatch(/must not exceed 1/);
    expect(parseScenarioFile([])).toMatch(/^\(file\)/);
    expect(parseScenarioFile({ open: { delay: ['1m', '100000000d'] } })).toMatch(/a delay is at most 365d/);
  });
});
