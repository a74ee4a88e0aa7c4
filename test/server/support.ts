/** Raw HTTP helpers for the server's tests: one request each, nothing hidden. */
export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown> & {
    error?: { code: number; message: string; errors: Array<{ reason: string }> };
  };
  text: string;
}

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = {};
  }
  return { status: response.status, headers: response.headers, json, text };
}

export const objectUrl = (base: string, bucket: string, name: string, query = ''): string =>
  `${base}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}${query ? `?${query}` : ''}`;

/** `uploadType=media` insert: the simplest write. */
export function insertMedia(
  base: string,
  bucket: string,
  name: string,
  data = 'data',
  query: Record<string, string> = {},
  init: RequestInit = {},
): Promise<Answer> {
  const params = new URLSearchParams({ uploadType: 'media', name, ...query });
  return request(`${base}/upload/storage/v1/b/${bucket}/o?${params.toString()}`, {
    method: 'POST',
    body: data,
    headers: { 'content-type': 'text/plain' },
    ...init,
  });
}

export function patchMetadata(
  base: string,
  bucket: string,
  name: string,
  metadata: Record<string, string | null>,
  query = '',
): Promise<Answer> {
  return request(objectUrl(base, bucket, name, query), {
    method: 'PATCH',
    body: JSON.stringify({ metadata }),
    headers: { 'content-type': 'application/json' },
  });
}
