import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gmnCheckPair } from './check-digit.js';
import {
  CSET39,
  CSET82,
  aiLengthForPrefix,
  aiMatchesPattern,
  checkAiAssociations,
  checkQualifierSequence,
  getApplicationIdentifier,
  isDigitalLinkPrimaryKey,
  isKeyQualifierOf,
  listApplicationIdentifiers,
  orderQualifiers,
  validateAiValue,
} from './application-identifiers.js';

const reasonOf = (result: { ok: boolean; reason?: string }) => (result.ok ? undefined : result.reason);

describe('AI table', () => {
  it('has the character sets of the General Specifications', () => {
    assert.equal(CSET82.length, 82);
    assert.equal(new Set(CSET82).size, 82);
    assert.equal(CSET39.length, 39);
  });

  it('knows the keys, qualifiers and attributes the event store needs', () => {
    const needed = ['00', '01', '10', '11', '13', '15', '16', '17', '21', '22', '235', '253', '254', '255', '401', '402',
      '414', '417', '7010', '8003', '8004', '8006', '8010', '8011', '8017', '8018', '8019', '8020', '3103', '3922'];
    for (const ai of needed) assert.ok(getApplicationIdentifier(ai), `AI (${ai}) missing`);
  });

  it('records formats and lengths', () => {
    const gdti = getApplicationIdentifier('253')!;
    assert.equal(gdti.format, 'N13,csum [X..17]');
    assert.equal(gdti.minLength, 13);
    assert.equal(gdti.maxLength, 30);
    assert.equal(getApplicationIdentifier('01')!.maxLength, 14);
    assert.equal(getApplicationIdentifier('10')!.components[0]!.charset, 'X');
    assert.equal(getApplicationIdentifier('8010')!.components[0]!.charset, 'Y');
  });

  it('marks predefined-length AIs, which need no FNC1 separator', () => {
    for (const ai of ['00', '01', '11', '17', '3103', '414']) assert.ok(getApplicationIdentifier(ai)!.predefinedLength, ai);
    for (const ai of ['10', '21', '253', '8003', '3922']) assert.equal(getApplicationIdentifier(ai)!.predefinedLength, false, ai);
  });

  it('reads the decimal places of measure AIs from their last digit', () => {
    assert.equal(getApplicationIdentifier('3103')!.decimalPlaces, 3);
    assert.equal(getApplicationIdentifier('3922')!.decimalPlaces, 2);
    assert.equal(getApplicationIdentifier('3106'), undefined, 'net weight allows at most 5 decimal places');
  });

  it('lists the AIs in ascending order', () => {
    const ais = listApplicationIdentifiers().map((d) => d.ai);
    assert.deepEqual(ais, [...ais].sort());
  });
});

