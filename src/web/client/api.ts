import { currentSession, signInAgain } from './session.js';

/** An RFC 9457 problem from the API, thrown as it came: the page shows `detail` and may branch on `code`. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: { pointer?: string; message: string }[] = [],
  ) {
    super(detail);
  }
}

export interface RequestOptions {
  body?: unknown;
  /** Extra headers, e.g. `Accept` for a spreadsheet. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Calls the API with the signed-in user's key. A 401 means the sign-in ended: the reader signs in again. */
export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options);
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

/** The same, for a download: the body as a Blob with the file name the server suggests. */
export async function download(path: string, accept?: string): Promise<{ blob: Blob; fileName: string | null }> {
  const response = await send('GET', path, accept ? { headers: { accept } } : {});
  const disposition = response.headers.get('content-disposition') ?? '';
  const fileName = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1] ?? null;
  return { blob: await response.blob(), fileName: fileName ? decodeURIComponent(fileName) : null };
}

async function send(method: string, path: string, options: RequestOptions): Promise<Response> {
  const session = currentSession();
  if (!session) signInAgain('expired');
  const headers: Record<string, string> = { authorization: `Bearer ${session.token}`, accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (response.status === 401) signInAgain('expired');
  if (!response.ok) throw await problemOf(response);
  return response;
}

async function problemOf(response: Response): Promise<ApiProblem> {
  try {
    const problem = (await response.json()) as { code?: string; detail?: string; title?: string; errors?: { pointer?: string; message: string }[] };
    return new ApiProblem(response.status, problem.code ?? 'unknown', problem.detail ?? problem.title ?? response.statusText, problem.errors ?? []);
  } catch {
    return new ApiProblem(response.status, 'unknown', response.statusText);
  }
}
