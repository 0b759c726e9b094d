/** The little of the Open Inference Protocol the generator needs before it starts. */

export interface OipTensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface OipModelMetadata {
  name: string;
  platform?: string;
  inputs: OipTensorMetadata[];
  outputs: OipTensorMetadata[];
}

/** `GET /v2/models/{model}`; undefined when the server does not answer it (not an OIP server). */
export async function fetchModelMetadata(
  baseUrl: string,
  model: string,
  headers: Record<string, string> = {},
): Promise<OipModelMetadata | undefined> {
  try {
    const res = await fetch(new URL(`/v2/models/${encodeURIComponent(model)}`, baseUrl), {
      headers,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) return undefined;
    const body = (await res.json()) as OipModelMetadata;
    return Array.isArray(body.inputs) ? body : undefined;
  } catch {
    return undefined;
  }
}

/** Polls `GET /v2/health/ready` until 200 or the deadline; false on timeout. */
export async function waitReady(
  baseUrl: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(new URL('/v2/health/ready', baseUrl), {
        headers,
        signal: AbortSignal.timeout(2000),
      });
      await res.arrayBuffer();
      if (res.ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
