/** Builders for authority-assigned codes, computed from their layouts so each test gets fresh valid ones. */

const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

/** 兽药追溯码: application date (YYYYMMDD, a past day) + 5-digit enterprise + 11 random digits. */
export function buildVetDrugCode(date = '20250301', enterprise = '12345'): string {
  return `${date}${enterprise}${digits(11)}`;
}

/** 农药 单元识别代码: category(1–3) + registration(6) + production type(1–3) + spec(3) + random(21). */
export function buildPesticideUnitCode(category = 1, productionType = 1): string {
  return `${category}${digits(6)}${productionType}${digits(3)}${digits(21)}`;
}
