import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertRefuses } from '../../../test/support/assertions.js';
import { createSpecialEquipmentCodeScheme, equipmentType, specialEquipmentCodeScheme } from './special-equipment-code.js';

const NOW = new Date('2025-06-15T04:00:00Z');
const scheme = createSpecialEquipmentCodeScheme({ now: () => NOW });

/** A 特种设备代码 from its parts. */
function equipmentCode(parts: { type?: string; authority?: string; licence?: number; year?: number | string; sequence?: string } = {}): string {
  return (
    (parts.type ?? '3110') +
    (parts.authority ?? '33') +
    String(parts.licence ?? 10).padStart(3, '0') +
    String(parts.year ?? 2019) +
    (parts.sequence ?? '00098')
  );
}

const rejects = (text: string, reason: RegExp, near?: boolean) => assertRefuses(scheme, text, reason, near);

describe('特种设备代码 (special-equipment-code)', () => {
  it('reads type, manufacturer, year and sequence', () => {
    const code = equipmentCode();
    assert.equal(code.length, 18);
    const result = scheme.parse(code);
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.equal(result.value.target, 'equipment');
    assert.deepEqual(result.value.fields, {
      equipmentType: '3110',
      equipmentTypeName: '曳引驱动乘客电梯',
      category: '3',
      categoryName: '电梯',
      manufacturer: '33010',
      licensingAuthorityRegion: '33',
      licenceSequence: '010',
      manufactureYear: '2019',
      sequence: '00098',
    });
  });

  it('accepts the annex example, catalogue codes with letters and 类别 codes without 品种', () => {
    // 第二类压力容器 made in 2015 by a unit licensed by the national authority, licence number 890.
    assert.ok(scheme.parse(equipmentCode({ type: '2150', authority: '10', licence: 890, year: 2015 })).ok);
    for (const type of ['23T0', '4D00', '4A00', '6D10', '6100', '1100', '5200', '9320']) {
      assert.ok(scheme.parse(equipmentCode({ type })).ok, type);
    }
  });

  it('accepts letters in the sequence and reads lower case as the same code', () => {
    const code = equipmentCode({ type: '4d00', sequence: 'a0001' });
    const result = scheme.parse(code);
    assert.ok(result.ok);
    assert.equal(result.value.canonical, code.toUpperCase());
  });

  it('checks only the 类别 for 压力管道元件 and says so', () => {
    const result = scheme.parse(equipmentCode({ type: '7320' }));
    assert.ok(result.ok);
    assert.match(result.value.notes!.join(' '), /品种 7320 under 压力管道元件 is not confirmed/);
  });

  it('rejects codes that are not in the catalogue, naming what is', () => {
    rejects(equipmentCode({ type: 'F220' }), /position 1 \(种类\) is 'F'; it must be 1–9/);
    rejects(equipmentCode({ type: '0110' }), /position 1 \(种类\) is '0'/);
    rejects(equipmentCode({ type: '3500' }), /3500 is not a 类别 of 电梯 .*known: 3100, 3200, 3300, 3400/);
    rejects(equipmentCode({ type: '3140' }), /3140 is not in 《特种设备目录》 under 3100 \(曳引与强制驱动电梯\); its 品种 are 3110, 3120, 3130/);
    rejects(equipmentCode({ type: '3100' }), /3100 \(曳引与强制驱动电梯\) is a 类别; the code is the 品种 beneath it: 3110, 3120, 3130/);
    rejects(equipmentCode({ type: '4D10' }), /it has no 品种, so the code is 4D00/);
  });

  it('rejects a licensing authority that is neither 10 nor a province', () => {
    rejects(equipmentCode({ authority: '99' }), /positions 5–6 \(发证机关\) are 99; they must be 10 .* or a province-level GB\/T 2260 code/);
    rejects(equipmentCode({ authority: '00' }), /positions 5–6 \(发证机关\) are 00/);
    rejects(`${equipmentCode().slice(0, 6)}A${equipmentCode().slice(7)}`, /position 7 is 'A'; the 制造单位代号 \(positions 5–9\) is digits/);
  });

  it('rejects years before 1900 or after this year in China', () => {
    assert.ok(scheme.parse(equipmentCode({ year: 1900 })).ok);
    assert.ok(scheme.parse(equipmentCode({ year: 2025 })).ok);
    rejects(equipmentCode({ year: 1899 }), /year of manufacture 1899 \(positions 10–13\) is before 1900/);
    rejects(equipmentCode({ year: 2026 }), /year of manufacture 2026 \(positions 10–13\) is after this year \(2025 in China\)/);
    rejects(equipmentCode({ year: '20X5' }), /position 12 is 'X'; the year of manufacture \(positions 10–13\) is digits/);
  });

  it('rejects wrong lengths and characters', () => {
    rejects(equipmentCode().slice(0, 17), /18 characters; got 17/);
    rejects(`${equipmentCode()}0`, /18 characters; got 19/);
    rejects(`${equipmentCode().slice(0, 15)}-${equipmentCode().slice(16)}`, /position 16 is '-'; a 特种设备代码 has only digits and capital letters/);
    rejects('设备', /18 characters; got 2/, false);
  });

  it('exposes the catalogue lookup', () => {
    const type = equipmentType('2130');
    assert.ok(type.ok && type.value.name === '第三类压力容器' && type.value.categoryName === '压力容器');
    assert.equal(equipmentType('2140').ok, false);
  });

  it('uses the system clock by default', () => {
    const nextYear = new Date().getUTCFullYear() + 2;
    assert.equal(specialEquipmentCodeScheme.parse(equipmentCode({ year: nextYear })).ok, false);
    assert.ok(specialEquipmentCodeScheme.parse(equipmentCode({ year: 2001 })).ok);
  });
});
