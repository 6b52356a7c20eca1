import { Type } from '@sinclair/typebox';
import { SUBJECT_ROLES, SUBJECT_STATUSES } from '../domain/master-data.js';
import { Nullable, PageQuery, RegionCode, StrictObject, StringEnum, Timestamp, pageOf } from '../http/schemas.js';

const Roles = Type.Array(StringEnum(SUBJECT_ROLES), { minItems: 1, maxItems: SUBJECT_ROLES.length, uniqueItems: true });
const Contact = StrictObject({
  person: Type.Optional(Type.String({ maxLength: 100 })),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 200 })),
});
const Licence = StrictObject({
  type: Type.String({ minLength: 1, maxLength: 100, description: 'e.g. 食品经营许可证, 药品经营许可证' }),
  number: Type.String({ minLength: 1, maxLength: 100 }),
  validUntil: Type.Optional(Type.String({ format: 'date' })),
});
const Name = Type.String({ minLength: 1, maxLength: 200 });
const CompanyPrefixes = Type.Array(Type.String({ pattern: '^\\d{4,12}$' }), { maxItems: 50, description: 'GS1 company prefixes' });

export const SubjectSchema = Type.Object(
  {
    id: Type.String(),
    subjectCode: Type.String({ description: '主体码: 统一社会信用代码, or the platform-issued code of a natural person' }),
    kind: StringEnum(['organisation', 'person'] as const),
    name: Type.String(),
    roles: Type.Array(Type.String()),
    regionCode: Type.String(),
    status: StringEnum(SUBJECT_STATUSES),
    statusReason: Nullable(Type.String()),
    address: Nullable(Type.String()),
    contact: Nullable(Type.Object({ person: Type.Optional(Type.String()), phone: Type.Optional(Type.String()), email: Type.Optional(Type.String()) })),
    licences: Type.Array(Type.Object({ type: Type.String(), number: Type.String(), validUntil: Type.Optional(Type.String()) })),
    companyPrefixes: Type.Array(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'Subject' },
);

export const SubjectCreateBody = StrictObject({
  kind: StringEnum(['organisation', 'person'] as const),
  subjectCode: Type.Optional(Type.String({ minLength: 18, maxLength: 18, description: '统一社会信用代码 (organisations)' })),
  personId: Type.Optional(Type.String({ minLength: 18, maxLength: 18, description: '公民身份号码 (persons); sealed, never returned' })),
  name: Name,
  roles: Roles,
  regionCode: RegionCode,
  address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  contact: Type.Optional(Nullable(Contact)),
  licences: Type.Optional(Type.Array(Licence, { maxItems: 50 })),
  companyPrefixes: Type.Optional(CompanyPrefixes),
});

export const SubjectPatchBody = StrictObject(
  {
    name: Type.Optional(Name),
    roles: Type.Optional(Roles),
    regionCode: Type.Optional(RegionCode),
    address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    contact: Type.Optional(Nullable(Contact)),
    licences: Type.Optional(Type.Array(Licence, { maxItems: 50 })),
    companyPrefixes: Type.Optional(CompanyPrefixes),
  },
  { minProperties: 1 },
);

export const SubjectStatusBody = StrictObject({
  status: StringEnum(SUBJECT_STATUSES),
  reason: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))),
});

export const SubjectListQuery = StrictObject({
  regionPrefix: Type.Optional(Type.String({ pattern: '^\\d{0,6}$' })),
  role: Type.Optional(StringEnum(SUBJECT_ROLES)),
  status: Type.Optional(StringEnum(SUBJECT_STATUSES)),
  q: Type.Optional(Type.String({ maxLength: 100, description: 'substring of name or 主体码' })),
  ...PageQuery,
});

export const SubjectPage = pageOf(Type.Ref(SubjectSchema));

export const LocationSchema = Type.Object(
  {
    id: Type.String(),
    subjectId: Type.String(),
    gln: Nullable(Type.String()),
    localCode: Nullable(Type.String()),
    name: Type.String(),
    kind: Nullable(Type.String()),
    address: Nullable(Type.String()),
    regionCode: Type.String(),
    status: StringEnum(['active', 'closed'] as const),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Location' },
);

export const LocationCreateBody = StrictObject({
  gln: Type.Optional(Nullable(Type.String({ pattern: '^\\d{13}$', description: 'GS1 Global Location Number' }))),
  localCode: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, description: 'code within the subject, when no GLN' }))),
  name: Name,
  kind: Type.Optional(Nullable(Type.String({ maxLength: 64, description: 'e.g. farm, slaughterhouse, warehouse, store' }))),
  address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  regionCode: RegionCode,
});

export const LocationPatchBody = StrictObject(
  {
    name: Type.Optional(Name),
    kind: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    regionCode: Type.Optional(RegionCode),
    status: Type.Optional(StringEnum(['active', 'closed'] as const)),
  },
  { minProperties: 1 },
);

export const LocationPage = pageOf(Type.Ref(LocationSchema));