describe('validateAiValue', () => {
  it('accepts valid values', () => {
    for (const [ai, value] of [
      ['01', '09506000134352'],
      ['00', '106141412345678908'],
      ['10', 'ABC-123/x'],
      ['21', '6789/&%"!?()'],
      ['253', '4012345000092'],
      ['253', '4012345000092PO-4711'],
      ['8003', '04012345000221334455'],
      ['8006', '040123451111180102'],
      ['8010', '061414111111111111111-A#/'],
      ['8011', '0'],
      ['8013', '1987654Ad4X4bL5ttr2310c2K'],
      ['17', '261231'],
      ['15', '260200'],
      ['11', '240229'],
      ['7003', '2612312359'],
      ['3103', '001250'],
      ['7010', 'MX'],
    ] as const) {
      assert.deepEqual(validateAiValue(ai, value), { ok: true, value }, `(${ai}) ${value}`);
    }
  });

  it('rejects a wrong check digit and says which AI', () => {
    assert.match(reasonOf(validateAiValue('01', '09506000134353'))!, /AI \(01\): check digit/);
    assert.match(reasonOf(validateAiValue('253', '4012345000093ABC'))!, /AI \(253\): check digit/);
    assert.match(reasonOf(validateAiValue('8006', '040123451111190102'))!, /check digit/);
  });

  it('rejects wrong lengths', () => {
    assert.match(reasonOf(validateAiValue('01', '9506000134352'))!, /length 13, expected 14/);
    assert.match(reasonOf(validateAiValue('10', 'A'.repeat(21)))!, /length 21, expected 1–20/);
    assert.match(reasonOf(validateAiValue('21', ''))!, /length 0/);
  });

  it('rejects characters outside the AI character set', () => {
    assert.match(reasonOf(validateAiValue('21', 'AB C'))!, /character set 82/);
    assert.match(reasonOf(validateAiValue('21', 'AB#C'))!, /character set 82/);
    assert.match(reasonOf(validateAiValue('21', '批次'))!, /character set 82/);
    assert.match(reasonOf(validateAiValue('8010', 'abc'))!, /character set 39/);
    assert.match(reasonOf(validateAiValue('00', '10614141234567890X'))!, /only digits/);
  });

  it('checks dates, with day 00 only where the AI allows it', () => {
    assert.match(reasonOf(validateAiValue('17', '261331'))!, /month 13/);
    assert.match(reasonOf(validateAiValue('17', '260230'))!, /not a valid date/);
    assert.match(reasonOf(validateAiValue('11', '230229'))!, /not a valid date/);
    assert.match(reasonOf(validateAiValue('7006', '260100'))!, /not a valid date/);
    assert.match(reasonOf(validateAiValue('7003', '2612312460'))!, /not a valid time/);
  });

  it('applies the component rules of ITIP, GRAI, CPID serial and GMN', () => {
    assert.match(reasonOf(validateAiValue('8006', '040123451111180302'))!, /piece 3 of total 2/);
    assert.match(reasonOf(validateAiValue('8003', '14012345000221334455'))!, /filler digit must be 0/);
    assert.match(reasonOf(validateAiValue('8011', '0123'))!, /must not start with 0/);
    assert.match(reasonOf(validateAiValue('8013', '1987654Ad4X4bL5ttr2310c2L'))!, /check character pair/);
  });

  it('can check only the shape, to tell a broken key from something else', () => {
    assert.ok(validateAiValue('01', '09506000134353', { shapeOnly: true }).ok);
    assert.equal(validateAiValue('01', '0950600013435', { shapeOnly: true }).ok, false);
  });

  it('rejects unknown AIs', () => {
    assert.match(reasonOf(validateAiValue('99999', 'x'))!, /unknown/);
    assert.match(reasonOf(validateAiValue('2', 'x'))!, /unknown/);
  });
});

describe('Digital Link key qualifiers', () => {
  it('knows which AIs are primary keys', () => {
    for (const ai of ['00', '01', '253', '255', '401', '402', '414', '417', '8003', '8004', '8006', '8010', '8013', '8017', '8018']) {
      assert.ok(isDigitalLinkPrimaryKey(ai), ai);
    }
    for (const ai of ['10', '21', '22', '254', '17', '410']) assert.equal(isDigitalLinkPrimaryKey(ai), false, ai);
  });

  it('knows which qualifiers belong to which key', () => {
    assert.ok(isKeyQualifierOf('01', '22'));
    assert.ok(isKeyQualifierOf('01', '235'));
    assert.ok(isKeyQualifierOf('414', '254'));
    assert.ok(isKeyQualifierOf('8006', '21'));
    assert.ok(isKeyQualifierOf('8010', '8011'));
    assert.ok(isKeyQualifierOf('8018', '8019'));
    assert.ok(isKeyQualifierOf('8017', '8019'));
    assert.equal(isKeyQualifierOf('01', '254'), false);
    assert.equal(isKeyQualifierOf('00', '21'), false);
    assert.equal(isKeyQualifierOf('8006', '235'), false);
  });

  it('accepts any subset of a qualifier sequence in its order', () => {
    for (const qualifiers of [[], ['22'], ['10'], ['21'], ['22', '10'], ['10', '21'], ['22', '21'], ['22', '10', '21'], ['235']]) {
      assert.ok(checkQualifierSequence('01', qualifiers).ok, qualifiers.join(','));
    }
    assert.ok(checkQualifierSequence('414', ['254']).ok);
    assert.ok(checkQualifierSequence('8006', ['22', '10', '21']).ok);
  });

  it('rejects qualifiers out of order, repeated, combined across sequences or foreign', () => {
    assert.match(reasonOf(checkQualifierSequence('01', ['21', '10']))!, /order \(22\)\(10\)\(21\)/);
    assert.match(reasonOf(checkQualifierSequence('01', ['10', '10']))!, /twice/);
    assert.match(reasonOf(checkQualifierSequence('01', ['10', '235']))!, /cannot be combined/);
    assert.match(reasonOf(checkQualifierSequence('414', ['254', '7040']))!, /cannot be combined/);
    assert.match(reasonOf(checkQualifierSequence('00', ['21']))!, /takes no qualifiers/);
    assert.match(reasonOf(checkQualifierSequence('01', ['254']))!, /not a key qualifier of \(01\); allowed: 22,10,21 or 235/);
    assert.match(reasonOf(checkQualifierSequence('10', []))!, /not a GS1 Digital Link primary key/);
  });

  it('orders qualifiers as the standard prescribes', () => {
    const ordered = orderQualifiers('01', [{ ai: '21', value: 's' }, { ai: '22', value: 'c' }, { ai: '10', value: 'l' }]);
    assert.deepEqual(ordered.map((q) => q.ai), ['22', '10', '21']);
  });
});

