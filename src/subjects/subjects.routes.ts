import { Type } from '@sinclair/typebox';
import { principalOf, type App } from '../http/app.js';
import { IdParams, PageQuery, StrictObject } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import {
  LocationCreateBody,
  LocationPage,
  LocationPatchBody,
  LocationSchema,
  SubjectCreateBody,
  SubjectListQuery,
  SubjectPage,
  SubjectPatchBody,
  SubjectSchema,
  SubjectStatusBody,
} from './subjects.schemas.js';

export function subjectRoutes(app: App, platform: Platform): void {
  const { subjects } = platform.services;
  app.addSchema(SubjectSchema);
  app.addSchema(LocationSchema);
  const tags = ['subjects'];
  const SubjectRef = Type.Ref(SubjectSchema);
  const LocationRef = Type.Ref(LocationSchema);

  app.post('/api/v1/subjects', { schema: { summary: 'Register a subject (主体备案)', tags, body: SubjectCreateBody, response: { 201: SubjectRef } } }, async (request, reply) => {
    const subject = await subjects.register(principalOf(request), request.body);
    return reply.code(201).header('Location', `/api/v1/subjects/${subject.id}`).send(subject);
  });

  app.get('/api/v1/subjects', { schema: { summary: 'List the subjects this key may read', tags, querystring: SubjectListQuery, response: { 200: SubjectPage } } }, async (request) => {
    const { q, ...rest } = request.query;
    return subjects.list(principalOf(request), { ...rest, ...(q ? { query: q } : {}) });
  });

  app.get('/api/v1/subjects/:id', { schema: { summary: 'A subject, by id or 主体码', tags, params: IdParams, response: { 200: SubjectRef } } }, async (request) =>
    subjects.get(principalOf(request), request.params.id),
  );

  app.patch('/api/v1/subjects/:id', { schema: { summary: 'Change a subject\'s profile', tags, params: IdParams, body: SubjectPatchBody, response: { 200: SubjectRef } } }, async (request) =>
    subjects.update(principalOf(request), request.params.id, request.body),
  );

  app.put('/api/v1/subjects/:id/status', { schema: { summary: 'Suspend, blacklist or reinstate a subject', tags, params: IdParams, body: SubjectStatusBody, response: { 200: SubjectRef } } }, async (request) =>
    subjects.setStatus(principalOf(request), request.params.id, request.body.status, request.body.reason ?? null),
  );

  app.post('/api/v1/subjects/:id/locations', { schema: { summary: 'Add a location owned by the subject', tags, params: IdParams, body: LocationCreateBody, response: { 201: LocationRef } } }, async (request, reply) => {
    const location = await subjects.addLocation(principalOf(request), request.params.id, request.body);
    return reply.code(201).header('Location', `/api/v1/locations/${location.id}`).send(location);
  });

  app.get('/api/v1/subjects/:id/locations', { schema: { summary: 'The subject\'s locations', tags, params: IdParams, querystring: StrictObject({ ...PageQuery }), response: { 200: LocationPage } } }, async (request) =>
    subjects.listLocations(principalOf(request), request.params.id, request.query.cursor, request.query.limit),
  );

  app.get('/api/v1/locations/:id', { schema: { summary: 'A location', tags, params: IdParams, response: { 200: LocationRef } } }, async (request) =>
    subjects.getLocation(principalOf(request), request.params.id),
  );

  app.patch('/api/v1/locations/:id', { schema: { summary: 'Change a location', tags, params: IdParams, body: LocationPatchBody, response: { 200: LocationRef } } }, async (request) =>
    subjects.updateLocation(principalOf(request), request.params.id, request.body),
  );
}
