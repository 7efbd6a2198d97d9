import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from './json.js';

describe('exact JSON', () => {
  it('writes big integers exactly and reads them back as bigint', () => {
    const text = stringifyJson({ MessageID: 576460765503091475n, n: 1, s: 'x', list: [1n, null], skip: undefined });
    expect(text).toBe('{"MessageID":576460765503091475,"n":1,"s":"x","list":[1,null]}');
    expect(parseJson(text)).toEqual({ MessageID: 576460765503091475n, n: 1, s: 'x', list: [1, null] });
  });

  it('leaves safe numbers, decimals and digits inside strings alone', () => {
    expect(parseJson('{"a":9007199254740991,"b":1.5e300,"c":"576460765503091475","d":-576460765503091475}')).toEqual({
      a: 9007199254740991,
      b: 1.5e300,
      c: '576460765503091475',
      d: -576460765503091475n,
    });
    expect(parseJson('["say \\"576460765503091475\\"", 576460765503091475]')).toEqual(['say "576460765503091475"', 576460765503091475n]);
  });

  it('throws on malformed JSON', () => {
    expect(() => parseJson('{"a":')).toThrow();
  });
});
