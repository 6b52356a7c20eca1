import type { ProductClass, SubjectStatus } from '../domain/master-data.js';

export const USER_ROLES = ['platform_admin', 'regulator', 'subject_admin', 'subject_operator', 'auditor', 'federation_member'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Who is acting, resolved once per request (or per CLI run) and handed to every service call. */
export interface Principal {
  /** Audit name of the actor: `user:<id>`, `admin-token` or `cli`. */
  actor: string;
  userId: string | null;
  keyId: string | null;
  role: UserRole;
  /** The subject a subject user belongs to (also a subject-scoped auditor). */
  subjectId: string | null;
  subjectStatus: SubjectStatus | null;
  /** Regulator scope: a GB/T 2260 prefix of 2, 4 or 6 digits; '' is nationwide. */
  regionPrefix: string | null;
  /** Regulator scope: the product classes supervised (from departments or set explicitly). */
  productClasses: ProductClass[];
  /** Set when a platform admin acts on behalf of a named subject. */
  onBehalfOf: string | null;
  address: string | null;
  requestId: string | null;
}

export function systemPrincipal(actor: string): Principal {
  return {
    actor,
    userId: null,
    keyId: null,
    role: 'platform_admin',
    subjectId: null,
    subjectStatus: null,
    regionPrefix: '',
    productClasses: [],
    onBehalfOf: null,
    address: null,
    requestId: null,
  };
}
