import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { epcisDocument, epcisQueryDocument, objectEvent } from '../../../test/builders/epcis.js';
import { mayHoldUnstorableText, unstorableProblem, unstorableText } from './storable-text.js';

describe('storable text', () => {
  it('refuses NUL and surrogate halves without their partner, and keeps surrogate pairs (emoji, rare 汉字)', () => {
    for (const text of ['plain', '猪肉 🐖', '𠀀 CJK extension B', '']) assert.equal(unstorableProblem(text), null, text);
    assert.match(unstorableProblem('a\u0000b')!, /U\+0000/);
    for (const text of ['\ud800', 'a\ud800b', '\udc00a', 'x\ud83d', '\ude00\ud83d']) assert.match(unstorableProblem(text)!, /surrogate/, JSON.stringify(text));
  });

  it('suspects JSON text that escapes such a character, whatever the case of the hex digits, and not plain text', () => {
    assert.equal(mayHoldUnstorableText(JSON.stringify({ a: '猪肉 🐖', b: 'tab\t' })), false);
    for (const text of ['"\\u0000"', '"\\uD800"', '"\\udbff\\udfff"', '"\\uDc00"']) assert.equal(mayHoldUnstorableText(text), true, text);
    // A backslash written out before "u0000" is suspected too; the walk then finds nothing wrong.
    const written = JSON.stringify({ b: '\\u0000 written out' });
    assert.equal(mayHoldUnstorableText(written), true);
    assert.deepEqual(unstorableText(JSON.parse(written)), []);
  });

  it('names every offending value and field name by its pointer, and the event it is in', () => {
    const document = epcisDocument([objectEvent(), objectEvent({ 'example:note': 'a\u0000', ilmd: { 'example:x\ud800': 'ok', 'example:list': ['fine', '\udfff'] } })]);
    assert.deepEqual(
      unstorableText(document).map((i) => [i.eventIndex, i.pointer]),
      [
        [1, '/epcisBody/eventList/1/example:note'],
        [1, '/epcisBody/eventList/1/ilmd/example:x\ud800'],
        [1, '/epcisBody/eventList/1/ilmd/example:list/1'],
      ],
    );
    const query = epcisQueryDocument([objectEvent({ 'example:note': '\u0000' })]);
    assert.deepEqual(unstorableText(query).map((i) => [i.eventIndex, i.pointer]), [[0, '/epcisBody/queryResults/resultsBody/eventList/0/example:note']]);
    assert.deepEqual(unstorableText({ 'example:header': '\u0000' }).map((i) => [i.eventIndex, i.pointer]), [[undefined, '/example:header']]);
    assert.deepEqual(unstorableText(epcisDocument([objectEvent()])), []);
  });
});
