/**
 * 特种设备代码: the lifetime code of a unit of special equipment, given at manufacture ("特种设备代码编号方法", an annex
 * published with the TSG safety rules; which rule it belongs to is not confirmed), 18 characters with no spaces:
 *
 *   positions 1–4    设备基本代码: the 品种 code of 《特种设备目录》
 *   positions 5–9    制造单位代号: the 2-digit region of the authority that issued the manufacturing licence (10 for
 *                    the national authority) + the 3-digit unit number of that licence
 *   positions 10–13  year of manufacture
 *   positions 14–18  制造顺序号: the manufacturer's sequence; letters take over when it passes 99999
 *
 * What is checked:
 * - positions 1–4 against the 2014 《特种设备目录》 (质检总局公告2014年第114号), a 品种 code, or a 类别 code where that
 *   类别 has no 品种 (机械式停车设备 4D00, the amusement-ride classes, …). Catalogue codes contain letters (4A00, 6D10,
 *   23T0), so the "4 digits" of the annex's wording is read as 4 characters. For 压力管道元件 (category 7) only the
 *   类别 is checked, because the published reproductions disagree on its 品种 list;
 * - the licensing authority region: 10 or a province-level GB/T 2260 code;
 * - the year: not before 1900 and not after the current year in China;
 * - the sequence: digits and upper-case letters.
 * Not checked: whether the licence number exists, and where exactly letters may replace digits in the sequence (the
 * annex's example of that is not available to us).
 */
import { isRegionCode } from '../region.js';
import { nearMiss, notThisScheme, type CodeScheme, type SchemeResult } from '../scheme.js';
import { chinaToday, codePoints, describeChar, firstBadChar, isAsciiDigit, positions, readingOf, systemClock, tooLong, type ClockOptions } from './common.js';

const LENGTH = 18;

const CATEGORIES: Readonly<Record<string, string>> = {
  '1': '锅炉',
  '2': '压力容器',
  '3': '电梯',
  '4': '起重机械',
  '5': '场（厂）内专用机动车辆',
  '6': '大型游乐设施',
  '7': '压力管道元件',
  '8': '压力管道',
  '9': '客运索道',
};

