/**
 * Master data of the traceability system: the participants (追溯参与方 / 主体), their places and their products.
 * Terms follow GB/T 38155-2019; the eight product classes follow 国办发〔2015〕95号 and the 2017 seven-department opinion.
 */

export const SUBJECT_ROLES = [
  'producer', // 种植养殖、生产
  'processor', // 加工、屠宰
  'wholesaler', // 批发、批发市场
  'retailer', // 零售、超市、农贸市场
  'logistics', // 仓储、运输
  'user_unit', // 使用单位: hospitals, elevator owners, blasting companies
  'testing_body', // 检验检测机构
  'certification_body', // 认证机构
  'platform_operator', // 第三方追溯平台运营方
] as const;
export type SubjectRole = (typeof SUBJECT_ROLES)[number];

export const SUBJECT_STATUSES = ['active', 'suspended', 'blacklisted'] as const;
export type SubjectStatus = (typeof SUBJECT_STATUSES)[number];

export type SubjectKind = 'organisation' | 'person';

export const PRODUCT_CLASSES = [
  'edible_agricultural', // 食用农产品
  'food', // 食品
  'drug', // 药品
  'agricultural_input', // 农业生产资料
  'special_equipment', // 特种设备
  'hazardous', // 危险品
  'rare_earth', // 稀土产品
  'import_export', // 进出口商品
] as const;
export type ProductClass = (typeof PRODUCT_CLASSES)[number];

/**
 * Regulating departments and the product classes each supervises by default, after the 2019 seven-department split
 * of duties. A regulator may be given an explicit class list instead.
 */
export const DEPARTMENT_CLASSES = {
  commerce: [...PRODUCT_CLASSES], // 商务: runs the unified platform across all classes
  market_regulation: ['food', 'edible_agricultural', 'special_equipment'], // 市场监管
  agriculture: ['edible_agricultural', 'agricultural_input'], // 农业农村
  drug_administration: ['drug'], // 药监
  public_security: ['hazardous'], // 公安: civil explosives
  emergency_management: ['hazardous'], // 应急管理: hazardous chemicals, fireworks
  industry: ['rare_earth', 'food'], // 工信: rare earths, infant formula
  customs: ['import_export'], // 海关
} as const satisfies Record<string, readonly ProductClass[]>;
export type Department = keyof typeof DEPARTMENT_CLASSES;
export const DEPARTMENTS = Object.keys(DEPARTMENT_CLASSES) as Department[];

export interface Subject {
  id: string;
  /** 主体码: the 统一社会信用代码 of an organisation, or the platform-issued code of a natural person. */
  subjectCode: string;
  kind: SubjectKind;
  name: string;
  roles: SubjectRole[];
  regionCode: string;
  status: SubjectStatus;
  statusReason: string | null;
  address: string | null;
  contact: { person?: string; phone?: string; email?: string } | null;
  licences: { type: string; number: string; validUntil?: string }[];
  companyPrefixes: string[];
  createdAt: string;
  updatedAt: string;
}

export interface Location {
  id: string;
  subjectId: string;
  gln: string | null;
  localCode: string | null;
  name: string;
  kind: string | null;
  address: string | null;
  regionCode: string;
  status: 'active' | 'closed';
  createdAt: string;
  updatedAt: string;
}

export interface Product {
  id: string;
  ownerSubjectId: string;
  gtin: string | null;
  localCode: string | null;
  name: string;
  spec: string | null;
  productClass: ProductClass;
  category: string | null;
  status: 'active' | 'discontinued';
  createdAt: string;
  updatedAt: string;
}

/** A page of a keyset-paginated listing; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
