import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collectPrefixes, expandTerm, expandTermIn } from './json-ld.js';

const URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

describe('expandTermIn', () => {
  // Contexts as documents and events write them, and some that define a prefix more than once or not properly.
  const contexts: unknown[] = [
    undefined,
    URL,
    [URL, { example: 'https://ns.example.com/epcis/' }],
    [URL, { example: 'urn:first:' }, [{ example: { '@id': 'urn:nested:' } }]],
    [{ example: 'urn:first:' }, { example: 42 }, { example: { '@id': 7 } }, { example: null }],
    [{ cbvmda: 'urn:override:', gs1: '' }, { '@vocab': 'urn:vocab:', '@base': 'urn:base:' }],
    { example: { '@id': 'urn:object:', '@type': '@id' }, other: 'urn:other:' },
    [[[{ deep: 'urn:deep:' }]], 'https://example.com/remote-context.jsonld'],
    JSON.parse('{"__proto__": "urn:proto:", "constructor": "urn:constructor:"}'),
  ];
  const terms = [
    'example:grade',
    'other:x',
    'deep:y',
    'cbvmda:lotNumber',
    'gs1:Temperature',
    'epcis:x',
    'unknown:z',
    'plain',
    ':leading',
    'https://ns.example.com/epcis/full',
    'URN:example:full',
    '@vocab:x',
    '__proto__:p',
    'constructor:c',
    'toString:t',
    'hasOwnProperty:h',
  ];

  it('expands as expandTerm does with the prefixes collectPrefixes gathers from both contexts', () => {
    for (const documentContext of contexts) {
      for (const eventContext of contexts) {
        const prefixes = collectPrefixes(documentContext, eventContext);
        for (const term of terms) {
          assert.equal(
            expandTermIn(term, documentContext, eventContext),
            expandTerm(term, prefixes),
            `${term} in ${JSON.stringify(documentContext)} then ${JSON.stringify(eventContext)}`,
          );
        }
      }
    }
  });

  it('sees a change to a context made after an earlier call', () => {
    const context: Record<string, unknown> = { example: 'urn:before:' };
    assert.equal(expandTermIn('example:x', context, undefined), 'urn:before:x');
    context.example = 'urn:after:';
    assert.equal(expandTermIn('example:x', context, undefined), 'urn:after:x');
  });
});