/** 类别 codes with the 品种 codes beneath them (empty: the 类别 has no 品种 and its own code is used). */
const CATALOGUE: Readonly<Record<string, { name: string; varieties: Readonly<Record<string, string>> }>> = {
  '1100': { name: '承压蒸汽锅炉', varieties: {} },
  '1200': { name: '承压热水锅炉', varieties: {} },
  '1300': { name: '有机热载体锅炉', varieties: { '1310': '有机热载体气相炉', '1320': '有机热载体液相炉' } },
  '2100': {
    name: '固定式压力容器',
    varieties: { '2110': '超高压容器', '2130': '第三类压力容器', '2150': '第二类压力容器', '2170': '第一类压力容器' },
  },
  '2200': {
    name: '移动式压力容器',
    varieties: { '2210': '铁路罐车', '2220': '汽车罐车', '2230': '长管拖车', '2240': '罐式集装箱', '2250': '管束式集装箱' },
  },
  '2300': { name: '气瓶', varieties: { '2310': '无缝气瓶', '2320': '焊接气瓶', '23T0': '特种气瓶' } },
  '2400': { name: '氧舱', varieties: { '2410': '医用氧舱', '2420': '高气压舱' } },
  '3100': { name: '曳引与强制驱动电梯', varieties: { '3110': '曳引驱动乘客电梯', '3120': '曳引驱动载货电梯', '3130': '强制驱动载货电梯' } },
  '3200': { name: '液压驱动电梯', varieties: { '3210': '液压乘客电梯', '3220': '液压载货电梯' } },
  '3300': { name: '自动扶梯与自动人行道', varieties: { '3310': '自动扶梯', '3320': '自动人行道' } },
  '3400': { name: '其它类型电梯', varieties: { '3410': '防爆电梯', '3420': '消防员电梯', '3430': '杂物电梯' } },
  '4100': {
    name: '桥式起重机',
    varieties: {
      '4110': '通用桥式起重机',
      '4130': '防爆桥式起重机',
      '4140': '绝缘桥式起重机',
      '4150': '冶金桥式起重机',
      '4170': '电动单梁起重机',
      '4190': '电动葫芦桥式起重机',
    },
  },
  '4200': {
    name: '门式起重机',
    varieties: {
      '4210': '通用门式起重机',
      '4220': '防爆门式起重机',
      '4230': '轨道式集装箱门式起重机',
      '4240': '轮胎式集装箱门式起重机',
      '4250': '岸边集装箱起重机',
      '4260': '造船门式起重机',
      '4270': '电动葫芦门式起重机',
      '4280': '装卸桥',
      '4290': '架桥机',
    },
  },
  '4300': { name: '塔式起重机', varieties: { '4310': '普通塔式起重机', '4320': '电站塔式起重机' } },
  '4400': { name: '流动式起重机', varieties: { '4410': '轮胎起重机', '4420': '履带起重机', '4440': '集装箱正面吊运起重机', '4450': '铁路起重机' } },
  '4700': { name: '门座式起重机', varieties: { '4710': '门座起重机', '4760': '固定式起重机' } },
  '4800': { name: '升降机', varieties: { '4860': '施工升降机', '4870': '简易升降机' } },
  '4900': { name: '缆索式起重机', varieties: {} },
  '4A00': { name: '桅杆式起重机', varieties: {} },
  '4D00': { name: '机械式停车设备', varieties: {} },
  '5100': { name: '机动工业车辆', varieties: { '5110': '叉车' } },
  '5200': { name: '非公路用旅游观光车辆', varieties: {} },
  '6100': { name: '观览车类', varieties: {} },
  '6200': { name: '滑行车类', varieties: {} },
  '6300': { name: '架空游览车类', varieties: {} },
  '6400': { name: '陀螺类', varieties: {} },
  '6500': { name: '飞行塔类', varieties: {} },
  '6600': { name: '转马类', varieties: {} },
  '6700': { name: '自控飞机类', varieties: {} },
  '6800': { name: '赛车类', varieties: {} },
  '6900': { name: '小火车类', varieties: {} },
  '6A00': { name: '碰碰车类', varieties: {} },
  '6B00': { name: '滑道类', varieties: {} },
  '6D00': { name: '水上游乐设施', varieties: { '6D10': '峡谷漂流系列', '6D20': '水滑梯系列', '6D40': '碰碰船系列' } },
  '6E00': { name: '无动力游乐设施', varieties: { '6E10': '蹦极系列', '6E40': '滑索系列', '6E50': '空中飞人系列', '6E60': '系留式观光气球系列' } },
  '7100': { name: '压力管道管子', varieties: {} },
  '7200': { name: '压力管道管件', varieties: {} },
  '7300': { name: '压力管道阀门', varieties: {} },
  '7400': { name: '压力管道法兰', varieties: {} },
  '7500': { name: '补偿器', varieties: {} },
  '7700': { name: '压力管道密封元件', varieties: {} },
  '7T00': { name: '压力管道特种元件', varieties: {} },
  '8100': { name: '长输管道', varieties: { '8110': '输油管道', '8120': '输气管道' } },
  '8200': { name: '公用管道', varieties: { '8210': '燃气管道', '8220': '热力管道' } },
  '8300': { name: '工业管道', varieties: { '8310': '工艺管道', '8320': '动力管道', '8330': '制冷管道' } },
  '9100': { name: '客运架空索道', varieties: { '9110': '往复式客运架空索道', '9120': '循环式客运架空索道' } },
  '9200': { name: '客运缆车', varieties: { '9210': '往复式客运缆车', '9220': '循环式客运缆车' } },
  '9300': { name: '客运拖牵索道', varieties: { '9310': '低位客运拖牵索道', '9320': '高位客运拖牵索道' } },
};

/** Category 7's 品种 list is unconfirmed: any 品种 position under a known 类别 is accepted. */
const UNCONFIRMED_VARIETIES = new Set(['7']);

/** The national authority's code in the 制造单位代号, standing where a province code would. */
const NATIONAL_AUTHORITY = '10';
const EARLIEST_YEAR = 1900;

export interface EquipmentType {
  code: string;
  name: string;
  category: string;
  categoryName: string;
  /** True when the catalogue could not confirm the 品种 and only its 类别 was checked. */
  unconfirmed: boolean;
}

/** The catalogue entry a 设备基本代码 names, or a sentence saying why it names none. */
export function equipmentType(code: string): { ok: true; value: EquipmentType } | { ok: false; problem: string } {
  const category = code[0] ?? '';
  const categoryName = CATEGORIES[category];
  if (!categoryName) {
    return { ok: false, problem: `position 1 (种类) is ${describeChar(category)}; it must be 1–9, a category of 《特种设备目录》` };
  }
  const classCode = `${code.slice(0, 2)}00`;
  const entry = CATALOGUE[classCode];
  if (!entry) {
    const known = Object.keys(CATALOGUE).filter((c) => c[0] === category).join(', ');
    return { ok: false, problem: `设备基本代码 ${code}: ${classCode} is not a 类别 of ${categoryName} in 《特种设备目录》 (known: ${known})` };
  }
  const varieties = Object.keys(entry.varieties);
  if (code === classCode) {
    if (varieties.length === 0 || UNCONFIRMED_VARIETIES.has(category)) {
      return { ok: true, value: { code, name: entry.name, category, categoryName, unconfirmed: false } };
    }
    return { ok: false, problem: `设备基本代码 ${code} (${entry.name}) is a 类别; the code is the 品种 beneath it: ${varieties.join(', ')}` };
  }
  if (UNCONFIRMED_VARIETIES.has(category)) {
    return { ok: true, value: { code, name: entry.name, category, categoryName, unconfirmed: true } };
  }
  const name = entry.varieties[code];
  if (name === undefined) {
    const expected = varieties.length ? `its 品种 are ${varieties.join(', ')}` : `it has no 品种, so the code is ${classCode}`;
    return { ok: false, problem: `设备基本代码 ${code} is not in 《特种设备目录》 under ${classCode} (${entry.name}); ${expected}` };
  }
  return { ok: true, value: { code, name, category, categoryName, unconfirmed: false } };
}

