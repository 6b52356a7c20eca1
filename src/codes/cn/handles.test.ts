import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRefuses } from '../../../test/support/assertions.js';
import { ecodeScheme, industrialHandleScheme } from './handles.js';

const handle = (prefix: readonly number[] = [608, 6688], suffix = 'META_xz_test2') => `88.${prefix.join('.')}/${suffix}`;

describe('工业互联网标识 (industrial-handle)', () => {
  it('reads prefix and suffix, keeping case', () => {
    const result = industrialHandleScheme.parse(handle());
    assert.ok(result.ok);
    assert.equal(result.value.canonical, '88.608.6688/META_xz_test2');
    assert.equal(result.value.target, 'handle');
    assert.deepEqual(result.value.fields, { prefix: '88.608.6688', suffix: 'META_xz_test2' });
  });

  it('accepts deep prefixes, dotted and slashed suffixes and CJK suffixes', () => {
    for (const text of [handle([101, 1304]), handle([1, 2, 3, 4], 'a.b/c-d'), handle([608], '产品.2024.0001')]) {
      assert.ok(industrialHandleScheme.parse(text).ok, text);
    }
  });

  it('reads a handle from a resolver URL whose path is the handle', () => {
    const result = industrialHandleScheme.parse(`https://resolver.example.cn/${handle([608, 6688], encodeURIComponent('批次/01'))}`);
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.equal(result.value.canonical, '88.608.6688/批次/01');
    assert.equal(result.value.fields.resolver, 'resolver.example.cn');
    assert.match(result.value.notes!.join(' '), /the handle, not the URL, identifies the object/);
  });

  it('rejects broken prefixes and suffixes, naming the rule', () => {
    assertRefuses(industrialHandleScheme, '88.608.6688', /88.608.6688 is a prefix alone; a handle is prefix\/suffix/);
    assertRefuses(industrialHandleScheme, '88.608.6688/', /suffix after the \/ is empty/);
    assertRefuses(industrialHandleScheme, '88..6688/x', /prefix segment 2 is empty/);
    assertRefuses(industrialHandleScheme, '88.6a8/x', /prefix segment 2 '6a8' is not digits/);
    assertRefuses(industrialHandleScheme, `88.${'1'.repeat(17)}/x`, /prefix segment 2 has 17 digits; at most 16/);
    assertRefuses(industrialHandleScheme, handle([608], 'a b'), /suffix character 2 is ' ' \(space\)/);
    assertRefuses(industrialHandleScheme, handle([608], 'a\u0000b'), /suffix character 2 is U\+0000/);
    assertRefuses(industrialHandleScheme, handle([608], 'x'.repeat(513)), /suffix has 513 characters; at most 512/);
    assertRefuses(industrialHandleScheme, `https://r.example.cn/${handle()}?utm=1`, /query or fragment/);
  });

  it('leaves other texts alone', () => {
    assertRefuses(industrialHandleScheme, '86.608/x', /88\.<digits>/, false);
    assertRefuses(industrialHandleScheme, 'https://example.cn/88x/1', /88\.<digits>/, false);
    assertRefuses(industrialHandleScheme, 'https://example.cn/a/88.1/2', /88\.<digits>/, false);
  });
});

describe('Ecode (ecode)', () => {
  const ecode = (version: string, rest = '10001000000000001') => `Ecode:${version}${rest}`;

  it('reads a labelled V1–V3 code, leaving NSI and MD together', () => {
    for (const version of ['1', '2', '3']) {
      const result = ecodeScheme.parse(ecode(version));
      assert.ok(result.ok, version);
      assert.equal(result.value.canonical, `${version}10001000000000001`);
      assert.equal(result.value.target, 'handle');
      assert.deepEqual(result.value.fields, { version, nsiAndMasterCode: '10001000000000001' });
      assert.match(result.value.notes!.join(' '), /field lengths of GB\/T 31866-2023 are not available/);
    }
    assert.ok(ecodeScheme.parse('ECODE:2ABC123').ok);
  });

  it('rejects V0, unknown versions and bad bodies, naming the rule', () => {
    assertRefuses(ecodeScheme, ecode('0'), /V0 is the GS1-compatible form/);
    assertRefuses(ecodeScheme, ecode('4'), /version \(first character\) is '4'; GB\/T 31866-2023 writes V1, V2 and V3/);
    assertRefuses(ecodeScheme, 'Ecode:', /nothing follows/);
    assertRefuses(ecodeScheme, 'Ecode:1', /no NSI or MD/);
    assertRefuses(ecodeScheme, ecode('1', '0001-02'), /character 6 after the label is '-'/);
    assertRefuses(ecodeScheme, ecode('1', '1'.repeat(100)), /101 characters; at most 100/);
  });

  it('does not claim bare numbers', () => {
    assertRefuses(ecodeScheme, '10001000000000001', /only when labelled 'Ecode:'/, false);
  });
});