describe('the full AI table of the Barcode Syntax Dictionary', () => {
  it('defines every AI family, with its title and format', () => {
    const expected: [string, string, string][] = [
      ['03', 'N14,csum', 'MTO GTIN'],
      ['4309', 'N10,latitude N10,longitude', 'SHIP TO GEO'],
      ['4330', 'N6 [X1,hyphen]', 'MAX TEMP F.'],
      ['7035', 'N3,iso3166999 X..27', 'PROCESSOR # 5'],
      ['7041', 'X..4,packagetype', 'UFRGT UNIT TYPE'],
      ['714', 'X..20', 'NHRN AIM'],
      ['7239', 'X2 X..28', 'CERT # 10'],
      ['7258', 'X3,posinseqslash', 'BIRTH SEQUENCE'],
      ['8008', 'N6,yymmdd N2,hh [N2,mi] [N2,ss]', 'PROD TIME'],
      ['8014', 'X..25,csumalpha,hasnondigit', 'MUDI'],
      ['8030', 'Z..90', 'DIGSIG'],
      ['8111', 'N4', 'POINTS'],
      ['3955', 'N6', 'PRICE/UoM'],
    ];
    for (const [ai, format, title] of expected) {
      const definition = getApplicationIdentifier(ai);
      assert.ok(definition, `AI (${ai}) missing`);
      assert.equal(definition.format, format, ai);
      assert.equal(definition.title, title, ai);
    }
    assert.ok(listApplicationIdentifiers().length > 500, 'the measure families alone are over 300 AIs');
  });

  it('gives the same length to every AI that starts with the same two digits', () => {
    assert.equal(aiLengthForPrefix('01'), 2);
    assert.equal(aiLengthForPrefix('25'), 3);
    assert.equal(aiLengthForPrefix('42'), 3);
    assert.equal(aiLengthForPrefix('43'), 4);
    assert.equal(aiLengthForPrefix('71'), 3);
    assert.equal(aiLengthForPrefix('72'), 4);
    assert.equal(aiLengthForPrefix('05'), undefined);
  });

  it('marks which AIs may travel as Digital Link data attributes', () => {
    for (const ai of ['00', '01', '10', '17', '3103', '422', '7003', '8006', '99']) {
      assert.equal(getApplicationIdentifier(ai)!.digitalLinkAttribute, true, ai);
    }
    for (const ai of ['03', '21', '22', '235', '254', '7040', '8011', '8019', '8020', '8200']) {
      assert.equal(getApplicationIdentifier(ai)!.digitalLinkAttribute, false, ai);
    }
  });

  it('records mandatory associations and invalid pairings', () => {
    assert.deepEqual(getApplicationIdentifier('37')!.requires, [[['00']], [['02'], ['8026']]]);
    assert.deepEqual(getApplicationIdentifier('01')!.excludes, ['255', '37']);
    assert.deepEqual(getApplicationIdentifier('7258')!.requires, [[['8018', '7259']]]);
    assert.deepEqual(getApplicationIdentifier('3103')!.excludes, ['310n']);
  });
});