const isCodeChar = (c: string) => (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');

export function createSpecialEquipmentCodeScheme(options: ClockOptions = {}): CodeScheme {
  const clock = options.now ?? systemClock;
  const scheme: CodeScheme = {
    id: 'special-equipment-code',
    name: '特种设备代码',
    layout: '18 characters: 品种 (4) + 制造单位代号 (2-digit authority region + 3) + year (4) + sequence (5)',
    parse(text: string): SchemeResult {
      if (tooLong(text, LENGTH)) return notThisScheme(`a 特种设备代码 is ${LENGTH} characters; the text is far longer`);
      // Catalogue letters and pinyin sequence letters are capitals; a lower-case reading is the same code.
      const code = text.toUpperCase();
      const chars = codePoints(code);
      if (chars.length !== LENGTH) {
        const plausible = Math.abs(chars.length - LENGTH) === 1 && chars.every(isCodeChar);
        const message = `a 特种设备代码 is ${LENGTH} characters; got ${chars.length}`;
        return plausible ? nearMiss(message) : notThisScheme(message);
      }
      const bad = firstBadChar(chars, isCodeChar);
      if (bad) {
        const message = `${positions(bad.position)} is ${describeChar(bad.char)}; a 特种设备代码 has only digits and capital letters`;
        return chars.filter(isCodeChar).length >= LENGTH - 2 ? nearMiss(message) : notThisScheme(message);
      }

      const type = equipmentType(code.slice(0, 4));
      if (!type.ok) return nearMiss(type.problem);

      const manufacturer = code.slice(4, 9);
      const badManufacturer = firstBadChar(codePoints(manufacturer), isAsciiDigit);
      if (badManufacturer) {
        return nearMiss(`${positions(badManufacturer.position + 4)} is '${badManufacturer.char}'; the 制造单位代号 (positions 5–9) is digits`);
      }
      const authority = manufacturer.slice(0, 2);
      if (authority !== NATIONAL_AUTHORITY && !isRegionCode(`${authority}0000`)) {
        return nearMiss(
          `positions 5–6 (发证机关) are ${authority}; they must be ${NATIONAL_AUTHORITY} (the national authority) or a province-level GB/T 2260 code`,
        );
      }

      const yearText = code.slice(9, 13);
      const badYear = firstBadChar(codePoints(yearText), isAsciiDigit);
      if (badYear) return nearMiss(`${positions(badYear.position + 9)} is '${badYear.char}'; the year of manufacture (positions 10–13) is digits`);
      const year = Number(yearText);
      const today = chinaToday(clock);
      const thisYear = Number(today.slice(0, 4));
      if (year < EARLIEST_YEAR) return nearMiss(`year of manufacture ${yearText} (positions 10–13) is before ${EARLIEST_YEAR}`);
      if (year > thisYear) return nearMiss(`year of manufacture ${yearText} (positions 10–13) is after this year (${thisYear} in China)`);

      const notes: string[] = ['the manufacturing licence behind the 制造单位代号 is not checked against the licence register'];
      if (type.value.unconfirmed) {
        notes.push(`品种 ${type.value.code} under ${type.value.categoryName} is not confirmed: only its 类别 ${code.slice(0, 2)}00 was checked`);
      }
      const fields: Record<string, string> = {
        equipmentType: type.value.code,
        equipmentTypeName: type.value.name,
        category: type.value.category,
        categoryName: type.value.categoryName,
        manufacturer,
        licensingAuthorityRegion: authority,
        licenceSequence: manufacturer.slice(2),
        manufactureYear: yearText,
        sequence: code.slice(13),
      };
      return readingOf(scheme, { canonical: code, target: 'equipment', fields, notes });
    },
  };
  return scheme;
}

export const specialEquipmentCodeScheme: CodeScheme = createSpecialEquipmentCodeScheme();