describe('checkAiAssociations', () => {
  it('matches AI patterns digit by digit', () => {
    assert.ok(aiMatchesPattern('31nn', '3103'));
    assert.ok(aiMatchesPattern('310n', '3109'));
    assert.equal(aiMatchesPattern('310n', '3113'), false);
    assert.equal(aiMatchesPattern('31nn', '310'), false);
  });

  it('accepts AIs that meet every rule, whatever their order', () => {
    assert.deepEqual(checkAiAssociations(['10', '01', '17', '21']), { ok: true, value: ['10', '01', '17', '21'] });
    assert.ok(checkAiAssociations(['00', '02', '37', '10']).ok);
    assert.ok(checkAiAssociations(['01', '3103', '3922']).ok, '(3922) needs a variable measure such as 31nn');
    assert.ok(checkAiAssociations(['8018', '7259', '7258']).ok, 'both parts of 8018+7259');
  });

  it('names the rule that is broken', () => {
    assert.deepEqual(checkAiAssociations(['21']), {
      ok: false,
      reason: 'AI (21) SERIAL requires (01), (03) or (8006) in the same element string',
    });
    assert.deepEqual(checkAiAssociations(['8018', '7258']), {
      ok: false,
      reason: 'AI (7258) BIRTH SEQUENCE requires (8018) with (7259) in the same element string',
    });
    assert.deepEqual(checkAiAssociations(['01', '3103', '3102']), {
      ok: false,
      reason: 'AI (3103) NET WEIGHT (kg) must not appear together with AI (3102) NET WEIGHT (kg)',
    });
    assert.match((checkAiAssociations(['01', '3922']) as { reason: string }).reason, /requires \(30\), \(31nn\)/);
  });

  it('lets an AI repeat without excluding itself', () => {
    assert.ok(checkAiAssociations(['01', '3103', '3103']).ok);
  });
});

describe('validateAiValue: the checks of the newer AIs', () => {
  const accepts = (ai: string, value: string) => assert.deepEqual(validateAiValue(ai, value), { ok: true, value }, `(${ai}) ${value}`);
  const refuses = (ai: string, value: string, why: RegExp) => assert.match(reasonOf(validateAiValue(ai, value))!, why);

  it('checks country and currency codes', () => {
    accepts('422', '156');
    accepts('423', '156840276');
    accepts('7030', '999ABC');
    accepts('3910', '156123');
    accepts('4307', 'CN');
    refuses('422', '999', /not an ISO 3166 numeric country code/);
    refuses('423', '1568', /does not match/);
    refuses('3910', '000123', /not an ISO 4217 numeric currency code/);
    refuses('4307', 'XX', /not an ISO 3166 alpha-2/);
  });

  it('checks an IBAN with its mod-97 check', () => {
    accepts('8007', 'GB82WEST12345698765432');
    refuses('8007', 'GB83WEST12345698765432', /not a valid IBAN/);
  });

  it('checks times, coordinates and enumerations', () => {
    accepts('8008', '26013112');
    accepts('8008', '2601311259');
    accepts('8008', '260131125959');
    refuses('8008', '26013124', /hour 24/);
    refuses('8008', '2601311260', /minute 60/);
    refuses('8008', '260131123', /does not match/);
    accepts('4309', '02790858480000000000');
    refuses('4309', '18000000013600000000', /latitude/);
    refuses('4309', '00000000003600000001', /longitude/);
    accepts('4321', '1');
    refuses('4321', '2', /0 \(no\) or 1 \(yes\)/);
    accepts('4330', '001250-');
    refuses('4330', '001250+', /sign character must be "-"/);
    accepts('8001', '012345678901' + '90');
    refuses('8001', '0000' + '56789012' + '90', /must not be zero/);
    refuses('8001', '0123456789012' + '0', /must not be zero|winding/);
    accepts('7040', '1AB-');
    refuses('7040', '1AB!', /importer index/);
    accepts('7241', '85');
    refuses('7241', '50', /AIDC media type/);
    accepts('7252', '9');
    refuses('7252', '3', /ISO\/IEC 5218/);
    accepts('7250', '20240229');
    refuses('7250', '20230229', /not a valid date/);
  });

  it('checks positions in sequence, percent-encoding, base64 and required non-digits', () => {
    accepts('7258', '1/2');
    refuses('7258', '3/2', /position at most total/);
    refuses('7258', '0/2', /without leading zeros/);
    accepts('4300', 'ACME%20Ltd');
    refuses('4300', 'ACME%2', /two-digit hex escape/);
    accepts('8030', 'AbC-_9==');
    refuses('8030', 'AbC+', /character set 64/);
    accepts('8014', '1987654Ad4X4bL5ttr2310c2K');
    // All digits with a valid check pair: a GMN may be that, a MUDI may not.
    const digitsOnly = `1099998${gmnCheckPair('1099998')!}`;
    accepts('8013', digitsOnly);
    refuses('8014', digitsOnly, /must contain a character that is not a digit/);
  });
});
